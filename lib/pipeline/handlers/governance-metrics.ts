/**
 * The governance metrics of the approval pipelines: how many requests were made, approved,
 * rejected, expired, failed or succeeded, and how long people took to decide. The handlers write
 * theirs in CloudWatch's embedded metric format (Lambda carries it from the logs: no API call, no
 * permission); the state machine publishes each request's outcome. Shared by the handlers and the
 * constructs' `metric*()` methods, so both name the same metrics.
 */

/** The CloudWatch namespace of every pipeline's governance metrics. */
export const METRICS_NAMESPACE = 'ModelAccess/Pipelines';
/** The dimension naming the pipeline: its state machine's name. */
export const PIPELINE_DIMENSION = 'Pipeline';
/** The dimension of `Outcome`: the request's final status (`SUCCEEDED`, `FAILED`, `EXPIRED`, ...). */
export const STATUS_DIMENSION = 'Status';

/** The metrics' names. */
export const GovernanceMetric = {
  /** A request was accepted and its execution started. */
  REQUESTED: 'Requested',
  /** A request got its last required approval. */
  APPROVED: 'Approved',
  /** A request was rejected. */
  REJECTED: 'Rejected',
  /** Seconds from a request to its approval or rejection. */
  TIME_TO_DECISION: 'TimeToDecision',
  /** A request ended, with `Status` its final status. */
  OUTCOME: 'Outcome',
} as const;

/** Writes one metric of the pipeline in CloudWatch's embedded metric format. */
export function emitMetric(pipeline: string, name: string, value: number, unit: 'Count' | 'Seconds'): void {
  console.log(
    JSON.stringify({
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: [[PIPELINE_DIMENSION]],
            Metrics: [{ Name: name, Unit: unit }],
          },
        ],
      },
      [PIPELINE_DIMENSION]: pipeline,
      [name]: value,
    }),
  );
}
