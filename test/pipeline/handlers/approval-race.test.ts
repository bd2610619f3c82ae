import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MotoServer } from '../../support/moto-server';
import { ALICE, BOB, CAROL, DAVE, setHandlerEnv, urlEvent } from './events';

// The decision table is a real DynamoDB API (moto) here, so conditional writes behave as in AWS.
let moto: MotoServer;
let handler: (e: ReturnType<typeof urlEvent>) => Promise<APIGatewayProxyStructuredResultV2>;
let documents: typeof import('../../../lib/pipeline/handlers/runtime').documents;
const sfn = mockClient(SFNClient);
const REQUEST_ID = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';

beforeAll(async () => {
  moto = await MotoServer.start();
  setHandlerEnv();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  });
  ({ handler } = await import('../../../lib/pipeline/handlers/approval-handler'));
  ({ documents } = await import('../../../lib/pipeline/handlers/runtime'));
  await new DynamoDBClient({}).send(
    new CreateTableCommand({
      TableName: 'decisions',
      KeySchema: [{ AttributeName: 'requestId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'requestId', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}, 60_000);

afterAll(() => moto?.stop());

beforeEach(async () => {
  sfn.reset();
  await documents.send(
    new PutCommand({
      TableName: 'decisions',
      Item: {
        requestId: REQUEST_ID,
        status: 'AWAITING_APPROVAL',
        requester: ALICE,
        requesterPerson: 'alice',
        requestedAt: '2026-11-24T00:00:00.000Z',
        request: {},
        requiredApprovals: 2,
        approvals: {},
        taskToken: 'token',
        expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      },
    }),
  );
});

const approve = (caller: string) => handler(urlEvent(caller, { requestId: REQUEST_ID, decision: 'approve' }));
const stored = async () =>
  (
    await documents.send(
      new GetCommand({ TableName: 'decisions', Key: { requestId: REQUEST_ID }, ConsistentRead: true }),
    )
  ).Item!;

describe('approvals racing on a real conditional-write API', () => {
  test('concurrent approvals, with repeats, resume the pipeline exactly once and count each person once', async () => {
    const callers = [BOB, CAROL, DAVE, BOB, CAROL, BOB];
    const results = await Promise.all(callers.map(approve));

    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    const record = await stored();
    expect(record.status).toBe('APPROVED');
    const people = Object.keys(record.approvals).sort();
    expect(new Set(people).size).toBe(people.length);
    expect(people.every((p) => ['bob', 'carol', 'dave'].includes(p))).toBe(true);
    // Each repeat is refused; every other call either counted or found the request closed.
    expect(results.filter((r) => r.statusCode === 409).length).toBeGreaterThanOrEqual(3);
    const output = JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input.output!);
    expect(output.approvalCount).toBeGreaterThanOrEqual(2);
    expect(new Set(output.approvers).size).toBe(output.approvers.length);
  });

  test('the same person approving twice at once counts once and does not resume the pipeline', async () => {
    const results = await Promise.all([approve(BOB), approve(BOB), approve(BOB)]);

    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409, 409]);
    expect(sfn.calls()).toHaveLength(0);
    expect(Object.keys((await stored()).approvals)).toEqual(['bob']);
  });

  test('the requester cannot slip an approval in under a concurrent one', async () => {
    const results = await Promise.all([
      approve(BOB),
      approve('arn:aws:sts::111111111111:assumed-role/Approver/alice'),
    ]);

    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 403]);
    expect(sfn.calls()).toHaveLength(0);
    expect(Object.keys((await stored()).approvals)).toEqual(['bob']);
  });
});
