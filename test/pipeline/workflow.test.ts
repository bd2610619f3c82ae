import '../support/env';
import { Duration } from 'aws-cdk-lib';
import { EXECUTION_ARN, runLocally, TaskHandler, TASK_TOKEN } from './local-run';
import { executionInput, LLAMA, pipelineFixture, REQUEST_ID, TITAN } from './fixture';

// asl-validator ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (d: unknown) => { isValid: boolean; errors: unknown[] };

const fixture = pipelineFixture({ approvalTimeout: Duration.seconds(1) });
const definition = JSON.parse(fixture.template.props(fixture.ids.stateMachine).DefinitionString);
const trainingBucket = fixture.template.resolve({
  Ref: fixture.stack.getLogicalId(fixture.registry.trainingDataBucket.node.defaultChild as never),
});
const artifactsBucket = fixture.template.resolve({
  Ref: fixture.stack.getLogicalId(fixture.registry.modelArtifactsBucket.node.defaultChild as never),
});
const serviceRoleArn = fixture.template.arn(fixture.ids.serviceRole);

const SHA_TRAIN = 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=';
const SHA_VALID = '3q2+7w3q2+7w3q2+7w3q2+7w3q2+7w3q2+7w3q2+7w0=';

function input(overrides: Record<string, unknown> = {}) {
  return executionInput({
    baseModel: TITAN,
    customModelName: 'support-assistant-v2',
    trainingData: { key: 'datasets/train.jsonl', versionId: 'v-train', sha256: SHA_TRAIN },
    validationData: { key: 'datasets/valid.jsonl', versionId: 'v-valid', sha256: SHA_VALID },
    hyperParameters: { epochCount: '2', learningRate: '0.00001' },
    ...overrides,
  });
}

/** S3 as the dataset inspector sees it: key -> current version and SHA-256. */
function s3(objects: Record<string, { versionId: string; sha256: string }>): TaskHandler {
  return ({ key }) => objects[key] ?? { versionId: '', sha256: '' };
}
const datasetsAsRequested = {
  'datasets/train.jsonl': { versionId: 'v-train', sha256: SHA_TRAIN },
  'datasets/valid.jsonl': { versionId: 'v-valid', sha256: SHA_VALID },
};
const twoApprovals = {
  decision: 'approved',
  approvalCount: 2,
  approvers: [
    'arn:aws:sts::111111111111:assumed-role/Approver/bob',
    'arn:aws:sts::111111111111:assumed-role/Approver/carol',
  ],
  reason: 'approved by bob, carol',
};
const bedrockJob = {
  JobArn: 'arn:aws:bedrock:us-east-1:111111111111:model-customization-job/abc',
  OutputModelArn: 'arn:aws:bedrock:us-east-1:111111111111:custom-model/xyz',
  Status: 'Completed',
};

function run(
  decision: TaskHandler,
  objects: TaskHandler = s3(datasetsAsRequested),
  executionInput = input(),
  extra: Record<string, TaskHandler> = {},
) {
  return runLocally(definition, executionInput, {
    VerifyDatasetsInspect: objects,
    ReverifyDatasetsInspect: objects,
    AwaitApproval: decision,
    CustomizeModel: () => bedrockJob,
    WriteProvenance: () => ({ manifestKey: `provenance/${REQUEST_ID}.json` }),
    ...extra,
  });
}

describe('the synthesized customization state machine', () => {
  test('is a valid Amazon States Language definition', () => {
    const result = aslValidator(JSON.parse(JSON.stringify(definition)));
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  test('two distinct approvals launch the job with exactly the requested, verified parameters', async () => {
    const result = await run(() => twoApprovals);

    expect(result.error).toBeUndefined();
    expect(result.callsTo('CustomizeModel')).toEqual([
      {
        BaseModelIdentifier: `arn:aws:bedrock:us-east-1::foundation-model/${TITAN}`,
        ClientRequestToken: REQUEST_ID,
        CustomizationType: 'FINE_TUNING',
        CustomModelName: 'support-assistant-v2',
        HyperParameters: { epochCount: '2', learningRate: '0.00001' },
        JobName: `customization-${REQUEST_ID}`,
        RoleArn: serviceRoleArn,
        TrainingDataConfig: { S3Uri: `s3://${trainingBucket}/datasets/train.jsonl` },
        ValidationDataConfig: { Validators: [{ S3Uri: `s3://${trainingBucket}/datasets/valid.jsonl` }] },
        OutputDataConfig: { S3Uri: `s3://${artifactsBucket}/customization/${REQUEST_ID}/` },
        CustomModelTags: [{ Key: 'model-access:request-id', Value: REQUEST_ID }],
        JobTags: [{ Key: 'model-access:request-id', Value: REQUEST_ID }],
      },
    ]);
    expect(result.callsTo('AwaitApproval')).toEqual([
      {
        FunctionName: fixture.template.arn(fixture.ids.approvalGate),
        Payload: { requestId: REQUEST_ID, taskToken: TASK_TOKEN },
      },
    ]);
    expect(result.callsTo('WriteProvenance')).toEqual([
      {
        requestId: REQUEST_ID,
        executionArn: EXECUTION_ARN,
        baseModelArn: `arn:aws:bedrock:us-east-1::foundation-model/${TITAN}`,
        backend: 'bedrock',
        job: bedrockJob,
      },
    ]);
    expect(result.callsTo('RecordOutcome')[0].ExpressionAttributeValues[':status']).toEqual({
      S: 'SUCCEEDED',
    });
  });

  test('the datasets are verified before approval is asked and again before launch', async () => {
    const result = await run(() => twoApprovals);
    const order = result.calls
      .map((c) => c.state)
      .filter((s) => !['RecordOutcome', 'CountOutcome', 'NotifyOutcome'].includes(s));
    expect(order).toEqual([
      'VerifyDatasetsInspect',
      'VerifyDatasetsInspect',
      'RecordValidated',
      'AwaitApproval',
      'CheckDecision',
      'ReverifyDatasetsInspect',
      'ReverifyDatasetsInspect',
      'RecordLaunch',
      'CustomizeModel',
      'WriteProvenance',
    ]);
  });

  test('a task output claiming approval, sent by whoever read the token, launches nothing: the record decides', async () => {
    const forged = { decision: 'approved', approvalCount: 99, approvers: ['x', 'y'], reason: 'forged' };
    const result = await run(() => forged, undefined, undefined, {
      CheckDecision: () => ({
        approved: false,
        approvers: [],
        reason: 'the record is AWAITING_APPROVAL, not APPROVED',
      }),
    });
    expect(result.callsTo('CheckDecision')).toEqual([{ requestId: REQUEST_ID, check: 'decision' }]);
    expect(result.callsTo('CustomizeModel')).toEqual([]);
    expect(result.error).toBe('REJECTED');
    expect(result.cause).toBe('the record is AWAITING_APPROVAL, not APPROVED');
  });

  test("every record write is conditioned on this execution being the request's own", async () => {
    const result = await run(() => twoApprovals);
    const writes = ['RecordValidated', 'RecordLaunch', 'RecordOutcome'].map(
      (state) => result.callsTo(state)[0],
    );
    for (const write of writes) {
      expect(write.ConditionExpression).toMatch(/executionArn = :execution/);
      expect(write.ExpressionAttributeValues[':execution']).toEqual({ S: EXECUTION_ARN });
    }
  });

  test('the base model is taken from the allowlist by name, never from the request', async () => {
    const result = await run(() => twoApprovals, undefined, input({ baseModel: LLAMA }));
    expect(result.callsTo('CustomizeModel')[0].BaseModelIdentifier).toBe(
      `arn:aws:bedrock:us-east-1::foundation-model/${LLAMA}`,
    );
  });

  test('a base model outside the allowlist ends the request before anything else', async () => {
    const result = await run(() => twoApprovals, undefined, input({ baseModel: 'anthropic.claude-v2' }));
    expect(result.error).toBe('INVALID');
    expect(result.calls.map((c) => c.state)).toEqual(['RecordOutcome', 'CountOutcome', 'NotifyOutcome']);
  });

  test('a rejection ends the request without launching a job', async () => {
    const result = await run(() => ({
      decision: 'rejected',
      approvalCount: 1,
      approvers: [],
      reason: 'rejected by dave: dataset not reviewed',
    }));
    expect(result.error).toBe('REJECTED');
    expect(result.cause).toBe('rejected by dave: dataset not reviewed');
    expect(result.callsTo('CustomizeModel')).toEqual([]);
    expect(result.callsTo('RecordLaunch')).toEqual([]);
  });

  test('a rejection does not launch, whatever approval count it carries', async () => {
    const result = await run(() => ({ ...twoApprovals, decision: 'rejected', reason: 'rejected by dave' }));
    expect(result.error).toBe('REJECTED');
    expect(result.callsTo('CustomizeModel')).toEqual([]);
  });

  test('an approval by fewer people than required does not launch, whatever it claims', async () => {
    const result = await run(() => ({ ...twoApprovals, approvalCount: 1 }));
    expect(result.error).toBe('REJECTED');
    expect(result.callsTo('CustomizeModel')).toEqual([]);
  });

  test('a request nobody decides expires and fails closed', async () => {
    const result = await run(() => new Promise(() => undefined));
    expect(result.error).toBe('EXPIRED');
    expect(result.cause).toBe('no decision within 1 second');
    expect(result.callsTo('CustomizeModel')).toEqual([]);
    expect(result.callsTo('RecordOutcome')[0].ExpressionAttributeValues[':status']).toEqual({ S: 'EXPIRED' });
  });

  test('a training dataset whose SHA-256 differs from the request never reaches approval or launch', async () => {
    const tampered = s3({
      ...datasetsAsRequested,
      'datasets/train.jsonl': { versionId: 'v-train', sha256: SHA_VALID },
    });
    const result = await run(() => twoApprovals, tampered);
    expect(result.error).toBe('INVALID');
    expect(result.cause).toContain('the training data datasets/train.jsonl is not at version v-train');
    expect(result.callsTo('AwaitApproval')).toEqual([]);
    expect(result.callsTo('CustomizeModel')).toEqual([]);
  });

  test('a dataset replaced by a new version while awaiting approval stops the launch', async () => {
    let verified = 0;
    const replacedAfterFirstCheck: TaskHandler = ({ key }) =>
      verified++ < 2 ? s3(datasetsAsRequested)({ key }) : { versionId: 'v-newer', sha256: SHA_TRAIN };
    const result = await run(() => twoApprovals, replacedAfterFirstCheck);
    expect(result.error).toBe('INVALID');
    expect(result.callsTo('AwaitApproval')).toHaveLength(1);
    expect(result.callsTo('CustomizeModel')).toEqual([]);
  });

  test('a missing dataset never reaches approval', async () => {
    const result = await run(() => twoApprovals, s3({}));
    expect(result.error).toBe('INVALID');
    expect(result.callsTo('AwaitApproval')).toEqual([]);
  });

  test('an execution started around the request handler, with no recorded request, fails before approval', async () => {
    const result = await run(() => twoApprovals, undefined, input(), {
      RecordValidated: () => {
        throw Object.assign(new Error('The conditional request failed'), {
          name: 'DynamoDB.ConditionalCheckFailedException',
        });
      },
    });
    expect(result.error).toBe('FAILED');
    expect(result.callsTo('AwaitApproval')).toEqual([]);
    expect(result.callsTo('CustomizeModel')).toEqual([]);
  });

  test('a failed job is recorded as FAILED and writes no provenance', async () => {
    const result = await run(() => twoApprovals, undefined, input(), {
      CustomizeModel: () => {
        throw Object.assign(new Error('training failed: bad data'), { name: 'States.TaskFailed' });
      },
    });
    expect(result.error).toBe('FAILED');
    expect(result.callsTo('WriteProvenance')).toEqual([]);
  });
});
