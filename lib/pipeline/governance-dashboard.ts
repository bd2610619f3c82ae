import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IConstruct } from 'constructs';

/** A pipeline whose governance metrics a dashboard can show: `CustomizationPipeline` is one. */
export interface IGovernedPipeline extends IConstruct {
  /** Requests accepted and started. */
  metricRequested(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Requests that got their last required approval. */
  metricApproved(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Requests rejected. */
  metricRejected(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Seconds from a request to its decision. */
  metricTimeToDecision(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Requests that expired undecided. */
  metricExpired(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Requests that failed. */
  metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Requests that succeeded. */
  metricSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

export interface GovernanceDashboardProps {
  /** The pipelines to show, one row each. */
  readonly pipelines: IGovernedPipeline[];
  /**
   * The dashboard's name.
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;
}

/**
 * A CloudWatch dashboard of the approval pipelines' governance metrics: per pipeline, requests
 * and their decisions, outcomes, the share of decided requests that were approved, and how long
 * people took to decide. A dashboard costs money each month (see docs/costs.md).
 */
export class GovernanceDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: GovernanceDashboardProps) {
    super(scope, id);
    if (props.pipelines.length === 0) {
      throw new Error('GovernanceDashboard: pipelines is empty; name at least one pipeline to show.');
    }
    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', { dashboardName: props.dashboardName });
    for (const pipeline of props.pipelines) {
      const approved = pipeline.metricApproved();
      const rejected = pipeline.metricRejected();
      this.dashboard.addWidgets(
        new cloudwatch.TextWidget({ markdown: `### ${pipeline.node.path}`, width: 24, height: 1 }),
        new cloudwatch.GraphWidget({
          title: 'Requests and decisions (per day)',
          left: [pipeline.metricRequested(), approved, rejected, pipeline.metricExpired()],
          width: 8,
        }),
        new cloudwatch.GraphWidget({
          title: 'Outcomes (per day)',
          left: [pipeline.metricSucceeded(), pipeline.metricFailed()],
          width: 6,
        }),
        new cloudwatch.SingleValueWidget({
          title: 'Approved, of decided requests (%)',
          metrics: [
            new cloudwatch.MathExpression({
              expression: '100 * approved / (approved + rejected)',
              usingMetrics: { approved, rejected },
              label: 'approved %',
            }),
          ],
          width: 4,
        }),
        new cloudwatch.GraphWidget({
          title: 'Time to decision (seconds)',
          left: [pipeline.metricTimeToDecision()],
          width: 6,
        }),
      );
    }
  }
}
