import '../support/env';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GovernanceDashboard } from '../../lib';
import { identityPoliciesOf, simulate } from '../support/simulate';
import { executionInput, pipelineFixture, pipelineStack, TITAN } from './fixture';
import { runLocally, STATE_MACHINE_NAME } from './local-run';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

// The governance metrics: the state machine counts every request's outcome; the handlers count
// requests and decisions (tested with them, in handlers/); the construct names the same metrics.
const fixture = pipelineFixture({ approvalTimeout: Duration.seconds(1) });
const definition = JSON.parse(fixture.template.props(fixture.ids.stateMachine).DefinitionString);
const SHA = 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=';
const request = executionInput({
  baseModel: TITAN,
  customModelName: 'support-assistant-v2',
  trainingData: { key: 'datasets/train.jsonl', versionId: 'v1', sha256: SHA },
  validationData: { key: 'datasets/valid.jsonl', versionId: 'v1', sha256: SHA },
  hyperParameters: {},
});
const datasets = () => ({ versionId: 'v1', sha256: SHA });
const approvers = [
  'arn:aws:sts::111111111111:assumed-role/Approver/bob',
  'arn:aws:sts::111111111111:assumed-role/Approver/carol',
];

async function counted(decision: () => Json, extra: Record<string, () => Json> = {}) {
  const result = await runLocally(definition, request, {
    VerifyDatasetsInspect: datasets,
    ReverifyDatasetsInspect: datasets,
    AwaitApproval: decision,
    CustomizeModel: () => ({ JobArn: 'job', OutputModelArn: 'model', Status: 'Completed' }),
    WriteProvenance: () => ({ manifestKey: 'provenance/x.json' }),
    ...extra,
  });
  return { result, published: result.callsTo('CountOutcome') };
}

const outcome = (status: string) => ({
  Namespace: 'ModelAccess/Pipelines',
  MetricData: [
    {
      MetricName: 'Outcome',
      Unit: 'Count',
      Value: 1,
      Dimensions: [
        { Name: 'Pipeline', Value: STATE_MACHINE_NAME },
        { Name: 'Status', Value: status },
      ],
    },
  ],
});

describe('the state machine counts each outcome once', () => {
  test.each([
    ['SUCCEEDED', () => ({ decision: 'approved', approvalCount: 2, approvers, reason: 'ok' })],
    ['REJECTED', () => ({ decision: 'rejected', approvalCount: 0, approvers: [], reason: 'no' })],
    ['EXPIRED', () => new Promise(() => undefined)],
  ])('%s', async (status, decision) => {
    const { result, published } = await counted(decision);
    expect(published).toEqual([outcome(status)]);
    expect(result.error ?? 'SUCCEEDED').toBe(status);
  });

  test('a failed job is counted FAILED', async () => {
    const { published } = await counted(
      () => ({ decision: 'approved', approvalCount: 2, approvers, reason: 'ok' }),
      {
        CustomizeModel: () => {
          throw new Error('capacity');
        },
      },
    );
    expect(published).toEqual([outcome('FAILED')]);
  });

  test('a failure to publish changes neither the outcome nor the announcement', async () => {
    const { result } = await counted(() => new Promise(() => undefined), {
      CountOutcome: () => {
        throw new Error('throttled');
      },
    });
    expect(result.error).toBe('EXPIRED');
    expect(result.callsTo('NotifyOutcome')).toHaveLength(1);
  });
});

test('the state machine may publish the governance metrics, and into no other namespace', async () => {
  const role = fixture.ids.stateMachineRole;
  const put = (namespace: string) =>
    simulate({
      principal: fixture.template.arn(role),
      action: 'cloudwatch:PutMetricData',
      resource: '*',
      context: { 'cloudwatch:namespace': namespace },
      identityPolicies: identityPoliciesOf(fixture.template, role),
    });
  expect(await put('ModelAccess/Pipelines')).toBe('Allowed');
  expect(await put('AWS/Bedrock')).not.toBe('Allowed');
});

describe('metric methods and the dashboard', () => {
  const stack = fixture.stack;
  const pipeline = fixture.pipeline;
  const name = stack.resolve(pipeline.stateMachine.stateMachineName);

  test.each([
    ['metricRequested', 'Requested', 'Sum', {}],
    ['metricApproved', 'Approved', 'Sum', {}],
    ['metricRejected', 'Rejected', 'Sum', {}],
    ['metricTimeToDecision', 'TimeToDecision', 'Average', {}],
    ['metricExpired', 'Outcome', 'Sum', { Status: 'EXPIRED' }],
    ['metricFailed', 'Outcome', 'Sum', { Status: 'FAILED' }],
    ['metricSucceeded', 'Outcome', 'Sum', { Status: 'SUCCEEDED' }],
  ] as const)('%s is %s (%s) in the namespace, by pipeline', (method, metricName, statistic, status) => {
    const metric = pipeline[method]();
    expect(metric.namespace).toBe('ModelAccess/Pipelines');
    expect(metric.metricName).toBe(metricName);
    expect(metric.statistic).toBe(statistic);
    expect(metric.period.toDays()).toBe(1);
    expect(stack.resolve(metric.dimensions)).toEqual({ Pipeline: name, ...status });
  });

  test('the dashboard shows every metric of each pipeline, and the share approved', () => {
    const { stack: s, pipeline: other } = pipelineStack();
    new GovernanceDashboard(s, 'Governance', { pipelines: [other] });
    const body = JSON.stringify(Template.fromStack(s).findResources('AWS::CloudWatch::Dashboard'));
    for (const metric of ['Requested', 'Approved', 'Rejected', 'TimeToDecision', 'Outcome'])
      expect(body).toContain(`"ModelAccess/Pipelines\\",\\"${metric}\\"`);
    expect(body).toContain('100 * approved / (approved + rejected)');
    expect(() => new GovernanceDashboard(s, 'Empty', { pipelines: [] })).toThrow(/pipelines is empty/);
  });
});
