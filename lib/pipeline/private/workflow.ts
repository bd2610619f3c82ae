import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { countOutcome } from './governance-metrics';
import { ModelRegistry } from '../../registry/model-registry';
import { BoundBackend } from './bound-backend';
import { RequestStatus } from '../handlers/request-record';

export interface WorkflowProps {
  readonly backend: BoundBackend;
  readonly registry: ModelRegistry;
  readonly table: dynamodb.ITable;
  readonly topic: sns.ITopic;
  readonly approvalGate: lambda.IFunction;
  readonly datasetInspector: lambda.IFunction;
  readonly provenanceWriter: lambda.IFunction;
  readonly requiredApprovals: number;
  readonly approvalTimeout: Duration;
}

const { stringAt, format, DISCARD } = sfn.JsonPath;

/**
 * The customization state machine's definition: select an allowlisted base model, verify the
 * datasets, record, wait for approval, decide, verify the datasets again, launch and wait for the
 * job, write provenance; every path ends by recording and announcing its outcome. Only the path
 * through two approvals and two verifications reaches the launch.
 */
export function customizationWorkflow(scope: Construct, props: WorkflowProps): sfn.IChainable {
  const { backend, registry, table } = props;

  // Every path ends here: the outcome is recorded, announced, and decides success or failure.
  const record = new tasks.DynamoUpdateItem(scope, 'RecordOutcome', {
    table,
    key: { requestId: tasks.DynamoAttributeValue.fromString(stringAt('$.requestId')) },
    updateExpression: 'SET #status = :status, outcome = :reason',
    expressionAttributeNames: { '#status': 'status' },
    expressionAttributeValues: {
      ':status': tasks.DynamoAttributeValue.fromString(stringAt('$.outcome.status')),
      ':reason': tasks.DynamoAttributeValue.fromString(stringAt('$.outcome.reason')),
    },
    resultPath: DISCARD,
  });
  const notify = new tasks.SnsPublish(scope, 'NotifyOutcome', {
    topic: props.topic,
    subject: 'Model customization request finished',
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
      new sfn.Succeed(scope, 'Customized'),
    )
    .otherwise(
      new sfn.Fail(scope, 'NotCustomized', { errorPath: '$.outcome.status', causePath: '$.outcome.reason' }),
    );
  const count = countOutcome(scope);
  // Recording, counting or announcing may fail; the outcome still decides how the execution ends.
  record.addCatch(count, { resultPath: '$.recordError' });
  count.addCatch(notify, { resultPath: '$.countError' });
  notify.addCatch(finished, { resultPath: '$.notifyError' });
  const tail = record.next(count).next(notify).next(finished);

  // A caught error, whole: its Cause is not always present, and a path to nothing would fail the state.
  const caught = sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.error'));
  const outcome = (id: string, status: RequestStatus, reason: string) =>
    new sfn.Pass(scope, id, { parameters: { status, reason }, resultPath: '$.outcome' }).next(tail);
  const fault = outcome('PipelineFault', RequestStatus.FAILED, caught);

  // 1. Only an allowlisted base model; its ARN comes from here, never from the request.
  const select = new sfn.Choice(scope, 'SelectBaseModel');
  const locate = new sfn.Pass(scope, 'LocateData', {
    parameters: {
      training: format(
        's3://{}/{}',
        registry.trainingDataBucket.bucketName,
        stringAt('$.request.trainingData.key'),
      ),
      validation: format(
        's3://{}/{}',
        registry.trainingDataBucket.bucketName,
        stringAt('$.request.validationData.key'),
      ),
      output: format(
        's3://{}/customization/{}/',
        registry.modelArtifactsBucket.bucketName,
        stringAt('$.requestId'),
      ),
    },
    resultPath: '$.locations',
  });
  Object.entries(backend.baseModelArns).forEach(([name, arn], i) =>
    select.when(
      sfn.Condition.stringEquals('$.request.baseModel', name),
      new sfn.Pass(scope, `BaseModel${i + 1}`, { parameters: { name, arn }, resultPath: '$.baseModel' }).next(
        locate,
      ),
    ),
  );
  select.otherwise(
    outcome('BaseModelNotAllowed', RequestStatus.INVALID, 'the base model is not on the allowlist'),
  );

  // 2. The datasets are the versions the request names, with the SHA-256 it names.
  const verify = verifyDatasets(scope, 'VerifyDatasets', props.datasetInspector);
  verify.addCatch(outcome('DatasetsInvalid', RequestStatus.INVALID, caught), {
    resultPath: '$.error',
  });

  // 3. Record, then wait for the approval handler; an unanswered request expires and fails closed.
  const recordValidated = statusChange(
    scope,
    'RecordValidated',
    table,
    RequestStatus.SUBMITTED,
    RequestStatus.VALIDATED,
  );
  recordValidated.addCatch(fault, { resultPath: '$.error' });
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
    outcome(
      'ApprovalExpired',
      RequestStatus.EXPIRED,
      `no decision within ${props.approvalTimeout.toHumanString()}`,
    ),
    { errors: [sfn.Errors.TIMEOUT], resultPath: '$.error' },
  );
  awaitApproval.addCatch(fault, { resultPath: '$.error' });

  // 4. Any rejection ends it; the launch needs an approval by the required number of people.
  const reverify = verifyDatasets(scope, 'ReverifyDatasets', props.datasetInspector);
  reverify.addCatch(outcome('DatasetsChanged', RequestStatus.INVALID, caught), {
    resultPath: '$.error',
  });
  const decide = new sfn.Choice(scope, 'Decide')
    .when(
      sfn.Condition.and(
        sfn.Condition.stringEquals('$.decision.decision', 'approved'),
        sfn.Condition.numberGreaterThanEquals('$.decision.approvalCount', props.requiredApprovals),
      ),
      reverify,
    )
    .otherwise(outcome('NotApproved', RequestStatus.REJECTED, stringAt('$.decision.reason')));

  // 5. Launch and wait for the job; then provenance.
  const recordLaunch = statusChange(
    scope,
    'RecordLaunch',
    table,
    RequestStatus.APPROVED,
    RequestStatus.RUNNING,
  );
  recordLaunch.addCatch(fault, { resultPath: '$.error' });
  backend.launch.addCatch(outcome('JobFailed', RequestStatus.FAILED, caught), {
    resultPath: '$.error',
  });
  const provenance = new tasks.LambdaInvoke(scope, 'WriteProvenance', {
    lambdaFunction: props.provenanceWriter,
    payloadResponseOnly: true,
    payload: sfn.TaskInput.fromObject({
      requestId: stringAt('$.requestId'),
      executionArn: stringAt('$$.Execution.Id'),
      baseModelArn: stringAt('$.baseModel.arn'),
      backend: backend.service,
      job: stringAt('$.job'),
    }),
    resultPath: '$.provenance',
  });
  provenance.addCatch(fault, { resultPath: '$.error' });
  const succeeded = outcome(
    'Succeeded',
    RequestStatus.SUCCEEDED,
    format('Provenance manifest: {}', stringAt('$.provenance.manifestKey')),
  );
  const launch = recordLaunch.next(backend.launch).next(provenance).next(succeeded);

  let afterReverify: sfn.IChainable = launch;
  if (backend.prepare) {
    backend.prepare.addCatch(fault, { resultPath: '$.error' });
    const check = backend.precondition
      ? new sfn.Choice(scope, 'BaseModelUsable')
          .when(backend.precondition.condition, launch)
          .otherwise(outcome('BaseModelUnusable', RequestStatus.INVALID, backend.precondition.refusal))
      : launch;
    afterReverify = backend.prepare.next(check);
  }
  reverify.next(afterReverify);

  locate.next(verify).next(recordValidated).next(awaitApproval).next(decide);
  return select;
}

/** A Map over `$.datasets` that fails unless each key's current version and SHA-256 are the requested ones. */
function verifyDatasets(scope: Construct, id: string, inspector: lambda.IFunction): sfn.Map {
  const inspect = new tasks.LambdaInvoke(scope, `${id}Inspect`, {
    lambdaFunction: inspector,
    payloadResponseOnly: true,
    payload: sfn.TaskInput.fromObject({ key: stringAt('$.key') }),
    resultPath: '$.found',
  });
  const matches = new sfn.Choice(scope, `${id}Compare`)
    .when(
      sfn.Condition.and(
        sfn.Condition.stringEqualsJsonPath('$.found.versionId', '$.versionId'),
        sfn.Condition.stringEqualsJsonPath('$.found.sha256', '$.sha256'),
      ),
      new sfn.Succeed(scope, `${id}Match`),
    )
    .otherwise(
      new sfn.Pass(scope, `${id}Mismatch`, {
        parameters: {
          message: format(
            'the {} data {} is not at version {} with SHA-256 {} (found version {}, SHA-256 {})',
            stringAt('$.channel'),
            stringAt('$.key'),
            stringAt('$.versionId'),
            stringAt('$.sha256'),
            stringAt('$.found.versionId'),
            stringAt('$.found.sha256'),
          ),
        },
        resultPath: '$.mismatch',
      }).next(
        new sfn.Fail(scope, `${id}Refused`, { error: 'DatasetMismatch', causePath: '$.mismatch.message' }),
      ),
    );
  const map = new sfn.Map(scope, id, { itemsPath: '$.datasets', resultPath: DISCARD });
  map.itemProcessor(inspect.next(matches));
  return map;
}

/** Moves the request's record from one status to the next, only if it is where the pipeline left it. */
function statusChange(
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
    conditionExpression: '#status = :from',
    expressionAttributeNames: { '#status': 'status' },
    expressionAttributeValues: {
      ':to': tasks.DynamoAttributeValue.fromString(to),
      ':from': tasks.DynamoAttributeValue.fromString(from),
    },
    resultPath: DISCARD,
  });
}
