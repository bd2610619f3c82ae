import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { DecisionTable, decisionTable } from './decision-table';
import { BOB, CAROL, DAVE, quietMetricLines } from './events';

quietMetricLines();

// The decision table is a real DynamoDB API (moto) here, so conditional writes behave as in AWS.
let table: DecisionTable;
const sfn = mockClient(SFNClient);

beforeAll(async () => {
  table = await decisionTable();
}, 60_000);
afterAll(() => table?.stop());
beforeEach(async () => {
  sfn.reset();
  await table.reset();
});

const approve = (caller: string) => table.approve(caller);
const stored = () => table.stored() as Promise<{ status: string; approvals: Record<string, unknown> }>;

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

describe('people kept from approving, on a real conditional-write API', () => {
  test("whoever requested the model's training cannot approve its deployment; two others can", async () => {
    await table.reset({
      excludedPersons: { carol: 'requested the training of this model (customization c1)' },
    });
    const refused = await approve(CAROL);
    expect(refused.statusCode).toBe(403);
    expect(JSON.parse(refused.body as string).errors[0]).toContain('requested the training of this model');
    expect((await approve(BOB)).statusCode).toBe(200);
    expect((await approve(DAVE)).statusCode).toBe(200);
    const record = await stored();
    expect(record.status).toBe('APPROVED');
    expect(Object.keys(record.approvals).sort()).toEqual(['bob', 'dave']);
  });
});

describe('the conditional write alone', () => {
  test('refuses an excluded person whose exclusion the handler did not see (a stale read)', async () => {
    await table.reset({
      excludedPersons: { carol: 'requested the training of this model (customization c1)' },
    });
    const { documents } = await import('../../../lib/pipeline/handlers/runtime');
    const send = documents.send.bind(documents);
    // The handler's reads return the record as it was before the exclusion was written.
    const stale = jest.spyOn(documents, 'send').mockImplementation((async (command: { input: object }) => {
      const result = (await send(command as never)) as { Item?: Record<string, unknown> };
      if (command instanceof GetCommand && result.Item) delete result.Item.excludedPersons;
      return result;
    }) as never);
    try {
      expect((await approve(CAROL)).statusCode).toBe(409);
    } finally {
      stale.mockRestore();
    }
    expect(Object.keys((await stored()).approvals)).toEqual([]);
  });
});
