import {
  GetAccountAuthorizationDetailsCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
  ListServiceSpecificCredentialsCommand,
} from '@aws-sdk/client-iam';
import { BedrockClient, GetModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import { GetBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { AccountReadError, readAccount } from '../../lib/cli/account';
import { buildReport } from '../../lib/cli/report';
import { run } from './run';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const ACCOUNT = '123456789012';
const encode = (doc: Json) => encodeURIComponent(JSON.stringify(doc));
const trustAccount = encode({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
  ],
});
const roleDetail = (name: string, actions: string[], extra: Json = {}) => ({
  RoleName: name,
  Path: '/',
  Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
  AssumeRolePolicyDocument: trustAccount,
  RolePolicyList: [
    {
      PolicyName: 'inline',
      PolicyDocument: encode({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
      }),
    },
  ],
  AttachedManagedPolicies: [],
  Tags: [],
  ...extra,
});
/** A user whose inline policy invokes models. */
const invokingUser = (name: string) => ({
  UserName: name,
  UserId: `AIDA${name.length}`,
  Arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
  Path: '/',
  CreateDate: new Date(),
  UserPolicyList: [
    {
      PolicyName: 'p',
      PolicyDocument: encode({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: '*' }],
      }),
    },
  ],
  AttachedManagedPolicies: [],
  GroupList: [],
  Tags: [],
});
const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });

const iam = mockClient(IAMClient);
const bedrock = mockClient(BedrockClient);
const progress: string[] = [];
const options = () => ({
  region: 'us-east-1',
  client: new IAMClient({ region: 'us-east-1' }),
  bedrock: new BedrockClient({ region: 'us-east-1' }),
  progress: (m: string) => progress.push(m),
});
beforeEach(() => {
  iam.reset();
  iam.on(ListServiceSpecificCredentialsCommand).resolves({ ServiceSpecificCredentials: [] });
  bedrock.reset();
  bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves({});
  progress.length = 0;
});

test('reads every page, following the marker, and reports progress on a long read', async () => {
  iam
    .on(GetAccountAuthorizationDetailsCommand, { Marker: undefined })
    .resolves({
      RoleDetailList: [roleDetail('Invoker', ['bedrock:InvokeModel'])],
      IsTruncated: true,
      Marker: 'm1',
    })
    .on(GetAccountAuthorizationDetailsCommand, { Marker: 'm1' })
    .resolves({
      RoleDetailList: [roleDetail('Tuner', ['bedrock:CreateModelCustomizationJob'])],
      IsTruncated: false,
    });
  const stack = await readAccount(options());
  expect(Object.keys(stack.template.Resources).sort()).toEqual(['Invoker', 'Tuner']);
  expect(stack.name).toBe(`account ${ACCOUNT} (us-east-1)`);
  expect(progress).toEqual([
    'read page 1: 1 roles, 0 users, 0 groups, 0 policies',
    'read page 2: 2 roles, 0 users, 0 groups, 0 policies',
  ]);
});

test('a role that can assume another by ARN is joined to it, as in a template', async () => {
  const tunerArn = `arn:aws:iam::${ACCOUNT}:role/Tuner`;
  iam.on(GetAccountAuthorizationDetailsCommand).resolves({
    RoleDetailList: [
      roleDetail('Invoker', ['bedrock:InvokeModel'], {
        RolePolicyList: [
          {
            PolicyName: 'p',
            PolicyDocument: encode({
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: '*' },
                { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: tunerArn },
              ],
            }),
          },
        ],
      }),
      roleDetail('Tuner', ['bedrock:CreateModelCustomizationJob']),
    ],
  });
  const report = buildReport('test', [await readAccount(options())]);
  expect(report.stacks[0].principals.find((p) => p.id === 'Invoker')!.canAssume).toEqual(['Tuner']);
  expect(report.stacks[0].findings.map((f) => f.rule)).toContain(
    'ModelAccess-MergeThroughTrust[inference+customization:Tuner]',
  );
});

test('a managed policy without its default document in the listing is read with GetPolicyVersion', async () => {
  const policyArn = `arn:aws:iam::${ACCOUNT}:policy/Tuning`;
  iam.on(GetAccountAuthorizationDetailsCommand).resolves({
    RoleDetailList: [
      roleDetail('Tuner', [], {
        RolePolicyList: [],
        AttachedManagedPolicies: [{ PolicyName: 'Tuning', PolicyArn: policyArn }],
      }),
    ],
    Policies: [
      { PolicyName: 'Tuning', Arn: policyArn, Path: '/', DefaultVersionId: 'v3', PolicyVersionList: [] },
    ],
  });
  iam.on(GetPolicyVersionCommand, { PolicyArn: policyArn, VersionId: 'v3' }).resolves({
    PolicyVersion: {
      Document: encode({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'bedrock:CreateModelCustomizationJob', Resource: '*' }],
      }),
    },
  });
  const report = buildReport('test', [await readAccount(options())]);
  expect(report.stacks[0].principals[0].cells.customization).toEqual([
    'bedrock:CreateModelCustomizationJob in Tuning (#1) on *',
  ]);
});

test("a capability role's session length is read, so an over-long customization session is a finding", async () => {
  iam.on(GetAccountAuthorizationDetailsCommand).resolves({
    RoleDetailList: [
      roleDetail('Tuner', ['bedrock:CreateModelCustomizationJob'], {
        Tags: [{ Key: 'model-access:capability', Value: 'customization' }],
      }),
    ],
  });
  iam.on(GetRoleCommand, { RoleName: 'Tuner' }).resolves({ Role: { MaxSessionDuration: 43200 } as Json });
  const report = buildReport('test', [await readAccount(options())]);
  expect(report.stacks[0].findings.map((f) => f.rule)).toContain(
    'ModelAccess-CapabilityRoleLimits[session-over-1h]',
  );
});

test('capability roles are read eight at a time, not one after another, and one failure fails the read', async () => {
  const roles = Array.from({ length: 20 }, (_, i) =>
    roleDetail(`Tuner${i}`, ['bedrock:CreateModelCustomizationJob'], {
      Tags: [{ Key: 'model-access:capability', Value: 'customization' }],
    }),
  );
  iam.on(GetAccountAuthorizationDetailsCommand).resolves({ RoleDetailList: roles });
  let inFlight = 0;
  let most = 0;
  iam.on(GetRoleCommand).callsFake(async () => {
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, 20));
    inFlight--;
    return { Role: { MaxSessionDuration: 3600 } };
  });
  await readAccount(options());
  expect(iam.commandCalls(GetRoleCommand)).toHaveLength(20);
  expect(most).toBe(8);

  iam
    .on(GetRoleCommand, { RoleName: 'Tuner13' })
    .rejects(Object.assign(new Error('Role not found'), { name: 'NoSuchEntityException', $metadata: {} }));
  await expect(readAccount(options())).rejects.toThrow();
});

test('a bucket a policy names is a registry bucket by its data-class tag, read from S3', async () => {
  const s3 = mockClient(S3Client);
  s3.on(GetBucketTaggingCommand, { Bucket: 'weights' })
    .resolves({ TagSet: [{ Key: 'model-access:data-class', Value: 'model-artifacts' }] })
    .on(GetBucketTaggingCommand, { Bucket: 'scratch' })
    .rejects(Object.assign(new Error('The TagSet does not exist'), { name: 'NoSuchTagSet' }));
  iam.on(GetAccountAuthorizationDetailsCommand).resolves({
    RoleDetailList: [
      roleDetail('Evaluator', [], {
        RolePolicyList: [
          {
            PolicyName: 'p',
            PolicyDocument: encode({
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: ['bedrock:InvokeModel'], Resource: '*' },
                {
                  Effect: 'Allow',
                  Action: 's3:GetObject',
                  Resource: ['arn:aws:s3:::weights/*', 'arn:aws:s3:::scratch/*'],
                },
              ],
            }),
          },
        ],
      }),
    ],
  });
  try {
    const report = buildReport('test', [
      await readAccount({ ...options(), s3: new S3Client({ region: 'us-east-1' }) }),
    ]);
    const stack = report.stacks[0];
    expect(stack.dataClasses.find((d) => d.dataClass === 'model-artifacts')).toEqual({
      dataClass: 'model-artifacts',
      buckets: ['Bucketweights'],
      readers: ['Evaluator'],
      writers: [],
    });
    expect(stack.findings.map((f) => f.rule)).toContain(
      'ModelAccess-WeightsAccessMerge[inference+weights-access]',
    );
  } finally {
    s3.restore();
  }
});

// The SDK's retries themselves are exercised against a throttling server in round-trip.test.ts.
test('throttling that never ends fails, saying so, instead of a partial report', async () => {
  iam
    .on(GetAccountAuthorizationDetailsCommand, { Marker: undefined })
    .resolves({ RoleDetailList: [roleDetail('A', [])], IsTruncated: true, Marker: 'm1' })
    .on(GetAccountAuthorizationDetailsCommand, { Marker: 'm1' })
    .rejects(throttled());
  await expect(readAccount(options())).rejects.toThrow(
    new AccountReadError(
      'iam:GetAccountAuthorizationDetails still throttled after 6 tries after 1 page(s); no report, since it would be incomplete.',
    ),
  );
});

test('a failure after some pages is never presented as complete', async () => {
  iam
    .on(GetAccountAuthorizationDetailsCommand, { Marker: undefined })
    .resolves({ RoleDetailList: [roleDetail('A', [])], IsTruncated: true, Marker: 'm1' })
    .on(GetAccountAuthorizationDetailsCommand, { Marker: 'm1' })
    .rejects(Object.assign(new Error('We encountered an internal error'), { name: 'ServiceFailure' }));
  await expect(readAccount(options())).rejects.toThrow(
    /^iam:GetAccountAuthorizationDetails failed after 1 page\(s\); no report, since it would be incomplete: ServiceFailure/,
  );
});

test('a truncated page without a marker is an error, not the end', async () => {
  iam.on(GetAccountAuthorizationDetailsCommand).resolves({ RoleDetailList: [], IsTruncated: true });
  await expect(readAccount(options())).rejects.toThrow(/said page 1 was truncated but gave no marker/);
});

test('AccessDenied names the actions the caller needs', async () => {
  iam
    .on(GetAccountAuthorizationDetailsCommand)
    .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' }));
  await expect(readAccount(options())).rejects.toThrow(
    'access denied to iam:GetAccountAuthorizationDetails: the caller needs iam:GetAccountAuthorizationDetails, iam:GetPolicyVersion, iam:GetRole, iam:ListServiceSpecificCredentials, s3:GetBucketTagging and bedrock:GetModelInvocationLoggingConfiguration.',
  );
});

test("API keys to models: every user's, every page, for Bedrock; listing them denied is named", async () => {
  iam
    .on(GetAccountAuthorizationDetailsCommand)
    .resolves({
      UserDetailList: [invokingUser('BedrockAPIKey-a1')],
    })
    .on(ListServiceSpecificCredentialsCommand, {
      AllUsers: true,
      ServiceName: 'bedrock.amazonaws.com',
      Marker: undefined,
    })
    .resolves({
      ServiceSpecificCredentials: [
        {
          UserName: 'BedrockAPIKey-a1',
          ServiceName: 'bedrock.amazonaws.com',
          ServiceSpecificCredentialId: 'ACCA1',
          Status: 'Inactive',
          CreateDate: new Date('2026-10-01T00:00:00Z'),
        },
      ],
      IsTruncated: true,
      Marker: 'k1',
    })
    .on(ListServiceSpecificCredentialsCommand, {
      AllUsers: true,
      ServiceName: 'bedrock.amazonaws.com',
      Marker: 'k1',
    })
    .resolves({
      ServiceSpecificCredentials: [
        {
          UserName: 'BedrockAPIKey-a1',
          ServiceName: 'bedrock.amazonaws.com',
          ServiceSpecificCredentialId: 'ACCA2',
          Status: 'Active',
          CreateDate: new Date('2026-11-02T00:00:00Z'),
          ExpirationDate: new Date('2027-02-01T00:00:00Z'),
        },
      ],
    });
  const report = buildReport('test', [await readAccount(options())]);
  const row = report.stacks[0].principals.find((p) => p.name === 'BedrockAPIKey-a1')!;
  expect(row.apiKeys).toEqual([
    'bedrock.amazonaws.com ACCA1 Inactive, created 2026-10-01, never expires',
    'bedrock.amazonaws.com ACCA2 Active, created 2026-11-02, expires 2027-02-01',
  ]);
  expect(report.stacks[0].findings.map((f) => f.rule)).toContain(
    'ModelAccess-LongLivedCredentials[service-specific-credential]',
  );

  iam
    .on(ListServiceSpecificCredentialsCommand)
    .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
  await expect(readAccount(options())).rejects.toThrow(
    /^access denied to iam:ListServiceSpecificCredentials after 1 page\(s\); no report, since it would be incomplete: the caller needs .*iam:ListServiceSpecificCredentials/,
  );
});

test('an inactive API key alone is no long-lived credential', async () => {
  iam
    .on(GetAccountAuthorizationDetailsCommand)
    .resolves({
      UserDetailList: [invokingUser('k')],
    })
    .on(ListServiceSpecificCredentialsCommand)
    .resolves({
      ServiceSpecificCredentials: [
        {
          UserName: 'k',
          ServiceName: 'bedrock.amazonaws.com',
          ServiceSpecificCredentialId: 'ACCA3',
          Status: 'Inactive',
          CreateDate: new Date('2026-10-01T00:00:00Z'),
        },
      ],
    });
  const report = buildReport('test', [await readAccount(options())]);
  expect(report.stacks[0].findings.map((f) => f.rule).filter((r) => r.includes('LongLived'))).toEqual([]);
});

test('missing credentials say where credentials come from', async () => {
  iam.on(GetAccountAuthorizationDetailsCommand).rejects(
    Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    }),
  );
  await expect(readAccount(options())).rejects.toThrow(
    /^no AWS credentials: set AWS_PROFILE or pass --profile/,
  );
});

test('the CLI prints such an error in one line and exits 2, with nothing on standard output', async () => {
  // No credentials anywhere: an empty environment and a profile that does not exist.
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  process.env.AWS_CONFIG_FILE = '/nonexistent/config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  iam.restore();
  try {
    const { code, stdout, stderr } = await run('audit', '--region', 'us-east-1', '--profile', 'nobody');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    // The profile asked for is named, with where it was looked for.
    expect(stderr).toMatch(
      /^model-access: profile nobody gave no AWS credentials: check it is in ~\/\.aws\/config/,
    );
    expect(stderr.trim().split('\n')).toHaveLength(1);
  } finally {
    process.env = saved;
  }
});

test("reads the region's Bedrock invocation logging: the invokers are warned only where nothing logs", async () => {
  iam.on(GetAccountAuthorizationDetailsCommand).resolves({
    RoleDetailList: [roleDetail('Invoker', ['bedrock:InvokeModel'])],
    IsTruncated: false,
  });
  const warned = async () =>
    buildReport('test', [await readAccount(options())])
      .stacks[0].findings.map((f) => f.rule)
      .includes('ModelAccess-InferenceWithoutInvocationLogging');
  expect(await warned()).toBe(true);
  bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves({
    loggingConfig: { s3Config: { bucketName: 'central-invocation-logs' }, textDataDeliveryEnabled: true },
  });
  expect(await warned()).toBe(false);
  bedrock
    .on(GetModelInvocationLoggingConfigurationCommand)
    .rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
  await expect(readAccount(options())).rejects.toThrow(
    'access denied to bedrock:GetModelInvocationLoggingConfiguration after 1 page(s)',
  );
});
