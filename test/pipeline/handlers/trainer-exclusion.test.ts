import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DecisionTable, decisionTable, REQUEST_ID } from './decision-table';
import { BOB, CAROL, DAVE, quietMetricLines } from './events';

quietMetricLines();

// From a customization to the deployment of its model, on moto's DynamoDB and S3: the provenance
// writer records who asked for the training, the provenance check of the deployment finds the
// manifest and writes that person into the deployment's exclusions, and the approval handler
// then refuses them. Only Step Functions is mocked.
const TRAINING_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const OUTPUT = `s3://artifacts/customization/${TRAINING_ID}/customization-${TRAINING_ID}/output/model.tar.gz`;
const CAROL_REQUESTER = 'arn:aws:sts::111111111111:assumed-role/Requester/carol';
let table: DecisionTable;
mockClient(SFNClient);

beforeAll(async () => {
  // The customization's record is in the same table here: it is the ledger that pins the manifest.
  table = await decisionTable({
    METADATA_BUCKET: 'metadata',
    REQUIRE_PROVENANCE: 'true',
    PROVENANCE_TABLES: JSON.stringify(['decisions']),
  });
  process.env.AWS_ENDPOINT_URL_S3 = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  const s3 = new S3Client({ forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'metadata' }));
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: 'metadata', VersioningConfiguration: { Status: 'Enabled' } }),
  );
}, 60_000);
afterAll(() => table?.stop());

async function put(item: Record<string, unknown>) {
  const { documents } = await import('../../../lib/pipeline/handlers/runtime');
  await documents.send(new PutCommand({ TableName: 'decisions', Item: item }));
}

async function setStatus(status: string) {
  const { documents } = await import('../../../lib/pipeline/handlers/runtime');
  await documents.send(
    new UpdateCommand({
      TableName: 'decisions',
      Key: { requestId: REQUEST_ID },
      UpdateExpression: 'SET #status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status },
    }),
  );
}

beforeAll(async () => {
  // Carol's customization, approved by Bob and Dave, finishes: its manifest is written.
  await put({
    requestId: TRAINING_ID,
    status: 'RUNNING',
    requester: CAROL_REQUESTER,
    requesterPerson: 'carol',
    requestedAt: '2026-11-01T00:00:00.000Z',
    request: {
      baseModel: 'base',
      customModelName: 'churn-v3',
      trainingData: { key: 't', versionId: 'v1', sha256: 's' },
      validationData: { key: 'v', versionId: 'v2', sha256: 's' },
      hyperParameters: {},
    },
    requiredApprovals: 2,
    approvals: {
      bob: { approver: BOB, approvedAt: '2026-11-02T00:00:00.000Z' },
      dave: { approver: DAVE, approvedAt: '2026-11-02T01:00:00.000Z' },
    },
  });
  process.env.TRAINING_DATA_BUCKET = 'training';
  const { handler: writeManifest } = await import('../../../lib/pipeline/handlers/provenance-writer');
  await writeManifest({
    requestId: TRAINING_ID,
    executionArn: 'arn:execution',
    baseModelArn: 'arn:base',
    backend: 'sagemaker',
    job: { TrainingJobArn: 'arn:job', ModelArtifacts: { S3ModelArtifacts: OUTPUT } },
  });
});

test("the person who asked for a model's training cannot approve its deployment; two others can", async () => {
  // 1. Alice asks to deploy it; the provenance check runs while the request is only submitted.
  await table.reset({ status: 'SUBMITTED' });
  const { handler: checkProvenance } = await import('../../../lib/pipeline/handlers/provenance-check');
  expect(await checkProvenance({ requestId: REQUEST_ID, output: OUTPUT, locator: OUTPUT })).toEqual({
    manifestKey: `provenance/${TRAINING_ID}.json`,
    trainer: 'carol',
  });
  await setStatus('AWAITING_APPROVAL');

  // 2. Carol, a deployment approver too, is refused; Bob and Dave approve.
  const refused = await table.approve(CAROL);
  expect(refused.statusCode).toBe(403);
  expect(JSON.parse(refused.body as string).errors[0]).toContain(
    `requested the training of this model (customization ${TRAINING_ID})`,
  );
  expect((await table.approve(BOB)).statusCode).toBe(200);
  expect((await table.approve(DAVE)).statusCode).toBe(200);
  const record = (await table.stored()) as { status: string; approvals: Record<string, unknown> };
  expect(record.status).toBe('APPROVED');
  expect(Object.keys(record.approvals).sort()).toEqual(['bob', 'dave']);
});

test('exclusions cannot be written once a request awaits approval', async () => {
  await table.reset();
  const { handler: checkProvenance } = await import('../../../lib/pipeline/handlers/provenance-check');
  await expect(
    checkProvenance({ requestId: REQUEST_ID, output: OUTPUT, locator: OUTPUT }),
  ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
});

test('a manifest written over after the pipeline pinned it is refused, and its forged trainer excluded from nothing', async () => {
  const key = `provenance/${TRAINING_ID}.json`;
  const s3 = new S3Client({ forcePathStyle: true });
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: 'metadata', Key: key }));
  const forged = {
    ...JSON.parse(await Body!.transformToString()),
    requester: { identity: 'x', person: 'nobody' },
  };
  await s3.send(new PutObjectCommand({ Bucket: 'metadata', Key: key, Body: JSON.stringify(forged) }));
  await table.reset({ status: 'SUBMITTED' });
  const { handler: checkProvenance } = await import('../../../lib/pipeline/handlers/provenance-check');
  await expect(
    checkProvenance({ requestId: REQUEST_ID, output: OUTPUT, locator: OUTPUT }),
  ).rejects.toMatchObject({
    name: 'ProvenanceMismatch',
    message: expect.stringMatching(
      /was written over after the pipeline wrote it \(version .+, not the pinned .+\)/,
    ),
  });
  expect((await table.stored()).excludedPersons).toBeUndefined();
});
