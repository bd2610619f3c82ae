import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import {
  AccessAnalysis,
  Capability,
  DataClass,
  DeploymentTarget,
  InvocationLogging,
  ModelAccessChecks,
  ModelAccessControl,
  ModelTarget,
  SelfBoundedRole,
  TAG_DATA_CLASS,
} from '../lib';
import { controlFixture, ENDPOINT, TITAN } from './audit/fixture';
import { boundaryOf, bucketPolicyOf, identityPoliciesOf, simulate } from './support/simulate';
import { ACCOUNT, ResolvedTemplate } from './support/template';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const f = controlFixture();
const c = f.control;
const ADMINISTRATOR_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};
const TITAN_ARN = 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1';

function can(role: IConstruct, action: string, resource: string, extra: Json[] = []) {
  const id = f.id(role);
  return simulate({
    principal: f.template.arn(id),
    action,
    resource,
    identityPolicies: [...identityPoliciesOf(f.template, id), ...extra],
    permissionBoundary: boundaryOf(f.template, id),
    context: { 'aws:MultiFactorAuthPresent': 'true', 'lambda:FunctionUrlAuthType': 'AWS_IAM' },
  });
}
const fn = (name: string) => f.template.arn(f.id(c.pipeline!.node.findChild(name)));

describe('ModelAccessControl with every principal named', () => {
  test('creates the registry, a role per capability, the pipeline with its people, and the audit trail', () => {
    expect([
      c.readRole,
      c.inferenceRole,
      c.pipeline,
      c.requesterRole,
      c.approverRole,
      c.auditTrail.auditorRole,
    ]).not.toContain(undefined);
    const tags = Object.values<Json>(Template.fromJSON(f.json).findResources('AWS::IAM::Role')).flatMap((r) =>
      (r.Properties.Tags ?? [])
        .filter((t: Json) => t.Key === 'model-access:capability')
        .map((t: Json) => t.Value),
    );
    for (const tag of ['read', 'inference', 'customization', 'approval', 'pipeline', 'service', 'auditor'])
      expect(tags).toContain(tag);
  });

  test('locks provenance manifests: the metadata bucket has object lock', () => {
    expect(f.template.props(f.id(c.registry.metadataBucket)).ObjectLockEnabled).toBe(true);
  });

  const lockModes = (control: ModelAccessControl, t: ReturnType<typeof Template.fromStack>) =>
    [control.registry.metadataBucket, control.auditTrail.logBucket!].map(
      (b) =>
        t.toJSON().Resources[Stack.of(b).getLogicalId(b.node.defaultChild as never)].Properties
          .ObjectLockConfiguration.Rule.DefaultRetention,
    );
  test('records are locked in governance mode by default, in compliance mode on request', () => {
    expect(lockModes(c, Template.fromJSON(f.json))).toEqual([
      { Mode: 'GOVERNANCE', Days: 365 },
      { Mode: 'GOVERNANCE', Days: 365 },
    ]);
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Compliance');
    const control = new ModelAccessControl(stack, 'C', {
      models: [TITAN],
      customizationRequesters: new iam.AccountRootPrincipal(),
      approvers: new iam.AccountRootPrincipal().withConditions({
        StringEquals: { 'aws:PrincipalTag/job': 'lead' },
      }),
      baseModels: [TITAN],
      recordLockMode: s3.ObjectLockMode.COMPLIANCE,
    });
    expect(lockModes(control, Template.fromStack(stack))).toEqual([
      { Mode: 'COMPLIANCE', Days: 365 },
      { Mode: 'COMPLIANCE', Days: 365 },
    ]);
  });

  test("people's roles require MFA by default; the invokers' service role does not", () => {
    const trust = (role: IConstruct) => JSON.stringify(f.template.props(f.id(role)).AssumeRolePolicyDocument);
    for (const role of [c.readRole!, c.requesterRole!, c.approverRole!])
      expect(trust(role)).toMatch(/"aws:MultiFactorAuthPresent":"true"/);
    expect(trust(c.inferenceRole!)).not.toMatch(/MultiFactorAuthPresent/);
  });

  test('the audit trail watches every role of the platform', () => {
    // As many role-change rules as the roles need: their patterns together.
    const pattern = c.auditTrail.node.children
      .filter((child) => child.node.id.startsWith('RoleChanges'))
      .map((rule) => JSON.stringify(f.template.resolve(f.json.Resources[f.id(rule)].Properties.EventPattern)))
      .join('\n');
    const roles = [
      c.readRole!,
      c.inferenceRole!,
      c.requesterRole!,
      c.approverRole!,
      c.deployerRole!,
      c.deploymentApproverRole!,
      ...c.pipeline!.roles,
      ...c.deploymentPipeline!.roles,
    ];
    for (const role of roles) expect(pattern).toContain(`"${f.id(role)}"`);
  });

  test('by the analysis, requesters hold no capability and approvers hold APPROVAL alone', () => {
    const analysis = AccessAnalysis.fromTemplate(f.json);
    expect(analysis.principal(f.id(c.requesterRole!))!.capabilities).toEqual([]);
    expect(analysis.principal(f.id(c.approverRole!))!.capabilities).toEqual([Capability.APPROVAL]);
  });
});

describe('requesters', () => {
  test('can submit a request and upload training data, and cannot approve or start anything', async () => {
    const r = c.requesterRole!;
    expect(await can(r, 'lambda:InvokeFunctionUrl', fn('RequestHandler'))).toBe('Allowed');
    expect(
      await can(r, 's3:PutObject', `${f.template.arn(f.id(c.registry.trainingDataBucket))}/d/train.jsonl`),
    ).toBe('Allowed');
    expect(await can(r, 'lambda:InvokeFunctionUrl', fn('ApprovalHandler'))).not.toBe('Allowed');
    expect(await can(r, 'states:StartExecution', f.template.arn(f.id(c.pipeline!.stateMachine)))).not.toBe(
      'Allowed',
    );
    expect(await can(r, 'bedrock:CreateModelCustomizationJob', TITAN_ARN)).not.toBe('Allowed');
  });

  test('with AdministratorAccess attached later, still cannot start a job, approve, or invoke a model', async () => {
    const r = c.requesterRole!;
    for (const [action, resource] of [
      ['bedrock:CreateModelCustomizationJob', TITAN_ARN],
      ['bedrock:InvokeModel', TITAN_ARN],
      ['states:StartExecution', f.template.arn(f.id(c.pipeline!.stateMachine))],
      ['iam:PassRole', f.template.arn(f.id(c.pipeline!.serviceRole as iam.Role))],
    ]) {
      expect(await can(r, action, resource, [ADMINISTRATOR_ACCESS])).not.toBe('Allowed');
    }
  });

  test('without MFA, can do nothing', async () => {
    const id = f.id(c.requesterRole!);
    const decision = await simulate({
      principal: f.template.arn(id),
      action: 'lambda:InvokeFunctionUrl',
      resource: fn('RequestHandler'),
      identityPolicies: identityPoliciesOf(f.template, id),
      permissionBoundary: boundaryOf(f.template, id),
      context: { 'aws:MultiFactorAuthPresent': 'false' },
    });
    expect(decision).toBe('ExplicitlyDenied');
  });
});

describe('approvers', () => {
  test('can decide through the approval URL and follow executions, and cannot request or read history', async () => {
    const a = c.approverRole!;
    expect(await can(a, 'lambda:InvokeFunctionUrl', fn('ApprovalHandler'))).toBe('Allowed');
    expect(await can(a, 'lambda:InvokeFunctionUrl', fn('RequestHandler'))).not.toBe('Allowed');
    const execution = `arn:aws:states:us-east-1:111111111111:execution:${f.id(c.pipeline!.stateMachine)}:req-1`;
    expect(await can(a, 'states:DescribeExecution', execution)).toBe('Allowed');
    expect(await can(a, 'states:GetExecutionHistory', execution)).not.toBe('Allowed');
  });

  test('with AdministratorAccess attached later, still cannot resume a wait or customize', async () => {
    const a = c.approverRole!;
    expect(await can(a, 'states:SendTaskSuccess', '*', [ADMINISTRATOR_ACCESS])).not.toBe('Allowed');
    expect(await can(a, 'bedrock:CreateModelCustomizationJob', TITAN_ARN, [ADMINISTRATOR_ACCESS])).not.toBe(
      'Allowed',
    );
  });
});

// In a stack of any account, and in one of the people's own account (where a grant to the
// immutable role by identity policy alone would be dropped, and with it the people's access).
describe.each([
  ['any account', undefined],
  ["the people's own account", { account: '111111111111', region: 'us-east-1' }],
])('ModelAccessControl with IAM Identity Center people, in a stack of %s', (_, env) => {
  const sso = (name: string) =>
    `arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_${name}_0123456789abcdef`;
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Sso', { env });
  const control = new ModelAccessControl(stack, 'C', {
    models: [TITAN],
    customizationRequesters: new iam.ArnPrincipal(sso('MlEngineer')),
    approvers: new iam.ArnPrincipal(sso('MlLead')),
    baseModels: [TITAN],
    conditions: { requireMfa: false },
  });
  const t = new ResolvedTemplate(Template.fromStack(stack).toJSON());

  test('grants the permission-set roles directly, creating no role for them to chain into', () => {
    expect([control.requesterRole, control.approverRole]).toEqual([undefined, undefined]);
    const invokers = t
      .ofType('AWS::Lambda::Permission')
      .map((id) => t.props(id))
      .filter((p) => p.Action === 'lambda:InvokeFunctionUrl')
      .map((p) => p.Principal);
    expect(invokers.sort()).toEqual([sso('MlEngineer'), sso('MlLead')]);
    const env = t
      .ofType('AWS::Lambda::Function')
      .map((id) => t.props(id).Environment?.Variables?.PARTICIPANTS)
      .filter((v) => v)
      .map((v) => JSON.parse(v).roles);
    expect(env).toEqual([
      { [`111111111111:AWSReservedSSO_MlEngineer_0123456789abcdef`]: 'identity-center' },
      { [`111111111111:AWSReservedSSO_MlLead_0123456789abcdef`]: 'identity-center' },
    ]);
  });

  test('requesters upload training data through the bucket policy, and nothing is attached to their role', async () => {
    expect(
      t
        .ofType('AWS::IAM::Policy')
        .map((id) => t.props(id).Roles ?? [])
        .flat(),
    ).not.toContain('AWSReservedSSO_MlEngineer_0123456789abcdef');
    const bucketId = stack.getLogicalId(control.registry.trainingDataBucket.node.defaultChild as never);
    const decision = await simulate({
      principal: sso('MlEngineer'),
      action: 's3:PutObject',
      resource: `${t.arn(bucketId)}/datasets/train.jsonl`,
      resourcePolicy: bucketPolicyOf(t, bucketId),
    });
    expect(decision).toBe('Allowed');
  });
});

describe('ModelAccessControl with fewer principals', () => {
  test('invokers alone: an inference role, a registry without object lock, no pipeline', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S');
    const control = new ModelAccessControl(stack, 'C', {
      models: [TITAN],
      invokers: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    expect([control.readRole, control.pipeline, control.requesterRole, control.approverRole]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(control.registry.metadataObjectLockRetention).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::CloudTrail::Trail', 1);
  });

  test('customization needs requesters, approvers and base models together', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S');
    expect(
      () =>
        new ModelAccessControl(stack, 'C', {
          models: [TITAN],
          customizationRequesters: new iam.AccountRootPrincipal(),
          baseModels: [TITAN],
        }),
    ).toThrow(/customization needs customizationRequesters, approvers and baseModels together/);
  });

  test('conditions given keep MFA required unless they say otherwise', () => {
    const trust = (control: ModelAccessControl) =>
      JSON.stringify(
        Stack.of(control).resolve(
          (control.readRole!.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument,
        ),
      );
    const build = (conditions: object) =>
      new ModelAccessControl(new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S'), 'C', {
        models: [TITAN],
        readers: new iam.AccountRootPrincipal(),
        conditions,
      });
    expect(trust(build({ sourceIpRanges: ['203.0.113.0/24'] }))).toMatch(
      /"aws:MultiFactorAuthPresent":"true"/,
    );
    expect(trust(build({ requireMfa: false }))).not.toMatch(/MultiFactorAuthPresent/);
  });

  test('a self-bounded role granted nothing fails synth with the reason, not at deployment', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new SelfBoundedRole(new Stack(app, 'S'), 'Idle', 'auditor', {
      assumedBy: new iam.AccountRootPrincipal(),
    });
    expect(() => app.synth()).toThrow(
      /SelfBoundedRole 'Idle' was granted nothing, so its boundary would allow no action and IAM would refuse it/,
    );
  });

  // Two principals that a policy writes alike: the same team.
  const team = () => new iam.ArnPrincipal('arn:aws:iam::111111111111:role/ml-team');

  test.each([
    ['an ARN string', 'arn:aws:iam::111111111111:role/x', "the string 'arn:aws:iam::111111111111:role/x'"],
    ['a number', 7, 'a number'],
  ])('a principal prop given %s is refused, naming the fix', (_, value, got) => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S');
    expect(() => new ModelAccessControl(stack, 'C', { models: [TITAN], invokers: value as never })).toThrow(
      `ModelAccessControl: invokers must be a principal (iam.ArnPrincipal, iam.AccountRootPrincipal, iam.ServicePrincipal, a role...), got ${got}; wrap an ARN in new iam.ArnPrincipal(arn).`,
    );
  });

  test('a stack whose region is an availability zone is refused, naming the region', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S', {
      env: { account: '111111111111', region: 'us-east-1a' },
    });
    expect(() => new ModelAccessControl(stack, 'C', { models: [TITAN] })).toThrow(
      "ModelAccessControl: the stack's region us-east-1a is an availability zone; the region is us-east-1.",
    );
  });

  test('readers or invokers need models', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S');
    expect(
      () => new ModelAccessControl(stack, 'C', { models: [], readers: new iam.AccountRootPrincipal() }),
    ).toThrow(/models is empty/);
    // From JavaScript or Python, a missing required prop arrives as undefined: named, not a TypeError.
    expect(
      () => new ModelAccessControl(stack, 'D', { readers: new iam.AccountRootPrincipal() } as never),
    ).toThrow(/^ModelAccessControl: models is missing; name the models readers and invokers may use\.$/);
  });

  test.each([
    [
      'customizationRequesters and approvers',
      () => ({ customizationRequesters: team(), approvers: team(), baseModels: [TITAN] }),
    ],
    [
      'deployers and deploymentApprovers',
      () => ({
        deployers: team(),
        deploymentApprovers: team(),
        deploymentTargets: [
          DeploymentTarget.sageMakerEndpoint('chat', {
            instanceType: ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.LARGE),
          }),
        ],
      }),
    ],
  ])('%s that are the same principal are refused', (names, sides) => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S');
    expect(() => new ModelAccessControl(stack, 'C', { models: [TITAN], ...sides() })).toThrow(
      `ModelAccessControl: ${names} are the same principal, so the people who request also approve each other's requests; give the approvers a principal of their own.`,
    );
  });

  test('conditions are checked as for any role: MFA cannot be required of a service', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S');
    expect(
      () =>
        new ModelAccessControl(stack, 'C', {
          models: [ModelTarget.sagemakerEndpoint('e1')],
          invokers: new iam.ServicePrincipal('lambda.amazonaws.com'),
          inferenceConditions: { requireMfa: true },
        }),
    ).toThrow(/an AWS service principal cannot present MFA/);
  });
});

describe('ModelAccessControl deployment', () => {
  const c = f.control;
  const analysis = AccessAnalysis.fromTemplate(f.json);
  const principal = (role: IConstruct) => analysis.principals.find((p) => p.id === f.id(role))!;

  test('only the deployment pipeline may deploy: its state machine is the one principal with DEPLOYMENT', () => {
    expect(
      analysis.principals.filter((p) => p.capabilities.includes(Capability.DEPLOYMENT)).map((p) => p.id),
    ).toEqual([f.id(c.deploymentPipeline!.stateMachine.role)]);
  });

  test('deployers hold no capability, deployment approvers APPROVAL alone, both behind MFA', () => {
    expect(principal(c.deployerRole!).capabilities).toEqual([]);
    expect(principal(c.deploymentApproverRole!).capabilities).toEqual([Capability.APPROVAL]);
    for (const role of [c.deployerRole!, c.deploymentApproverRole!]) {
      expect(JSON.stringify(f.template.props(f.id(role)).AssumeRolePolicyDocument)).toMatch(
        /"aws:MultiFactorAuthPresent":"true"/,
      );
    }
  });

  test('needs deployers, approvers and targets together, and two approvals at least', () => {
    expect(() => controlFixture({ deploymentTargets: undefined })).toThrow(
      'ModelAccessControl: deployment needs deployers, deploymentApprovers and deploymentTargets together',
    );
    expect(() => controlFixture({ deploymentRequiredApprovals: 1 })).toThrow(
      'ModelAccessControl: deploymentRequiredApprovals must be at least 2 for production, got 1',
    );
  });
});

describe('ModelAccessControl invocation logging and alarms', () => {
  const store = c.invocationLogging!;
  const bucketId = f.id(store.bucket);
  const LOG = `${f.template.arn(bucketId)}/bedrock/AWSLogs/${ACCOUNT}/BedrockModelInvocationLogs/us-east-1/2026/12/02/log.json.gz`;
  const reads = (role: IConstruct, extra: Json[] = []) => {
    const id = f.id(role);
    return simulate({
      principal: f.template.arn(id),
      action: 's3:GetObject',
      resource: LOG,
      resourcePolicy: bucketPolicyOf(f.template, bucketId),
      identityPolicies: [...identityPoliciesOf(f.template, id), ...extra],
      permissionBoundary: boundaryOf(f.template, id),
      s3Abac: true,
      context: {
        'aws:MultiFactorAuthPresent': 'true',
        [`aws:ResourceTag/${TAG_DATA_CLASS}`]: DataClass.INFERENCE_LOGS,
      },
    });
  };

  test('by default turns on Bedrock invocation logging into a store of its own, tagged inference-logs', () => {
    const t = Template.fromJSON(f.json);
    t.resourceCountIs('Custom::ModelInvocationLogging', 1);
    expect(f.template.props(bucketId).Tags).toContainEqual({ Key: TAG_DATA_CLASS, Value: 'inference-logs' });
    // Locked as the platform's other records, with its access logs beside the registry's.
    expect(f.template.props(bucketId).ObjectLockConfiguration.Rule.DefaultRetention).toEqual({
      Mode: 'GOVERNANCE',
      Days: 365,
    });
    expect(f.template.props(bucketId).LoggingConfiguration.DestinationBucketName).toEqual(
      f.template.resolve({ Ref: f.id(c.registry.accessLogsBucket) }),
    );
  });

  test('the auditors are the only readers: the invokers, readers and requesters cannot, even with AdministratorAccess', async () => {
    expect(await reads(c.auditTrail.auditorRole!)).toBe('Allowed');
    for (const role of [c.inferenceRole!, c.readRole!, c.requesterRole!, c.deployerRole!]) {
      expect(await reads(role, [ADMINISTRATOR_ACCESS])).not.toBe('Allowed');
    }
    const readers = AccessAnalysis.fromTemplate(f.json)
      .principals.filter((p) => p.capabilities.includes(Capability.INFERENCE_LOG_ACCESS))
      .map((p) => p.id);
    expect(readers).toEqual([f.id(c.auditTrail.auditorRole!)]);
  });

  test("the deployment pipeline's endpoints capture their requests and responses into the same store", () => {
    const definition = JSON.parse(
      f.template.props(f.id(c.deploymentPipeline!.stateMachine)).DefinitionString,
    );
    expect(definition.States.CreateEndpointConfig.Parameters.DataCaptureConfig).toMatchObject({
      EnableCapture: true,
      InitialSamplingPercentage: 100,
      DestinationS3Uri: `s3://${f.template.resolve({ Ref: bucketId })}/sagemaker/`,
    });
  });

  test("alarms on the invokers' Bedrock models alone, on anomaly bands unless ceilings are given", () => {
    const alarms = c.invocationAlarms!;
    const alarmed = Object.values<Json>(Template.fromJSON(f.json).findResources('AWS::CloudWatch::Alarm'))
      .map((a) => JSON.stringify(a.Properties))
      .filter((p) => p.includes('AWS/Bedrock'));
    // Titan only: the endpoint is SageMaker's. Invocations, input and output tokens, throttles.
    expect(alarmed).toHaveLength(4);
    for (const p of alarmed) expect(p).toContain('amazon.titan-text-express-v1');
    expect(alarms.alarms).toHaveLength(4);
    const ceilings = controlFixture({ invocationAlarms: { maxInputTokensPerHour: 1_000_000 } });
    const input = Object.values<Json>(
      Template.fromJSON(ceilings.json).findResources('AWS::CloudWatch::Alarm'),
    ).find((a) => a.Properties.MetricName === 'InputTokenCount');
    expect(input.Properties.Threshold).toBe(1_000_000);
  });

  test('no alarms without invokers of Bedrock models, or when turned off; options that cannot apply are refused', () => {
    expect(controlFixture({ invokers: undefined }).control.invocationAlarms).toBeUndefined();
    expect(controlFixture({ invocationAlarmsEnabled: false }).control.invocationAlarms).toBeUndefined();
    expect(() =>
      controlFixture({ invocationAlarmsEnabled: false, invocationAlarms: { maxThrottlesPerFiveMinutes: 5 } }),
    ).toThrow(
      'ModelAccessControl: invocationAlarms configures alarms that invocationAlarmsEnabled: false turns off',
    );
    expect(() =>
      controlFixture({ models: [ENDPOINT], invocationAlarms: { maxThrottlesPerFiveMinutes: 5 } }),
    ).toThrow(/there are none: name invokers and such models, or remove invocationAlarms/);
  });

  test('a second platform in the same account and region uses the first one’s store, or synth says so', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const first = new ModelAccessControl(new Stack(app, 'First'), 'Platform', {
      models: [TITAN],
      invokers: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    expect(
      () =>
        new ModelAccessControl(new Stack(app, 'Second'), 'Platform', {
          models: [TITAN],
          invokers: new iam.ServicePrincipal('lambda.amazonaws.com'),
        }),
    ).toThrow(
      "ModelInvocationLogging 'Second/Platform/InvocationLogging': 'First/Platform/InvocationLogging' already turns on Bedrock model invocation logging for this account and region",
    );
    const stack = new Stack(app, 'Third');
    const third = new ModelAccessControl(stack, 'Platform', {
      models: [TITAN],
      invokers: new iam.ServicePrincipal('lambda.amazonaws.com'),
      invocationLogging: InvocationLogging.existing(first.invocationLogging!),
    });
    expect(third.invocationLogging).toBe(first.invocationLogging);
    Template.fromStack(stack).resourceCountIs('Custom::ModelInvocationLogging', 0);
    // Another region has a configuration of its own.
    const other = new ModelAccessControl(
      new Stack(app, 'Ireland', { env: { account: '111111111111', region: 'eu-west-1' } }),
      'Platform',
      { models: [TITAN], invokers: new iam.ServicePrincipal('lambda.amazonaws.com') },
    );
    expect(other.invocationLogging).toBeDefined();
  });

  test("a platform of another stack using the store: its auditors read it, named by their role's fixed name", async () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const firstStack = new Stack(app, 'First');
    const first = new ModelAccessControl(firstStack, 'Platform', {
      models: [TITAN],
      invokers: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const secondStack = new Stack(app, 'Second');
    const second = new ModelAccessControl(secondStack, 'Platform', {
      models: [TITAN],
      invokers: new iam.ServicePrincipal('lambda.amazonaws.com'),
      auditors: new iam.AccountRootPrincipal(),
      auditTrail: { auditorRoleName: 'second-platform-auditor' },
      invocationLogging: InvocationLogging.existing(first.invocationLogging!),
    });
    // Both synthesize: no reference runs from the store's stack to the other.
    const one = new ResolvedTemplate(Template.fromStack(firstStack).toJSON());
    const two = new ResolvedTemplate(Template.fromStack(secondStack).toJSON(), [one]);
    const bucketId = firstStack.getLogicalId(first.invocationLogging!.bucket.node.defaultChild as never);
    const auditorId = secondStack.getLogicalId(second.auditTrail.auditorRole!.node.defaultChild as never);
    const reads = await simulate({
      principal: `arn:aws:iam::${ACCOUNT}:role/second-platform-auditor`,
      action: 's3:GetObject',
      resource: `${one.arn(bucketId)}/bedrock/AWSLogs/${ACCOUNT}/BedrockModelInvocationLogs/log.json.gz`,
      resourcePolicy: bucketPolicyOf(one, bucketId),
      identityPolicies: identityPoliciesOf(two, auditorId),
    });
    expect(reads).toBe('Allowed');
  });

  test('logging configured outside the app: no store, and the reason acknowledges the advisory finding where reviewers see it', () => {
    const synth = (invocationLogging: InvocationLogging) => {
      const app = new App({
        outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'outside-')),
        context: { 'aws:cdk:bundling-stacks': [] },
      });
      Validations.of(app).addPlugins(new ModelAccessChecks(app));
      const control = new ModelAccessControl(new Stack(app, 'Central'), 'Platform', {
        models: [TITAN],
        invokers: new iam.ServicePrincipal('lambda.amazonaws.com'),
        guardrail: {
          guardrailArn: 'arn:aws:bedrock:us-east-1:123456789012:guardrail/gr0central',
          version: '2',
        },
        invocationLogging,
      });
      app.synth();
      const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8'));
      return { control, ours: report.pluginReports.find((r: Json) => r.pluginName === 'ModelAccess') };
    };
    const reason = 'The security account logs every invocation of this account (ticket SEC-12).';
    const { control, ours } = synth(InvocationLogging.configuredOutside(reason));
    expect(control.invocationLogging).toBeUndefined();
    expect(ours.violations).toEqual([]);
    expect(ours.suppressedViolations).toEqual([
      expect.objectContaining({
        ruleName: 'ModelAccess-InferenceWithoutInvocationLogging',
        acknowledgedAt: 'Central/Platform/Invokers',
        reason,
      }),
    ]);

    expect(() => InvocationLogging.configuredOutside('  ')).toThrow(
      'InvocationLogging.configuredOutside: say where the logs go and who reads them',
    );
  });
});
