import { DecisionTable, decisionTable, REQUEST_ID } from './decision-table';
import { ALICE, BOB, CAROL } from './events';

/**
 * The gate's decision check, after the wait, on a real table (moto): the request goes on only if
 * the record itself holds enough approvals by people who may approve, whatever the wait's output
 * (which whoever holds a task token can write) said.
 */
let table: DecisionTable;
let check: (requestId: string) => Promise<unknown>;

beforeAll(async () => {
  table = await decisionTable({ REQUIRED_APPROVALS: '2' });
  const { handler } = await import('../../../lib/pipeline/handlers/approval-gate');
  check = (requestId) => handler({ requestId, check: 'decision' });
}, 60_000);
afterAll(() => table?.stop());

const approval = (approver: string) => ({ approver, approvedAt: '2026-11-24T01:00:00.000Z' });

test('two approvals by people other than the requester, in an approved record, let it go on', async () => {
  await table.reset({ status: 'APPROVED', approvals: { bob: approval(BOB), carol: approval(CAROL) } });
  expect(await check(REQUEST_ID)).toEqual({
    approved: true,
    approvers: [BOB, CAROL],
    reason: `approved by ${BOB}, ${CAROL}`,
  });
});

test.each([
  [
    'a record still awaiting approval',
    { approvals: { bob: approval(BOB), carol: approval(CAROL) } },
    'the record is AWAITING_APPROVAL, not APPROVED',
  ],
  [
    'one approval',
    { status: 'APPROVED', approvals: { bob: approval(BOB) } },
    'the record holds 1 valid approvals of the 2 required',
  ],
  [
    "the requester's own approval",
    { status: 'APPROVED', approvals: { alice: approval(ALICE), bob: approval(BOB) } },
    'the record holds 1 valid approvals of the 2 required',
  ],
  [
    "an excluded person's approval",
    {
      status: 'APPROVED',
      approvals: { bob: approval(BOB), carol: approval(CAROL) },
      excludedPersons: { carol: 'trained it' },
    },
    'the record holds 1 valid approvals of the 2 required',
  ],
  [
    'a rejection',
    { status: 'REJECTED', rejection: { rejectedBy: BOB, rejectedAt: '', reason: 'unreviewed data' } },
    `rejected by ${BOB}: unreviewed data`,
  ],
])('%s does not', async (_, record, reason) => {
  await table.reset(record);
  expect(await check(REQUEST_ID)).toEqual({ approved: false, approvers: [], reason });
});

test('an unknown request does not', async () => {
  expect(await check('00000000-0000-4000-8000-000000000000')).toMatchObject({ approved: false });
});
