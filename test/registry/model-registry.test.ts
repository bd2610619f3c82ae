import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DataClass, ModelRegistry, TAG_DATA_CLASS } from '../../lib';
import { bucketPolicyOf, simulate } from '../support/simulate';
import { ResolvedTemplate } from '../support/template';

function newStack() {
  const app = new App();
  return { app, stack: new Stack(app, 'Test') };
}

const logicalId = (stack: Stack, c: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(c.node.defaultChild as never);

describe('ModelRegistry resources', () => {
  const { stack } = newStack();
  const registry = new ModelRegistry(stack, 'Registry');
  const template = Template.fromStack(stack);

  test.each([
    [DataClass.MODEL_ARTIFACTS, () => registry.modelArtifactsBucket],
    [DataClass.TRAINING_DATA, () => registry.trainingDataBucket],
    [DataClass.METADATA, () => registry.metadataBucket],
  ])(
    'the %s bucket is SSE-KMS with the registry key and a bucket key, versioned, private, logged',
    (dataClass, bucket) => {
      const resource = template.toJSON().Resources[logicalId(stack, bucket())];
      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.Properties).toEqual(
        expect.objectContaining({
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              {
                BucketKeyEnabled: true,
                ServerSideEncryptionByDefault: {
                  SSEAlgorithm: 'aws:kms',
                  KMSMasterKeyID: {
                    'Fn::GetAtt': [logicalId(stack, registry.encryptionKey as kms.Key), 'Arn'],
                  },
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
          LoggingConfiguration: {
            DestinationBucketName: { Ref: logicalId(stack, registry.accessLogsBucket) },
            LogFilePrefix: `${dataClass}/`,
          },
          Tags: expect.arrayContaining([{ Key: TAG_DATA_CLASS, Value: dataClass }]),
          // S3 ABAC: capability roles' denies recognise the bucket by its data-class tag.
          AbacStatus: 'Enabled',
        }),
      );
    },
  );

  test('the access-log bucket is tagged access-logs, SSE-S3 (the only encryption log delivery supports), private, retained', () => {
    const resource = template.toJSON().Resources[logicalId(stack, registry.accessLogsBucket)];
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.Properties.Tags).toEqual(
      expect.arrayContaining([{ Key: TAG_DATA_CLASS, Value: 'access-logs' }]),
    );
    expect(
      resource.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault,
    ).toEqual({
      SSEAlgorithm: 'AES256',
    });
    expect(resource.Properties.AccessControl).toBeUndefined();
  });

  test('log delivery is allowed through a bucket policy, not ACLs', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalId(stack, registry.accessLogsBucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
          }),
        ]),
      },
    });
  });

  test('the key rotates, has an alias, and is retained', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: Match.stringLikeRegexp('^alias/model-registry/'),
    });
  });

  test('no object lock on metadata unless asked', () => {
    expect(
      template.toJSON().Resources[logicalId(stack, registry.metadataBucket)].Properties.ObjectLockEnabled,
    ).toBeUndefined();
  });
});

describe('ModelRegistry options', () => {
  test('metadataObjectLockRetention enables object lock with that default retention', () => {
    const { stack } = newStack();
    const registry = new ModelRegistry(stack, 'Registry', {
      metadataObjectLockRetention: s3.ObjectLockRetention.compliance(Duration.days(30)),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      Tags: Match.arrayWith([{ Key: TAG_DATA_CLASS, Value: 'metadata' }]),
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } },
      },
    });
    expect(registry.metadataBucket).toBeDefined();
  });

  test('removalPolicy applies to the key and every bucket', () => {
    const { stack } = newStack();
    new ModelRegistry(stack, 'Registry', { removalPolicy: RemovalPolicy.DESTROY });
    const resources = Object.values(Template.fromStack(stack).toJSON().Resources) as {
      Type: string;
      DeletionPolicy?: string;
    }[];
    const kept = resources.filter((r) => ['AWS::S3::Bucket', 'AWS::KMS::Key'].includes(r.Type));
    expect(kept).toHaveLength(5);
    expect(kept.every((r) => r.DeletionPolicy === 'Delete')).toBe(true);
  });

  test("the user's own key encrypts the buckets and no key is created", () => {
    const { stack } = newStack();
    const key = new kms.Key(stack, 'MyKey', { policy: new iam.PolicyDocument() });
    const registry = new ModelRegistry(stack, 'Registry', { encryptionKey: key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [logicalId(stack, key), 'Arn'] },
            },
          }),
        ],
      },
    });
    expect(registry.encryptionKey).toBe(key);
  });

  test('grants to an imported key still add the identity-side permission', () => {
    const { stack } = newStack();
    const key = kms.Key.fromKeyArn(
      stack,
      'Imported',
      'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    );
    const registry = new ModelRegistry(stack, 'Registry', { encryptionKey: key });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    registry.grantReadMetadata(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'kms:Decrypt',
            Resource: key.keyArn,
            Condition: { StringEquals: { 'kms:ViaService': Match.anyValue() } },
          }),
        ]),
      },
    });
  });
});

describe('ModelRegistry read deny', () => {
  test('with no grant, nobody may read weights or training data', async () => {
    const { stack } = newStack();
    const registry = new ModelRegistry(stack, 'Registry');
    const role = new iam.Role(stack, 'Anyone', { assumedBy: new iam.AccountRootPrincipal() });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    const t = new ResolvedTemplate(Template.fromStack(stack).toJSON());
    for (const bucket of [registry.modelArtifactsBucket, registry.trainingDataBucket]) {
      const id = logicalId(stack, bucket);
      const decision = await simulate({
        principal: t.arn(logicalId(stack, role)),
        action: 's3:GetObject',
        resource: `${t.arn(id)}/any`,
        identityPolicies: [
          { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] },
        ],
        resourcePolicy: bucketPolicyOf(t, id),
      });
      expect(decision).toBe('ExplicitlyDenied');
    }
  });

  test('a break-glass role is exempt from the deny and may decrypt through S3', async () => {
    const { stack } = newStack();
    const breakGlass = new iam.Role(stack, 'BreakGlass', { assumedBy: new iam.AccountRootPrincipal() });
    const registry = new ModelRegistry(stack, 'Registry', { breakGlassRoles: [breakGlass] });
    breakGlass.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [registry.modelArtifactsBucket.arnForObjects('*')],
      }),
    );
    const t = new ResolvedTemplate(Template.fromStack(stack).toJSON());
    const principal = t.arn(logicalId(stack, breakGlass));
    const policies = t.ofType('AWS::IAM::Policy').map((id) => t.props(id).PolicyDocument);
    const artifacts = logicalId(stack, registry.modelArtifactsBucket);
    expect(
      await simulate({
        principal,
        action: 's3:GetObject',
        resource: `${t.arn(artifacts)}/m`,
        identityPolicies: policies,
        resourcePolicy: bucketPolicyOf(t, artifacts),
      }),
    ).toBe('Allowed');
    const key = logicalId(stack, registry.encryptionKey as kms.Key);
    expect(
      await simulate({
        principal,
        action: 'kms:Decrypt',
        resource: t.arn(key),
        context: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
        resourcePolicy: t.props(key).KeyPolicy,
      }),
    ).toBe('Allowed');
  });
});

describe('ModelRegistry errors', () => {
  test.each([['alias/aws/mine'], ['my-key'], ['alias/with space']])('keyAlias %s is rejected', (keyAlias) => {
    const { stack } = newStack();
    expect(() => new ModelRegistry(stack, 'Registry', { keyAlias })).toThrow(
      /keyAlias .* is not a valid alias/,
    );
  });

  test.each([
    ['0 days', Duration.days(0)],
    ['12 hours', Duration.hours(12)],
    ['36 hours', Duration.hours(36)],
  ])('accessLogsExpiration of %s is refused, naming the fix', (_, accessLogsExpiration) => {
    const { stack } = newStack();
    expect(() => new ModelRegistry(stack, 'Registry', { accessLogsExpiration })).toThrow(
      /Registry: accessLogsExpiration must be a whole number of days, at least 1 \(got .*\); omit it to keep access logs\./,
    );
    expect(
      () => new ModelRegistry(stack, 'Whole', { accessLogsExpiration: Duration.days(30) }),
    ).not.toThrow();
  });

  test('keyAlias with an existing key is rejected', () => {
    const { stack } = newStack();
    const key = new kms.Key(stack, 'K');
    expect(() => new ModelRegistry(stack, 'Registry', { encryptionKey: key, keyAlias: 'alias/x' })).toThrow(
      /keyAlias applies only to a key the registry creates/,
    );
  });

  test.each([
    ['a service principal', new iam.ServicePrincipal('lambda.amazonaws.com')],
    ['an account', new iam.AccountRootPrincipal()],
    ['any principal', new iam.AnyPrincipal()],
  ])('granting weights to %s is rejected', (_name, principal) => {
    const { stack } = newStack();
    const registry = new ModelRegistry(stack, 'Registry');
    expect(() => registry.grantReadWeights(principal)).toThrow(
      /grantReadWeights: the grantee must be an IAM role or user/,
    );
  });

  test('a grant after synthesis is rejected instead of being dropped', () => {
    const { app, stack } = newStack();
    const registry = new ModelRegistry(stack, 'Registry');
    app.synth();
    const role = new iam.Role(stack, 'Late', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => registry.grantReadWeights(role)).toThrow(/called after synthesis began/);
  });
});

describe('ModelRegistry grants', () => {
  test('grantReadMetadata gives ListBucket on the bucket and object reads on its objects, nothing more', () => {
    const { stack } = newStack();
    const registry = new ModelRegistry(stack, 'Registry');
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    registry.grantReadMetadata(role);
    const t = new ResolvedTemplate(Template.fromStack(stack).toJSON());
    const statements = t.ofType('AWS::IAM::Policy').flatMap((id) => t.props(id).PolicyDocument.Statement);
    const bucketArn = t.arn(logicalId(stack, registry.metadataBucket));
    const actions = (resource: string) =>
      statements
        .filter((s: { Resource: string | string[] }) => [s.Resource].flat().includes(resource))
        .flatMap((s: { Action: string | string[] }) => [s.Action].flat());
    expect(actions(bucketArn).sort()).toEqual(['s3:ListBucket']);
    expect(actions(`${bucketArn}/*`).sort()).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
  });

  test('grantWriteTrainingData lets the grantee upload training data but not read it', async () => {
    const { stack } = newStack();
    const registry = new ModelRegistry(stack, 'Registry');
    const role = new iam.Role(stack, 'Uploader', { assumedBy: new iam.AccountRootPrincipal() });
    const grant = registry.grantWriteTrainingData(role);
    expect(grant.success).toBe(true);
    const t = new ResolvedTemplate(Template.fromStack(stack).toJSON());
    const training = logicalId(stack, registry.trainingDataBucket);
    const request = (action: string) =>
      simulate({
        principal: t.arn(logicalId(stack, role)),
        action,
        resource: `${t.arn(training)}/datasets/d1.jsonl`,
        identityPolicies: t.ofType('AWS::IAM::Policy').map((id) => t.props(id).PolicyDocument),
        resourcePolicy: bucketPolicyOf(t, training),
      });
    expect(await request('s3:PutObject')).toBe('Allowed');
    expect(await request('s3:GetObject')).toBe('ExplicitlyDenied');
  });
});
