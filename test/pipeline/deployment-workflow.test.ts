import '../support/env';
import { Duration } from 'aws-cdk-lib';
import { EXECUTION_ARN, runLocally, TaskHandler } from './local-run';
import { deploymentFixture, ENDPOINT, MODEL_PACKAGE, REQUEST_ID } from './fixture';

// asl-validator ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (d: unknown) => { isValid: boolean; errors: unknown[] };

// Three minutes to come into service: three looks at the endpoint.
const fixture = deploymentFixture({
  approvalTimeout: Duration.seconds(1),
  deploymentTimeout: Duration.minutes(3),
});
const definition = JSON.parse(fixture.template.props(fixture.ids.stateMachine).DefinitionString);
const CONFIG = `deploy-${REQUEST_ID}`;
const PREVIOUS = 'deploy-11111111-2222-4333-8444-555555555555';
const ENDPOINT_ARN = `arn:aws:sagemaker:us-east-1:111111111111:endpoint/${ENDPOINT}`;
const ARTIFACT = `s3://artifacts/customization/${REQUEST_ID}/customization-${REQUEST_ID}/output/model.tar.gz`;

function input(overrides: Record<string, unknown> = {}) {
  return {
    requestId: REQUEST_ID,
    requester: 'arn:aws:sts::111111111111:assumed-role/Deployer/alice',
    requestedAt: '2026-11-24T00:00:00.000Z',
    request: {
      environment: 'production',
      target: ENDPOINT,
      model: MODEL_PACKAGE,
      reason: 'churn v3 beats v2 on the holdout set',
      ...overrides,
    },
  };
}

const twoApprovals = {
  decision: 'approved',
  approvalCount: 2,
  approvers: [
    'arn:aws:sts::111111111111:assumed-role/DeploymentApprover/bob',
    'arn:aws:sts::111111111111:assumed-role/DeploymentApprover/carol',
  ],
  reason: 'approved by bob, carol',
};

/** The endpoint as DescribeEndpoint reports it, one answer per look (the last repeats). */
function looks(...states: [status: string, config: string][]): TaskHandler {
  let n = 0;
  return () => {
    const [EndpointStatus, EndpointConfigName] = states[Math.min(n++, states.length - 1)];
    return { EndpointArn: ENDPOINT_ARN, EndpointStatus, EndpointConfigName };
  };
}

function run(extra: Record<string, TaskHandler> = {}, executionInput = input()) {
  return runLocally(definition, executionInput, {
    DescribeModelPackage: () => ({
      ModelApprovalStatus: 'PendingManualApproval',
      InferenceSpecification: { Containers: [{ Image: 'image', ModelDataUrl: ARTIFACT }] },
    }),
    CheckProvenance: () => ({ manifestKey: `provenance/${REQUEST_ID}.json`, trainer: 'dave' }),
    AwaitApproval: () => twoApprovals,
    CreateHostingModel: ({ requestId }) => ({ modelName: `deploy-${requestId}` }),
    FindCurrentEndpoint: () => ({ EndpointConfigName: PREVIOUS, EndpointStatus: 'InService' }),
    DescribeEndpoint: looks(['Updating', PREVIOUS], ['InService', CONFIG]),
    RecordDeployment: () => ({ recordKey: `deployments/${REQUEST_ID}.json` }),
    RecordRollBack: () => ({ recordKey: `deployments/${REQUEST_ID}.json` }),
    ...extra,
  });
}

const DEPLOYING = [
  'ApproveModelPackage',
  'CreateHostingModel',
  'CreateEndpointConfig',
  'CreateEndpoint',
  'UpdateEndpoint',
];
function nothingDeployed(result: { callsTo(state: string): unknown[] }) {
  for (const state of DEPLOYING) expect([state, result.callsTo(state)]).toEqual([state, []]);
}

describe('the synthesized deployment state machine', () => {
  test('is a valid Amazon States Language definition', () => {
    const result = aslValidator(JSON.parse(JSON.stringify(definition)));
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  test('an approved deployment sets the package Approved, serves it from its own configuration, waits for service, and records it', async () => {
    const result = await run();
    expect(result.error).toBeUndefined();
    expect(result.output.outcome).toEqual({
      status: 'SUCCEEDED',
      reason: `In service on ${ENDPOINT}; record: deployments/${REQUEST_ID}.json`,
    });
    expect(result.callsTo('CheckProvenance')).toEqual([
      { requestId: REQUEST_ID, output: ARTIFACT, locator: ARTIFACT },
    ]);
    expect(result.callsTo('ApproveModelPackage')).toEqual([
      {
        requestId: REQUEST_ID,
        modelPackageArn: MODEL_PACKAGE,
        approvers: twoApprovals.approvers,
        environment: 'production',
      },
    ]);
    expect(result.callsTo('CreateEndpointConfig')).toEqual([
      {
        EndpointConfigName: CONFIG,
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: CONFIG,
            InstanceType: 'ml.m5.large',
            InitialInstanceCount: 2,
          },
        ],
      },
    ]);
    expect(result.callsTo('UpdateEndpoint')).toEqual([
      { EndpointName: ENDPOINT, EndpointConfigName: CONFIG },
    ]);
    expect(result.callsTo('CreateEndpoint')).toEqual([]);
    expect(result.callsTo('DescribeEndpoint')).toHaveLength(2);
    expect(result.callsTo('RecordDeployment')).toEqual([
      {
        requestId: REQUEST_ID,
        executionArn: EXECUTION_ARN,
        outcome: 'deployed',
        target: { name: ENDPOINT, resource: ENDPOINT_ARN },
        deployed: CONFIG,
        replaced: PREVIOUS,
      },
    ]);
    // The approval status is set only after the people's approval, and before anything serves it.
    const order = result.calls.map((c) => c.state);
    expect(order.indexOf('AwaitApproval')).toBeLessThan(order.indexOf('ApproveModelPackage'));
    expect(order.indexOf('ApproveModelPackage')).toBeLessThan(order.indexOf('UpdateEndpoint'));
    expect(result.callsTo('RollBack')).toEqual([]);
  });

  test('the first deployment to a target creates its endpoint', async () => {
    const result = await run({
      FindCurrentEndpoint: () => {
        throw Object.assign(new Error('Could not find endpoint'), { name: 'SageMaker.SageMakerException' });
      },
      DescribeEndpoint: looks(['Creating', CONFIG], ['InService', CONFIG]),
    });
    expect(result.output.outcome.status).toBe('SUCCEEDED');
    expect(result.callsTo('CreateEndpoint')).toEqual([
      { EndpointName: ENDPOINT, EndpointConfigName: CONFIG },
    ]);
    expect(result.callsTo('UpdateEndpoint')).toEqual([]);
    expect(result.callsTo('RecordDeployment')[0].replaced).toBe('');
  });

  test('a rejection deploys nothing and leaves the package as it was', async () => {
    const result = await run({
      AwaitApproval: () => ({
        decision: 'rejected',
        approvalCount: 1,
        approvers: [],
        reason: 'rejected by bob',
      }),
    });
    expect(result.error).toBe('REJECTED');
    expect(result.cause).toBe('rejected by bob');
    nothingDeployed(result);
  });

  test('an approval by fewer people than required deploys nothing, whatever it claims', async () => {
    const result = await run({ AwaitApproval: () => ({ ...twoApprovals, approvalCount: 1 }) });
    expect(result.error).toBe('REJECTED');
    nothingDeployed(result);
  });

  test('a request nobody decides expires and fails closed', async () => {
    const result = await run({ AwaitApproval: () => new Promise(() => undefined) });
    expect(result.error).toBe('EXPIRED');
    expect(result.cause).toBe('no decision within 1 second');
    nothingDeployed(result);
  });

  test('a model without provenance never reaches approval', async () => {
    const result = await run({
      CheckProvenance: () => {
        throw Object.assign(new Error('no provenance manifest'), { name: 'ProvenanceMissing' });
      },
    });
    expect(result.error).toBe('INVALID');
    expect(result.cause).toContain('no provenance manifest');
    expect(result.callsTo('AwaitApproval')).toEqual([]);
    nothingDeployed(result);
  });

  test('a model package that cannot be read never reaches the provenance check', async () => {
    const result = await run({
      DescribeModelPackage: () => {
        throw Object.assign(new Error('access denied'), { name: 'SageMaker.AmazonSageMakerException' });
      },
    });
    expect(result.error).toBe('INVALID');
    expect(result.callsTo('CheckProvenance')).toEqual([]);
    nothingDeployed(result);
  });

  test('the target is taken from the pipeline by name, never from the request', async () => {
    const result = await run({}, input({ target: 'someone-elses-endpoint' }));
    expect(result.error).toBe('INVALID');
    expect(result.cause).toBe('the target is not one of the pipeline');
    expect(result.callsTo('DescribeModelPackage')).toEqual([]);
    nothingDeployed(result);
  });

  test('an endpoint that fails to come into service is rolled back to what it served, and recorded', async () => {
    const result = await run({ DescribeEndpoint: looks(['Updating', PREVIOUS], ['Failed', CONFIG]) });
    expect(result.error).toBe('FAILED');
    expect(result.cause).toBe(`the target was Failed serving ${CONFIG}; rolled back to ${PREVIOUS}`);
    expect(result.callsTo('RollBack')).toEqual([{ EndpointName: ENDPOINT, EndpointConfigName: PREVIOUS }]);
    expect(result.callsTo('RecordRollBack')[0]).toMatchObject({
      outcome: 'rolled-back',
      deployed: CONFIG,
      replaced: PREVIOUS,
    });
    expect(result.callsTo('RecordDeployment')).toEqual([]);
  });

  test('an endpoint still changing when the deployment times out fails it, looking no more than the timeout allows', async () => {
    const result = await run({ DescribeEndpoint: looks(['Updating', PREVIOUS]) });
    expect(result.error).toBe('FAILED');
    expect(result.cause).toMatch(/^the target was still Updating when the deployment timed out/);
    expect(result.callsTo('DescribeEndpoint')).toHaveLength(3);
    // SageMaker refuses an update while one is in progress, and reverts a failed one itself.
    expect(result.callsTo('RollBack')).toEqual([]);
    expect(result.callsTo('RecordDeployment')).toEqual([]);
  });

  test('an endpoint SageMaker already returned to its previous configuration is not updated again', async () => {
    const result = await run({ DescribeEndpoint: looks(['Updating', PREVIOUS], ['InService', PREVIOUS]) });
    expect(result.error).toBe('FAILED');
    expect(result.cause).toBe(`the target is InService serving ${PREVIOUS}`);
    expect(result.callsTo('RollBack')).toEqual([]);
    expect(result.callsTo('RecordDeployment')).toEqual([]);
  });

  test('a new endpoint that fails has nothing to roll back to and fails', async () => {
    const result = await run({
      FindCurrentEndpoint: () => {
        throw Object.assign(new Error('Could not find endpoint'), { name: 'SageMaker.SageMakerException' });
      },
      DescribeEndpoint: looks(['Failed', CONFIG]),
    });
    expect(result.error).toBe('FAILED');
    expect(result.callsTo('RollBack')).toEqual([]);
  });

  test('every outcome is recorded, counted and announced', async () => {
    const result = await run({ DescribeEndpoint: looks(['Failed', CONFIG]) });
    expect(result.callsTo('RecordOutcome')[0].ExpressionAttributeValues[':status']).toEqual({ S: 'FAILED' });
    expect(result.callsTo('CountOutcome')).toHaveLength(1);
    expect(result.callsTo('NotifyOutcome')).toHaveLength(1);
  });
});
