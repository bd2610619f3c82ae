import { AccessAnalysis } from '../../lib';
import { heldBySimulation, isEveryObjectRead, OracleRegistry } from './capability-oracle';
import { ACCOUNT, REGION, ResolvedTemplate } from './template';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Generated designs for a differential test of the analysis against iam-simulate: one role whose
 * inline statements, denies and boundary mix the ways templates write actions and resources
 * (wildcards, `?`, NotAction, NotResource, `${AWS::Partition}` in Fn::Sub and Fn::Join, GetAtt,
 * literal accounts, another account's, bucket and object ARNs, part of a bucket's objects, `Ref`
 * of a SageMaker endpoint) around a registry of three buckets and a key.
 */
const ACTIONS = [
  's3:GetObject',
  's3:Get*',
  's3:*',
  's3:PutObject',
  's3:PutBucketPolicy',
  's3:ListBucket',
  's3:GetObjectVersion',
  'bedrock:InvokeModel',
  'bedrock:*',
  'bedrock:Invoke*',
  'bedrock:CreateModelCustomizationJob',
  'bedrock:Create*',
  'bedrock:Get*',
  'sagemaker:CreateEndpoint',
  'sagemaker:UpdateEndpoint',
  'sagemaker:InvokeEndpoint',
  'sagemaker:*',
  'sagemaker:Describe*',
  'sagemaker:List*',
  'iam:PassRole',
  'iam:*',
  'iam:TagRole',
  'kms:PutKeyPolicy',
  'kms:*',
  'logs:*',
  'logs:FilterLogEvents',
  'logs:Get*',
  '*',
];
const PARTITION_JOIN = (...parts: Json[]) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ...parts]],
});
const RESOURCES: Json[] = [
  '*',
  'arn:aws:s3:::*',
  'arn:aws:s3:::*/*',
  { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::*/*' },
  PARTITION_JOIN(':s3:::', { Ref: 'Weights' }, '/*'),
  { 'Fn::GetAtt': ['Weights', 'Arn'] },
  { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Training', 'Arn'] }, '/*']] },
  'arn:aws:s3:::weights/*',
  'arn:aws:s3:::w?ights/*',
  'arn:aws:s3:::meta*',
  'arn:aws:s3:::meta/*',
  'arn:aws:s3:::other-bucket/*',
  `arn:aws:iam::${ACCOUNT}:role/*`,
  'arn:aws:iam::*:role/svc-*',
  { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*' },
  'arn:aws:bedrock:*::foundation-model/*',
  `arn:aws:bedrock:${REGION}:${ACCOUNT}:*`,
  'arn:aws:sagemaker:*:*:endpoint/*',
  `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/prod-*`,
  `arn:aws:kms:*:${ACCOUNT}:key/*`,
  { 'Fn::GetAtt': ['RegistryKey', 'Arn'] },
  'arn:aws:s3:::prompts/*',
  { 'Fn::GetAtt': ['Invocations', 'Arn'] },
  'arn:aws:logs:*:*:log-group:invocations',
  `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*`,
  'arn:aws:logs:*:*:log-group:other:*',
  // Part of a registry bucket, a deny-like word in a key, another account, a SageMaker Ref.
  'arn:aws:s3:::weights/models/*',
  'arn:aws:s3:::weights/*.bin',
  'arn:aws:s3:::training/data.jsonl',
  'arn:aws:s3:::*/models/*',
  'arn:aws:s3:::weights/*model*',
  'arn:aws:s3:::*SageMaker*',
  'arn:aws:iam::222222222222:role/*',
  'arn:aws:iam::*:role/app-*',
  { Ref: 'Endpoint' },
  'arn:aws:sagemaker:us-east-1:222222222222:endpoint/*',
];

/** A small deterministic generator (mulberry32), so every run judges the same designs. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const bucket = (name: string, dataClass: string) => ({
  Type: 'AWS::S3::Bucket',
  Properties: {
    BucketName: name,
    Tags: [{ Key: 'model-access:data-class', Value: dataClass }],
    BucketEncryption: {
      ServerSideEncryptionConfiguration: [
        {
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: { 'Fn::GetAtt': ['RegistryKey', 'Arn'] },
          },
        },
      ],
    },
  },
});

export const DIFFERENTIAL_REGISTRY: OracleRegistry = {
  buckets: [
    { name: 'weights', dataClass: 'model-artifacts' },
    { name: 'training', dataClass: 'training-data' },
    { name: 'meta', dataClass: 'metadata' },
    { name: 'prompts', dataClass: 'inference-logs' },
  ],
  logGroups: [{ name: 'invocations', dataClass: 'inference-logs' }],
  keyArns: [`arn:aws:kms:${REGION}:${ACCOUNT}:key/key-RegistryKey`],
};

/** `count` generated templates, the same for the same seed. */
export function generateTemplates(count: number, seed = 12): Json[] {
  const next = random(seed);
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)];
  const some = <T>(items: T[], max: number) => [
    ...new Set(Array.from({ length: 1 + Math.floor(next() * max) }, () => pick(items))),
  ];
  const statement = (effect: string) => ({
    Effect: effect,
    [next() < 0.15 ? 'NotAction' : 'Action']: some(ACTIONS, 3),
    [next() < 0.15 ? 'NotResource' : 'Resource']: some(RESOURCES, 2),
  });
  return Array.from({ length: count }, () => {
    const statements = Array.from({ length: 1 + Math.floor(next() * 3) }, () => statement('Allow'));
    if (next() < 0.35) statements.push(statement('Deny'));
    const boundary =
      next() < 0.3
        ? {
            Version: '2012-10-17',
            Statement: [statement('Allow'), ...(next() < 0.4 ? [statement('Deny')] : [])],
          }
        : undefined;
    return {
      Resources: {
        RegistryKey: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: {} } },
        Weights: bucket('weights', 'model-artifacts'),
        Training: bucket('training', 'training-data'),
        Meta: bucket('meta', 'metadata'),
        Prompts: bucket('prompts', 'inference-logs'),
        Endpoint: {
          Type: 'AWS::SageMaker::Endpoint',
          Properties: { EndpointName: 'prod-chat', EndpointConfigName: 'chat-config' },
        },
        Invocations: {
          Type: 'AWS::Logs::LogGroup',
          Properties: {
            LogGroupName: 'invocations',
            Tags: [{ Key: 'model-access:data-class', Value: 'inference-logs' }],
          },
        },
        ...(boundary
          ? { Boundary: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: boundary } } }
          : {}),
        R: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
              ],
            },
            Policies: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
            ...(boundary ? { PermissionsBoundary: { Ref: 'Boundary' } } : {}),
          },
        },
      },
    };
  });
}

/** One disagreement: the analysis holds a catalog entry IAM does not grant (`over`), or misses one it grants (`under`). */
export interface Disagreement {
  readonly template: number;
  readonly direction: 'over' | 'under';
  readonly entry: string;
}

/** Where the analysis and iam-simulate disagree on the role of each template. */
export async function disagreements(
  templates: Json[],
  analyse: (template: Json) => {
    grants: { capability: string; catalogAction: string }[];
    readsEveryObject?: unknown;
  },
): Promise<Disagreement[]> {
  const out: Disagreement[] = [];
  for (const [i, t] of templates.entries()) {
    const principal = analyse(t);
    const resolved = new ResolvedTemplate(t);
    const props = resolved.props('R');
    const held = await heldBySimulation(
      {
        identity: props.Policies.map((p: Json) => p.PolicyDocument),
        boundary: props.PermissionsBoundary ? resolved.props('Boundary').PolicyDocument : undefined,
      },
      DIFFERENTIAL_REGISTRY,
    );
    const expected = new Set(
      [...held].filter(([k, p]) => !(principal.readsEveryObject && isEveryObjectRead(k, p))).map(([k]) => k),
    );
    const actual = new Set(principal.grants.map((g) => `${g.capability} ${g.catalogAction}`));
    for (const e of actual) if (!expected.has(e)) out.push({ template: i, direction: 'over', entry: e });
    for (const e of expected) if (!actual.has(e)) out.push({ template: i, direction: 'under', entry: e });
  }
  return out;
}

/** The role of a template, as the analysis judges it, in the account iam-simulate evaluates it in. */
export function analysedRole(template: Json) {
  return AccessAnalysis.fromApp([{ name: '', account: ACCOUNT, template }]).principal('R')!;
}
