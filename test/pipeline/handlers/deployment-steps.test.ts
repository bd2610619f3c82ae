import { createHash } from 'crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateModelCommand, SageMakerClient, UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { handler as approvalGate } from '../../../lib/pipeline/handlers/approval-gate';
import { DeploymentRecord, handler as writeRecord } from '../../../lib/pipeline/handlers/deployment-record';
import { handler as createHostingModel } from '../../../lib/pipeline/handlers/hosting-model';
import { handler as approvePackage } from '../../../lib/pipeline/handlers/model-package-approval';
import { handler as checkProvenance } from '../../../lib/pipeline/handlers/provenance-check';
import { handler as requestHandler } from '../../../lib/pipeline/handlers/request-handler';
import { ALICE, BOB, CAROL, quietMetricLines, setHandlerEnv, urlEvent } from './events';

quietMetricLines();
setHandlerEnv();
const dynamo = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);
const sfn = mockClient(SFNClient);
const sagemaker = mockClient(SageMakerClient);

const REQUEST_ID = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const TRAINING_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const PACKAGE = 'arn:aws:sagemaker:us-east-1:111111111111:model-package/churn/3';
const ARTIFACT = `s3://artifacts/customization/${TRAINING_ID}/customization-${TRAINING_ID}/output/model.tar.gz`;
const DAVE_TRAINER = 'arn:aws:sts::111111111111:assumed-role/Requester/dave';
const RULES = {
  environment: 'production',
  targets: ['churn-predictor'],
  model: {
    pattern:
      '^arn:aws:sagemaker:us-east-1:111111111111:model-package/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}/[0-9]+$',
    description: 'the ARN of a versioned SageMaker model package',
  },
};
const request = {
  environment: 'production',
  target: 'churn-predictor',
  model: PACKAGE,
  reason: 'v3 beats v2 on the holdout set',
};

/** A customization manifest as the provenance writer writes it. */
function manifest(overrides: Record<string, unknown> = {}) {
  return {
    schemaVersion: 1,
    requestId: TRAINING_ID,
    requester: { identity: DAVE_TRAINER, person: 'dave', requestedAt: '2026-11-01T00:00:00.000Z' },
    approvals: [
      { approver: BOB, approvedAt: '2026-11-02T00:00:00.000Z' },
      { approver: CAROL, approvedAt: '2026-11-02T01:00:00.000Z' },
    ],
    requiredApprovals: 2,
    job: { backend: 'sagemaker', jobArn: 'arn:job', outputModel: ARTIFACT },
    ...overrides,
  };
}
/**
 * The metadata bucket, versioned, and the customization pipeline's table that pinned each manifest
 * when it wrote it (version `v1`, with its SHA-256): `later` writes a second version over a key,
 * `unpinned` leaves a key out of the table.
 */
function storedManifests(
  objects: Record<string, unknown>,
  options: { later?: Record<string, unknown>; unpinned?: string[]; pinnedSha256?: string } = {},
) {
  const text = (body: unknown) => JSON.stringify(body, null, 2);
  const versions: Record<string, Record<string, string>> = {};
  for (const [key, body] of Object.entries(objects)) versions[key] = { v1: text(body) };
  for (const [key, body] of Object.entries(options.later ?? {}))
    versions[key] = { ...versions[key], v2: text(body) };
  s3.on(HeadObjectCommand).callsFake(({ Key }) => {
    if (!versions[Key]) throw new NotFound({ message: 'Not Found', $metadata: {} });
    return { VersionId: Object.keys(versions[Key]).sort().pop() };
  });
  s3.on(GetObjectCommand).callsFake(({ Key, VersionId }) => {
    const body = versions[Key]?.[VersionId];
    if (body === undefined)
      throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} });
    return { Body: { transformToByteArray: async () => new Uint8Array(Buffer.from(body)) } };
  });
  dynamo.on(GetCommand, { TableName: 'customizations' }).callsFake(({ Key }) => {
    const key = `provenance/${Key.requestId}.json`;
    if (!(key in objects) || options.unpinned?.includes(key)) return {};
    const sha256 = options.pinnedSha256 ?? createHash('sha256').update(text(objects[key])).digest('base64');
    return {
      Item: { requestId: Key.requestId, manifestKey: key, manifestVersionId: 'v1', manifestSha256: sha256 },
    };
  });
}

beforeEach(() => {
  for (const client of [dynamo, s3, sns, sfn, sagemaker]) client.reset();
  setHandlerEnv();
  process.env.REQUIRE_PROVENANCE = 'true';
  process.env.PROVENANCE_TABLES = JSON.stringify(['customizations']);
  process.env.HOSTING_ROLE_ARN = 'arn:aws:iam::111111111111:role/Hosting';
});

describe('request handler, for a deployment pipeline', () => {
  beforeEach(() => {
    process.env.DEPLOYMENT_RULES = JSON.stringify(RULES);
  });
  afterEach(() => {
    delete process.env.DEPLOYMENT_RULES;
  });

  test('records the request with the caller and starts the pipeline with it, without datasets', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:execution' });
    const response = await requestHandler(await urlEvent(ALICE, request));
    expect(response.statusCode).toBe(202);
    const item = dynamo.commandCalls(PutCommand)[0].args[0].input.Item!;
    expect(item).toMatchObject({ requester: ALICE, requesterPerson: 'alice', request, status: 'SUBMITTED' });
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!);
    expect(input).toEqual({
      requestId: item.requestId,
      requester: ALICE,
      requestedAt: item.requestedAt,
      request,
    });
  });

  test('refuses another environment, a target not of the pipeline and a model of another account, saying each', async () => {
    const response = await requestHandler(
      await urlEvent(ALICE, {
        environment: 'staging',
        target: 'someone-elses',
        model: PACKAGE.replace('111111111111', '222222222222'),
        reason: '',
        replicas: 3,
      }),
    );
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body as string).errors).toEqual([
      "unknown field 'replicas' (expected environment, target, model, reason)",
      "environment must be 'production': this pipeline deploys there only, with its own approvers",
      "target must be one of this pipeline's targets: churn-predictor",
      'model must be the ARN of a versioned SageMaker model package',
      'reason must say why, in 1-1000 characters',
    ]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });
});

describe('provenance check', () => {
  const event = { requestId: REQUEST_ID, output: ARTIFACT, locator: ARTIFACT };

  test('finds the manifest of the customization that produced the artifacts and keeps its requester from approving', async () => {
    storedManifests({ [`provenance/${TRAINING_ID}.json`]: manifest() });
    const result = await checkProvenance(event);
    expect(result).toEqual({ manifestKey: `provenance/${TRAINING_ID}.json`, trainer: 'dave' });
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({
      Bucket: 'metadata',
      Key: `provenance/${TRAINING_ID}.json`,
      VersionId: 'v1',
    });
    const update = dynamo.commandCalls(UpdateCommand)[0].args[0].input;
    expect(update.ConditionExpression).toBe('#status = :submitted');
    expect(update.ExpressionAttributeValues![':excluded']).toEqual({
      dave: `requested the training of this model (customization ${TRAINING_ID})`,
    });
  });

  test("finds a Bedrock custom model's manifest from its customization job's name", async () => {
    const customModel =
      'arn:aws:bedrock:us-east-1:111111111111:custom-model/amazon.titan-text-express-v1:0:8k/abc';
    storedManifests({
      [`provenance/${TRAINING_ID}.json`]: manifest({ job: { backend: 'bedrock', outputModel: customModel } }),
    });
    const result = await checkProvenance({
      requestId: REQUEST_ID,
      output: customModel,
      locator: `customization-${TRAINING_ID}`,
    });
    expect(result).toEqual({ manifestKey: `provenance/${TRAINING_ID}.json`, trainer: 'dave' });
  });

  test('takes the person from the ARN in a manifest written before manifests named people', async () => {
    const old = manifest();
    old.requester = { identity: DAVE_TRAINER.replace('dave', 'Dave'), requestedAt: '' } as never;
    storedManifests({ [`provenance/${TRAINING_ID}.json`]: old });
    expect((await checkProvenance(event)).trainer).toBe('dave');
  });

  test.each([
    ['the manifest does not exist', {}, ARTIFACT, 'ProvenanceMissing'],
    [
      'the artifacts were not produced by the pipeline',
      {},
      's3://elsewhere/model.tar.gz',
      'ProvenanceMissing',
    ],
    [
      'the manifest records another output',
      {
        [`provenance/${TRAINING_ID}.json`]: manifest({ job: { outputModel: 's3://artifacts/other.tar.gz' } }),
      },
      ARTIFACT,
      'ProvenanceMismatch',
    ],
    [
      'the manifest records fewer approvals than it required',
      { [`provenance/${TRAINING_ID}.json`]: manifest({ approvals: [{ approver: BOB, approvedAt: '' }] }) },
      ARTIFACT,
      'ProvenanceMismatch',
    ],
    [
      'the manifest is of another request',
      { [`provenance/${TRAINING_ID}.json`]: manifest({ requestId: REQUEST_ID }) },
      ARTIFACT,
      'ProvenanceMismatch',
    ],
  ])('refuses the model when %s, and excludes nobody', async (_why, objects, output, error) => {
    storedManifests(objects);
    await expect(checkProvenance({ requestId: REQUEST_ID, output, locator: output })).rejects.toMatchObject({
      name: error,
    });
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  test('refuses a manifest written over after the pipeline pinned it, naming both versions', async () => {
    const key = `provenance/${TRAINING_ID}.json`;
    const forged = manifest({
      requester: { identity: 'arn:aws:iam::111111111111:user/nobody', person: 'nobody' },
    });
    storedManifests({ [key]: manifest() }, { later: { [key]: forged } });
    await expect(checkProvenance(event)).rejects.toMatchObject({
      name: 'ProvenanceMismatch',
      message: `the manifest ${key} was written over after the pipeline wrote it (version v2, not the pinned v1); only the pinned version is provenance`,
    });
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  test('refuses a manifest whose bytes are not those the pipeline pinned, or that no pipeline pinned', async () => {
    const key = `provenance/${TRAINING_ID}.json`;
    storedManifests({ [key]: manifest() }, { pinnedSha256: 'AAAA' });
    await expect(checkProvenance(event)).rejects.toMatchObject({
      message: `the manifest ${key} version v1 does not have the SHA-256 the pipeline recorded`,
    });
    s3.reset();
    dynamo.reset();
    storedManifests({ [key]: manifest() }, { unpinned: [key] });
    await expect(checkProvenance(event)).rejects.toMatchObject({
      message: `the manifest ${key} was not written by a customization pipeline of this registry: no pipeline pinned its version`,
    });
    // Where provenance is not required, an unpinned manifest is still no provenance.
    process.env.REQUIRE_PROVENANCE = 'false';
    await expect(checkProvenance(event)).rejects.toMatchObject({ name: 'ProvenanceMismatch' });
  });

  test('lets a model without a manifest through only where provenance is not required, saying so', async () => {
    process.env.REQUIRE_PROVENANCE = 'false';
    storedManifests({});
    const output = 's3://elsewhere/model.tar.gz';
    expect(await checkProvenance({ requestId: REQUEST_ID, output, locator: output })).toEqual({
      manifestKey: 'none',
    });
    const update = dynamo.commandCalls(UpdateCommand)[0].args[0].input;
    expect(update.ExpressionAttributeValues![':provenance']).toEqual({ manifestKey: 'none' });
  });

  test('still checks a manifest it finds where provenance is not required', async () => {
    process.env.REQUIRE_PROVENANCE = 'false';
    storedManifests({ [`provenance/${TRAINING_ID}.json`]: manifest({ job: { outputModel: 'other' } }) });
    await expect(checkProvenance(event)).rejects.toMatchObject({ name: 'ProvenanceMismatch' });
  });
});

describe('approval gate, for a deployment', () => {
  test('tells approvers what would be deployed where, and who may not approve', async () => {
    dynamo.on(UpdateCommand).callsFake((input) => ({
      Attributes: {
        requestId: REQUEST_ID,
        requester: ALICE,
        requiredApprovals: 2,
        request,
        excludedPersons: { dave: 'requested the training of this model (customization c1)' },
        expiresAt: input.ExpressionAttributeValues[':expiresAt'],
      },
    }));
    mockClient(KMSClient)
      .on(EncryptCommand)
      .resolves({ CiphertextBlob: Buffer.from('sealed') });
    await approvalGate({ requestId: REQUEST_ID, taskToken: 'secret-token' });
    const published = sns.commandCalls(PublishCommand)[0].args[0].input;
    expect(published.Subject).toBe('Model deployment awaiting approval');
    expect(published.Message).toContain(`Deploy ${PACKAGE} to churn-predictor (production).`);
    expect(published.Message).toContain('dave may not approve: requested the training of this model');
    expect(published.Message).not.toContain('secret-token');
  });
});

describe('model package approval', () => {
  test('sets the package Approved, naming the approvers and the request', async () => {
    await approvePackage({
      requestId: REQUEST_ID,
      modelPackageArn: PACKAGE,
      approvers: [BOB, CAROL],
      environment: 'production',
    });
    expect(sagemaker.commandCalls(UpdateModelPackageCommand)[0].args[0].input).toEqual({
      ModelPackageArn: PACKAGE,
      ModelApprovalStatus: 'Approved',
      ApprovalDescription: `Approved for production by ${BOB}, ${CAROL} (deployment request ${REQUEST_ID})`,
    });
  });
});

describe('hosting model', () => {
  test("creates the request's model from the package itself, as the hosting role, network-isolated", async () => {
    expect(await createHostingModel({ requestId: REQUEST_ID, modelPackageArn: PACKAGE })).toEqual({
      modelName: `deploy-${REQUEST_ID}`,
    });
    expect(sagemaker.commandCalls(CreateModelCommand)[0].args[0].input).toEqual({
      ModelName: `deploy-${REQUEST_ID}`,
      PrimaryContainer: { ModelPackageName: PACKAGE },
      ExecutionRoleArn: 'arn:aws:iam::111111111111:role/Hosting',
      EnableNetworkIsolation: true,
    });
  });
});

describe('deployment record', () => {
  test('writes who asked, who approved, who could not, what serves and what it replaced, never overwriting', async () => {
    dynamo.on(GetCommand).resolves({
      Item: {
        requestId: REQUEST_ID,
        requester: ALICE,
        requesterPerson: 'alice',
        requestedAt: '2026-11-24T00:00:00.000Z',
        request,
        requiredApprovals: 2,
        approvals: {
          carol: { approver: CAROL, approvedAt: '2026-11-24T02:00:00.000Z' },
          bob: { approver: BOB, approvedAt: '2026-11-24T01:00:00.000Z' },
        },
        excludedPersons: { dave: 'requested the training' },
        provenance: { manifestKey: `provenance/${TRAINING_ID}.json`, trainer: 'dave' },
      },
    });
    s3.on(PutObjectCommand).resolves({ VersionId: 'r1' });
    const result = await writeRecord({
      requestId: REQUEST_ID,
      executionArn: 'arn:execution',
      outcome: 'deployed',
      target: { name: 'churn-predictor', resource: 'arn:endpoint' },
      deployed: `deploy-${REQUEST_ID}`,
      replaced: '',
    });
    expect(result).toEqual({ recordKey: `deployments/${REQUEST_ID}.json` });
    const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put).toMatchObject({
      Bucket: 'metadata',
      Key: `deployments/${REQUEST_ID}.json`,
      IfNoneMatch: '*',
    });
    const record = JSON.parse(put.Body as string) as DeploymentRecord;
    expect(record).toMatchObject({
      kind: 'deployment',
      outcome: 'deployed',
      environment: 'production',
      model: PACKAGE,
      requester: { identity: ALICE, person: 'alice' },
      approvals: [
        { approver: BOB, approvedAt: '2026-11-24T01:00:00.000Z' },
        { approver: CAROL, approvedAt: '2026-11-24T02:00:00.000Z' },
      ],
      excludedPersons: { dave: 'requested the training' },
      provenance: { manifestKey: `provenance/${TRAINING_ID}.json`, trainer: 'dave' },
      deployed: `deploy-${REQUEST_ID}`,
      replaced: null,
    });
    // Pinned once: the version S3 gave it and the SHA-256 of the bytes written.
    const pin = dynamo.commandCalls(UpdateCommand)[0].args[0].input;
    expect(pin.ConditionExpression).toBe('attribute_not_exists(#key)');
    expect(pin.ExpressionAttributeNames).toEqual({
      '#key': 'deploymentRecordKey',
      '#version': 'deploymentRecordVersionId',
      '#sha256': 'deploymentRecordSha256',
    });
    expect(pin.ExpressionAttributeValues).toEqual({
      ':key': `deployments/${REQUEST_ID}.json`,
      ':version': 'r1',
      ':sha256': createHash('sha256')
        .update(put.Body as string)
        .digest('base64'),
    });
  });

  test('refuses to record a customization request as a deployment', async () => {
    dynamo
      .on(GetCommand)
      .resolves({ Item: { requestId: REQUEST_ID, request: { baseModel: 'x' }, approvals: {} } });
    await expect(
      writeRecord({
        requestId: REQUEST_ID,
        executionArn: 'arn',
        outcome: 'deployed',
        target: { name: 'a', resource: 'b' },
        deployed: 'c',
        replaced: '',
      }),
    ).rejects.toThrow('is not a deployment');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});
