import type { CheckedProvenance } from './provenance-check';
import { loadRecord, writeOnce } from './record-store';
import { isDeployment, peopleOf, RequestRecord } from './request-record';

/** What the pipeline knows when a deployment has ended in service, or been rolled back. */
export interface FinishedDeployment {
  readonly requestId: string;
  readonly executionArn: string;
  readonly outcome: 'deployed' | 'rolled-back';
  /** The target's name and the resource it changed (endpoint or provisioned throughput ARN). */
  readonly target: { readonly name: string; readonly resource: string };
  /** What the target serves now that the pipeline deployed: an endpoint configuration, a model ARN. */
  readonly deployed: string;
  /** What it served before, or '' when the pipeline created it. */
  readonly replaced: string;
}

/** The record of one promotion (schema in docs/deployment-pipeline.md). */
export interface DeploymentRecord {
  readonly schemaVersion: 1;
  readonly kind: 'deployment';
  readonly requestId: string;
  readonly executionArn: string;
  readonly outcome: FinishedDeployment['outcome'];
  readonly environment: string;
  readonly target: FinishedDeployment['target'];
  readonly model: string;
  readonly reason: string;
  readonly requester: { readonly identity: string; readonly person: string; readonly requestedAt: string };
  readonly approvals: { readonly approver: string; readonly approvedAt: string }[];
  readonly requiredApprovals: number;
  readonly excludedPersons: Record<string, string>;
  readonly provenance: CheckedProvenance;
  readonly deployed: string;
  readonly replaced: string | null;
  readonly recordedAt: string;
}

/**
 * Writes the record of a deployment into the metadata bucket, whose object lock keeps it: who
 * asked, who approved, who could not, what now serves and what it replaced. Who asked and who
 * approved come from the decision table, not from the execution's own state. Never overwrites.
 */
export async function handler(event: FinishedDeployment): Promise<{ recordKey: string }> {
  const record = (await loadRecord(event.requestId)) as
    (RequestRecord & { provenance?: CheckedProvenance }) | undefined;
  if (!record) throw new Error(`no request ${event.requestId} in the decision table`);
  const { request } = record;
  if (!isDeployment(request)) throw new Error(`request ${event.requestId} is not a deployment`);
  const body: DeploymentRecord = {
    schemaVersion: 1,
    kind: 'deployment',
    requestId: record.requestId,
    executionArn: event.executionArn,
    outcome: event.outcome,
    environment: request.environment,
    target: event.target,
    model: request.model,
    reason: request.reason,
    ...peopleOf(record),
    excludedPersons: record.excludedPersons ?? {},
    provenance: record.provenance ?? { manifestKey: 'none' },
    deployed: event.deployed,
    replaced: event.replaced === '' ? null : event.replaced,
    recordedAt: new Date().toISOString(),
  };
  const recordKey = `deployments/${record.requestId}.json`;
  await writeOnce(record.requestId, recordKey, body, 'deploymentRecord');
  return { recordKey };
}
