import '../support/env';
import { App, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AccessAnalysis,
  Capability,
  DeploymentPipeline,
  DeploymentPipelineProps,
  DeploymentTarget,
  ModelAccessChecks,
  ModelAccessControl,
  ModelRegistry,
} from '../../lib';
import { NATIVE_APPROVAL_ACTIONS } from '../../lib/capabilities/private/native-approval';
import { Decision, identityPoliciesOf, simulate } from '../support/simulate';
import { ACCOUNT, REGION, ResolvedTemplate } from '../support/template';
import { allow, doc, role, template } from '../analysis/designs';
import { deploymentFixture } from './fixture';

// Model package groups the deployment pipeline governs: SageMaker's own approval of their packages
// is denied, by the group's resource policy, to every principal but the pipeline's approval step.
const f = deploymentFixture({ modelPackageGroups: ['churn', 'fraud-detection'] });
const packageOf = (group: string, version = 7) =>
  `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-package/${group}/${version}`;
const GOVERNED = packageOf('churn');
const UNGOVERNED = packageOf('someone-elses');
const groupId = (name: string) =>
  f.stack.getLogicalId(f.pipeline.node.findChild(`ModelPackageGroup-${name}`) as never);
const groupPolicy = (name: string) => f.template.props(groupId(name)).ModelPackageGroupPolicy;
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/Administrator`;
const OUTSIDER = 'arn:aws:iam::222222222222:role/Partner';
const everything = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/** A call to a governed package, by `principal` with `identityPolicies`, under the group's policy. */
function call(
  principal: string,
  action: string,
  context: Record<string, string>,
  identityPolicies: object[] = [everything],
  resource = GOVERNED,
): Promise<Decision> {
  return simulate({
    principal,
    action,
    resource,
    context,
    identityPolicies,
    resourcePolicy: groupPolicy('churn'),
  });
}

describe("a governed group's policy (evaluated with iam-simulate)", () => {
  test('an administrator with AdministratorAccess creates no package Approved and sets none Approved, in any case', async () => {
    for (const action of NATIVE_APPROVAL_ACTIONS) {
      for (const value of ['Approved', 'approved', 'APPROVED']) {
        expect([
          action,
          value,
          await call(ADMIN, action, { 'sagemaker:ModelApprovalStatus': value }),
        ]).toEqual([action, value, 'ExplicitlyDenied']);
      }
    }
  });

  test('nor gives a package a lifecycle stage, whatever its status', async () => {
    for (const action of NATIVE_APPROVAL_ACTIONS) {
      const staged = {
        'sagemaker:ModelApprovalStatus': 'PendingManualApproval',
        'sagemaker:ModelLifeCycle:Stage': 'Production',
      };
      expect(await call(ADMIN, action, staged)).toBe('ExplicitlyDenied');
    }
  });

  test('another account allowed by its own policies is denied the same', async () => {
    expect(
      await call(OUTSIDER, 'sagemaker:UpdateModelPackage', { 'sagemaker:ModelApprovalStatus': 'Approved' }),
    ).toBe('ExplicitlyDenied');
  });

  test('registering a package pending approval, or rejecting one, stays open to whoever their policies allow', async () => {
    for (const value of ['PendingManualApproval', 'Rejected']) {
      expect(
        await call(ADMIN, 'sagemaker:CreateModelPackage', { 'sagemaker:ModelApprovalStatus': value }),
      ).toBe('Allowed');
    }
    expect(await call(ADMIN, 'sagemaker:DescribeModelPackage', {})).toBe('Allowed');
  });

  test("the pipeline's package approval function sets a governed package Approved", async () => {
    const approver = f.ids.packageApprovalRole;
    expect(
      await call(
        f.template.arn(approver),
        'sagemaker:UpdateModelPackage',
        { 'sagemaker:ModelApprovalStatus': 'Approved' },
        identityPoliciesOf(f.template, approver),
      ),
    ).toBe('Allowed');
  });

  test("its denies cover the group's packages, and no other group's", async () => {
    const approved = { 'sagemaker:ModelApprovalStatus': 'Approved' };
    expect(await call(ADMIN, 'sagemaker:UpdateModelPackage', approved, [everything], UNGOVERNED)).toBe(
      'Allowed',
    );
    // Each group's policy is its own.
    const fraud = packageOf('fraud-detection');
    expect(
      await simulate({
        principal: ADMIN,
        action: 'sagemaker:UpdateModelPackage',
        resource: fraud,
        context: approved,
        identityPolicies: [everything],
        resourcePolicy: groupPolicy('fraud-detection'),
      }),
    ).toBe('ExplicitlyDenied');
  });
});

describe('a pipeline with governed groups deploys and approves only their packages', () => {
  const rules = () => {
    const handler = f.stack.getLogicalId(
      f.pipeline.node.findChild('RequestHandler').node.defaultChild as never,
    );
    return JSON.parse(f.template.props(handler).Environment.Variables.DEPLOYMENT_RULES).model;
  };

  test("requests may name a version of a governed group's package, and no other package", () => {
    const pattern = new RegExp(rules().pattern);
    expect(pattern.test(GOVERNED)).toBe(true);
    expect(pattern.test(packageOf('fraud-detection', 12))).toBe(true);
    for (const other of [
      UNGOVERNED,
      packageOf('churn-v2'),
      packageOf('xchurn'),
      packageOf('churn').replace(ACCOUNT, '222222222222'),
    ]) {
      expect([other, pattern.test(other)]).toEqual([other, false]);
    }
    expect(rules().description).toContain('churn, fraud-detection');
  });

  test("the package approval function may set only the governed groups' packages", async () => {
    const approver = f.ids.packageApprovalRole;
    const can = (resource: string) =>
      simulate({
        principal: f.template.arn(approver),
        action: 'sagemaker:UpdateModelPackage',
        resource,
        identityPolicies: identityPoliciesOf(f.template, approver),
      });
    expect(await can(GOVERNED)).toBe('Allowed');
    expect(await can(UNGOVERNED)).toBe('ImplicitlyDenied');
  });

  test('the groups are made with their names, and the pack finds nothing unacknowledged', () => {
    const names = f.template
      .ofType('AWS::SageMaker::ModelPackageGroup')
      .map((id) => f.template.props(id).ModelPackageGroupName);
    expect(names.sort()).toEqual(['churn', 'fraud-detection']);
    expect(f.pipeline.modelPackageGroups.map((g) => g.modelPackageGroupName)).toEqual([
      'churn',
      'fraud-detection',
    ]);
    const report = new ModelAccessChecks().validateScope(f.app);
    expect(report.violations.filter((v) => v.severity !== 'warning').map((v) => v.ruleName)).toEqual([]);
  });

  test('without groups, none is made and requests may name any package of the account', () => {
    const plain = deploymentFixture();
    expect(plain.pipeline.modelPackageGroups).toEqual([]);
    expect(plain.template.ofType('AWS::SageMaker::ModelPackageGroup')).toEqual([]);
  });
});

describe('ModelAccessControl passes deploymentModelPackageGroups to its deployment pipeline', () => {
  test('its production pipeline governs them', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Control');
    const people = (job: string) =>
      new iam.AccountRootPrincipal().withConditions({ StringEquals: { 'aws:PrincipalTag/job': job } });
    const control = new ModelAccessControl(stack, 'Access', {
      models: [],
      deployers: people('ml-engineer'),
      deploymentApprovers: people('sre'),
      deploymentTargets: [
        DeploymentTarget.sageMakerEndpoint('churn-predictor', {
          instanceType: ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.LARGE),
        }),
      ],
      deploymentModelPackageGroups: ['churn'],
    });
    expect(control.deploymentPipeline!.modelPackageGroups.map((g) => g.modelPackageGroupName)).toEqual([
      'churn',
    ]);
    const template = new ResolvedTemplate(Template.fromStack(stack).toJSON());
    expect(template.ofType('AWS::SageMaker::ModelPackageGroup')).toHaveLength(1);
  });
});

describe("lifting a governed group's deny", () => {
  test('deleting a model package group policy is privilege administration, and replacing one takes weights out', () => {
    const group = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-package-group/churn`;
    const held = (action: string) =>
      AccessAnalysis.fromTemplate(template({ R: role([doc(allow(action, group))]) })).principals.find(
        (p) => p.id === 'R',
      )!.capabilities;
    expect(held('sagemaker:DeleteModelPackageGroupPolicy')).toEqual([Capability.PRIVILEGE_ADMIN]);
    expect(held('sagemaker:PutModelPackageGroupPolicy')).toEqual([Capability.WEIGHTS_ACCESS]);
    expect(held('sagemaker:GetModelPackageGroupPolicy')).toEqual([]);
  });
});

describe('model package groups refused at synth', () => {
  const build = (props: Partial<DeploymentPipelineProps>) => () => {
    const stack = new Stack(new App(), 'Bad');
    const registry = new ModelRegistry(stack, 'Registry', {
      metadataObjectLockRetention: s3.ObjectLockRetention.governance(Duration.days(365)),
    });
    new DeploymentPipeline(stack, 'Deployment', {
      registry,
      targets: [
        DeploymentTarget.sageMakerEndpoint('churn-predictor', {
          instanceType: ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.LARGE),
        }),
      ],
      ...props,
    });
  };

  test.each([
    [['Churn'], "'Churn' is not a model package group name of lower-case letters"],
    [['churn_v2'], "'churn_v2' is not a model package group name"],
    [['-churn'], "'-churn' is not a model package group name"],
    [['a'.repeat(64)], 'is not a model package group name'],
    [[], 'modelPackageGroups is empty'],
    [['churn', 'churn'], "'churn' is listed twice"],
    [[Lazy.string({ produce: () => 'churn' })], 'must be literal names'],
  ])('%j', (groups, message) => {
    expect(build({ modelPackageGroups: groups })).toThrow(message);
  });

  test('Bedrock targets have none', () => {
    const stack = new Stack(new App(), 'Bad');
    const registry = new ModelRegistry(stack, 'Registry', {
      metadataObjectLockRetention: s3.ObjectLockRetention.governance(Duration.days(365)),
    });
    expect(
      () =>
        new DeploymentPipeline(stack, 'Deployment', {
          registry,
          targets: [DeploymentTarget.bedrockProvisionedThroughput('assistant', { modelUnits: 1 })],
          modelPackageGroups: ['churn'],
        }),
    ).toThrow('DeploymentPipeline: modelPackageGroups applies to SageMaker endpoint targets only');
  });
});
