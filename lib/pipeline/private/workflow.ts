import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { approvalSteps, ending, recordLaunch } from './workflow-parts';
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

  const end = ending(scope, {
    table,
    topic: props.topic,
    subject: 'Model customization request finished',
    succeeded: 'Customized',
    failed: 'NotCustomized',
  });
  const { outcome, fault, caught } = end;

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

  // 3. Record, wait for approval, decide; 4. verify the datasets again before anything runs.
  const reverify = verifyDatasets(scope, 'ReverifyDatasets', props.datasetInspector);
  reverify.addCatch(outcome('DatasetsChanged', RequestStatus.INVALID, caught), {
    resultPath: '$.error',
  });
  const approval = approvalSteps(scope, end, {
    table,
    approvalGate: props.approvalGate,
    approvalTimeout: props.approvalTimeout,
    approved: reverify,
  });

  // 5. Launch and wait for the job; then provenance.
  const launchRecord = recordLaunch(scope, end, table);
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
  const launch = launchRecord.next(backend.launch).next(provenance).next(succeeded);

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

  locate.next(verify).next(approval);
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
