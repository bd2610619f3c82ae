import * as http from 'http';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateServiceSpecificCredentialCommand,
  CreateUserCommand,
  IAMClient,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { BedrockClient, PutModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import { CreateBucketCommand, PutBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  ModelCustomizationRole,
  ModelInferenceRole,
  ModelInvocationLogging,
  ModelReadRole,
  ModelRegistry,
  ModelTarget,
} from '../../lib';
import { readAccount } from '../../lib/cli/account';
import { renderMarkdown } from '../../lib/cli/render';
import { buildReport, StackReport } from '../../lib/cli/report';
import { MotoServer } from '../support/moto-server';
import { run } from './run';
import { ACCOUNT, ResolvedTemplate } from '../support/template';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const MOTO_ACCOUNT = '123456789012';

/** Capability roles, a hand-written merged role, and a group whose members reach a merge by assuming a role. */
function design(): Json {
  const app = new App();
  const stack = new Stack(app, 'Design');
  const titan = ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1');
  const people = (job: string) =>
    new iam.AccountRootPrincipal().withConditions({ StringEquals: { 'aws:PrincipalTag/job': job } });
  const registry = new ModelRegistry(stack, 'Registry');
  new ModelReadRole(stack, 'Readers', { assumedBy: people('analyst'), targets: [titan], registry });
  const invokers = new ModelInferenceRole(stack, 'Invokers', {
    assumedBy: people('developer'),
    targets: [titan],
  });
  new ModelCustomizationRole(stack, 'Tuners', { assumedBy: people('ml-engineer'), targets: [titan] });
  const chat = new iam.Role(stack, 'ChatBackend', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  chat.addToPolicy(
    new iam.PolicyStatement({
      actions: ['bedrock:InvokeModel', 'bedrock:CreateModelCustomizationJob'],
      resources: ['*'],
    }),
  );
  // An evaluator that invokes models and reads their weights: a merge only the registry's tags reveal.
  const evaluator = new iam.Role(stack, 'Evaluator', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  evaluator.addToPolicy(new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: ['*'] }));
  registry.grantReadWeights(evaluator);
  const group = new iam.Group(stack, 'MlEngineers');
  group.addManagedPolicy(
    new iam.ManagedPolicy(stack, 'TuneAnything', {
      statements: [
        new iam.PolicyStatement({ actions: ['bedrock:CreateModelCustomizationJob'], resources: ['*'] }),
      ],
    }),
  );
  group.addToPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [invokers.roleArn] }));
  new iam.User(stack, 'Dana', { groups: [group] });
  // What is asked of the models is logged, so neither read warns of Bedrock inference without logs.
  new ModelInvocationLogging(stack, 'InvocationLogging');
  return Template.fromStack(stack).toJSON();
}

/**
 * Creates the template's IAM entities in the account behind `client`, named by their logical ids,
 * and its tagged buckets behind `s3`.
 */
async function createInAccount(client: IAMClient, s3: S3Client, template: Json, bedrock?: BedrockClient) {
  const t = new ResolvedTemplate(template);
  for (const id of t.ofType('Custom::ModelInvocationLogging')) {
    const { BucketName, KeyPrefix } = t.props(id);
    await bedrock!.send(
      new PutModelInvocationLoggingConfigurationCommand({
        loggingConfig: {
          s3Config: { bucketName: BucketName, keyPrefix: KeyPrefix },
          textDataDeliveryEnabled: true,
        },
      }),
    );
  }
  for (const id of t.ofType('AWS::S3::Bucket')) {
    const Bucket = t.resolve({ Ref: id });
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: t.props(id).Tags ?? [] } }));
  }
  const inAccount = (value: Json): Json =>
    JSON.parse(JSON.stringify(value).split(ACCOUNT).join(MOTO_ACCOUNT));
  const props = (id: string) => inAccount(t.props(id));
  const arnOf = (ref: string) => `arn:aws:iam::${MOTO_ACCOUNT}:policy/${ref.split('/').pop()}`;
  const isCustomer = (arn: string) => arn.includes(`:${MOTO_ACCOUNT}:policy/`);
  const attached = (arns: string[] | undefined) => (arns ?? []).map((a) => (isCustomer(a) ? arnOf(a) : a));
  for (const id of t.ofType('AWS::IAM::ManagedPolicy')) {
    await client.send(
      new CreatePolicyCommand({ PolicyName: id, PolicyDocument: JSON.stringify(props(id).PolicyDocument) }),
    );
  }
  for (const id of t.ofType('AWS::IAM::Group')) await client.send(new CreateGroupCommand({ GroupName: id }));
  for (const id of t.ofType('AWS::IAM::Role')) {
    const p = props(id);
    await client.send(
      new CreateRoleCommand({
        RoleName: id,
        AssumeRolePolicyDocument: JSON.stringify(p.AssumeRolePolicyDocument),
        MaxSessionDuration: p.MaxSessionDuration,
        PermissionsBoundary: p.PermissionsBoundary ? arnOf(p.PermissionsBoundary) : undefined,
        Tags: p.Tags,
      }),
    );
    for (const inline of p.Policies ?? [])
      await client.send(
        new PutRolePolicyCommand({
          RoleName: id,
          PolicyName: inline.PolicyName,
          PolicyDocument: JSON.stringify(inline.PolicyDocument),
        }),
      );
    for (const arn of attached(p.ManagedPolicyArns))
      await client.send(new AttachRolePolicyCommand({ RoleName: id, PolicyArn: arn }));
  }
  for (const id of t.ofType('AWS::IAM::User')) {
    const p = props(id);
    await client.send(new CreateUserCommand({ UserName: id }));
    for (const g of p.Groups ?? [])
      await client.send(new AddUserToGroupCommand({ UserName: id, GroupName: g }));
    for (const arn of attached(p.ManagedPolicyArns))
      await client.send(new AttachUserPolicyCommand({ UserName: id, PolicyArn: arn }));
  }
  for (const id of t.ofType('AWS::IAM::Group')) {
    for (const arn of attached(props(id).ManagedPolicyArns))
      await client.send(new AttachGroupPolicyCommand({ GroupName: id, PolicyArn: arn }));
  }
  // AWS::IAM::Policy resources are inline policies of the roles, users and groups they name.
  for (const id of t.ofType('AWS::IAM::Policy')) {
    const p = props(id);
    const PolicyDocument = JSON.stringify(p.PolicyDocument);
    for (const r of p.Roles ?? [])
      await client.send(new PutRolePolicyCommand({ RoleName: r, PolicyName: id, PolicyDocument }));
    for (const u of p.Users ?? [])
      await client.send(new PutUserPolicyCommand({ UserName: u, PolicyName: id, PolicyDocument }));
    for (const g of p.Groups ?? [])
      await client.send(new PutGroupPolicyCommand({ GroupName: g, PolicyName: id, PolicyDocument }));
  }
}

/** What must agree: each principal's capabilities, reach and flag, and the findings. */
function verdicts(stack: StackReport) {
  return {
    principals: Object.fromEntries(
      stack.principals.map((p) => [
        p.id,
        { capabilities: Object.keys(p.cells).sort(), canAssume: [...p.canAssume].sort(), flagged: p.flagged },
      ]),
    ),
    // Findings on principals: an account read from IAM holds no bucket configuration to judge.
    findings: stack.findings
      .filter((f) => stack.principals.some((p) => p.id === f.resource))
      .map((f) => `${f.rule} on ${f.resource}`)
      .sort(),
    registry: stack.dataClasses.map((d) => ({
      dataClass: d.dataClass,
      readers: d.readers.sort(),
      writers: d.writers.sort(),
    })),
  };
}

let moto: MotoServer;
beforeAll(async () => {
  moto = await MotoServer.start();
}, 60_000);
afterAll(async () => moto?.stop());

test('the same policies give the same verdicts: report on the template, audit on an account holding it', async () => {
  const template = design();
  const client = new IAMClient({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const bedrock = new BedrockClient({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await createInAccount(client, s3, template, bedrock);

  const fromTemplate = buildReport('template', [{ name: 'Design', template }]).stacks[0];
  const fromAccount = buildReport('account', [
    await readAccount({ region: 'us-east-1', client, s3, bedrock }),
  ]).stacks[0];

  const expected = verdicts(fromTemplate);
  expect(verdicts(fromAccount)).toEqual(expected);
  // And they say what the design is: the chat role merges, the group's user reaches a merge by assuming.
  expect(expected.findings).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^ModelAccess-MergedCapabilities\[inference\+customization\] on ChatBackend/),
      expect.stringMatching(/^ModelAccess-MergeThroughTrust\[inference\+customization:Invokers.*\] on Dana/),
      expect.stringMatching(/^ModelAccess-WeightsAccessMerge\[inference\+weights-access\] on Evaluator/),
    ]),
  );
  // Read from Bedrock too: the account logs invocations, so no invoker is warned it does not.
  expect(expected.findings.join()).not.toContain('InferenceWithoutInvocationLogging');
  expect(Object.keys(expected.principals)).toHaveLength(8);
  expect(expected.registry.find((d) => d.dataClass === 'model-artifacts')!.readers).toEqual([
    expect.stringMatching(/^Evaluator/),
  ]);
}, 60_000);

// The account holds the design since the test above.
test('the command does the same through --endpoint-url: exit 1 for the merged design, the same findings', async () => {
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  try {
    const { code, stdout, stderr } = await run(
      'audit',
      '--region',
      'us-east-1',
      '--endpoint-url',
      moto.endpoint,
      '--format',
      'json',
    );
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const fromTemplate = buildReport('template', [{ name: 'Design', template: design() }]).stacks[0];
    expect(verdicts(JSON.parse(stdout).stacks[0]).findings).toEqual(verdicts(fromTemplate).findings);
  } finally {
    process.env = saved;
  }
}, 60_000);

test('audit names principals by their IAM name and ARN, as reviewers search the console', async () => {
  const client = new IAMClient({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await client.send(
    new CreateRoleCommand({
      RoleName: 'held-out-merged-role',
      Path: '/ml/',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );
  await client.send(
    new PutRolePolicyCommand({
      RoleName: 'held-out-merged-role',
      PolicyName: 'both',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['bedrock:InvokeModel', 'bedrock:CreateModelCustomizationJob'],
            Resource: '*',
          },
        ],
      }),
    }),
  );
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const bedrock = new BedrockClient({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const report = buildReport('account', [await readAccount({ region: 'us-east-1', client, s3, bedrock })]);
  const row = report.stacks[0].principals.find((p) => p.name === 'held-out-merged-role')!;
  expect(row).toMatchObject({
    name: 'held-out-merged-role',
    arn: `arn:aws:iam::${MOTO_ACCOUNT}:role/ml/held-out-merged-role`,
    flagged: true,
  });
  expect(report.stacks[0].findings).toContainEqual(
    expect.objectContaining({
      rule: 'ModelAccess-MergedCapabilities[inference+customization]',
      resourceName: 'held-out-merged-role',
    }),
  );
}, 60_000);

test("audit lists a user's Bedrock API key, with what the user can do, and its long-lived credential finding", async () => {
  const endpoint = {
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  const client = new IAMClient(endpoint);
  // As the Bedrock console makes an API key: a user, a policy that merges (moto has no
  // AmazonBedrockLimitedAccess; this holds a part of it), a service-specific credential.
  await client.send(new CreateUserCommand({ UserName: 'BedrockAPIKey-round-trip' }));
  await client.send(
    new PutUserPolicyCommand({
      UserName: 'BedrockAPIKey-round-trip',
      PolicyName: 'limited',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: [
              'bedrock:InvokeModel',
              'bedrock:CreateModelCustomizationJob',
              'bedrock:CallWithBearerToken',
            ],
            Resource: '*',
          },
        ],
      }),
    }),
  );
  await client.send(
    new CreateServiceSpecificCredentialCommand({
      UserName: 'BedrockAPIKey-round-trip',
      ServiceName: 'bedrock.amazonaws.com',
    }),
  );
  const s3 = new S3Client({ ...endpoint, forcePathStyle: true });
  const report = buildReport('account', [
    await readAccount({ region: 'us-east-1', client, s3, bedrock: new BedrockClient(endpoint) }),
  ]);
  const row = report.stacks[0].principals.find((p) => p.name === 'BedrockAPIKey-round-trip')!;
  expect(row.apiKeys).toEqual([
    expect.stringMatching(
      /^bedrock\.amazonaws\.com ACCA[0-9A-F]{17} Active, created \d{4}-\d\d-\d\d, never expires$/,
    ),
  ]);
  const rules = report.stacks[0].findings
    .filter((f) => f.resourceName === 'BedrockAPIKey-round-trip')
    .map((f) => f.rule);
  expect(rules).toEqual(
    expect.arrayContaining([
      'ModelAccess-LongLivedCredentials[service-specific-credential]',
      'ModelAccess-BearerTokenCapability[bedrock:CallWithBearerToken]',
      expect.stringMatching(/^ModelAccess-MergedCapabilities\[/),
    ]),
  );
  expect(renderMarkdown(report)).toMatch(/### Long-term API keys to models[\s\S]*BedrockAPIKey-round-trip/);
}, 60_000);

describe("throttling, retried by the AWS SDK's adaptive strategy", () => {
  const THROTTLING = `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>throttled</RequestId></ErrorResponse>`;
  /** A server in front of moto's that refuses the first `throttle` requests as IAM does. */
  async function throttlingProxy(throttle: number) {
    const state = { requests: 0, throttle };
    const target = new URL(moto.endpoint);
    const server = http.createServer((req, res) => {
      state.requests++;
      if (state.throttle-- > 0) {
        req.resume();
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(THROTTLING);
        return;
      }
      const forward = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(forward);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    return { state, url, close: () => new Promise<void>((r) => server.close(() => r())) };
  }
  const credentials = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };

  test('two throttled calls are retried, and the read completes', async () => {
    const proxy = await throttlingProxy(2);
    const saved = { ...process.env };
    Object.assign(process.env, credentials);
    try {
      const stack = await readAccount({ region: 'us-east-1', endpointUrl: proxy.url });
      expect(Object.keys(stack.template.Resources).length).toBeGreaterThan(0);
      // The first call was tried three times: the client retried, not the caller.
      expect(proxy.state.requests).toBeGreaterThanOrEqual(3);
    } finally {
      process.env = saved;
      await proxy.close();
    }
  }, 60_000);

  test('throttling that never ends fails after the attempts, saying so, with no report', async () => {
    const proxy = await throttlingProxy(1000);
    const saved = { ...process.env };
    Object.assign(process.env, credentials);
    try {
      await expect(readAccount({ region: 'us-east-1', endpointUrl: proxy.url, attempts: 3 })).rejects.toThrow(
        'iam:GetAccountAuthorizationDetails still throttled after 3 tries.',
      );
      expect(proxy.state.requests).toBe(3);
    } finally {
      process.env = saved;
      await proxy.close();
    }
  }, 60_000);
});
