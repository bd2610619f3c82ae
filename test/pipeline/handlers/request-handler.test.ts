import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../lib/pipeline/handlers/request-handler';
import {
  ALICE,
  emittedMetrics,
  setHandlerEnv,
  SHA_B64,
  urlEvent,
  validRequest,
  quietMetricLines,
} from './events';

quietMetricLines();

setHandlerEnv();

const dynamo = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);

beforeEach(() => {
  dynamo.reset();
  sfn.reset();
  sfn.on(StartExecutionCommand).callsFake((input) => ({
    executionArn: `arn:aws:states:us-east-1:111111111111:execution:Pipeline:${input.name}`,
  }));
});

const body = (r: { body?: string }) => JSON.parse(r.body ?? '{}');

describe('request handler', () => {
  test("records the requester's full assumed-role identity and starts the pipeline for it", async () => {
    const result = await handler(await urlEvent(ALICE, validRequest()));

    expect(result.statusCode).toBe(202);
    const { requestId } = body(result);
    const put = dynamo.commandCalls(PutCommand)[0].args[0].input;
    expect(put.Item).toMatchObject({
      requestId,
      status: 'SUBMITTED',
      requester: ALICE,
      requesterPerson: 'alice',
      requiredApprovals: 2,
      approvals: {},
      // Known before the start: only the execution named after the request may move it on.
      executionArn: `arn:aws:states:us-east-1:111111111111:execution:Pipeline:${requestId}`,
    });
    expect(put.ConditionExpression).toBe('attribute_not_exists(requestId)');
    const start = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(start.name).toBe(requestId);
    expect(JSON.parse(start.input!)).toMatchObject({
      requestId,
      requester: ALICE,
      datasets: [
        { channel: 'training', key: 'datasets/train.jsonl', versionId: 'v1', sha256: SHA_B64 },
        { channel: 'validation', key: 'datasets/valid.jsonl', versionId: 'v2', sha256: SHA_B64 },
      ],
    });
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  test('normalizes hyperparameters to strings and hex SHA-256 to S3 base64', async () => {
    await handler(await urlEvent(ALICE, validRequest()));
    const { request } = dynamo.commandCalls(PutCommand)[0].args[0].input.Item!;
    expect(request.hyperParameters).toEqual({ epochCount: '2', learningRate: '0.00001' });
    expect(request.trainingData.sha256).toBe(SHA_B64);
  });

  test('reads a base64-encoded body', async () => {
    const result = await handler(await urlEvent(ALICE, validRequest(), { base64: true }));
    expect(result.statusCode).toBe(202);
  });

  test.each([
    [
      'a body that is not JSON',
      () => urlEvent(ALICE, undefined, { raw: '{not json' }),
      400,
      'the body is not JSON',
    ],
    ['a GET', () => urlEvent(ALICE, validRequest(), { method: 'GET' }), 405, 'use POST with a JSON body'],
    [
      'the account root',
      () => urlEvent('arn:aws:iam::111111111111:root', validRequest()),
      403,
      'arn:aws:iam::111111111111:root is not an IAM user or a role session (the root user and other callers cannot take part)',
    ],
    [
      'a session of a role the pipeline was not granted to, whose caller chose the name',
      () => urlEvent('arn:aws:sts::111111111111:assumed-role/Admin/alice', validRequest()),
      403,
      'sessions of role Admin (account 111111111111) were not granted this endpoint; use a role the pipeline was granted to, whose trust policy pins the session name',
    ],
    [
      'a federated user, named by whoever called GetFederationToken',
      () => urlEvent('arn:aws:sts::111111111111:federated-user/alice', validRequest()),
      403,
      'arn:aws:sts::111111111111:federated-user/alice is a federated user, whose name is chosen by whoever calls GetFederationToken; sign in as an IAM user, through IAM Identity Center, or through a role that pins session names',
    ],
    ['a JSON array', () => urlEvent(ALICE, []), 400, 'the body must be a JSON object'],
  ])('refuses %s without recording or starting anything', async (_name, event, status, error) => {
    const result = await handler(await event());
    expect(result.statusCode).toBe(status);
    expect(body(result).errors).toEqual([error]);
    expect(dynamo.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  test('a malformed request is refused with every reason, and nothing starts', async () => {
    const result = await handler(
      await urlEvent(
        ALICE,
        validRequest({
          baseModel: 'anthropic.claude-v2',
          customModelName: 'bad name!',
          trainingData: { key: '/abs', versionId: 'null', sha256: 'abc' },
          validationData: 'datasets/valid.jsonl',
          hyperParameters: { epochCount: 9, batchSize: 8, learningRate: 'fast' },
          extra: true,
        }),
      ),
    );
    expect(result.statusCode).toBe(400);
    expect(body(result).errors).toEqual([
      "unknown field 'extra' (expected baseModel, customModelName, trainingData, validationData, hyperParameters)",
      'baseModel must be one of the allowlisted models: amazon.titan-text-express-v1',
      "customModelName must be Bedrock's rule",
      "trainingData.key must be an object key of the training-data bucket (1-1024 bytes, no leading '/')",
      'trainingData.versionId must name one version of the object',
      "trainingData.sha256 must be the object's SHA-256, as 64 hex digits or S3's base64 ChecksumSHA256",
      'validationData must be an object with key, versionId and sha256',
      "hyperparameter 'epochCount' must be an integer from 1 to 5, got 9",
      "hyperparameter 'batchSize' is not declared (declared: epochCount, learningRate)",
      'hyperparameter \'learningRate\' must be a number from 0.000001 to 0.0001, got "fast"',
    ]);
    expect(dynamo.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  test('a request whose execution cannot start is closed as FAILED, not left looking live', async () => {
    sfn.on(StartExecutionCommand).rejects(new Error('throttled'));

    const result = await handler(await urlEvent(ALICE, validRequest()));

    expect(result.statusCode).toBe(500);
    expect(body(result).errors).toEqual(['the pipeline could not be started: throttled']);
    const update = dynamo.commandCalls(UpdateCommand)[0].args[0].input;
    expect(update.ExpressionAttributeValues).toEqual({
      ':failed': 'FAILED',
      ':reason': 'the pipeline could not be started: throttled',
    });
  });

  test('a custom model name longer than the rule allows is refused', async () => {
    const result = await handler(await urlEvent(ALICE, validRequest({ customModelName: 'a'.repeat(64) })));
    expect(result.statusCode).toBe(400);
  });
});

describe('governance metrics of requests', () => {
  test('a request whose execution started counts as requested', async () => {
    expect(await emittedMetrics(async () => handler(await urlEvent(ALICE, validRequest())))).toEqual({
      Requested: 1,
    });
  });

  test('a refused request, or one whose execution could not start, counts nothing', async () => {
    expect(await emittedMetrics(async () => handler(await urlEvent(ALICE, { baseModel: 'nope' })))).toEqual(
      {},
    );
    sfn.on(StartExecutionCommand).rejects(new Error('throttled'));
    expect(await emittedMetrics(async () => handler(await urlEvent(ALICE, validRequest())))).toEqual({});
  });
});
