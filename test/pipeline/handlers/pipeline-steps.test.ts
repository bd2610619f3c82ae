import { HeadObjectCommand, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as approvalGate } from '../../../lib/pipeline/handlers/approval-gate';
import { handler as inspectDataset } from '../../../lib/pipeline/handlers/dataset-inspector';
import {
  handler as writeProvenance,
  ProvenanceManifest,
} from '../../../lib/pipeline/handlers/provenance-writer';
import { ALICE, BOB, CAROL, setHandlerEnv, SHA_B64 } from './events';

setHandlerEnv();
const dynamo = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);
const kms = mockClient(KMSClient);
const REQUEST_ID = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const request = {
  baseModel: 'amazon.titan-text-express-v1',
  customModelName: 'support-assistant-v2',
  trainingData: { key: 'datasets/train.jsonl', versionId: 'v1', sha256: SHA_B64 },
  validationData: { key: 'datasets/valid.jsonl', versionId: 'v2', sha256: SHA_B64 },
  hyperParameters: { epochCount: '2' },
};

beforeEach(() => {
  dynamo.reset();
  s3.reset();
  sns.reset();
  kms.reset();
  kms.on(EncryptCommand).resolves({ CiphertextBlob: Buffer.from('sealed') });
  s3.on(PutObjectCommand).resolves({ VersionId: 'm1' });
});

describe('approval gate', () => {
  test('stores the task token only in the table, sealed for this request, and tells approvers without it', async () => {
    dynamo.on(UpdateCommand).callsFake((input) => ({
      Attributes: {
        requestId: REQUEST_ID,
        requester: ALICE,
        requiredApprovals: 2,
        request,
        expiresAt: input.ExpressionAttributeValues[':expiresAt'],
      },
    }));

    await approvalGate({ requestId: REQUEST_ID, taskToken: 'secret-token' });

    const update = dynamo.commandCalls(UpdateCommand)[0].args[0].input;
    expect(update.ConditionExpression).toBe('#status = :validated');
    expect(update.ExpressionAttributeValues![':token']).toBe(Buffer.from('sealed').toString('base64'));
    expect(kms.commandCalls(EncryptCommand)[0].args[0].input).toEqual({
      KeyId: process.env.TOKEN_KEY_ARN,
      Plaintext: Buffer.from('secret-token'),
      EncryptionContext: { requestId: REQUEST_ID, table: 'decisions' },
    });
    const expiresIn = Date.parse(update.ExpressionAttributeValues![':expiresAt']) - Date.now();
    expect(expiresIn).toBeGreaterThan(3590_000);
    expect(expiresIn).toBeLessThanOrEqual(3600_000);
    const message = sns.commandCalls(PublishCommand)[0].args[0].input.Message!;
    expect(message).toContain(`Request ${REQUEST_ID} by ${ALICE} needs 2 approvals`);
    expect(message).not.toContain('secret-token');
  });
});

describe('dataset inspector', () => {
  test("reads the key's current version and S3's SHA-256, asking S3 for checksums", async () => {
    s3.on(HeadObjectCommand).resolves({ VersionId: 'v1', ChecksumSHA256: SHA_B64 });
    expect(await inspectDataset({ key: 'datasets/train.jsonl' })).toEqual({
      versionId: 'v1',
      sha256: SHA_B64,
    });
    expect(s3.commandCalls(HeadObjectCommand)[0].args[0].input).toEqual({
      Bucket: 'training',
      Key: 'datasets/train.jsonl',
      ChecksumMode: 'ENABLED',
    });
  });

  test('reports a missing object or one without a checksum as matching nothing', async () => {
    s3.on(HeadObjectCommand)
      .rejectsOnce(new NotFound({ message: 'no', $metadata: {} }))
      .resolves({ VersionId: 'v1' });
    expect(await inspectDataset({ key: 'gone' })).toEqual({ versionId: '', sha256: '' });
    expect(await inspectDataset({ key: 'unchecksummed' })).toEqual({ versionId: 'v1', sha256: '' });
  });

  test('other S3 errors fail the step rather than pass it', async () => {
    s3.on(HeadObjectCommand).rejects(new Error('AccessDenied'));
    await expect(inspectDataset({ key: 'k' })).rejects.toThrow('AccessDenied');
  });
});

describe('provenance writer', () => {
  const job = {
    backend: 'bedrock',
    job: {
      JobArn: 'arn:aws:bedrock:us-east-1:111111111111:model-customization-job/j',
      OutputModelArn: 'arn:aws:bedrock:us-east-1:111111111111:custom-model/m',
    },
  };
  const event = {
    requestId: REQUEST_ID,
    executionArn: 'arn:aws:states:us-east-1:111111111111:execution:Pipeline:x',
    baseModelArn: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1',
    ...job,
  };

  test('writes the manifest from the decision table, once, with a checksum object lock accepts', async () => {
    dynamo.on(GetCommand).resolves({
      Item: {
        requestId: REQUEST_ID,
        requester: ALICE,
        requesterPerson: 'alice',
        requestedAt: '2026-11-24T00:00:00.000Z',
        requiredApprovals: 2,
        request,
        approvals: {
          carol: { approver: CAROL, approvedAt: '2026-11-24T00:05:00.000Z' },
          bob: { approver: BOB, approvedAt: '2026-11-24T00:02:00.000Z' },
        },
      },
    });

    expect(await writeProvenance(event)).toEqual({ manifestKey: `provenance/${REQUEST_ID}.json` });

    const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put).toMatchObject({
      Bucket: 'metadata',
      Key: `provenance/${REQUEST_ID}.json`,
      IfNoneMatch: '*',
      ChecksumAlgorithm: 'SHA256',
    });
    const manifest = JSON.parse(put.Body as string) as ProvenanceManifest;
    expect(manifest).toMatchObject({
      schemaVersion: 1,
      requestId: REQUEST_ID,
      executionArn: event.executionArn,
      requester: { identity: ALICE, person: 'alice', requestedAt: '2026-11-24T00:00:00.000Z' },
      approvals: [
        { approver: BOB, approvedAt: '2026-11-24T00:02:00.000Z' },
        { approver: CAROL, approvedAt: '2026-11-24T00:05:00.000Z' },
      ],
      baseModel: { name: request.baseModel, arn: event.baseModelArn },
      datasets: [
        {
          channel: 'training',
          bucket: 'training',
          key: 'datasets/train.jsonl',
          versionId: 'v1',
          sha256: SHA_B64,
        },
        {
          channel: 'validation',
          bucket: 'training',
          key: 'datasets/valid.jsonl',
          versionId: 'v2',
          sha256: SHA_B64,
        },
      ],
      hyperParameters: { epochCount: '2' },
      job: { backend: 'bedrock', jobArn: job.job.JobArn, outputModel: job.job.OutputModelArn },
    });
  });

  test('a SageMaker job is described by its training job and model artifacts', async () => {
    dynamo.on(GetCommand).resolves({ Item: { requestId: REQUEST_ID, request, approvals: {} } });
    await writeProvenance({
      ...event,
      backend: 'sagemaker',
      job: {
        TrainingJobArn: 'arn:aws:sagemaker:us-east-1:111111111111:training-job/t',
        ModelArtifacts: { S3ModelArtifacts: 's3://a/model.tar.gz' },
      },
    });
    const manifest = JSON.parse(s3.commandCalls(PutObjectCommand)[0].args[0].input.Body as string);
    expect(manifest.job).toEqual({
      backend: 'sagemaker',
      jobArn: 'arn:aws:sagemaker:us-east-1:111111111111:training-job/t',
      outputModel: 's3://a/model.tar.gz',
    });
  });

  test('a job description without its ARN or output fails rather than write an incomplete manifest', async () => {
    dynamo.on(GetCommand).resolves({ Item: { requestId: REQUEST_ID, request, approvals: {} } });
    await expect(writeProvenance({ ...event, job: { Status: 'Completed' } })).rejects.toThrow(
      'the bedrock job description has no job ARN or output model',
    );
    expect(s3.calls()).toHaveLength(0);
  });

  test('an unknown request fails without writing', async () => {
    dynamo.on(GetCommand).resolves({});
    await expect(writeProvenance(event)).rejects.toThrow(`no request ${REQUEST_ID} in the decision table`);
    expect(s3.calls()).toHaveLength(0);
  });
});
