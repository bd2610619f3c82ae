import { randomUUID } from 'crypto';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LambdaFunctionURLEvent, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { readRequest, refuse, respond } from './http';
import { checkDeploymentRequest, DeploymentRules } from './deployment-rules';
import {
  datasetsOf,
  isDeployment,
  PipelineInput,
  PipelineRequest,
  RequestRecord,
  RequestStatus,
} from './request-record';
import { emitMetric, GovernanceMetric } from './governance-metrics';
import { documents, env } from './runtime';
import { checkRequest, RequestRules } from './request-rules';

const sfn = new SFNClient({});

/**
 * POST a customization or deployment request (the pipeline's rules say which), with a proof of
 * the requester's identity bound to it (http.ts). The request is recorded with that identity and
 * the pipeline started for it. Nobody else starts the pipeline.
 */
export async function handler(event: LambdaFunctionURLEvent): Promise<APIGatewayProxyStructuredResultV2> {
  const read = await readRequest(event, 'request');
  if ('refusal' in read) return read.refusal;
  const checked = check(read.body);
  if ('errors' in checked) return refuse(400, ...checked.errors);

  const { request } = checked;
  const requestId = randomUUID();
  const requestedAt = new Date().toISOString();
  // The execution is named after the request: only it may move the record on (its ARN is known now).
  const executionArn = `${env('STATE_MACHINE_ARN').replace(':stateMachine:', ':execution:')}:${requestId}`;
  const record: RequestRecord = {
    requestId,
    status: RequestStatus.SUBMITTED,
    requester: read.caller.arn,
    requesterPerson: read.caller.person,
    requestedAt,
    request,
    requiredApprovals: Number(env('REQUIRED_APPROVALS')),
    approvals: {},
    executionArn,
  };
  await documents.send(
    new PutCommand({
      TableName: env('TABLE_NAME'),
      Item: record,
      ConditionExpression: 'attribute_not_exists(requestId)',
    }),
  );

  const input: PipelineInput = {
    requestId,
    requester: read.caller.arn,
    requestedAt,
    request,
    ...(isDeployment(request) ? {} : { datasets: datasetsOf(request) }),
  };
  try {
    await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: env('STATE_MACHINE_ARN'),
        name: requestId,
        input: JSON.stringify(input),
      }),
    );
  } catch (e) {
    // No execution will ever move this record on: close it, so it is not mistaken for a live request.
    const reason = `the pipeline could not be started: ${(e as Error).message}`;
    await documents.send(
      new UpdateCommand({
        TableName: env('TABLE_NAME'),
        Key: { requestId },
        UpdateExpression: 'SET #status = :failed, outcome = :reason',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':failed': RequestStatus.FAILED, ':reason': reason },
      }),
    );
    return refuse(500, reason);
  }
  emitMetric(env('PIPELINE_NAME'), GovernanceMetric.REQUESTED, 1, 'Count');
  return respond(202, { requestId, executionArn, status: RequestStatus.SUBMITTED });
}

/** The request checked against the rules of this pipeline: a deployment's, or a customization's. */
function check(body: unknown): { request: PipelineRequest } | { errors: string[] } {
  const deployment = process.env.DEPLOYMENT_RULES;
  return deployment
    ? checkDeploymentRequest(body, JSON.parse(deployment) as DeploymentRules)
    : checkRequest(body, JSON.parse(env('REQUEST_RULES')) as RequestRules);
}
