import { EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { loadRecord } from './record-store';
import { isDeployment, PipelineRequest, RequestRecord, RequestStatus } from './request-record';
import { documents, env } from './runtime';
import { tokenContext } from './task-token';

const sns = new SNSClient({});
const kms = new KMSClient({});

/** The state machine's two calls: hold a request for approval (with the task token), then check its decision. */
export type GateEvent = { requestId: string; taskToken: string } | { requestId: string; check: 'decision' };

/** What the decision check finds in the record: whether the request may go on, and why. */
export interface VerifiedDecision {
  readonly approved: boolean;
  readonly approvers: string[];
  readonly reason: string;
}

export async function handler(event: GateEvent): Promise<void | VerifiedDecision> {
  return 'taskToken' in event ? hold(event) : checkDecision(event.requestId);
}

/**
 * The pipeline's approval step: seals the task token (only the approval handler can open it, and
 * only for this request), starts the expiry clock, and tells the approvers. The token is never
 * published, and no reader of the table can use it.
 */
async function hold(event: { requestId: string; taskToken: string }): Promise<void> {
  const sealed = await kms.send(
    new EncryptCommand({
      KeyId: env('TOKEN_KEY_ARN'),
      Plaintext: Buffer.from(event.taskToken, 'utf8'),
      EncryptionContext: tokenContext(event.requestId),
    }),
  );
  const expiresAt = new Date(Date.now() + Number(env('APPROVAL_TIMEOUT_SECONDS')) * 1000).toISOString();
  const result = await documents.send(
    new UpdateCommand({
      TableName: env('TABLE_NAME'),
      Key: { requestId: event.requestId },
      UpdateExpression: 'SET #status = :awaiting, taskToken = :token, expiresAt = :expiresAt',
      ConditionExpression: '#status = :validated',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':awaiting': RequestStatus.AWAITING_APPROVAL,
        ':validated': RequestStatus.VALIDATED,
        ':token': Buffer.from(sealed.CiphertextBlob!).toString('base64'),
        ':expiresAt': expiresAt,
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  const record = result.Attributes as RequestRecord;
  const { request } = record;
  const excluded = Object.entries(record.excludedPersons ?? {}).map(
    ([person, why]) => `${person} may not approve: ${why}.`,
  );
  await sns.send(
    new PublishCommand({
      TopicArn: env('TOPIC_ARN'),
      Subject: `Model ${isDeployment(request) ? 'deployment' : 'customization'} awaiting approval`,
      Message: [
        `Request ${record.requestId} by ${record.requester} needs ${record.requiredApprovals} approvals by ${expiresAt}.`,
        ...describe(request),
        ...excluded,
      ].join('\n'),
    }),
  );
}

/**
 * The decision as the record holds it, re-read after the wait: the task's output is not trusted,
 * since whoever holds a task token (say, from the execution's history) can send any output. The
 * request goes on only if the record, which only the gate writes, is approved by at least the
 * configured number of distinct people, none of them the requester or excluded.
 */
async function checkDecision(requestId: string): Promise<VerifiedDecision> {
  const record = await loadRecord(requestId);
  const refused = (reason: string): VerifiedDecision => ({ approved: false, approvers: [], reason });
  if (!record) return refused(`no request ${requestId} in the decision table`);
  if (record.status === RequestStatus.REJECTED && record.rejection) {
    return refused(`rejected by ${record.rejection.rejectedBy}: ${record.rejection.reason}`);
  }
  if (record.status !== RequestStatus.APPROVED)
    return refused(`the record is ${record.status}, not APPROVED`);
  const people = Object.keys(record.approvals ?? {}).filter(
    (person) => person !== record.requesterPerson && !record.excludedPersons?.[person],
  );
  const required = Number(env('REQUIRED_APPROVALS'));
  if (people.length < required) {
    return refused(`the record holds ${people.length} valid approvals of the ${required} required`);
  }
  const approvers = people.map((p) => record.approvals[p].approver);
  return { approved: true, approvers, reason: `approved by ${approvers.join(', ')}` };
}

/** What the approvers are asked to approve. */
function describe(request: PipelineRequest): string[] {
  if (isDeployment(request)) {
    return [
      `Deploy ${request.model} to ${request.target} (${request.environment}).`,
      `Reason: ${request.reason}`,
    ];
  }
  return [
    `Base model: ${request.baseModel}; custom model name: ${request.customModelName}.`,
    `Training data: ${request.trainingData.key} version ${request.trainingData.versionId} (SHA-256 ${request.trainingData.sha256}).`,
    `Validation data: ${request.validationData.key} version ${request.validationData.versionId} (SHA-256 ${request.validationData.sha256}).`,
    `Hyperparameters: ${JSON.stringify(request.hyperParameters)}.`,
  ];
}
