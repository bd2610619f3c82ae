import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { countOutcome } from './governance-metrics';
import { RequestStatus } from '../handlers/request-record';

const { stringAt, format, DISCARD } = sfn.JsonPath;

/** How a pipeline's executions end, and what to call the end. */
export interface EndingProps {
  readonly table: dynamodb.ITable;
  readonly topic: sns.ITopic;
  /** The notification's subject, e.g. `Model customization request finished`. */
  readonly subject: string;
  /** The names of the final states: `Customized`/`NotCustomized`, `Deployed`/`NotDeployed`. */
  readonly succeeded: string;
  readonly failed: string;
}

/** The ending every path of a pipeline reaches, and the states that lead to it. */
export interface Ending {
  /** A state that sets `$.outcome` and ends: recorded, counted, announced. */
  outcome(id: string, status: RequestStatus, reason: string): sfn.IChainable;
  /** The outcome of an unexpected error caught into `$.error`. */
  readonly fault: sfn.IChainable;
  /** A caught error, whole, as a string: its Cause is not always present. */
  readonly caught: string;
}

/**
 * Every path ends here: the outcome is recorded in the decision table, counted, announced, and
 * decides whether the execution succeeds. Recording, counting or announcing may fail; the outcome
 * still decides how the execution ends.
 */
export function ending(scope: Construct, props: EndingProps): Ending {
  // Only the execution the request handler started for a request may record its outcome.
  const record = new tasks.DynamoUpdateItem(scope, 'RecordOutcome', {
    table: props.table,
    key: { requestId: tasks.DynamoAttributeValue.fromString(stringAt('$.requestId')) },
    updateExpression: 'SET #status = :status, outcome = :reason',
    conditionExpression: 'executionArn = :execution',
    expressionAttributeNames: { '#status': 'status' },
    expressionAttributeValues: {
      ':status': tasks.DynamoAttributeValue.fromString(stringAt('$.outcome.status')),
      ':reason': tasks.DynamoAttributeValue.fromString(stringAt('$.outcome.reason')),
      ':execution': thisExecution(),
    },
    resultPath: DISCARD,
  });
  const notify = new tasks.SnsPublish(scope, 'NotifyOutcome', {
    topic: props.topic,
    subject: props.subject,
    message: sfn.TaskInput.fromText(
      format(
        'Request {} by {}: {}. {}',
        stringAt('$.requestId'),
        stringAt('$.requester'),
        stringAt('$.outcome.status'),
        stringAt('$.outcome.reason'),
      ),
    ),
    resultPath: DISCARD,
  });
  const finished = new sfn.Choice(scope, 'Finished')
    .when(
      sfn.Condition.stringEquals('$.outcome.status', RequestStatus.SUCCEEDED),
      new sfn.Succeed(scope, props.succeeded),
    )
    .otherwise(
      new sfn.Fail(scope, props.failed, { errorPath: '$.outcome.status', causePath: '$.outcome.reason' }),
    );
  const count = countOutcome(scope);
  record.addCatch(count, { resultPath: '$.recordError' });
  count.addCatch(notify, { resultPath: '$.countError' });
  notify.addCatch(finished, { resultPath: '$.notifyError' });
  const tail = record.next(count).next(notify).next(finished);

  const outcome = (id: string, status: RequestStatus, reason: string) =>
    new sfn.Pass(scope, id, { parameters: { status, reason }, resultPath: '$.outcome' }).next(tail);
  const caught = sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.error'));
  return { outcome, fault: outcome('PipelineFault', RequestStatus.FAILED, caught), caught };
}

export interface ApprovalStepsProps {
  readonly table: dynamodb.ITable;
  readonly approvalGate: lambda.IFunction;
  readonly approvalTimeout: Duration;
  /** Where an approval by enough people leads. */
  readonly approved: sfn.IChainable;
}

/**
 * Record the request as validated, then wait for the approval handler; an unanswered request
 * expires and fails closed, any rejection ends it, and only an approval by the required number
 * of people leads on. Returns the first state; the request must be `SUBMITTED`.
 */
export function approvalSteps(scope: Construct, end: Ending, props: ApprovalStepsProps): sfn.IChainable {
  const recordValidated = statusChange(
    scope,
    'RecordValidated',
    props.table,
    RequestStatus.SUBMITTED,
    RequestStatus.VALIDATED,
  );
  recordValidated.addCatch(end.fault, { resultPath: '$.error' });
  const awaitApproval = new tasks.LambdaInvoke(scope, 'AwaitApproval', {
    lambdaFunction: props.approvalGate,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({
      requestId: stringAt('$.requestId'),
      taskToken: sfn.JsonPath.taskToken,
    }),
    taskTimeout: sfn.Timeout.duration(props.approvalTimeout),
    resultPath: '$.decision',
  });
  awaitApproval.addCatch(
    end.outcome(
      'ApprovalExpired',
      RequestStatus.EXPIRED,
      `no decision within ${props.approvalTimeout.toHumanString()}`,
    ),
    { errors: [sfn.Errors.TIMEOUT], resultPath: '$.error' },
  );
  awaitApproval.addCatch(end.fault, { resultPath: '$.error' });
  // Whoever holds a task token can send any output: the decision is re-read from the record.
  const checkDecision = new tasks.LambdaInvoke(scope, 'CheckDecision', {
    lambdaFunction: props.approvalGate,
    payload: sfn.TaskInput.fromObject({ requestId: stringAt('$.requestId'), check: 'decision' }),
    payloadResponseOnly: true,
    resultPath: '$.verified',
  });
  checkDecision.addCatch(end.fault, { resultPath: '$.error' });
  const decide = new sfn.Choice(scope, 'Decide')
    .when(sfn.Condition.booleanEquals('$.verified.approved', true), props.approved)
    .otherwise(end.outcome('NotApproved', RequestStatus.REJECTED, stringAt('$.verified.reason')));
  return recordValidated.next(awaitApproval).next(checkDecision).next(decide);
}

/** Records that the approved work starts (`APPROVED` to `RUNNING`); a failure to record is the pipeline's fault. */
export function recordLaunch(scope: Construct, end: Ending, table: dynamodb.ITable): tasks.DynamoUpdateItem {
  const task = statusChange(scope, 'RecordLaunch', table, RequestStatus.APPROVED, RequestStatus.RUNNING);
  task.addCatch(end.fault, { resultPath: '$.error' });
  return task;
}

/**
 * This execution's ARN, which the request handler records with the request before starting it:
 * an execution someone else started, naming another request, changes no record.
 */
function thisExecution(): tasks.DynamoAttributeValue {
  return tasks.DynamoAttributeValue.fromString(stringAt('$$.Execution.Id'));
}

/** Moves the request's record from one status to the next, only if it is where the pipeline left it and this execution is the request's. */
export function statusChange(
  scope: Construct,
  id: string,
  table: dynamodb.ITable,
  from: RequestStatus,
  to: RequestStatus,
): tasks.DynamoUpdateItem {
  return new tasks.DynamoUpdateItem(scope, id, {
    table,
    key: { requestId: tasks.DynamoAttributeValue.fromString(stringAt('$.requestId')) },
    updateExpression: 'SET #status = :to',
    conditionExpression: '#status = :from AND executionArn = :execution',
    expressionAttributeNames: { '#status': 'status' },
    expressionAttributeValues: {
      ':to': tasks.DynamoAttributeValue.fromString(to),
      ':from': tasks.DynamoAttributeValue.fromString(from),
      ':execution': thisExecution(),
    },
    resultPath: DISCARD,
  });
}
