import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../lib/pipeline/handlers/approval-handler';
import { RequestRecord, RequestStatus } from '../../../lib/pipeline/handlers/request-record';
import {
  ALICE,
  ALICE_AS_APPROVER,
  BOB,
  CAROL,
  emittedMetrics,
  setHandlerEnv,
  urlEvent,
  quietMetricLines,
} from './events';

quietMetricLines();

setHandlerEnv();
const dynamo = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const kms = mockClient(KMSClient);

const REQUEST_ID = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

function record(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    requestId: REQUEST_ID,
    status: RequestStatus.AWAITING_APPROVAL,
    requester: ALICE,
    requesterPerson: 'alice',
    requestedAt: '2026-11-24T00:00:00.000Z',
    request: {} as RequestRecord['request'],
    requiredApprovals: 2,
    approvals: {},
    taskToken: 'token',
    expiresAt: inAnHour(),
    ...overrides,
  };
}
/** Bob has approved; Carol's approval is recorded next. What the closing write does is up to the test. */
function carolApprovesAfterBob() {
  const bob = { approver: BOB, approvedAt: '2026-11-24T00:01:00.000Z' };
  const carol = { approver: CAROL, approvedAt: '2026-11-24T00:02:00.000Z' };
  dynamo.on(GetCommand).resolves({ Item: record({ approvals: { bob } }) });
  return dynamo.on(UpdateCommand).resolvesOnce({ Attributes: record({ approvals: { bob, carol } }) });
}
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });
const approve = async (caller: string, requestId: string = REQUEST_ID) =>
  handler(await urlEvent(caller, { requestId, decision: 'approve' }));
const body = (r: { body?: string }) => JSON.parse(r.body ?? '{}');

beforeEach(() => {
  dynamo.reset();
  sfn.reset();
  kms.reset();
  kms.on(DecryptCommand).resolves({ Plaintext: Buffer.from('opened-token') });
});

describe('approval handler', () => {
  test('the first approval is recorded under the approving person and does not resume the pipeline', async () => {
    dynamo.on(GetCommand).resolves({ Item: record() });
    dynamo.on(UpdateCommand).callsFake((input) => ({
      Attributes: record({ approvals: { bob: input.ExpressionAttributeValues[':approval'] } }),
    }));

    const result = await approve(BOB);

    expect(result.statusCode).toBe(200);
    expect(body(result)).toEqual({
      requestId: REQUEST_ID,
      status: 'AWAITING_APPROVAL',
      approvals: 1,
      requiredApprovals: 2,
    });
    const update = dynamo.commandCalls(UpdateCommand)[0].args[0].input;
    expect(update.ExpressionAttributeNames).toEqual({ '#person': 'bob', '#status': 'status' });
    expect(update.ConditionExpression).toBe(
      '#status = :awaiting AND expiresAt > :now AND requesterPerson <> :person AND attribute_not_exists(approvals.#person) AND attribute_not_exists(excludedPersons.#person)',
    );
    expect(update.ExpressionAttributeValues![':approval']).toMatchObject({ approver: BOB });
    expect(sfn.calls()).toHaveLength(0);
  });

  test('the approval that reaches the required count closes the request and resumes the pipeline once', async () => {
    const closing = carolApprovesAfterBob();
    closing.resolves({});

    const result = await approve(CAROL);

    expect(body(result)).toMatchObject({ status: 'APPROVED', approvals: 2 });
    const close = dynamo.commandCalls(UpdateCommand)[1].args[0].input;
    expect(close.ConditionExpression).toBe('#status = :awaiting AND expiresAt > :now');
    expect(close.ExpressionAttributeValues![':to']).toBe('APPROVED');
    const resumed = sfn.commandCalls(SendTaskSuccessCommand);
    expect(resumed).toHaveLength(1);
    expect(JSON.parse(resumed[0].args[0].input.output!)).toEqual({
      decision: 'approved',
      approvalCount: 2,
      approvers: [BOB, CAROL],
      reason: `approved by ${BOB}, ${CAROL}`,
    });
  });

  test('an approval that loses the race to close the request does not resume the pipeline again', async () => {
    const closing = carolApprovesAfterBob();
    closing.rejects(conditionFailed());

    const result = await approve(CAROL);

    expect(result.statusCode).toBe(200);
    expect(sfn.calls()).toHaveLength(0);
  });

  test('nobody may approve their own request, even through another role', async () => {
    dynamo.on(GetCommand).resolves({ Item: record() });

    const result = await approve(ALICE_AS_APPROVER);

    expect(result.statusCode).toBe(403);
    expect(body(result).errors).toEqual([
      `${ALICE_AS_APPROVER} requested ${REQUEST_ID} and may not decide it`,
    ]);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  test('nobody may reject their own request either', async () => {
    dynamo.on(GetCommand).resolves({ Item: record() });
    const result = await handler(await urlEvent(ALICE, { requestId: REQUEST_ID, decision: 'reject' }));
    expect(result.statusCode).toBe(403);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  test('a second approval by the same person is refused and not counted', async () => {
    const bob = { approver: BOB, approvedAt: 'then' };
    dynamo.on(GetCommand).resolves({ Item: record({ approvals: { bob } }) });
    dynamo.on(UpdateCommand).rejects(conditionFailed());

    const result = await approve('arn:aws:sts::111111111111:assumed-role/Requester/BOB');

    expect(result.statusCode).toBe(409);
    expect(body(result).errors).toEqual([`bob has already approved ${REQUEST_ID}; an approver counts once`]);
    expect(sfn.calls()).toHaveLength(0);
  });

  test('an unknown request is refused', async () => {
    dynamo.on(GetCommand).resolves({});
    const result = await approve(BOB);
    expect(result.statusCode).toBe(404);
    expect(body(result).errors).toEqual([`no request ${REQUEST_ID}`]);
  });

  test.each([
    [
      'not awaiting approval',
      record({ status: RequestStatus.REJECTED }),
      `${REQUEST_ID} is REJECTED, not awaiting approval`,
    ],
    [
      'expired',
      record({ expiresAt: '2020-01-01T00:00:00.000Z' }),
      `${REQUEST_ID} expired at 2020-01-01T00:00:00.000Z`,
    ],
  ])('a request %s takes no decision', async (_name, item, error) => {
    dynamo.on(GetCommand).resolves({ Item: item });
    const result = await approve(BOB);
    expect(result.statusCode).toBe(409);
    expect(body(result).errors).toEqual([error]);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  test.each([
    ['no request id', { decision: 'approve' }, 'requestId must be the id the request handler returned'],
    [
      'an unknown decision',
      { requestId: REQUEST_ID, decision: 'maybe' },
      "decision must be 'approve' or 'reject'",
    ],
    [
      'a reason that is not text',
      { requestId: REQUEST_ID, decision: 'reject', reason: 42 },
      'reason must be a string of at most 1000 characters',
    ],
  ])('malformed input (%s) is refused before the table is read', async (_name, input, error) => {
    const result = await handler(await urlEvent(BOB, input));
    expect(result.statusCode).toBe(400);
    expect(body(result).errors).toEqual([error]);
    expect(dynamo.calls()).toHaveLength(0);
  });

  test('a JSON null body is refused', async () => {
    const result = await handler(await urlEvent(BOB, null, { purpose: 'decision' }));
    expect(result.statusCode).toBe(400);
  });

  test('a rejection closes the request and resumes the pipeline with the rejection', async () => {
    dynamo.on(GetCommand).resolves({ Item: record() });
    dynamo.on(UpdateCommand).resolves({});

    const result = await handler(
      await urlEvent(BOB, { requestId: REQUEST_ID, decision: 'reject', reason: 'unreviewed data' }),
    );

    expect(body(result)).toMatchObject({ status: 'REJECTED' });
    const close = dynamo.commandCalls(UpdateCommand)[0].args[0].input;
    expect(close.ExpressionAttributeValues![':rejection']).toMatchObject({
      rejectedBy: BOB,
      reason: 'unreviewed data',
    });
    const output = JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input.output!);
    expect(output).toMatchObject({ decision: 'rejected', reason: `rejected by ${BOB}: unreviewed data` });
  });

  test('an approval arriving after the pipeline gave up waiting is told the request expired', async () => {
    const closing = carolApprovesAfterBob();
    closing.resolves({});
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'timed out', $metadata: {} }));

    const result = await approve(CAROL);
    expect(result.statusCode).toBe(409);
    expect(body(result).errors).toEqual([`${REQUEST_ID} expired before the decision could take effect`]);
  });
});

describe('governance metrics of decisions', () => {
  test('the approval that closes the request counts it approved, with the seconds since it was asked', async () => {
    carolApprovesAfterBob().resolves({});
    const metrics = await emittedMetrics(() => approve(CAROL));
    expect(Object.keys(metrics).sort()).toEqual(['Approved', 'TimeToDecision']);
    expect(metrics.Approved).toBe(1);
    const since = (Date.now() - Date.parse('2026-11-24T00:00:00.000Z')) / 1000;
    expect(metrics.TimeToDecision).toBeGreaterThan(since - 60);
    expect(metrics.TimeToDecision).toBeLessThanOrEqual(since);
  });

  test('an approval short of the count, or one that lost the race to close, counts nothing', async () => {
    dynamo.on(GetCommand).resolves({ Item: record() });
    const bob = { approver: BOB, approvedAt: '2026-11-24T00:01:00.000Z' };
    dynamo.on(UpdateCommand).resolves({ Attributes: record({ approvals: { bob } }) });
    expect(await emittedMetrics(() => approve(BOB))).toEqual({});
    dynamo.reset();
    carolApprovesAfterBob().rejects(conditionFailed());
    expect(await emittedMetrics(() => approve(CAROL))).toEqual({});
  });

  test('a rejection counts it rejected, with the time to decide', async () => {
    dynamo.on(GetCommand).resolves({ Item: record() });
    dynamo.on(UpdateCommand).resolves({});
    const metrics = await emittedMetrics(async () =>
      handler(await urlEvent(BOB, { requestId: REQUEST_ID, decision: 'reject', reason: 'unreviewed data' })),
    );
    expect(Object.keys(metrics).sort()).toEqual(['Rejected', 'TimeToDecision']);
  });

  test('a decision arriving after expiry counts nothing: the state machine counts the expiry', async () => {
    carolApprovesAfterBob().resolves({});
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'timed out', $metadata: {} }));
    expect(await emittedMetrics(() => approve(CAROL))).toEqual({});
  });
});
