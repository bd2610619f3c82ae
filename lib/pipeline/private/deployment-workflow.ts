import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { DeploymentTarget } from '../deployment-target';
import { RequestStatus } from '../handlers/request-record';
import { DeploymentService } from './deployment-service';
import { approvalSteps, ending, recordLaunch } from './workflow-parts';

const { stringAt, format } = sfn.JsonPath;

export interface DeploymentWorkflowProps {
  readonly service: DeploymentService;
  readonly targets: DeploymentTarget[];
  readonly table: dynamodb.ITable;
  readonly topic: sns.ITopic;
  readonly approvalGate: lambda.IFunction;
  /** Reads the model's customization manifest and keeps its trainer from approving. */
  readonly provenanceCheck: lambda.IFunction;
  /** Writes the deployment record under object lock. */
  readonly deploymentRecord: lambda.IFunction;
  readonly approvalTimeout: Duration;
  /** How long between looks at the target while it changes. */
  readonly pollInterval: Duration;
  /** How many looks before the deployment counts as failed. */
  readonly maxPolls: number;
}

/** Target states in which the service is still changing it (SageMaker's and Bedrock's): keep looking. */
const CHANGING = ['Creating', 'Updating', 'SystemUpdating'];

/**
 * The deployment state machine's definition: select the target the pipeline allows, read the
 * model version, check its provenance (which records who trained it, so they cannot approve),
 * wait for approval by other people, prepare (SageMaker: set the package Approved, create its
 * model and endpoint configuration), create or update the target, look until it is in service
 * with the new model, and record the promotion; a target that fails is rolled back to what it
 * served before. Every path ends by recording and announcing its outcome.
 */
export function deploymentWorkflow(scope: Construct, props: DeploymentWorkflowProps): sfn.IChainable {
  const { table, service } = props;
  const end = ending(scope, {
    table,
    topic: props.topic,
    subject: 'Model deployment request finished',
    succeeded: 'Deployed',
    failed: 'NotDeployed',
  });
  const { outcome, fault, caught } = end;
  const states = service.states();

  // 1. Only a target of this pipeline; what it is comes from here, never from the request.
  states.describe.addCatch(outcome('ModelUnreadable', RequestStatus.INVALID, caught), {
    resultPath: '$.error',
  });
  const select = new sfn.Choice(scope, 'SelectTarget');
  props.targets.forEach((target, i) =>
    select.when(
      sfn.Condition.stringEquals('$.request.target', target.name),
      new sfn.Pass(scope, `Target${i + 1}`, {
        parameters: { name: target.name, ...service.targetState(target) },
        resultPath: '$.target',
      }).next(states.describe),
    ),
  );
  select.otherwise(
    outcome('TargetNotAllowed', RequestStatus.INVALID, 'the target is not one of the pipeline'),
  );

  // 2. Provenance: the model came out of an approved customization; its trainer is excluded.
  const provenance = new tasks.LambdaInvoke(scope, 'CheckProvenance', {
    lambdaFunction: props.provenanceCheck,
    payloadResponseOnly: true,
    payload: sfn.TaskInput.fromObject({
      requestId: stringAt('$.requestId'),
      output: stringAt('$.model.output'),
      locator: stringAt('$.model.locator'),
    }),
    resultPath: '$.provenance',
  });
  provenance.addCatch(outcome('ProvenanceRefused', RequestStatus.INVALID, caught), {
    errors: ['ProvenanceMissing', 'ProvenanceMismatch'],
    resultPath: '$.error',
  });
  provenance.addCatch(fault, { resultPath: '$.error' });

  // 4. Approved: prepare, then serve it; nothing has changed if this fails.
  const launch = recordLaunch(scope, end, table);
  const notDeployed = outcome('DeploymentFailed', RequestStatus.FAILED, caught);

  // 5. What the target serves now is what a roll-back returns to; no target yet: create it.
  const none = new sfn.Pass(scope, 'NoCurrentDeployment', {
    result: sfn.Result.fromObject({ config: '' }),
    resultPath: '$.previous',
  });
  states.current.addCatch(none, { resultPath: '$.error' });
  for (const change of [states.create, states.update])
    change.addCatch(notDeployed, { resultPath: '$.error' });
  const createOrUpdate = new sfn.Choice(scope, 'CreateOrUpdate')
    .when(sfn.Condition.stringEquals('$.previous.config', ''), states.create)
    .otherwise(states.update);
  states.current.next(createOrUpdate);
  none.next(createOrUpdate);

  // 6. Look until it serves the new model, for at most maxPolls looks.
  const startPolling = new sfn.Pass(scope, 'StartPolling', {
    result: sfn.Result.fromObject({ count: 0 }),
    resultPath: '$.polls',
  });
  const wait = new sfn.Wait(scope, 'WaitForTarget', { time: sfn.WaitTime.duration(props.pollInterval) });
  states.look.addCatch(fault, { resultPath: '$.error' });
  const countLook = new sfn.Pass(scope, 'CountLook', {
    parameters: { count: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.polls.count'), 1) },
    resultPath: '$.polls',
  });
  const record = (id: string, result: 'deployed' | 'rolled-back') => {
    const task = new tasks.LambdaInvoke(scope, id, {
      lambdaFunction: props.deploymentRecord,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({
        requestId: stringAt('$.requestId'),
        executionArn: stringAt('$$.Execution.Id'),
        outcome: result,
        target: { name: stringAt('$.target.name'), resource: stringAt('$.endpoint.arn') },
        deployed: stringAt('$.target.deployed'),
        replaced: stringAt('$.previous.config'),
      }),
      resultPath: '$.record',
    });
    task.addCatch(fault, { resultPath: '$.error' });
    return task;
  };
  const recordDeployment = record('RecordDeployment', 'deployed');
  recordDeployment.next(
    outcome(
      'Succeeded',
      RequestStatus.SUCCEEDED,
      format('In service on {}; record: {}', stringAt('$.target.name'), stringAt('$.record.recordKey')),
    ),
  );

  // 7. Failed, or serving something else: back to what it served before, when there was something.
  states.rollBack.addCatch(fault, { resultPath: '$.error' });
  states.rollBack
    .next(record('RecordRollBack', 'rolled-back'))
    .next(
      outcome(
        'RolledBack',
        RequestStatus.FAILED,
        format(
          'the target was {} serving {}; rolled back to {}',
          stringAt('$.endpoint.status'),
          stringAt('$.endpoint.config'),
          stringAt('$.previous.config'),
        ),
      ),
    );
  const needsRollBack = new sfn.Choice(scope, 'NeedsRollBack')
    .when(
      sfn.Condition.and(
        sfn.Condition.not(sfn.Condition.stringEquals('$.previous.config', '')),
        sfn.Condition.not(sfn.Condition.stringEqualsJsonPath('$.endpoint.config', '$.previous.config')),
      ),
      states.rollBack,
    )
    .otherwise(
      outcome(
        'NotInService',
        RequestStatus.FAILED,
        format('the target is {} serving {}', stringAt('$.endpoint.status'), stringAt('$.endpoint.config')),
      ),
    );
  const changing = sfn.Condition.or(
    ...CHANGING.map((c) => sfn.Condition.stringEquals('$.endpoint.status', c)),
  );
  const ready = new sfn.Choice(scope, 'TargetReady')
    .when(
      sfn.Condition.and(
        sfn.Condition.stringEquals('$.endpoint.status', 'InService'),
        sfn.Condition.stringEqualsJsonPath('$.endpoint.config', '$.target.deployed'),
      ),
      recordDeployment,
    )
    .when(sfn.Condition.and(changing, sfn.Condition.numberLessThan('$.polls.count', props.maxPolls)), wait)
    // The service finishes a change or returns to what it served itself; it takes no other meanwhile.
    .when(
      changing,
      outcome(
        'StillChanging',
        RequestStatus.FAILED,
        format(
          'the target was still {} when the deployment timed out; the service completes the change or returns to {} itself',
          stringAt('$.endpoint.status'),
          stringAt('$.previous.config'),
        ),
      ),
    )
    .otherwise(needsRollBack);
  states.create.next(startPolling);
  states.update.next(startPolling);
  startPolling.next(wait).next(states.look).next(countLook).next(ready);

  const prepared = states.prepare ? states.prepare(fault, notDeployed).next(states.current) : states.current;
  const approved = launch.next(prepared);
  states.describe.next(provenance).next(approvalSteps(scope, end, { ...props, approved }));
  return select;
}
