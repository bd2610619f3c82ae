import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isDeployment, PipelineRequest, RequestRecord, RequestStatus } from './request-record';
import { documents, env } from './runtime';

const sns = new SNSClient({});

/**
 * The pipeline's approval step: keeps the task token where only the approval handler reads it,
 * starts the expiry clock, and tells the approvers. The token is never published.
 */
export async function handler(event: { requestId: string; taskToken: string }): Promise<void> {
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
        ':token': event.taskToken,
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
