import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../../private/compliance-findings';
import {
  GovernanceMetric,
  METRICS_NAMESPACE,
  PIPELINE_DIMENSION,
  STATUS_DIMENSION,
} from '../handlers/governance-metrics';

/** One governance metric of a pipeline, summed over a day unless `props` says otherwise. */
export function governanceMetric(
  pipelineName: string,
  metricName: string,
  props: cloudwatch.MetricOptions = {},
  status?: string,
): cloudwatch.Metric {
  const seconds = metricName === GovernanceMetric.TIME_TO_DECISION;
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    statistic: seconds ? cloudwatch.Stats.AVERAGE : cloudwatch.Stats.SUM,
    period: Duration.days(1),
    ...props,
    dimensionsMap: {
      [PIPELINE_DIMENSION]: pipelineName,
      ...(status ? { [STATUS_DIMENSION]: status } : {}),
      ...props.dimensionsMap,
    },
  });
}

/**
 * The state that counts a request's outcome (`Outcome`, by final status) from the state machine:
 * every path passes through it, and a failure to publish does not change the outcome.
 */
export function countOutcome(scope: Construct): sfn.CustomState {
  return new sfn.CustomState(scope, 'CountOutcome', {
    stateJson: {
      Type: 'Task',
      Resource: `arn:${Aws.PARTITION}:states:::aws-sdk:cloudwatch:putMetricData`,
      Parameters: {
        Namespace: METRICS_NAMESPACE,
        MetricData: [
          {
            MetricName: GovernanceMetric.OUTCOME,
            Unit: 'Count',
            Value: 1,
            Dimensions: [
              { Name: PIPELINE_DIMENSION, 'Value.$': '$$.StateMachine.Name' },
              { Name: STATUS_DIMENSION, 'Value.$': '$.outcome.status' },
            ],
          },
        ],
      },
      ResultPath: null,
    },
  });
}

/** Lets a state machine publish the governance metrics, in their namespace only. */
export function allowGovernanceMetrics(role: iam.IRole): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': METRICS_NAMESPACE } },
    }),
  );
  acknowledgeWildcardResource(
    role,
    '*',
    'cloudwatch:PutMetricData accepts only Resource "*"; the cloudwatch:namespace condition keeps it to the pipelines\' governance metrics.',
  );
}
