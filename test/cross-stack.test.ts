import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { AppTeamStack, buildApp, ModelPlatformStack } from '../examples/platform-and-app-team/app';
import { CustomizationPipeline, ModelAuditTrail } from '../lib';
import { PARTICIPANTS_ENV } from '../lib/private/participant-roles';
import { RuleBus } from './support/rule-bus';
import { bucketPolicyOf, boundaryOf, identityPoliciesOf, simulate } from './support/simulate';
import { ACCOUNT, REGION, ResolvedTemplate } from './support/template';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

// examples/platform-and-app-team: a platform stack (registry, pipeline, trail) and an app team's
// stack whose roles the platform grants to. Synthesized as a user would, then evaluated.
const app = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
const platform = app.node.findChild('ModelPlatform') as ModelPlatformStack;
const team = app.node.findChild('ChatbotTeam') as AppTeamStack;
const assembly = app.synth();
const p = new ResolvedTemplate(assembly.getStackByName(platform.stackName).template);
const t = new ResolvedTemplate(assembly.getStackByName(team.stackName).template, [p]);
const { registry, pipeline, auditTrail } = platform.control;
const idOf = (c: IConstruct) => Stack.of(c).getLogicalId((c.node.defaultChild ?? c) as never);

async function can(role: iam.Role, action: string, resource: string, resourcePolicy?: Json, context = {}) {
  return simulate({
    principal: t.arn(idOf(role)),
    action,
    resource,
    context,
    identityPolicies: identityPoliciesOf(t, idOf(role)),
    permissionBoundary: boundaryOf(t, idOf(role)),
    resourcePolicy,
  });
}
const object = (bucket: IConstruct) => `${p.arn(idOf(bucket))}/models/m1/card.json`;
const s3 = (role: iam.Role, action: string, bucket: IConstruct) =>
  can(role, action, object(bucket), bucketPolicyOf(p, idOf(bucket)));
const decrypt = (role: iam.Role) =>
  can(
    role,
    'kms:Decrypt',
    p.arn(idOf(registry.encryptionKey)),
    p.props(idOf(registry.encryptionKey)).KeyPolicy,
    {
      'kms:ViaService': `s3.${REGION}.amazonaws.com`,
    },
  );

test('the platform refers to nothing of the app team; the team depends on the platform alone', () => {
  expect(JSON.stringify(assembly.getStackByName(platform.stackName).template)).not.toContain('ChatbotTeam');
  expect(team.dependencies).toEqual([platform]);
  expect(platform.dependencies).toEqual([]);
});

test('the analysts read model cards, decrypting through S3, and cannot read weights or training data', async () => {
  expect(await s3(team.analysts, 's3:GetObject', registry.metadataBucket)).toBe('Allowed');
  expect(await decrypt(team.analysts)).toBe('Allowed');
  expect(await s3(team.analysts, 's3:GetObject', registry.modelArtifactsBucket)).not.toBe('Allowed');
  expect(await s3(team.analysts, 's3:GetObject', registry.trainingDataBucket)).not.toBe('Allowed');
});

test('the engineers upload training data and request through the URL, and can read no data or approve', async () => {
  expect(await s3(team.engineers, 's3:PutObject', registry.trainingDataBucket)).toBe('Allowed');
  expect(await decrypt(team.engineers)).toBe('Allowed');
  expect(await s3(team.engineers, 's3:GetObject', registry.trainingDataBucket)).toBe('ExplicitlyDenied');
  const url = { 'lambda:FunctionUrlAuthType': 'AWS_IAM' };
  const fn = (id: string) => p.arn(idOf(pipeline!.node.findChild(id)));
  expect(await can(team.engineers, 'lambda:InvokeFunctionUrl', fn('RequestHandler'), undefined, url)).toBe(
    'Allowed',
  );
  expect(
    await can(team.engineers, 'lambda:InvokeFunctionUrl', fn('ApprovalHandler'), undefined, url),
  ).not.toBe('Allowed');
});

test("the request handler counts the engineers' sessions as people, by the role's fixed name", () => {
  const handler = p.props(idOf(pipeline!.node.findChild('RequestHandler')));
  const { roles } = JSON.parse(handler.Environment.Variables[PARTICIPANTS_ENV]);
  expect(roles).toEqual(expect.objectContaining({ [`${ACCOUNT}:chatbot-ml-engineers`]: 'pinned' }));
});

test("the chatbot invokes its model through the inference profile, and nothing reads the platform's weights for it", async () => {
  const profile = `arn:aws:bedrock:${REGION}:${ACCOUNT}:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0`;
  const haiku = 'arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0';
  // The chatbot applies the guardrail its role requires (examples/platform-and-app-team).
  const guarded = {
    'bedrock:GuardrailIdentifier': 'arn:aws:bedrock:us-east-1:111122223333:guardrail/ab12cd34ef56:3',
  };
  expect(await can(team.chatbot, 'bedrock:InvokeModel', profile, undefined, guarded)).toBe('Allowed');
  expect(
    await can(team.chatbot, 'bedrock:InvokeModel', haiku, undefined, {
      ...guarded,
      'bedrock:InferenceProfileArn': profile,
    }),
  ).toBe('Allowed');
  expect(await can(team.chatbot, 'bedrock:InvokeModel', haiku, undefined, guarded)).not.toBe('Allowed');
  // Without the guardrail, not even through the profile.
  expect(await can(team.chatbot, 'bedrock:InvokeModel', profile)).toBe('ExplicitlyDenied');
  expect(await s3(team.chatbot, 's3:GetObject', registry.modelArtifactsBucket)).not.toBe('Allowed');
});

describe("alerts on the team's roles", () => {
  const rules = t.ofType('AWS::Events::Rule');
  let bus: RuleBus;
  beforeAll(async () => {
    bus = await RuleBus.start(Object.fromEntries(rules.map((rule) => [rule, t.props(rule).EventPattern])));
  }, 60_000);
  afterAll(async () => bus?.stop());

  /** The rules a call to IAM by someone raises an alert on. */
  const alertsFor = (eventName: string, requestParameters: Json) =>
    bus.matches({
      Source: 'aws.iam',
      DetailType: 'AWS API Call via CloudTrail',
      Detail: JSON.stringify({
        eventSource: 'iam.amazonaws.com',
        eventName,
        requestParameters,
        userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/mallory` },
      }),
    });

  test("are rules in the team's stack, publishing to the platform's topic", () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(t.props(rule).Targets[0].Arn).toBe(p.arn(idOf(auditTrail.alertTopic)));
    }
    expect(p.ofType('AWS::Events::Rule').length).toBeGreaterThan(0);
  });

  test.each(['chatbot-inference', 'chatbot-analysts', 'chatbot-ml-engineers'])(
    'AttachRolePolicy on %s raises the alert',
    async (roleName) => {
      const raised = await alertsFor('AttachRolePolicy', {
        roleName,
        policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      });
      expect(raised.map((r) => r.replace(/[0-9A-F]{8}$/, ''))).toContainEqual(
        expect.stringMatching(/RoleChanges/),
      );
    },
  );

  test('a change to a role nobody watches raises nothing', async () => {
    expect(
      await alertsFor('AttachRolePolicy', {
        roleName: 'someone-else',
        policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      }),
    ).toEqual([]);
  });

  test("a change to the inference role's boundary policy raises the alert", async () => {
    const boundaryArn = t.resolve({ Ref: idOf(team.chatbot.permissionsBoundary as never) });
    const raised = await alertsFor('CreatePolicyVersion', { policyArn: boundaryArn, setAsDefault: true });
    expect(raised).toContainEqual(expect.stringMatching(/PolicyChanges/));
  });
});

test('an imported trail alerts on a role of its stack through the named topic, and refuses a bad ARN', () => {
  const stack = new Stack(new App(), 'Other');
  const trail = ModelAuditTrail.fromAuditTrailAttributes(stack, 'Trail', {
    alertTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:model-access-alerts`,
  });
  trail.watchRole(new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() }));
  expect(() =>
    ModelAuditTrail.fromAuditTrailAttributes(stack, 'Bad', { alertTopicArn: 'model-access-alerts' }),
  ).toThrow(/'model-access-alerts' is not an SNS topic ARN/);
  const r = new ResolvedTemplate((stack.node.root as App).synth().getStackByName('Other').template);
  const [rule] = r.ofType('AWS::Events::Rule');
  expect(r.props(rule).Targets[0].Arn).toBe(`arn:aws:sns:${REGION}:${ACCOUNT}:model-access-alerts`);
});

describe('CustomizationPipeline.fromPipelineAttributes', () => {
  const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
  const attrs = {
    requestFunctionArn: fnArn('request'),
    approvalFunctionArn: fnArn('approval'),
    stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:customization`,
  };

  test("grants the grantee's identity policy on the named functions and executions alone", async () => {
    const stack = new Stack(new App(), 'Other');
    const imported = CustomizationPipeline.fromPipelineAttributes(stack, 'Pipeline', attrs);
    const role = new iam.Role(stack, 'Engineers', { assumedBy: new iam.AccountRootPrincipal() });
    imported.grantRequest(role);
    imported.grantReadStatus(role);
    const r = new ResolvedTemplate((stack.node.root as App).synth().getStackByName('Other').template);
    const request = (action: string, resource: string, context = {}) =>
      simulate({
        principal: r.arn(idOf(role)),
        action,
        resource,
        context,
        identityPolicies: identityPoliciesOf(r, idOf(role)),
      });
    const url = { 'lambda:FunctionUrlAuthType': 'AWS_IAM' };
    expect(await request('lambda:InvokeFunctionUrl', fnArn('request'), url)).toBe('Allowed');
    expect(await request('lambda:InvokeFunctionUrl', fnArn('approval'), url)).not.toBe('Allowed');
    const execution = `arn:aws:states:${REGION}:${ACCOUNT}:execution:customization:req-1`;
    expect(await request('states:DescribeExecution', execution)).toBe('Allowed');
    expect(await request('states:GetExecutionHistory', execution)).not.toBe('Allowed');
    expect(r.ofType('AWS::Lambda::Permission')).toEqual([]);
  });

  test('bad ARNs fail with the attribute named', () => {
    const stack = new Stack(new App(), 'Other');
    expect(() =>
      CustomizationPipeline.fromPipelineAttributes(stack, 'A', { ...attrs, requestFunctionArn: 'request' }),
    ).toThrow(/requestFunctionArn 'request' is not a lambda function ARN/);
    expect(() =>
      CustomizationPipeline.fromPipelineAttributes(stack, 'B', { ...attrs, stateMachineArn: fnArn('x') }),
    ).toThrow(/stateMachineArn .* is not a states stateMachine ARN/);
  });
});

test('a requester role of another stack whose trust lets callers choose session names still fails synth', () => {
  const other = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const p = new ModelPlatformStack(other, 'ModelPlatform');
  const team = new Stack(other, 'Team');
  // No sts:RoleSessionName pin: one person could approve or request under two names.
  const loose = new iam.Role(team, 'Loose', {
    assumedBy: new iam.AccountRootPrincipal(),
    roleName: 'team-loose',
  });
  p.control.pipeline!.grantRequest(loose);
  expect(() => other.synth()).toThrow(
    /Team\/Loose requests or approves, but its trust policy lets one person take several names/,
  );
});
