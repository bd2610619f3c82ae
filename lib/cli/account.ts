import {
  GetAccountAuthorizationDetailsCommand,
  GetAccountAuthorizationDetailsCommandOutput,
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
  ListServiceSpecificCredentialsCommand,
  ListServiceSpecificCredentialsCommandOutput,
} from '@aws-sdk/client-iam';
import { BedrockClient, GetModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import { GetBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { TAG_CAPABILITY, TAG_DATA_CLASS } from '../capabilities/capability';
import { MODEL_CREDENTIAL_SERVICES, SERVICE_CREDENTIALS_METADATA } from '../capabilities/private/api-keys';
import { INVOCATION_LOGGING_RESOURCE_TYPE } from '../private/invocation-logging-resource';
import { ARN_METADATA, StackInput } from './report';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** How many reads of one kind run at once: the SDK's adaptive retry slows them when IAM throttles. */
const PARALLEL_READS = 8;

/** `read` for every item, at most PARALLEL_READS at a time; the first failure fails the whole. */
async function inParallel<T>(items: T[], read: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await read(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, items.length) }, worker));
}

/** The account could not be read, or not completely: the message says what is missing. */
export class AccountReadError extends Error {}

export interface AccountReadOptions {
  readonly region: string;
  readonly profile?: string;
  readonly endpointUrl?: string;
  /** A client of your own (tests). @default - one for region, profile and endpoint */
  readonly client?: IAMClient;
  /** An S3 client of your own (tests), to read the data-class tags of buckets the policies name. @default - one for region, profile and endpoint */
  readonly s3?: S3Client;
  /** A Bedrock client of your own (tests), to read the region's model invocation logging. @default - one for region, profile and endpoint */
  readonly bedrock?: BedrockClient;
  /** How many times a call is tried: the AWS SDK's adaptive retry strategy retries throttling. @default 6 */
  readonly attempts?: number;
  /** Where progress goes. @default - nowhere */
  readonly progress?: (message: string) => void;
}

const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

/**
 * The account's roles, users, groups and customer-managed policies, read with
 * GetAccountAuthorizationDetails (every page) and the default version of each managed policy, as a
 * CloudFormation template the analysis reads like any other. Throws, naming what is missing, rather
 * than return a partial read.
 */
export async function readAccount(options: AccountReadOptions): Promise<StackInput> {
  // The SDK's adaptive strategy retries throttling, pacing the client's own calls; a call that
  // still fails ends the read, so a read either completes or says why not.
  const sdk = {
    region: options.region,
    profile: options.profile,
    endpoint: options.endpointUrl,
    retryMode: 'adaptive',
    maxAttempts: options.attempts ?? 6,
  };
  const client = options.client ?? new IAMClient(sdk);
  const call = failing(sdk.maxAttempts, options.profile);
  const details = { roles: [] as Json[], users: [] as Json[], groups: [] as Json[], policies: [] as Json[] };
  let marker: string | undefined;
  let pages = 0;
  do {
    const page: GetAccountAuthorizationDetailsCommandOutput = await call(
      'iam:GetAccountAuthorizationDetails',
      pages,
      () =>
        client.send(
          new GetAccountAuthorizationDetailsCommand({
            Filter: ['Role', 'User', 'Group', 'LocalManagedPolicy'],
            Marker: marker,
          }),
        ),
    );
    pages++;
    details.roles.push(...(page.RoleDetailList ?? []));
    details.users.push(...(page.UserDetailList ?? []));
    details.groups.push(...(page.GroupDetailList ?? []));
    details.policies.push(...(page.Policies ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
    if (page.IsTruncated && !marker) {
      throw new AccountReadError(
        `iam:GetAccountAuthorizationDetails said page ${pages} was truncated but gave no marker; no report, since it would be incomplete.`,
      );
    }
    if (marker || pages > 1) {
      options.progress?.(
        `read page ${pages}: ${details.roles.length} roles, ${details.users.length} users, ${details.groups.length} groups, ${details.policies.length} policies`,
      );
    }
  } while (marker);

  const documents = new Map<string, Json>();
  await inParallel(details.policies, async (policy) => {
    const listed = (policy.PolicyVersionList ?? []).find((v: Json) => v.IsDefaultVersion && v.Document);
    const document =
      listed?.Document ??
      (
        await call('iam:GetPolicyVersion', pages, () =>
          client.send(
            new GetPolicyVersionCommand({ PolicyArn: policy.Arn, VersionId: policy.DefaultVersionId }),
          ),
        )
      ).PolicyVersion?.Document;
    if (!document) throw new AccountReadError(`iam:GetPolicyVersion returned no document for ${policy.Arn}.`);
    documents.set(policy.Arn, parseDocument(document));
  });
  // Session length is not in the account details; the pack checks it on capability roles.
  const sessions = new Map<string, number>();
  const tagged = details.roles.filter((r) => (r.Tags ?? []).some((t: Json) => t.Key === TAG_CAPABILITY));
  await inParallel(tagged, async (role) => {
    const got = await call('iam:GetRole', pages, () =>
      client.send(new GetRoleCommand({ RoleName: role.RoleName })),
    );
    if (got.Role?.MaxSessionDuration) sessions.set(role.RoleName, got.Role.MaxSessionDuration);
  });
  // API keys to models (service-specific credentials): every user's, every page.
  const credentials = new Map<string, Json[]>();
  for (const service of MODEL_CREDENTIAL_SERVICES) {
    let next: string | undefined;
    do {
      const page: ListServiceSpecificCredentialsCommandOutput = await call(
        'iam:ListServiceSpecificCredentials',
        pages,
        () =>
          client.send(
            new ListServiceSpecificCredentialsCommand({ AllUsers: true, ServiceName: service, Marker: next }),
          ),
      );
      for (const c of page.ServiceSpecificCredentials ?? []) {
        credentials.set(c.UserName!, [
          ...(credentials.get(c.UserName!) ?? []),
          {
            id: c.ServiceSpecificCredentialId,
            service: c.ServiceName,
            status: c.Status,
            created: c.CreateDate?.toISOString(),
            expires: c.ExpirationDate?.toISOString(),
          },
        ]);
      }
      next = page.IsTruncated ? page.Marker : undefined;
    } while (next);
  }
  const account = accountOf(details);
  const template = accountTemplate(details, documents, sessions, account, credentials);
  // Registry buckets are known by their data-class tag: read it for each bucket a policy names.
  const s3 =
    options.s3 ??
    new S3Client({ ...sdk, forcePathStyle: options.endpointUrl !== undefined, followRegionRedirects: true });
  const buckets = bucketsNamedIn(template);
  const dataClasses = new Map<string, string>();
  await inParallel(buckets, async (bucket) => {
    const tags = await call('s3:GetBucketTagging', pages, () =>
      s3.send(new GetBucketTaggingCommand({ Bucket: bucket })).catch((e: Error) => {
        // A bucket without tags, or gone, is no registry bucket.
        if (e.name === 'NoSuchTagSet' || e.name === 'NoSuchBucket') return { TagSet: [] };
        throw e;
      }),
    );
    const dataClass = (tags.TagSet ?? []).find((t) => t.Key === TAG_DATA_CLASS)?.Value;
    if (dataClass) dataClasses.set(bucket, dataClass);
  });
  // In the order the policies name them, whatever order the reads finished in.
  for (const bucket of buckets.filter((b) => dataClasses.has(b))) {
    template.Resources[`Bucket${bucket.replace(/[^A-Za-z0-9]/g, '')}`] = {
      Type: 'AWS::S3::Bucket',
      Properties: { BucketName: bucket, Tags: [{ Key: TAG_DATA_CLASS, Value: dataClasses.get(bucket) }] },
    };
  }
  // Whether the region logs model invocations: the pack's advice on Bedrock inference turns on it.
  const bedrock = options.bedrock ?? new BedrockClient(sdk);
  const logging = await call('bedrock:GetModelInvocationLoggingConfiguration', pages, () =>
    bedrock.send(new GetModelInvocationLoggingConfigurationCommand({})),
  );
  if (logging.loggingConfig) {
    const { s3Config, cloudWatchConfig } = logging.loggingConfig;
    template.Resources.ModelInvocationLogging = {
      Type: INVOCATION_LOGGING_RESOURCE_TYPE,
      Properties: {
        ServiceToken: `bedrock:GetModelInvocationLoggingConfiguration in ${options.region}`,
        Destinations: [
          ...(s3Config?.bucketName ? [`s3://${s3Config.bucketName}/${s3Config.keyPrefix ?? ''}`] : []),
          ...(cloudWatchConfig?.logGroupName ? [`logs:${cloudWatchConfig.logGroupName}`] : []),
        ],
      },
    };
  }
  return {
    name: `account ${account ?? 'unknown'} (${options.region})`,
    template,
    principalsOnly: true,
    notes: [
      "Read from IAM, with the data-class tags of the buckets its policies name, and the region's Bedrock model invocation logging: buckets' own configuration (encryption, versioning, bucket policies) and trails are not read, so their rules are not judged.",
    ],
  };
}

/** Calls `send` (whose client retries throttling); turns AWS errors into one clear message. */
function failing(attempts: number, profile?: string) {
  return async <T>(action: string, pagesRead: number, send: () => Promise<T>): Promise<T> => {
    try {
      return await send();
    } catch (e) {
      const err = e as Error & { $metadata?: { httpStatusCode?: number; attempts?: number } };
      const throttled = THROTTLED.has(err.name) || err.$metadata?.httpStatusCode === 429;
      const tries = throttled ? (err.$metadata?.attempts ?? attempts) : 0;
      throw describeFailure(err, action, pagesRead, tries, profile);
    }
  };
}

function describeFailure(
  err: Error,
  action: string,
  pagesRead: number,
  throttledAttempts: number,
  profile?: string,
): Error {
  const partial = pagesRead > 0 ? ` after ${pagesRead} page(s); no report, since it would be incomplete` : '';
  if (err.name === 'CredentialsProviderError' || /Could not load credentials/i.test(err.message)) {
    return new AccountReadError(
      profile !== undefined
        ? `profile ${profile} gave no AWS credentials: check it is in ~/.aws/config or ~/.aws/credentials (or AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE) and has credentials or an SSO session that is signed in (${err.message}).`
        : 'no AWS credentials: set AWS_PROFILE or pass --profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
    );
  }
  if (ACCESS_DENIED.has(err.name)) {
    return new AccountReadError(
      `access denied to ${action}${partial}: the caller needs iam:GetAccountAuthorizationDetails, iam:GetPolicyVersion, iam:GetRole, iam:ListServiceSpecificCredentials, s3:GetBucketTagging and bedrock:GetModelInvocationLoggingConfiguration.`,
    );
  }
  if (throttledAttempts)
    return new AccountReadError(`${action} still throttled after ${throttledAttempts} tries${partial}.`);
  return new AccountReadError(`${action} failed${partial}: ${err.name}: ${err.message}`);
}

/** The names of the buckets the template's policies name exactly (`arn:aws:s3:::name` or `name/...`). */
function bucketsNamedIn(template: Json): string[] {
  const names = new Set<string>();
  const visit = (value: Json) => {
    if (typeof value === 'string') {
      const m = /^arn:[a-z-]+:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/|$)/.exec(value);
      if (m) names.add(m[1]);
    } else if (value && typeof value === 'object') {
      Object.values(value).forEach(visit);
    }
  };
  visit(template.Resources);
  return [...names].sort();
}

function parseDocument(document: string | Json): Json {
  return typeof document === 'string' ? JSON.parse(decodeURIComponent(document)) : document;
}

function accountOf(details: { roles: Json[]; users: Json[]; policies: Json[] }): string | undefined {
  const arn = [...details.roles, ...details.users, ...details.policies]
    .map((x) => x.Arn as string)
    .find(Boolean);
  return arn?.split(':')[4];
}

/**
 * The account as a template: each role, user, group and customer-managed policy a resource,
 * named by the entity's name; the account id in ARNs becomes `${AWS::AccountId}`, as it is in a
 * synthesized template, so a trust policy naming a role's ARN finds that role.
 */
function accountTemplate(
  details: { roles: Json[]; users: Json[]; groups: Json[]; policies: Json[] },
  documents: Map<string, Json>,
  sessions: Map<string, number>,
  account: string | undefined,
  credentials: Map<string, Json[]> = new Map(),
): Json {
  const resources: Record<string, Json> = {};
  const ids = new Set<string>();
  const idFor = (name: string, kind: string) => {
    let id = name.replace(/[^A-Za-z0-9]/g, '') || kind;
    if (ids.has(id)) id = `${id}${kind}`;
    for (let n = 2; ids.has(id); n++) id = `${id}${n}`;
    ids.add(id);
    return id;
  };
  const symbolic = (value: Json): Json => {
    if (typeof value === 'string')
      return account && value.includes(`:${account}:`)
        ? { 'Fn::Sub': value.split(account).join('${AWS::AccountId}') }
        : value;
    if (Array.isArray(value)) return value.map(symbolic);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, symbolic(v)]));
    return value;
  };
  const policyIds = new Map<string, string>();
  for (const policy of details.policies) {
    // The name is the ARN's last part (moto leaves PolicyName out of the listing).
    const name: string = policy.PolicyName ?? policy.Arn.split('/').pop();
    const id = idFor(name, 'Policy');
    policyIds.set(policy.Arn, id);
    resources[id] = {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        ManagedPolicyName: name,
        Path: policy.Path,
        PolicyDocument: symbolic(documents.get(policy.Arn)),
      },
    };
  }
  const managed = (attached: Json[] | undefined) =>
    (attached ?? []).map((a: Json) =>
      policyIds.has(a.PolicyArn) ? { Ref: policyIds.get(a.PolicyArn) } : a.PolicyArn,
    );
  const inline = (list: Json[] | undefined) =>
    (list ?? []).map((p: Json) => ({
      PolicyName: p.PolicyName,
      PolicyDocument: symbolic(parseDocument(p.PolicyDocument)),
    }));
  const boundary = (b: Json) =>
    b?.PermissionsBoundaryArn
      ? policyIds.has(b.PermissionsBoundaryArn)
        ? { Ref: policyIds.get(b.PermissionsBoundaryArn) }
        : b.PermissionsBoundaryArn
      : undefined;
  const groupIds = new Map<string, string>();
  for (const group of details.groups) {
    const id = idFor(group.GroupName, 'Group');
    groupIds.set(group.GroupName, id);
    resources[id] = {
      Type: 'AWS::IAM::Group',
      Metadata: { [ARN_METADATA]: group.Arn },
      Properties: {
        GroupName: group.GroupName,
        Path: group.Path,
        Policies: inline(group.GroupPolicyList),
        ManagedPolicyArns: managed(group.AttachedManagedPolicies),
      },
    };
  }
  for (const role of details.roles) {
    resources[idFor(role.RoleName, 'Role')] = {
      Type: 'AWS::IAM::Role',
      Metadata: { [ARN_METADATA]: role.Arn },
      Properties: {
        RoleName: role.RoleName,
        Path: role.Path,
        AssumeRolePolicyDocument: symbolic(parseDocument(role.AssumeRolePolicyDocument)),
        Policies: inline(role.RolePolicyList),
        ManagedPolicyArns: managed(role.AttachedManagedPolicies),
        PermissionsBoundary: boundary(role.PermissionsBoundary),
        MaxSessionDuration: sessions.get(role.RoleName),
        Tags: role.Tags,
      },
    };
  }
  for (const user of details.users) {
    resources[idFor(user.UserName, 'User')] = {
      Type: 'AWS::IAM::User',
      Metadata: {
        [ARN_METADATA]: user.Arn,
        ...(credentials.has(user.UserName)
          ? { [SERVICE_CREDENTIALS_METADATA]: credentials.get(user.UserName) }
          : {}),
      },
      Properties: {
        UserName: user.UserName,
        Path: user.Path,
        Policies: inline(user.UserPolicyList),
        ManagedPolicyArns: managed(user.AttachedManagedPolicies),
        Groups: (user.GroupList ?? []).map((g: string) => (groupIds.has(g) ? { Ref: groupIds.get(g) } : g)),
        PermissionsBoundary: boundary(user.PermissionsBoundary),
        Tags: user.Tags,
      },
    };
  }
  // CloudFormation leaves out what is undefined; so does the template.
  return JSON.parse(JSON.stringify({ Resources: resources }));
}
