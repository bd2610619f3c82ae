/** Small CloudFormation templates, written by hand as a user or another tool would write them. */
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export const doc = (...statements: Json[]) => ({ Version: '2012-10-17', Statement: statements });
export const allow = (Action: Json, Resource: Json = '*', extra: Json = {}) => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...extra,
});
export const deny = (Action: Json, Resource: Json = '*', extra: Json = {}) => ({
  Effect: 'Deny',
  Action,
  Resource,
  ...extra,
});

export const lambdaTrust = doc({
  Effect: 'Allow',
  Principal: { Service: 'lambda.amazonaws.com' },
  Action: 'sts:AssumeRole',
});
export const accountTrust = doc({
  Effect: 'Allow',
  Principal: {
    AWS: {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']],
    },
  },
  Action: 'sts:AssumeRole',
});

/** A trust policy: `principal` may take `action` (sts:AssumeRole by default), under `condition` if given. */
export const trustOf = (principal: Json, options: { action?: string; condition?: Json } = {}) =>
  doc({
    Effect: 'Allow',
    Principal: principal,
    Action: options.action ?? 'sts:AssumeRole',
    ...(options.condition ? { Condition: options.condition } : {}),
  });

/** The account trusted, its callers told apart by their `job` tag (or, with no job, not at all). */
export const jobTrust = (job?: string) =>
  trustOf(accountTrust.Statement[0].Principal, {
    condition: job ? { StringEquals: { 'aws:PrincipalTag/job': job } } : undefined,
  });

export const role = (policies: Json[] = [], extra: Json = {}) => ({
  Type: 'AWS::IAM::Role',
  Properties: {
    AssumeRolePolicyDocument: lambdaTrust,
    Policies: policies.map((PolicyDocument, i) => ({ PolicyName: `p${i}`, PolicyDocument })),
    ...extra,
  },
});

/** A registry-like bucket with its data-class tag. */
export const bucket = (dataClass: string) => ({
  Type: 'AWS::S3::Bucket',
  Properties: { Tags: [{ Key: 'model-access:data-class', Value: dataClass }] },
});

/** A registry bucket protected as the pack requires, with its TLS-only policy and key: three resources. */
export const protectedBucket = (id: string, dataClass: string) => ({
  [`${id}Key`]: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: doc() } },
  [id]: {
    Type: 'AWS::S3::Bucket',
    Properties: {
      Tags: [{ Key: 'model-access:data-class', Value: dataClass }],
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [`${id}Key`, 'Arn'] },
            },
          },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    },
  },
  [`${id}Policy`]: {
    Type: 'AWS::S3::BucketPolicy',
    Properties: {
      Bucket: { Ref: id },
      PolicyDocument: doc(
        deny('s3:*', [{ 'Fn::GetAtt': [id, 'Arn'] }, { 'Fn::Sub': `\${${id}.Arn}/*` }], {
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ),
    },
  },
});

export const template = (resources: Json) => ({ Resources: resources });
