import { Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { DeploymentTarget } from '../deployment-target';
import { RequestStatus } from '../handlers/request-record';
import { approvalSteps, ending, statusChange } from './workflow-parts';

const { stringAt, format, DISCARD } = sfn.JsonPath;

/** The functions the deployment state machine invokes, each with a role of its own. */
export interface DeploymentFunctions {
  readonly approvalGate: lambda.IFunction;
  /** Reads the model's customization manifest and keeps its trainer from approving. */
  readonly provenanceCheck: lambda.IFunction;
  /** Sets the model package's approval status (APPROVAL, which the state machine lacks). */
  readonly packageApproval: lambda.IFunction;
  /** Creates the SageMaker model from the package (CUSTOMIZATION, which the state machine lacks). */
  readonly hostingModel: lambda.IFunction;
  /** Writes the deployment record under object lock. */
  readonly deploymentRecord: lambda.IFunction;
}

export interface DeploymentWorkflowProps extends DeploymentFunctions {
  readonly targets: DeploymentTarget[];
  readonly table: dynamodb.ITable;
  readonly topic: sns.ITopic;
  readonly requiredApprovals: number;
  readonly approvalTimeout: Duration;
  /** How long between looks at the endpoint while it changes. */
  readonly pollInterval: Duration;
  /** How many looks before the deployment counts as failed and is rolled back. */
  readonly maxPolls: number;
}

/** The SageMaker calls of the state machine, by the SDK's action name. */
export const SAGEMAKER_CALLS = {
  describeModelPackage: 'sagemaker:DescribeModelPackage',
  createEndpointConfig: 'sagemaker:CreateEndpointConfig',
  describeEndpoint: 'sagemaker:DescribeEndpoint',
  createEndpoint: 'sagemaker:CreateEndpoint',
  updateEndpoint: 'sagemaker:UpdateEndpoint',
} as const;

/** Endpoint states in which SageMaker is still changing it: keep looking. */
const CHANGING = ['Creating', 'Updating', 'SystemUpdating'];

/**
 * The deployment state machine's definition: select the target the pipeline allows, read the
 * model package, check its provenance (which records who trained it, so they cannot approve),
 * wait for approval by other people, set the package Approved, serve it from a new endpoint
 * configuration, look until the endpoint is in service with that configuration, and record the
 * promotion; a deployment that does not come into service is rolled back to the configuration it
 * replaced. Every path ends by recording and announcing its outcome.
 */
export function deploymentWorkflow(scope: Construct, props: DeploymentWorkflowProps): sfn.IChainable {
  const { table } = props;
  const end = ending(scope, {
    table,
    topic: props.topic,
    subject: 'Model deployment request finished',
    succeeded: 'Deployed',
    failed: 'NotDeployed',
  });
  const { outcome, fault, caught } = end;
  // Each call's policy names only what it may touch: this account's packages, the pipeline's
  // endpoint configurations, the targets' endpoints.
  const stack = Stack.of(scope);
  const arn = (resource: string, resourceName: string) =>
    stack.formatArn({ service: 'sagemaker', resource, resourceName });
  const endpoints = props.targets.map((t) => t._arn);
  const resources: Record<keyof typeof SAGEMAKER_CALLS, string[]> = {
    describeModelPackage: [arn('model-package', '*')],
    createEndpointConfig: [arn('endpoint-config', 'deploy-*')],
    describeEndpoint: endpoints,
    // A roll-back returns to whatever configuration the endpoint served before.
    createEndpoint: [...endpoints, arn('endpoint-config', '*')],
    updateEndpoint: [...endpoints, arn('endpoint-config', '*')],
  };
  const sagemaker = (id: string, call: keyof typeof SAGEMAKER_CALLS, parameters: object, rest: object) =>
    new tasks.CallAwsService(scope, id, {
      service: 'sagemaker',
      action: call,
      parameters,
      iamResources: resources[call],
      iamAction: SAGEMAKER_CALLS[call],
      ...rest,
    });

  // 1. Only a target of this pipeline; what it is comes from here, never from the request.
  const describe = sagemaker(
    'DescribeModelPackage',
    'describeModelPackage',
    { ModelPackageName: stringAt('$.request.model') },
    {
      resultSelector: { artifact: stringAt('$.InferenceSpecification.Containers[0].ModelDataUrl') },
      resultPath: '$.model',
    },
  );
  describe.addCatch(outcome('ModelUnreadable', RequestStatus.INVALID, caught), { resultPath: '$.error' });
  const select = new sfn.Choice(scope, 'SelectTarget');
  props.targets.forEach((target, i) =>
    select.when(
      sfn.Condition.stringEquals('$.request.target', target.name),
      new sfn.Pass(scope, `Target${i + 1}`, {
        parameters: {
          name: target.name,
          endpointName: target.name,
          arn: target._arn,
          instanceType: target._serving.instanceType,
          instanceCount: target._serving.instanceCount,
          configName: format('deploy-{}', stringAt('$.requestId')),
        },
        resultPath: '$.target',
      }).next(describe),
    ),
  );
  select.otherwise(
    outcome('TargetNotAllowed', RequestStatus.INVALID, 'the target is not one of the pipeline'),
  );

  // 2. Provenance: the package's artifacts came out of an approved customization; its trainer is excluded.
  const provenance = new tasks.LambdaInvoke(scope, 'CheckProvenance', {
    lambdaFunction: props.provenanceCheck,
    payloadResponseOnly: true,
    payload: sfn.TaskInput.fromObject({
      requestId: stringAt('$.requestId'),
      output: stringAt('$.model.artifact'),
      locator: stringAt('$.model.artifact'),
    }),
    resultPath: '$.provenance',
  });
  provenance.addCatch(outcome('ProvenanceRefused', RequestStatus.INVALID, caught), {
    errors: ['ProvenanceMissing', 'ProvenanceMismatch'],
    resultPath: '$.error',
  });
  provenance.addCatch(fault, { resultPath: '$.error' });

  // 4. Approved: set the package Approved, create the model and its endpoint configuration.
  const recordLaunch = statusChange(
    scope,
    'RecordLaunch',
    table,
    RequestStatus.APPROVED,
    RequestStatus.RUNNING,
  );
  recordLaunch.addCatch(fault, { resultPath: '$.error' });
  const approvePackage = new tasks.LambdaInvoke(scope, 'ApproveModelPackage', {
    lambdaFunction: props.packageApproval,
    payloadResponseOnly: true,
    payload: sfn.TaskInput.fromObject({
      requestId: stringAt('$.requestId'),
      modelPackageArn: stringAt('$.request.model'),
      approvers: sfn.JsonPath.listAt('$.decision.approvers'),
      environment: stringAt('$.request.environment'),
    }),
    resultPath: DISCARD,
  });
  approvePackage.addCatch(fault, { resultPath: '$.error' });
  const notDeployed = outcome('DeploymentFailed', RequestStatus.FAILED, caught);
  const hostingModel = new tasks.LambdaInvoke(scope, 'CreateHostingModel', {
    lambdaFunction: props.hostingModel,
    payloadResponseOnly: true,
    payload: sfn.TaskInput.fromObject({
      requestId: stringAt('$.requestId'),
      modelPackageArn: stringAt('$.request.model'),
    }),
    resultPath: '$.hosting',
  });
  hostingModel.addCatch(notDeployed, { resultPath: '$.error' });
  const endpointConfig = sagemaker(
    'CreateEndpointConfig',
    'createEndpointConfig',
    {
      EndpointConfigName: stringAt('$.target.configName'),
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          ModelName: stringAt('$.hosting.modelName'),
          InstanceType: stringAt('$.target.instanceType'),
          InitialInstanceCount: sfn.JsonPath.numberAt('$.target.instanceCount'),
        },
      ],
    },
    { resultPath: DISCARD },
  );
  endpointConfig.addCatch(notDeployed, { resultPath: '$.error' });

  // 5. What the endpoint serves now is what a roll-back returns to; no endpoint yet: create it.
  const current = sagemaker(
    'FindCurrentEndpoint',
    'describeEndpoint',
    { EndpointName: stringAt('$.target.endpointName') },
    { resultSelector: { config: stringAt('$.EndpointConfigName') }, resultPath: '$.previous' },
  );
  const none = new sfn.Pass(scope, 'NoCurrentEndpoint', {
    result: sfn.Result.fromObject({ config: '' }),
    resultPath: '$.previous',
  });
  current.addCatch(none, { resultPath: '$.error' });
  const deployParameters = {
    EndpointName: stringAt('$.target.endpointName'),
    EndpointConfigName: stringAt('$.target.configName'),
  };
  const create = sagemaker('CreateEndpoint', 'createEndpoint', deployParameters, { resultPath: DISCARD });
  const update = sagemaker('UpdateEndpoint', 'updateEndpoint', deployParameters, { resultPath: DISCARD });
  for (const change of [create, update]) change.addCatch(notDeployed, { resultPath: '$.error' });
  const createOrUpdate = new sfn.Choice(scope, 'CreateOrUpdate')
    .when(sfn.Condition.stringEquals('$.previous.config', ''), create)
    .otherwise(update);
  current.next(createOrUpdate);
  none.next(createOrUpdate);

  // 6. Look until it is in service with this configuration, for at most maxPolls looks.
  const startPolling = new sfn.Pass(scope, 'StartPolling', {
    result: sfn.Result.fromObject({ count: 0 }),
    resultPath: '$.polls',
  });
  const wait = new sfn.Wait(scope, 'WaitForEndpoint', {
    time: sfn.WaitTime.duration(props.pollInterval),
  });
  const look = sagemaker(
    'DescribeEndpoint',
    'describeEndpoint',
    { EndpointName: stringAt('$.target.endpointName') },
    {
      resultSelector: { status: stringAt('$.EndpointStatus'), config: stringAt('$.EndpointConfigName') },
      resultPath: '$.endpoint',
    },
  );
  look.addCatch(fault, { resultPath: '$.error' });
  const countLook = new sfn.Pass(scope, 'CountLook', {
    parameters: { count: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.polls.count'), 1) },
    resultPath: '$.polls',
  });
  const record = (id: string, result: 'deployed' | 'rolled-back', deployed: string, replaced: string) =>
    new tasks.LambdaInvoke(scope, id, {
      lambdaFunction: props.deploymentRecord,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({
        requestId: stringAt('$.requestId'),
        executionArn: stringAt('$$.Execution.Id'),
        outcome: result,
        target: { name: stringAt('$.target.name'), resource: stringAt('$.target.arn') },
        deployed,
        replaced,
      }),
      resultPath: '$.record',
    });
  const recordDeployment = record(
    'RecordDeployment',
    'deployed',
    stringAt('$.target.configName'),
    stringAt('$.previous.config'),
  );
  recordDeployment.addCatch(fault, { resultPath: '$.error' });
  recordDeployment.next(
    outcome(
      'Succeeded',
      RequestStatus.SUCCEEDED,
      format(
        'In service on {}; record: {}',
        stringAt('$.target.endpointName'),
        stringAt('$.record.recordKey'),
      ),
    ),
  );

  // 7. Not in service with this configuration: back to what it served before, when there was one.
  const rollBack = sagemaker(
    'RollBack',
    'updateEndpoint',
    { EndpointName: stringAt('$.target.endpointName'), EndpointConfigName: stringAt('$.previous.config') },
    { resultPath: DISCARD },
  );
  rollBack.addCatch(fault, { resultPath: '$.error' });
  const recordRollBack = record(
    'RecordRollBack',
    'rolled-back',
    stringAt('$.target.configName'),
    stringAt('$.previous.config'),
  );
  recordRollBack.addCatch(fault, { resultPath: '$.error' });
  rollBack
    .next(recordRollBack)
    .next(
      outcome(
        'RolledBack',
        RequestStatus.FAILED,
        format(
          'the endpoint was {} with configuration {}; rolled back to {}',
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
      rollBack,
    )
    .otherwise(
      outcome(
        'NotInService',
        RequestStatus.FAILED,
        format(
          'the endpoint is {} with configuration {}',
          stringAt('$.endpoint.status'),
          stringAt('$.endpoint.config'),
        ),
      ),
    );
  const changing = sfn.Condition.or(
    ...CHANGING.map((c) => sfn.Condition.stringEquals('$.endpoint.status', c)),
  );
  const ready = new sfn.Choice(scope, 'EndpointReady')
    .when(
      sfn.Condition.and(
        sfn.Condition.stringEquals('$.endpoint.status', 'InService'),
        sfn.Condition.stringEqualsJsonPath('$.endpoint.config', '$.target.configName'),
      ),
      recordDeployment,
    )
    .when(sfn.Condition.and(changing, sfn.Condition.numberLessThan('$.polls.count', props.maxPolls)), wait)
    // SageMaker finishes an update or returns to the old configuration itself; it takes no other now.
    .when(
      changing,
      outcome(
        'StillChanging',
        RequestStatus.FAILED,
        format(
          'the endpoint was still {} when the deployment timed out; SageMaker completes the update or returns to {} itself',
          stringAt('$.endpoint.status'),
          stringAt('$.previous.config'),
        ),
      ),
    )
    .otherwise(needsRollBack);
  create.next(startPolling);
  update.next(startPolling);
  startPolling.next(wait).next(look).next(countLook).next(ready);

  const approved = recordLaunch.next(approvePackage).next(hostingModel).next(endpointConfig).next(current);
  describe.next(provenance).next(approvalSteps(scope, end, { ...props, approved }));
  return select;
}
