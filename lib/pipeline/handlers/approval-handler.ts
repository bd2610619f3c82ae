import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { emitMetric, GovernanceMetric } from './governance-metrics';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LambdaFunctionURLEvent, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { readRequest, refuse, respond } from './http';
import { Caller } from './identity';
import { loadRecord } from './record-store';
import { RequestRecord, RequestStatus } from './request-record';
import { documents, env } from './runtime';
import { openToken } from './task-token';

const sfn = new SFNClient({});
const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What the pipeline's approval step receives once a request is decided. */
export interface Decision {
  readonly decision: 'approved' | 'rejected';
  readonly approvalCount: number;
  readonly approvers: string[];
  readonly reason: string;
}

/**
 * POST a decision `{ requestId, decision: "approve" | "reject", reason? }` with a proof of the
 * approver's identity bound to it (http.ts). Each approval is a conditional
 * write keyed by the approving person, so a duplicate or a race cannot count twice; the write
 * that reaches the required count, and only that one, resumes the pipeline.
 */
export async function handler(event: LambdaFunctionURLEvent): Promise<APIGatewayProxyStructuredResultV2> {
  const read = await readRequest(event, 'decision');
  if ('refusal' in read) return read.refusal;
  const body = read.body as Record<string, unknown>;
  const errors: string[] = [];
  if (typeof body !== 'object' || body === null) errors.push('the body must be a JSON object');
  else {
    if (typeof body.requestId !== 'string' || !REQUEST_ID.test(body.requestId)) {
      errors.push('requestId must be the id the request handler returned');
    }
    if (body.decision !== 'approve' && body.decision !== 'reject') {
      errors.push("decision must be 'approve' or 'reject'");
    }
    if (body.reason !== undefined && (typeof body.reason !== 'string' || body.reason.length > 1000)) {
      errors.push('reason must be a string of at most 1000 characters');
    }
  }
  if (errors.length > 0) return refuse(400, ...errors);

  const requestId = body.requestId as string;
  const record = await loadRecord(requestId);
  if (!record) return refuse(404, `no request ${requestId}`);
  if (record.requesterPerson === read.caller.person) {
    return refuse(403, `${read.caller.arn} requested ${requestId} and may not decide it`);
  }
  const excluded = record.excludedPersons?.[read.caller.person];
  if (excluded) return refuse(403, `${read.caller.arn} may not decide ${requestId}: ${excluded}`);
  const now = new Date().toISOString();
  const open = openProblem(record, read.caller, now);
  if (open) return refuse(409, open);

  return body.decision === 'approve'
    ? approve(record, read.caller, now)
    : reject(record, read.caller, now, (body.reason as string | undefined) ?? 'no reason given');
}

async function approve(
  record: RequestRecord,
  caller: Caller,
  now: string,
): Promise<APIGatewayProxyStructuredResultV2> {
  let updated: RequestRecord;
  try {
    const result = await documents.send(
      new UpdateCommand({
        TableName: env('TABLE_NAME'),
        Key: { requestId: record.requestId },
        UpdateExpression: 'SET approvals.#person = :approval',
        ConditionExpression:
          '#status = :awaiting AND expiresAt > :now AND requesterPerson <> :person AND attribute_not_exists(approvals.#person) AND attribute_not_exists(excludedPersons.#person)',
        ExpressionAttributeNames: { '#person': caller.person, '#status': 'status' },
        ExpressionAttributeValues: {
          ':approval': { approver: caller.arn, approvedAt: now },
          ':awaiting': RequestStatus.AWAITING_APPROVAL,
          ':now': now,
          ':person': caller.person,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    updated = result.Attributes as RequestRecord;
  } catch (e) {
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
    // Lost a race or a repeat: say which, from what the table holds now.
    const current = (await loadRecord(record.requestId))!;
    if (current.approvals[caller.person]) {
      return refuse(
        409,
        `${caller.person} has already approved ${record.requestId}; an approver counts once`,
      );
    }
    return refuse(
      409,
      openProblem(current, caller, now) ?? `${record.requestId} changed while deciding; retry`,
    );
  }

  const approvers = Object.values(updated.approvals).map((a) => a.approver);
  if (approvers.length < updated.requiredApprovals) {
    return respond(200, status(updated, approvers.length));
  }
  const closed = await close(updated, RequestStatus.APPROVED, now);
  const decision: Decision = {
    decision: 'approved',
    approvalCount: approvers.length,
    approvers,
    reason: `approved by ${approvers.join(', ')}`,
  };
  if (closed && !(await resume(updated, decision))) return expired(record);
  if (closed) decided(updated, GovernanceMetric.APPROVED, now);
  return respond(200, status({ ...updated, status: RequestStatus.APPROVED }, approvers.length));
}

async function reject(
  record: RequestRecord,
  caller: Caller,
  now: string,
  reason: string,
): Promise<APIGatewayProxyStructuredResultV2> {
  const closed = await close(record, RequestStatus.REJECTED, now, {
    rejectedBy: caller.arn,
    rejectedAt: now,
    reason,
  });
  if (!closed) {
    const current = (await loadRecord(record.requestId))!;
    return refuse(
      409,
      openProblem(current, caller, now) ?? `${record.requestId} changed while deciding; retry`,
    );
  }
  const resumed = await resume(record, {
    decision: 'rejected',
    approvalCount: Object.keys(record.approvals).length,
    approvers: [],
    reason: `rejected by ${caller.arn}: ${reason}`,
  });
  if (!resumed) return expired(record);
  decided(record, GovernanceMetric.REJECTED, now);
  return respond(
    200,
    status({ ...record, status: RequestStatus.REJECTED }, Object.keys(record.approvals).length),
  );
}

/** Counts the decision, and how long people took to make it. */
function decided(record: RequestRecord, metric: string, now: string) {
  const pipeline = env('PIPELINE_NAME');
  emitMetric(pipeline, metric, 1, 'Count');
  const seconds = (Date.parse(now) - Date.parse(record.requestedAt)) / 1000;
  if (Number.isFinite(seconds) && seconds >= 0) {
    emitMetric(pipeline, GovernanceMetric.TIME_TO_DECISION, seconds, 'Seconds');
  }
}

/** Ends the approval wait in the table; false if someone else already did. */
async function close(
  record: RequestRecord,
  to: RequestStatus,
  now: string,
  rejection?: RequestRecord['rejection'],
): Promise<boolean> {
  try {
    await documents.send(
      new UpdateCommand({
        TableName: env('TABLE_NAME'),
        Key: { requestId: record.requestId },
        UpdateExpression: rejection ? 'SET #status = :to, rejection = :rejection' : 'SET #status = :to',
        ConditionExpression: '#status = :awaiting AND expiresAt > :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':to': to,
          ':awaiting': RequestStatus.AWAITING_APPROVAL,
          ':now': now,
          ...(rejection ? { ':rejection': rejection } : {}),
        },
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

/** Resumes the pipeline's approval step; false if its wait had already timed out. */
async function resume(record: RequestRecord, decision: Decision): Promise<boolean> {
  try {
    await sfn.send(
      new SendTaskSuccessCommand({
        taskToken: await openToken(record.requestId, record.taskToken!),
        output: JSON.stringify(decision),
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof TaskTimedOut) return false;
    throw e;
  }
}

/** The wait ended before the decision reached it: the pipeline has already failed closed. */
function expired(record: RequestRecord): APIGatewayProxyStructuredResultV2 {
  return refuse(409, `${record.requestId} expired before the decision could take effect`);
}

/** Why the request cannot take a decision now, if it cannot. */
function openProblem(record: RequestRecord, caller: Caller, now: string): string | undefined {
  if (record.status !== RequestStatus.AWAITING_APPROVAL) {
    return `${record.requestId} is ${record.status}, not awaiting approval`;
  }
  if (!record.expiresAt || record.expiresAt <= now)
    return `${record.requestId} expired at ${record.expiresAt}`;
  if (record.requesterPerson === caller.person) return `${caller.arn} may not decide their own request`;
  const excluded = record.excludedPersons?.[caller.person];
  if (excluded) return `${caller.arn} may not decide ${record.requestId}: ${excluded}`;
  return undefined;
}

function status(record: RequestRecord, approvals: number) {
  return {
    requestId: record.requestId,
    status: record.status,
    approvals,
    requiredApprovals: record.requiredApprovals,
  };
}
