import { bucketPolicyOf, Decision, identityPoliciesOf, simulate } from '../support/simulate';
import { registryFixture } from './fixture';

const f = registryFixture();
const t = f.template;
const arnOf = (id: string) => t.arn(id);
const object = (bucket: string, key = 'models/m1/weights.safetensors') => `${arnOf(bucket)}/${key}`;
const KMS_VIA_S3 = { 'kms:ViaService': 's3.us-east-1.amazonaws.com' };

function s3Request(
  principal: string,
  action: string,
  bucket: string,
  context: Record<string, string> = {},
): Promise<Decision> {
  return simulate({
    principal: arnOf(principal),
    action,
    resource: object(bucket),
    context,
    identityPolicies: identityPoliciesOf(t, principal),
    resourcePolicy: bucketPolicyOf(t, bucket),
  });
}

function kmsRequest(
  principal: string,
  action: string,
  context: Record<string, string> = {},
): Promise<Decision> {
  return simulate({
    principal: arnOf(principal),
    action,
    resource: arnOf(f.ids.key),
    context,
    identityPolicies: identityPoliciesOf(t, principal),
    resourcePolicy: t.props(f.ids.key).KeyPolicy,
  });
}

describe('registry bucket policies', () => {
  test('a principal granted metadata read can read metadata', async () => {
    expect(await s3Request(f.ids.metadataReader, 's3:GetObject', f.ids.metadata)).toBe('Allowed');
  });

  test('a principal granted metadata read is denied GetObject on the artifacts bucket', async () => {
    expect(await s3Request(f.ids.metadataReader, 's3:GetObject', f.ids.artifacts)).toBe('ExplicitlyDenied');
  });

  test('a principal granted weights can read weights', async () => {
    expect(await s3Request(f.ids.weightsReader, 's3:GetObject', f.ids.artifacts)).toBe('Allowed');
    expect(await s3Request(f.ids.weightsReader, 's3:GetObjectVersion', f.ids.artifacts)).toBe('Allowed');
  });

  test('a principal granted weights is denied training data', async () => {
    expect(await s3Request(f.ids.weightsReader, 's3:GetObject', f.ids.training)).toBe('ExplicitlyDenied');
  });

  test('a principal granted training data can read it', async () => {
    expect(await s3Request(f.ids.trainingReader, 's3:GetObject', f.ids.training)).toBe('Allowed');
  });

  test('a principal whose own policy has s3:* but was never granted through the registry is denied weights', async () => {
    expect(await s3Request(f.ids.admin, 's3:GetObject', f.ids.artifacts)).toBe('ExplicitlyDenied');
    expect(await s3Request(f.ids.admin, 's3:GetObjectVersion', f.ids.artifacts)).toBe('ExplicitlyDenied');
  });

  test('a principal whose own policy has s3:* but was never granted through the registry is denied training data', async () => {
    expect(await s3Request(f.ids.admin, 's3:GetObject', f.ids.training)).toBe('ExplicitlyDenied');
  });

  test('non-TLS requests are denied, even to a granted reader', async () => {
    expect(
      await s3Request(f.ids.weightsReader, 's3:GetObject', f.ids.artifacts, {
        'aws:SecureTransport': 'false',
      }),
    ).toBe('ExplicitlyDenied');
    expect(
      await s3Request(f.ids.metadataReader, 's3:GetObject', f.ids.metadata, {
        'aws:SecureTransport': 'false',
      }),
    ).toBe('ExplicitlyDenied');
  });

  test('TLS older than 1.2 is denied', async () => {
    expect(
      await s3Request(f.ids.weightsReader, 's3:GetObject', f.ids.artifacts, { 's3:TlsVersion': '1.1' }),
    ).toBe('ExplicitlyDenied');
  });

  test('a put encrypted with the registry key through default encryption or explicitly is allowed', async () => {
    expect(await s3Request(f.ids.artifactWriter, 's3:PutObject', f.ids.artifacts)).toBe('Allowed');
    expect(
      await s3Request(f.ids.artifactWriter, 's3:PutObject', f.ids.artifacts, {
        's3:x-amz-server-side-encryption': 'aws:kms',
        's3:x-amz-server-side-encryption-aws-kms-key-id': arnOf(f.ids.key),
      }),
    ).toBe('Allowed');
  });

  test('an unencrypted (SSE-S3) put is denied', async () => {
    expect(
      await s3Request(f.ids.artifactWriter, 's3:PutObject', f.ids.artifacts, {
        's3:x-amz-server-side-encryption': 'AES256',
      }),
    ).toBe('ExplicitlyDenied');
  });

  test('a put encrypted with another KMS key is denied', async () => {
    expect(
      await s3Request(f.ids.artifactWriter, 's3:PutObject', f.ids.artifacts, {
        's3:x-amz-server-side-encryption': 'aws:kms',
        's3:x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:us-east-1:111111111111:key/other',
      }),
    ).toBe('ExplicitlyDenied');
  });

  test('a put with a customer-provided key (SSE-C) is denied', async () => {
    expect(
      await s3Request(f.ids.artifactWriter, 's3:PutObject', f.ids.artifacts, {
        's3:x-amz-server-side-encryption-customer-algorithm': 'AES256',
      }),
    ).toBe('ExplicitlyDenied');
  });

  test('an artifact writer cannot read weights back', async () => {
    expect(await s3Request(f.ids.artifactWriter, 's3:GetObject', f.ids.artifacts)).toBe('ExplicitlyDenied');
  });

  test('a principal with s3:* but no write grant cannot put, retag or delete weights or training data', async () => {
    for (const bucket of [f.ids.artifacts, f.ids.training]) {
      for (const action of [
        's3:PutObject',
        's3:PutObjectTagging',
        's3:DeleteObject',
        's3:DeleteObjectVersion',
      ]) {
        expect([action, await s3Request(f.ids.admin, action, bucket)]).toEqual([action, 'ExplicitlyDenied']);
      }
    }
  });

  test('the artifact writer may put weights, but not training data, and deletes nothing', async () => {
    expect(await s3Request(f.ids.artifactWriter, 's3:PutObject', f.ids.artifacts)).toBe('Allowed');
    const everything = [
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] },
    ];
    const withS3Star = (action: string, bucket: string) =>
      simulate({
        principal: arnOf(f.ids.artifactWriter),
        action,
        resource: object(bucket),
        identityPolicies: everything,
        resourcePolicy: bucketPolicyOf(t, bucket),
      });
    expect(await withS3Star('s3:PutObject', f.ids.training)).toBe('ExplicitlyDenied');
    expect(await withS3Star('s3:DeleteObject', f.ids.artifacts)).toBe('ExplicitlyDenied');
    expect(await withS3Star('s3:DeleteObjectVersion', f.ids.artifacts)).toBe('ExplicitlyDenied');
  });
});

describe('registry key policy', () => {
  test('a granted reader can decrypt through S3', async () => {
    expect(await kmsRequest(f.ids.weightsReader, 'kms:Decrypt', KMS_VIA_S3)).toBe('Allowed');
  });

  test('kms:Decrypt not via S3 is denied by the key policy', async () => {
    expect(await kmsRequest(f.ids.weightsReader, 'kms:Decrypt')).not.toBe('Allowed');
    expect(
      await kmsRequest(f.ids.weightsReader, 'kms:Decrypt', {
        'kms:ViaService': 'lambda.us-east-1.amazonaws.com',
      }),
    ).not.toBe('Allowed');
  });

  test('a principal with kms:* in its own policy but no registry grant cannot decrypt, even via S3', async () => {
    expect(await kmsRequest(f.ids.admin, 'kms:Decrypt', KMS_VIA_S3)).not.toBe('Allowed');
  });

  test('the account can still administer the key', async () => {
    expect(await kmsRequest(f.ids.admin, 'kms:PutKeyPolicy')).toBe('Allowed');
    expect(await kmsRequest(f.ids.admin, 'kms:EnableKeyRotation')).toBe('Allowed');
  });

  test('a metadata reader cannot generate data keys', async () => {
    expect(await kmsRequest(f.ids.metadataReader, 'kms:GenerateDataKey', KMS_VIA_S3)).not.toBe('Allowed');
  });
});
