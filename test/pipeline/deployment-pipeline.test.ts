import '../support/env';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AccessAnalysis,
  Capability,
  CustomizationPipeline,
  DeploymentPipeline,
  DeploymentPipelineProps,
  DeploymentTarget,
  ModelAccessChecks,
  ModelInvocationLogging,
  ModelRegistry,
  ModelTarget,
} from '../../lib';
import { bucketPolicyOf, identityPoliciesOf, simulate } from '../support/simulate';
import { ACCOUNT, REGION, ResolvedTemplate } from '../support/template';
import { deploymentFixture, ENDPOINT, MODEL_PACKAGE } from './fixture';

const f = deploymentFixture();
const t = Template.fromJSON(f.json);
const arn = (id: string) => f.template.arn(id);
const sagemaker = (resource: string) => `arn:aws:sagemaker:${REGION}:${ACCOUNT}:${resource}`;
const TARGET = sagemaker(`endpoint/${ENDPOINT}`);
const OTHER_ENDPOINT = sagemaker('endpoint/someone-elses');
const CONFIG = sagemaker('endpoint-config/deploy-6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f');
const MODEL = sagemaker('model/deploy-6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f');
const functionArn = (name: string) =>
  arn(f.stack.getLogicalId(f.pipeline.node.findChild(name).node.defaultChild as never));

async function can(roleId: string, action: string, resource: string, context: Record<string, string> = {}) {
  return simulate({
    principal: arn(roleId),
    action,
    resource,
    identityPolicies: identityPoliciesOf(f.template, roleId),
    context,
  });
}

/** Every role of the stack allowed `action` on `resource`. */
async function holders(action: string, resource: string, context: Record<string, string> = {}) {
  const allowed = [];
  for (const role of f.template.ofType('AWS::IAM::Role')) {
    if ((await can(role, action, resource, context)) === 'Allowed') allowed.push(role);
  }
  return allowed.sort();
}

describe('DeploymentPipeline resources', () => {
  test('the state machine is a standard workflow tagged as the deployment pipeline, logging no execution data', () => {
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
      Tags: Match.arrayWith([{ Key: 'model-access:component', Value: 'deployment-pipeline' }]),
    });
  });

  test("the request handler holds the environment's rules: its name, the targets, this account's model packages", () => {
    const handler = f.stack.getLogicalId(
      f.pipeline.node.findChild('RequestHandler').node.defaultChild as never,
    );
    const rules = JSON.parse(f.template.props(handler).Environment.Variables.DEPLOYMENT_RULES);
    expect(rules.environment).toBe('production');
    expect(rules.targets).toEqual([ENDPOINT]);
    expect(new RegExp(rules.model.pattern).test(MODEL_PACKAGE)).toBe(true);
    expect(new RegExp(rules.model.pattern).test(MODEL_PACKAGE.replace(ACCOUNT, '222222222222'))).toBe(false);
  });
});

describe('DeploymentPipeline identities (evaluated with iam-simulate)', () => {
  test('of all roles in the stack, only the state machine deploys, and only to its targets', async () => {
    for (const action of ['sagemaker:UpdateEndpoint', 'sagemaker:CreateEndpoint']) {
      expect(await holders(action, TARGET)).toEqual([f.ids.stateMachineRole]);
      expect(await holders(action, OTHER_ENDPOINT)).toEqual([]);
    }
    expect(await can(f.ids.stateMachineRole, 'sagemaker:CreateEndpointConfig', CONFIG)).toBe('Allowed');
  });

  test('of all roles in the stack, only the package approval function sets approval status', async () => {
    expect(await holders('sagemaker:UpdateModelPackage', MODEL_PACKAGE)).toEqual([f.ids.packageApprovalRole]);
  });

  test('of all roles, only the hosting-model function creates models, passing only the hosting role to SageMaker', async () => {
    expect(await holders('sagemaker:CreateModel', MODEL)).toEqual([f.ids.hostingModelRole]);
    const hosting = arn(f.ids.hostingRole);
    expect(
      await holders('iam:PassRole', hosting, { 'iam:PassedToService': 'sagemaker.amazonaws.com' }),
    ).toEqual([f.ids.hostingModelRole]);
    expect(
      await can(f.ids.hostingModelRole, 'iam:PassRole', hosting, {
        'iam:PassedToService': 'ec2.amazonaws.com',
      }),
    ).toBe('ImplicitlyDenied');
  });

  test('the state machine can neither approve the package, create the model, nor invoke it', async () => {
    const sm = f.ids.stateMachineRole;
    expect(await can(sm, 'sagemaker:UpdateModelPackage', MODEL_PACKAGE)).toBe('ImplicitlyDenied');
    expect(await can(sm, 'sagemaker:CreateModel', MODEL)).toBe('ImplicitlyDenied');
    expect(await can(sm, 'sagemaker:InvokeEndpoint', TARGET)).toBe('ImplicitlyDenied');
  });

  test('the deployer and the approver cannot deploy, approve the package or start the state machine', async () => {
    for (const who of [f.ids.deployer, f.ids.approver]) {
      expect(await can(who, 'sagemaker:UpdateEndpoint', TARGET)).toBe('ImplicitlyDenied');
      expect(await can(who, 'sagemaker:UpdateModelPackage', MODEL_PACKAGE)).toBe('ImplicitlyDenied');
      expect(await can(who, 'states:StartExecution', arn(f.ids.stateMachine))).toBe('ImplicitlyDenied');
    }
    const viaUrl = { 'lambda:FunctionUrlAuthType': 'AWS_IAM', 'lambda:InvokedViaFunctionUrl': 'true' };
    expect(await can(f.ids.deployer, 'lambda:InvokeFunctionUrl', functionArn('RequestHandler'), viaUrl)).toBe(
      'Allowed',
    );
    expect(
      await can(f.ids.deployer, 'lambda:InvokeFunctionUrl', functionArn('ApprovalHandler'), viaUrl),
    ).toBe('ImplicitlyDenied');
    expect(
      await can(f.ids.approver, 'lambda:InvokeFunctionUrl', functionArn('ApprovalHandler'), viaUrl),
    ).toBe('Allowed');
  });

  test('only the request handler starts the pipeline', async () => {
    const handlerRole = f.stack.getLogicalId(
      (f.pipeline.node.findChild('RequestHandler') as unknown as { role: iam.Role }).role.node
        .defaultChild as never,
    );
    expect(await holders('states:StartExecution', arn(f.ids.stateMachine))).toEqual([handlerRole]);
  });
});

describe('DeploymentPipeline in the analysis and the nag pack', () => {
  const analysis = AccessAnalysis.fromTemplate(f.json);
  const capabilitiesOf = (id: string) => analysis.principals.find((p) => p.id === id)!.capabilities;

  test('each of its identities holds one of deployment, approval and customization at most', () => {
    expect(capabilitiesOf(f.ids.stateMachineRole)).toContain(Capability.DEPLOYMENT);
    expect(capabilitiesOf(f.ids.stateMachineRole)).not.toContain(Capability.APPROVAL);
    expect(capabilitiesOf(f.ids.stateMachineRole)).not.toContain(Capability.CUSTOMIZATION);
    expect(capabilitiesOf(f.ids.packageApprovalRole)).toEqual([Capability.APPROVAL]);
    expect(capabilitiesOf(f.ids.hostingModelRole)).toEqual([Capability.CUSTOMIZATION]);
    expect(capabilitiesOf(f.ids.deployer)).toEqual([]);
    expect(capabilitiesOf(f.ids.approver)).toEqual([Capability.APPROVAL]);
  });

  test('ModelAccessChecks finds no error in the pipeline', () => {
    const report = new ModelAccessChecks(f.app).validateScope(f.app);
    expect(report.violations.filter((v) => v.severity !== 'warning')).toEqual([]);
  });
});

describe('DeploymentPipeline input', () => {
  const build = (props: Parameters<typeof deploymentFixture>[0]) => () => deploymentFixture(props);
  const large = { instanceType: ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.LARGE) };

  test.each([
    ['no target', { targets: [] }, 'targets must name at least one target'],
    [
      'one endpoint twice',
      {
        targets: [
          DeploymentTarget.sageMakerEndpoint('a', large),
          DeploymentTarget.sageMakerEndpoint('A', large),
        ],
      },
      'target a is listed twice',
    ],
    [
      'a bad environment name',
      { environment: 'Prod!' },
      "environment must be 1-32 lower-case letters, digits and hyphens, got 'Prod!'",
    ],
    [
      'one approver, unacknowledged',
      { requiredApprovals: 1 },
      'requiredApprovals 1 gives up the two-person rule',
    ],
    [
      'a 25-hour deployment',
      { deploymentTimeout: Duration.hours(25) },
      'deploymentTimeout must be from 1 minute to 24 hours',
    ],
    [
      'a 400-day approval',
      { approvalTimeout: Duration.days(400) },
      'approvalTimeout must be from 1 second to 365 days',
    ],
  ])('%s is refused', (_label, props, message) => {
    expect(build(props as never)).toThrow(`DeploymentPipeline: ${message}`);
  });

  test('a target with no instances is refused', () => {
    expect(() => DeploymentTarget.sageMakerEndpoint('e', { ...large, initialInstanceCount: 0 })).toThrow(
      'initialInstanceCount must be a positive integer, got 0',
    );
  });
});

describe('DeploymentPipeline and the customization pipelines of its registry', () => {
  const app = () => {
    const a = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(a, 'Both');
    const registry = new ModelRegistry(stack, 'Registry', {
      metadataObjectLockRetention: s3.ObjectLockRetention.governance(Duration.days(365)),
    });
    const training = new CustomizationPipeline(stack, 'Training', {
      registry,
      baseModels: [ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1')],
    });
    const deployment = new DeploymentPipeline(stack, 'Deployment', {
      registry,
      targets: [
        DeploymentTarget.sageMakerEndpoint('e', {
          instanceType: ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.LARGE),
        }),
      ],
    });
    const pinned = (id: string) =>
      new iam.Role(stack, id, {
        assumedBy: new iam.AccountRootPrincipal().withConditions({
          StringEquals: { 'sts:RoleSessionName': '${aws:username}' },
        }),
      });
    return { a, stack, training, deployment, pinned };
  };
  const IDC =
    'arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Deployers_0123456789abcdef';

  test('people of one source of identity in both synthesize', () => {
    const { a, training, deployment, pinned } = app();
    training.grantRequest(pinned('Engineers'));
    deployment.grantApprove(pinned('Sres'));
    expect(() => a.synth()).not.toThrow();
  });

  test("trainers from IAM and deployment approvers from Identity Center fail synth: the trainer's exclusion could not recognise them", () => {
    const { a, stack, training, deployment, pinned } = app();
    training.grantRequest(pinned('Engineers'));
    deployment.grantApprove(
      iam.Role.fromRoleArn(stack, 'IdcApprovers', IDC, { mutable: false, addGrantsToResources: true }),
    );
    expect(() => a.synth()).toThrow(
      /Both\/Deployment: its people and those of the customization pipelines of its registry \(Both\/Training\) come from more than one source of identity/,
    );
  });
});

describe('DeploymentPipeline data capture into a ModelInvocationLogging store', () => {
  const large = { instanceType: ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.LARGE) };
  const build = (props: Partial<DeploymentPipelineProps> = {}, withStore = true) => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Captured');
    const registry = new ModelRegistry(stack, 'Registry', {
      metadataObjectLockRetention: s3.ObjectLockRetention.governance(Duration.days(365)),
    });
    const logging = new ModelInvocationLogging(stack, 'InvocationLogging');
    const pipeline = new DeploymentPipeline(stack, 'Deployment', {
      registry,
      targets: [DeploymentTarget.sageMakerEndpoint(ENDPOINT, large)],
      dataCapture: withStore ? logging : undefined,
      ...props,
    });
    const json = Template.fromStack(stack).toJSON();
    const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
    return { stack, logging, pipeline, template: new ResolvedTemplate(json), id };
  };
  const c = build({ dataCapturePercentage: 20 });
  const bucket = c.template.resolve({ Ref: c.id(c.logging.bucket) });
  const hosting = c.id(c.pipeline.node.findChild('HostingRole') as iam.Role);

  test("each endpoint configuration captures requests and responses into the store, encrypted with the store's key", () => {
    const definition = JSON.parse(c.template.props(c.id(c.pipeline.stateMachine)).DefinitionString);
    expect(definition.States.CreateEndpointConfig.Parameters.DataCaptureConfig).toEqual({
      EnableCapture: true,
      InitialSamplingPercentage: 20,
      DestinationS3Uri: `s3://${bucket}/sagemaker/`,
      KmsKeyId: c.template.arn(c.id(c.logging.encryptionKey as never)),
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
    });
  });

  test('the hosting role writes captures under sagemaker/ only, and reads none of the store', async () => {
    const request = (action: string, key: string) =>
      simulate({
        principal: c.template.arn(hosting),
        action,
        resource: `arn:aws:s3:::${bucket}/${key}`,
        identityPolicies: identityPoliciesOf(c.template, hosting),
        resourcePolicy: bucketPolicyOf(c.template, c.id(c.logging.bucket)),
      });
    const capture = `sagemaker/${ENDPOINT}/AllTraffic/2026/12/02/10/capture.jsonl`;
    expect(await request('s3:PutObject', capture)).toBe('Allowed');
    expect(
      await request('s3:PutObject', `bedrock/AWSLogs/${ACCOUNT}/BedrockModelInvocationLogs/x.json.gz`),
    ).not.toBe('Allowed');
    expect(await request('s3:GetObject', capture)).not.toBe('Allowed');
    // It holds no new capability: writing records is none, and reading them is the auditors'.
    const analysis = AccessAnalysis.fromTemplate(Template.fromStack(c.stack).toJSON());
    expect(analysis.principal(hosting)!.capabilities).toEqual([Capability.WEIGHTS_ACCESS]);
  });

  test('without a store, no capture; with Bedrock targets, or a share out of bounds, refused', () => {
    const bare = build({}, false);
    const definition = JSON.parse(bare.template.props(bare.id(bare.pipeline.stateMachine)).DefinitionString);
    expect(definition.States.CreateEndpointConfig.Parameters.DataCaptureConfig).toBeUndefined();
    expect(() => build({ dataCapturePercentage: 0 })).toThrow(
      'DeploymentPipeline: dataCapturePercentage must be a whole number from 1 to 100, got 0.',
    );
    expect(() => build({ dataCapturePercentage: 50 }, false)).toThrow(
      'DeploymentPipeline: dataCapturePercentage needs dataCapture',
    );
    expect(() =>
      build({ targets: [DeploymentTarget.bedrockProvisionedThroughput('chat', { modelUnits: 1 })] }),
    ).toThrow('DeploymentPipeline: dataCapture applies to SageMaker endpoint targets only');
  });
});
