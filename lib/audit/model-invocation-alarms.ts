import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ModelTarget } from '../capabilities/model-target';
import { serviceTrustConditions } from '../private/service-trust';
import { bedrockModelId } from './private/bedrock-model-id';
import { ownKey } from '../private/own-key';

/** How the alarms judge a model's traffic: everything but which models. */
export interface ModelInvocationAlarmsOptions {
  /**
   * More input tokens than this in an hour, to one model, raises an alarm: bulk extraction.
   * @default - an alarm when the hour's input tokens are above their anomaly band
   */
  readonly maxInputTokensPerHour?: number;

  /**
   * More output tokens than this in an hour, from one model, raises an alarm: bulk extraction.
   * @default - an alarm when the hour's output tokens are above their anomaly band
   */
  readonly maxOutputTokensPerHour?: number;

  /**
   * More throttled invocations than this in five minutes raises an alarm: a caller hammering the
   * model past its quota.
   * @default 10
   */
  readonly maxThrottlesPerFiveMinutes?: number;

  /**
   * The width of the anomaly band of each model's invocations, in standard deviations: a count
   * above it raises an alarm (scraping shows as an unusual volume).
   * @default 3
   */
  readonly anomalyBandWidth?: number;

  /**
   * The key of the alarms' topic. Its policy must let CloudWatch use it (the construct adds this
   * to a key it owns).
   * @default - a new KMS key with rotation, retained on stack deletion
   */
  readonly encryptionKey?: kms.IKey;
}

export interface ModelInvocationAlarmsProps extends ModelInvocationAlarmsOptions {
  /**
   * The models to watch: Bedrock foundation models (`ModelTarget.bedrockFoundationModel`) and
   * system-defined inference profiles (`ModelTarget.bedrockInferenceProfile`), whose ids are the
   * `ModelId` of Bedrock's metrics.
   */
  readonly models: ModelTarget[];
}

/** The metric of one model that each alarm watches, in Bedrock's namespace. */
const METRICS = {
  invocations: 'Invocations',
  throttles: 'InvocationThrottles',
  inputTokens: 'InputTokenCount',
  outputTokens: 'OutputTokenCount',
} as const;

/**
 * Alarms on the invocations of Bedrock models that signal scraping or extraction through model
 * queries: per model, an invocation count above its anomaly band, input or output tokens above an
 * hourly ceiling, and sustained throttling. They go to a KMS-encrypted topic that only this
 * account's CloudWatch alarms may publish to. CloudTrail records who invoked; these say when the
 * volume looks like extraction.
 */
export class ModelInvocationAlarms extends Construct {
  /** Where the alarms go. Subscribe the security team to it. */
  public readonly topic: sns.Topic;
  /** Every alarm, for dashboards or composite alarms. */
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ModelInvocationAlarmsProps) {
    super(scope, id);
    if (props.models.length === 0)
      throw new Error('ModelInvocationAlarms: models is empty; name the models to watch.');
    const positive = (name: string, value: number) => {
      if (!Token.isUnresolved(value) && !(Number.isFinite(value) && value > 0)) {
        throw new Error(`ModelInvocationAlarms: ${name} must be a positive number, got ${value}.`);
      }
      return value;
    };
    const ceiling = (name: string, value?: number) =>
      value === undefined ? undefined : positive(name, value);
    const maxInput = ceiling('maxInputTokensPerHour', props.maxInputTokensPerHour);
    const maxOutput = ceiling('maxOutputTokensPerHour', props.maxOutputTokensPerHour);
    const maxThrottles = positive('maxThrottlesPerFiveMinutes', props.maxThrottlesPerFiveMinutes ?? 10);
    const band = positive('anomalyBandWidth', props.anomalyBandWidth ?? 3);
    const modelIds = props.models.map(modelIdOf);
    const twice = modelIds.find((m, i) => modelIds.indexOf(m) !== i);
    if (twice) throw new Error(`ModelInvocationAlarms: model ${twice} is listed twice.`);

    const stack = Stack.of(this);
    const key = ownKey(this, 'Model invocation alarms: their topic', props.encryptionKey);
    // CloudWatch encrypts what it publishes to the topic with this key.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: serviceTrustConditions(stack.account, undefined, false),
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Model invocation alarms',
      masterKey: key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: serviceTrustConditions(
          stack.account,
          stack.formatArn({
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
          true,
        ),
      }),
    );

    const action = new actions.SnsAction(this.topic);
    modelIds.forEach((modelId, i) => {
      const n = i + 1;
      const alarm = (a: cloudwatch.Alarm) => {
        a.addAlarmAction(action);
        this.alarms.push(a);
      };
      const unusual = (name: string, metric: cloudwatch.Metric, what: string, evaluationPeriods: number) =>
        alarm(
          new cloudwatch.AnomalyDetectionAlarm(this, `${name}${n}`, {
            alarmDescription: `${what} of ${modelId} above their usual band: possible scraping or extraction through model queries`,
            metric,
            stdDevs: band,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
            evaluationPeriods,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
        );
      const above = (name: string, metric: cloudwatch.Metric, threshold: number, what: string) =>
        alarm(
          metric.createAlarm(this, `${name}${n}`, {
            alarmDescription: `${what} of ${modelId} above ${threshold}: possible extraction through model queries`,
            threshold,
            evaluationPeriods: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
        );
      unusual('UnusualInvocations', this.metricInvocations(modelId), 'Invocations', 3);
      const tokens = (name: string, metric: cloudwatch.Metric, max: number | undefined, what: string) =>
        max === undefined
          ? unusual(`Unusual${name}`, metric, `${what} in an hour`, 1)
          : above(name, metric, max, `${what} in an hour`);
      tokens('InputTokens', this.metricInputTokens(modelId), maxInput, 'Input tokens');
      tokens('OutputTokens', this.metricOutputTokens(modelId), maxOutput, 'Output tokens');
      above(
        'Throttles',
        this.metricThrottles(modelId),
        maxThrottles,
        'Throttled invocations in five minutes',
      );
    });
  }

  /** Invocations of one model (Bedrock's `Invocations`, by `ModelId`), summed over five minutes by default. */
  public metricInvocations(model: ModelTarget | string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return bedrockMetric(METRICS.invocations, model, Duration.minutes(5), props);
  }

  /** Throttled invocations of one model (`InvocationThrottles`), summed over five minutes by default. */
  public metricThrottles(model: ModelTarget | string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return bedrockMetric(METRICS.throttles, model, Duration.minutes(5), props);
  }

  /** Input tokens to one model (`InputTokenCount`), summed over an hour by default. */
  public metricInputTokens(model: ModelTarget | string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return bedrockMetric(METRICS.inputTokens, model, Duration.hours(1), props);
  }

  /** Output tokens from one model (`OutputTokenCount`), summed over an hour by default. */
  public metricOutputTokens(
    model: ModelTarget | string,
    props?: cloudwatch.MetricOptions,
  ): cloudwatch.Metric {
    return bedrockMetric(METRICS.outputTokens, model, Duration.hours(1), props);
  }
}

function bedrockMetric(
  name: string,
  model: ModelTarget | string,
  period: Duration,
  props: cloudwatch.MetricOptions = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Bedrock',
    metricName: name,
    statistic: cloudwatch.Stats.SUM,
    period,
    ...props,
    dimensionsMap: { ModelId: typeof model === 'string' ? model : modelIdOf(model), ...props.dimensionsMap },
  });
}

function modelIdOf(target: ModelTarget): string {
  const id = bedrockModelId(target);
  if (id !== undefined) return id;
  throw new Error(
    `ModelInvocationAlarms: ${target.description} has no ModelId of Bedrock's metrics; watch Bedrock foundation models (ModelTarget.bedrockFoundationModel) or system-defined inference profiles (ModelTarget.bedrockInferenceProfile).`,
  );
}
