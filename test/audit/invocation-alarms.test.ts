import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { registerChecks, unacknowledgedFindings } from '../../bin/app';
import { ModelInvocationAlarms, ModelInvocationAlarmsProps, ModelTarget } from '../../lib';
import { simulate } from '../support/simulate';
import { ACCOUNT, REGION, ResolvedTemplate } from '../support/template';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const TITAN = 'amazon.titan-text-express-v1';
const HAIKU_PROFILE = 'us.anthropic.claude-3-haiku-20240307-v1:0';
const models = [
  ModelTarget.bedrockFoundationModel(TITAN),
  ModelTarget.bedrockInferenceProfile(HAIKU_PROFILE),
];

function build(app: App, props: Partial<ModelInvocationAlarmsProps> = {}) {
  const stack = new Stack(app, 'Alarms');
  const alarms = new ModelInvocationAlarms(stack, 'Invocations', {
    models,
    maxInputTokensPerHour: 2_000_000,
    maxOutputTokensPerHour: 500_000,
    ...props,
  });
  return { stack, alarms };
}

const { stack, alarms } = build(new App());
const json = Template.fromStack(stack).toJSON();
const t = new ResolvedTemplate(json);
const alarmsOf = () => Object.values<Json>(Template.fromJSON(json).findResources('AWS::CloudWatch::Alarm'));
const topicId = stack.getLogicalId(alarms.topic.node.defaultChild as never);

describe('ModelInvocationAlarms', () => {
  test('per model: unusual invocations, input and output tokens per hour, throttles, all to the topic', () => {
    expect(alarmsOf()).toHaveLength(8);
    for (const a of alarmsOf()) expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    const byMetric = (name: string) =>
      alarmsOf()
        .filter((a) => a.Properties.MetricName === name)
        .map((a) => a.Properties);
    expect(byMetric('InputTokenCount').map((p) => [p.Dimensions[0].Value, p.Threshold, p.Period])).toEqual([
      [TITAN, 2_000_000, 3600],
      [HAIKU_PROFILE, 2_000_000, 3600],
    ]);
    expect(byMetric('OutputTokenCount').map((p) => p.Threshold)).toEqual([500_000, 500_000]);
    expect(byMetric('InvocationThrottles').map((p) => [p.Threshold, p.Period])).toEqual([
      [10, 300],
      [10, 300],
    ]);
    for (const p of byMetric('InputTokenCount'))
      expect(p).toMatchObject({ Namespace: 'AWS/Bedrock', Statistic: 'Sum' });
  });

  test('invocations above the anomaly band of each model raise an alarm', () => {
    const anomaly = alarmsOf().filter((a) => a.Properties.ThresholdMetricId);
    expect(anomaly).toHaveLength(2);
    for (const [i, a] of anomaly.entries()) {
      expect(a.Properties.ComparisonOperator).toBe('GreaterThanUpperThreshold');
      const band = a.Properties.Metrics.find((m: Json) => m.Id === a.Properties.ThresholdMetricId);
      expect(band.Expression).toMatch(/^ANOMALY_DETECTION_BAND\(m\d+, 3\)$/);
      const metric = a.Properties.Metrics.find((m: Json) => m.MetricStat);
      expect(metric.MetricStat.Metric).toMatchObject({
        Namespace: 'AWS/Bedrock',
        MetricName: 'Invocations',
        Dimensions: [{ Name: 'ModelId', Value: [TITAN, HAIKU_PROFILE][i] }],
      });
    }
  });

  test('without ceilings, tokens above their anomaly band (hourly) raise the alarms instead', () => {
    const { stack: bare } = build(new App(), {
      maxInputTokensPerHour: undefined,
      maxOutputTokensPerHour: undefined,
    });
    const found = Object.values<Json>(Template.fromStack(bare).findResources('AWS::CloudWatch::Alarm'));
    expect(found).toHaveLength(8);
    const banded = found.filter((a) => a.Properties.ThresholdMetricId);
    const metricOf = (a: Json) => a.Properties.Metrics.find((m: Json) => m.MetricStat).MetricStat;
    expect(banded.map((a) => [metricOf(a).Metric.MetricName, metricOf(a).Period]).sort()).toEqual([
      ['InputTokenCount', 3600],
      ['InputTokenCount', 3600],
      ['Invocations', 300],
      ['Invocations', 300],
      ['OutputTokenCount', 3600],
      ['OutputTokenCount', 3600],
    ]);
    for (const a of banded) expect(a.Properties.ComparisonOperator).toBe('GreaterThanUpperThreshold');
  });

  test("only this account's CloudWatch alarms may publish to the topic", async () => {
    const policy = t.resolve(
      Object.values<Json>(json.Resources).find((r) => r.Type === 'AWS::SNS::TopicPolicy').Properties
        .PolicyDocument,
    );
    const topicArn = t.resolve({ Ref: topicId });
    const publish = (sourceAccount: string) =>
      simulate({
        principal: 'cloudwatch.amazonaws.com',
        action: 'sns:Publish',
        resource: topicArn,
        resourcePolicy: policy,
        context: {
          'aws:PrincipalArn': 'cloudwatch.amazonaws.com',
          'aws:PrincipalServiceName': 'cloudwatch.amazonaws.com',
          'aws:SourceAccount': sourceAccount,
          'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${sourceAccount}:alarm:scraping`,
        },
      });
    expect(await publish(ACCOUNT)).toBe('Allowed');
    expect(await publish('222222222222')).not.toBe('Allowed');
  });

  test('passes all six packs with no finding to acknowledge', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'alarms-')) });
    registerChecks(app);
    build(app);
    expect(unacknowledgedFindings(app.synth().directory)).toEqual([]);
  });

  test.each([
    ['no model', { models: [] }, 'models is empty'],
    ['a model twice', { models: [models[0], models[0]] }, `model ${TITAN} is listed twice`],
    [
      'a token ceiling of 0',
      { maxInputTokensPerHour: 0 },
      'maxInputTokensPerHour must be a positive number, got 0',
    ],
    [
      'models selected by tag',
      { models: [ModelTarget.tagged('team', 'chat')] },
      "has no ModelId of Bedrock's metrics",
    ],
  ])('%s is refused', (_label, props, message) => {
    expect(() => build(new App(), props as never)).toThrow(message);
  });

  test('metric methods name the model as Bedrock does', () => {
    const metric = alarms.metricOutputTokens(models[1]);
    expect(metric.dimensions).toEqual({ ModelId: HAIKU_PROFILE });
    expect(metric.period.toSeconds()).toBe(3600);
  });
});
