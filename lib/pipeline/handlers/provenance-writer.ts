import { loadRecord, writeOnce } from './record-store';
import { Dataset, datasetsOf, isDeployment, peopleOf } from './request-record';
import { env } from './runtime';

/** What the pipeline knows when a job has finished. */
export interface FinishedJob {
  readonly requestId: string;
  readonly executionArn: string;
  readonly baseModelArn: string;
  /** `bedrock` or `sagemaker`. */
  readonly backend: string;
  /** The service's description of the finished job, as the `.sync` integration returns it. */
  readonly job: Record<string, unknown>;
}

/** The job and what it produced: a custom model ARN (Bedrock) or model artifacts (SageMaker). */
export interface JobRecord {
  readonly backend: string;
  readonly jobArn: string;
  readonly outputModel: string;
}

function jobRecord(event: FinishedJob): JobRecord {
  const job = event.job as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const [jobArn, outputModel] =
    event.backend === 'sagemaker'
      ? [job.TrainingJobArn, job.ModelArtifacts?.S3ModelArtifacts]
      : [job.JobArn ?? job.jobArn, job.OutputModelArn ?? job.outputModelArn];
  if (typeof jobArn !== 'string' || typeof outputModel !== 'string') {
    throw new Error(`the ${event.backend} job description has no job ARN or output model`);
  }
  return { backend: event.backend, jobArn, outputModel };
}

/** The provenance manifest of one customization (schema in docs/customization-pipeline.md). */
export interface ProvenanceManifest {
  readonly schemaVersion: 1;
  readonly requestId: string;
  readonly executionArn: string;
  /** `person` is who the pipeline counted: the deployment pipeline keeps them from approving the model. */
  readonly requester: { readonly identity: string; readonly person: string; readonly requestedAt: string };
  readonly approvals: { readonly approver: string; readonly approvedAt: string }[];
  readonly requiredApprovals: number;
  readonly baseModel: { readonly name: string; readonly arn: string };
  readonly customModelName: string;
  readonly datasets: (Dataset & { readonly bucket: string })[];
  readonly hyperParameters: Record<string, string>;
  readonly job: JobRecord;
  readonly completedAt: string;
}

/**
 * Writes the manifest of a finished customization into the metadata bucket, whose object lock
 * keeps it; an existing manifest is never overwritten. The record of who asked and who approved
 * comes from the decision table, not from the execution's own state.
 */
export async function handler(event: FinishedJob): Promise<{ manifestKey: string }> {
  const job = jobRecord(event);
  const record = await loadRecord(event.requestId);
  if (!record) throw new Error(`no request ${event.requestId} in the decision table`);
  const bucket = env('TRAINING_DATA_BUCKET');
  const { request } = record;
  if (isDeployment(request)) throw new Error(`request ${event.requestId} is not a customization`);
  const manifest: ProvenanceManifest = {
    schemaVersion: 1,
    requestId: record.requestId,
    executionArn: event.executionArn,
    ...peopleOf(record),
    baseModel: { name: request.baseModel, arn: event.baseModelArn },
    customModelName: request.customModelName,
    datasets: datasetsOf(request).map(({ channel, ...ref }) => ({ channel, bucket, ...ref })),
    hyperParameters: request.hyperParameters,
    job,
    completedAt: new Date().toISOString(),
  };
  const manifestKey = `provenance/${record.requestId}.json`;
  await writeOnce(record.requestId, manifestKey, manifest, 'manifest');
  return { manifestKey };
}
