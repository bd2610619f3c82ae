import '../support/env';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { MotoServer } from '../support/moto-server';
import { executionInput, pipelineFixture, REQUEST_ID, TITAN } from './fixture';
import { EXECUTION_ARN, runLocally } from './local-run';

/**
 * An execution someone started around the request handler (`states:StartExecution` is common),
 * naming a live request, must not change its record: the synthesized state machine's record
 * writes, as Step Functions renders them, run against a real conditional-write API (moto).
 */
const fixture = pipelineFixture();
const definition = JSON.parse(fixture.template.props(fixture.ids.stateMachine).DefinitionString);
let moto: MotoServer;
let dynamo: DynamoDBClient;
const TABLE = 'decisions';
const LEGIT_EXECUTION = EXECUTION_ARN.replace(/:req$/, `:${REQUEST_ID}`);

beforeAll(async () => {
  moto = await MotoServer.start();
  dynamo = new DynamoDBClient({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  await dynamo.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: 'requestId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'requestId', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}, 60_000);
afterAll(() => moto?.stop());

/** Each DynamoDB task of the definition, sent to moto as Step Functions would send it. */
const onMoto = (input: object) =>
  dynamo
    .send(new UpdateItemCommand({ ...(input as UpdateItemCommandInput), TableName: TABLE }))
    .then(() => ({}));

async function recordOf(status: string, executionArn: string) {
  await dynamo.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: {
        requestId: { S: REQUEST_ID },
        status: { S: status },
        executionArn: { S: executionArn },
        approvals: { M: {} },
      },
    }),
  );
}
const stored = async () =>
  (
    await dynamo.send(
      new GetItemCommand({ TableName: TABLE, Key: { requestId: { S: REQUEST_ID } }, ConsistentRead: true }),
    )
  ).Item!;

const SHA = 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=';
const request = {
  baseModel: TITAN,
  customModelName: 'support-assistant-v2',
  trainingData: { key: 'datasets/train.jsonl', versionId: 'v1', sha256: SHA },
  validationData: { key: 'datasets/valid.jsonl', versionId: 'v1', sha256: SHA },
  hyperParameters: {},
};

test("a stray execution naming a live request neither validates nor fails it: its writes' conditions refuse it", async () => {
  await recordOf('SUBMITTED', LEGIT_EXECUTION);
  // The local execution's ARN is EXECUTION_ARN (`...:req`), not the request's own.
  const result = await runLocally(definition, executionInput(request), {
    VerifyDatasetsInspect: () => ({ versionId: 'v1', sha256: SHA }),
    RecordValidated: onMoto,
    RecordOutcome: onMoto,
  });
  expect(result.error).toBe('FAILED');
  expect(result.callsTo('AwaitApproval')).toEqual([]);
  const record = await stored();
  expect(record.status).toEqual({ S: 'SUBMITTED' });
  expect(record.outcome).toBeUndefined();
});

test("the request's own execution moves its record on and records the outcome", async () => {
  await recordOf('SUBMITTED', EXECUTION_ARN);
  const result = await runLocally(definition, executionInput(request), {
    VerifyDatasetsInspect: () => ({ versionId: 'v1', sha256: SHA }),
    RecordValidated: onMoto,
    RecordOutcome: onMoto,
    AwaitApproval: () => ({ decision: 'rejected', approvalCount: 0, approvers: [], reason: 'no' }),
    CheckDecision: () => ({ approved: false, approvers: [], reason: 'rejected by bob: no' }),
  });
  expect(result.error).toBe('REJECTED');
  const record = await stored();
  expect(record.status).toEqual({ S: 'REJECTED' });
  expect(record.outcome).toEqual({ S: 'rejected by bob: no' });
});
