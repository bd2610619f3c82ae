import '../support/env';
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AccessAnalysis, Capability, DeploymentTarget, ModelAccessChecks } from '../../lib';
import { identityPoliciesOf, simulate } from '../support/simulate';
import { ACCOUNT, REGION } from '../support/template';
import { deploymentFixture, REQUEST_ID } from './fixture';
import { runLocally, TaskHandler } from './local-run';

// A pipeline promoting Bedrock custom models to a provisioned throughput; three looks at most.
const THROUGHPUT = 'support-assistant';
const f = deploymentFixture({
  targets: [DeploymentTarget.bedrockProvisionedThroughput(THROUGHPUT, { modelUnits: 2 })],
  approvalTimeout: Duration.seconds(1),
  deploymentTimeout: Duration.minutes(3),
});
const definition = JSON.parse(f.template.props(f.ids.stateMachine).DefinitionString);
const bedrock = (resource: string) => `arn:aws:bedrock:${REGION}:${ACCOUNT}:${resource}`;
const MODEL = bedrock('custom-model/amazon.titan-text-express-v1:0:8k/abcdefghijkl');
const PREVIOUS = bedrock('custom-model/amazon.titan-text-express-v1:0:8k/previousmodel');
const THROUGHPUT_ARN = bedrock('provisioned-model/x1y2z3');
const TRAINING_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

const input = {
  requestId: REQUEST_ID,
  requester: 'arn:aws:sts::111111111111:assumed-role/Deployer/alice',
  requestedAt: '2026-11-24T00:00:00.000Z',
  request: { environment: 'production', target: THROUGHPUT, model: MODEL, reason: 'better answers' },
};
const twoApprovals = {
  decision: 'approved',
  approvalCount: 2,
  approvers: ['b', 'c'],
  reason: 'approved by b, c',
};

/** The throughput as GetProvisionedModelThroughput reports it, one answer per look (the last repeats). */
function looks(...states: [status: string, model: string][]): TaskHandler {
  let n = 0;
  return () => {
    const [Status, ModelArn] = states[Math.min(n++, states.length - 1)];
    return { ProvisionedModelArn: THROUGHPUT_ARN, Status, ModelArn };
  };
}

function run(extra: Record<string, TaskHandler> = {}) {
  return runLocally(definition, input, {
    GetCustomModel: () => ({ ModelArn: MODEL, JobName: `customization-${TRAINING_ID}` }),
    CheckProvenance: () => ({ manifestKey: `provenance/${TRAINING_ID}.json`, trainer: 'dave' }),
    AwaitApproval: () => twoApprovals,
    FindCurrentThroughput: () => ({
      ProvisionedModelArn: THROUGHPUT_ARN,
      Status: 'InService',
      ModelArn: PREVIOUS,
    }),
    DescribeThroughput: looks(['Updating', PREVIOUS], ['InService', MODEL]),
    RecordDeployment: () => ({ recordKey: `deployments/${REQUEST_ID}.json` }),
    RecordRollBack: () => ({ recordKey: `deployments/${REQUEST_ID}.json` }),
    ...extra,
  });
}

// asl-validator ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (d: unknown) => { isValid: boolean; errors: unknown[] };

describe('the Bedrock deployment state machine, run locally', () => {
  test('is a valid Amazon States Language definition', () => {
    const result = aslValidator(JSON.parse(JSON.stringify(definition)));
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  test('an approved custom model is switched in on the throughput, checked in service, and recorded', async () => {
    const result = await run();
    expect(result.error).toBeUndefined();
    expect(result.output.outcome.status).toBe('SUCCEEDED');
    expect(result.callsTo('GetCustomModel')).toEqual([{ ModelIdentifier: MODEL }]);
    // The customization job's name leads to the manifest; the custom model is what it must record.
    expect(result.callsTo('CheckProvenance')).toEqual([
      { requestId: REQUEST_ID, output: MODEL, locator: `customization-${TRAINING_ID}` },
    ]);
    expect(result.callsTo('UpdateThroughput')).toEqual([
      { ProvisionedModelId: THROUGHPUT, DesiredModelId: MODEL },
    ]);
    expect(result.callsTo('CreateThroughput')).toEqual([]);
    expect(result.callsTo('RecordDeployment')[0]).toMatchObject({
      target: { name: THROUGHPUT, resource: THROUGHPUT_ARN },
      deployed: MODEL,
      replaced: PREVIOUS,
    });
    // Nothing of SageMaker's runs for Bedrock.
    for (const state of ['ApproveModelPackage', 'CreateHostingModel', 'CreateEndpointConfig'])
      expect(definition.States[state]).toBeUndefined();
  });

  test("the first deployment creates the throughput, tagged with its target, at the target's model units", async () => {
    const result = await run({
      FindCurrentThroughput: () => {
        throw Object.assign(new Error('not found'), { name: 'Bedrock.ResourceNotFoundException' });
      },
      DescribeThroughput: looks(['Creating', MODEL], ['InService', MODEL]),
    });
    expect(result.output.outcome.status).toBe('SUCCEEDED');
    expect(result.callsTo('CreateThroughput')).toEqual([
      {
        ProvisionedModelName: THROUGHPUT,
        ModelId: MODEL,
        ModelUnits: 2,
        ClientRequestToken: REQUEST_ID,
        Tags: [{ Key: 'model-access:deployment-target', Value: THROUGHPUT }],
      },
    ]);
  });

  test('a throughput that fails is switched back to the model it served, and recorded', async () => {
    const result = await run({ DescribeThroughput: looks(['Updating', PREVIOUS], ['Failed', MODEL]) });
    expect(result.error).toBe('FAILED');
    expect(result.callsTo('RollBack')).toEqual([
      { ProvisionedModelId: THROUGHPUT, DesiredModelId: PREVIOUS },
    ]);
    expect(result.callsTo('RecordRollBack')[0]).toMatchObject({ outcome: 'rolled-back', replaced: PREVIOUS });
  });

  test('a rejection changes nothing', async () => {
    const result = await run({
      AwaitApproval: () => ({ decision: 'rejected', approvalCount: 0, approvers: [], reason: 'no' }),
    });
    expect(result.error).toBe('REJECTED');
    for (const state of ['CreateThroughput', 'UpdateThroughput', 'RollBack'])
      expect(result.callsTo(state)).toEqual([]);
  });
});

describe('the Bedrock deployment identities (evaluated with iam-simulate)', () => {
  const role = f.ids.stateMachineRole;
  const can = (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
    simulate({
      principal: f.template.arn(role),
      action,
      resource,
      identityPolicies: identityPoliciesOf(f.template, role),
      context,
    });
  const tagged = (value: string) => ({ 'aws:ResourceTag/model-access:deployment-target': value });

  test('the state machine switches models only on the throughput tagged as its target', async () => {
    const update = 'bedrock:UpdateProvisionedModelThroughput';
    expect(await can(update, THROUGHPUT_ARN, tagged(THROUGHPUT))).toBe('Allowed');
    expect(await can(update, THROUGHPUT_ARN, tagged('someone-elses'))).toBe('ImplicitlyDenied');
    expect(await can(update, THROUGHPUT_ARN)).toBe('ImplicitlyDenied');
    expect(await can(update, MODEL)).toBe('Allowed');
  });

  test("it tags a throughput it creates with its targets' names only", async () => {
    const tagging = (value: string) => ({
      'aws:RequestTag/model-access:deployment-target': value,
      'aws:TagKeys': ['model-access:deployment-target'],
    });
    expect(await can('bedrock:TagResource', THROUGHPUT_ARN, tagging(THROUGHPUT))).toBe('Allowed');
    expect(await can('bedrock:TagResource', THROUGHPUT_ARN, tagging('other'))).toBe('ImplicitlyDenied');
  });

  test('it can neither invoke nor customize', async () => {
    expect(await can('bedrock:InvokeModel', THROUGHPUT_ARN, tagged(THROUGHPUT))).toBe('ImplicitlyDenied');
    expect(await can('bedrock:CreateModelCustomizationJob', MODEL)).toBe('ImplicitlyDenied');
  });

  test('the analysis finds DEPLOYMENT on the state machine alone, and the pack no error', () => {
    const analysis = AccessAnalysis.fromTemplate(f.json);
    expect(
      analysis.principals.filter((p) => p.capabilities.includes(Capability.DEPLOYMENT)).map((p) => p.id),
    ).toEqual([role]);
    const report = new ModelAccessChecks(f.app).validateScope(f.app);
    expect(report.violations.filter((v) => v.severity !== 'warning')).toEqual([]);
  });

  test('the request handler accepts custom models of this account only', () => {
    const handler = f.stack.getLogicalId(
      f.pipeline.node.findChild('RequestHandler').node.defaultChild as never,
    );
    const rules = JSON.parse(f.template.props(handler).Environment.Variables.DEPLOYMENT_RULES);
    const pattern = new RegExp(rules.model.pattern);
    expect(pattern.test(MODEL)).toBe(true);
    expect(pattern.test(MODEL.replace(ACCOUNT, '222222222222'))).toBe(false);
    expect(pattern.test(bedrock('provisioned-model/x'))).toBe(false);
  });
});

describe('Bedrock targets, refused', () => {
  test('a bad name, no model units, a pipeline mixing services, and image repositories for Bedrock', () => {
    expect(() => DeploymentTarget.bedrockProvisionedThroughput('-bad name')).toThrow(
      "'-bad name' is not a provisioned throughput name",
    );
    expect(() => DeploymentTarget.bedrockProvisionedThroughput('ok', { modelUnits: 0 })).toThrow(
      'modelUnits must be a positive integer, got 0',
    );
    const endpoint = DeploymentTarget.sageMakerEndpoint('e', {
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.LARGE),
    });
    expect(() =>
      deploymentFixture({ targets: [endpoint, DeploymentTarget.bedrockProvisionedThroughput('t')] }),
    ).toThrow('DeploymentPipeline: the targets are of two services');
    expect(() =>
      deploymentFixture({
        targets: [DeploymentTarget.bedrockProvisionedThroughput('t')],
        imageRepositoryArns: ['arn:aws:ecr:us-east-1:111111111111:repository/models'],
      }),
    ).toThrow('DeploymentPipeline: imageRepositoryArns applies to SageMaker endpoint targets only');
  });
});
