import type { DeploymentRequest } from './deployment-rules';
import type { CustomizationRequest, DatasetRef } from './request-rules';

/** Where a request stands. Only the pipeline moves a request on; handlers only record decisions. */
export enum RequestStatus {
  SUBMITTED = 'SUBMITTED',
  VALIDATED = 'VALIDATED',
  AWAITING_APPROVAL = 'AWAITING_APPROVAL',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  EXPIRED = 'EXPIRED',
  INVALID = 'INVALID',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}

/** What a pipeline is asked to do: customize a model, or deploy a model version. */
export type PipelineRequest = CustomizationRequest | DeploymentRequest;

/** Whether the request is a deployment's. */
export function isDeployment(request: PipelineRequest): request is DeploymentRequest {
  return 'environment' in request;
}

/** One approval, keyed by the approving person in the record. */
export interface Approval {
  readonly approver: string;
  readonly approvedAt: string;
}

/** A request's item in the decision table (partition key `requestId`). */
export interface RequestRecord {
  readonly requestId: string;
  readonly status: RequestStatus;
  readonly requester: string;
  readonly requesterPerson: string;
  readonly requestedAt: string;
  readonly request: PipelineRequest;
  readonly requiredApprovals: number;
  readonly approvals: Record<string, Approval>;
  /**
   * People besides the requester who may not approve, each with why: for a deployment, whoever
   * requested the model's training. Written before the request awaits approval.
   */
  readonly excludedPersons?: Record<string, string>;
  readonly executionArn?: string;
  /** The approval step's task token, sealed with the gate's token key (base64 ciphertext). */
  readonly taskToken?: string;
  readonly expiresAt?: string;
  readonly rejection?: { rejectedBy: string; rejectedAt: string; reason: string };
  readonly outcome?: string;
  /** The provenance manifest a customization wrote, pinned by version and checksum (record-store.ts). */
  readonly manifestKey?: string;
  readonly manifestVersionId?: string;
  readonly manifestSha256?: string;
}

/** The execution input the request handler starts the pipeline with. */
export interface PipelineInput {
  readonly requestId: string;
  readonly requester: string;
  readonly requestedAt: string;
  readonly request: PipelineRequest;
  /** Training then validation data, for the customization pipeline's checksum checks. */
  readonly datasets?: Dataset[];
}

/** A dataset of a request with the job channel it feeds. */
export interface Dataset extends DatasetRef {
  readonly channel: 'training' | 'validation';
}

/** A request's datasets, training then validation. */
export function datasetsOf(request: CustomizationRequest): Dataset[] {
  return [
    { channel: 'training', ...request.trainingData },
    { channel: 'validation', ...request.validationData },
  ];
}

/** Who asked and who approved, as the records of a request's outcome keep them: approvals in time order. */
export function peopleOf(record: RequestRecord) {
  return {
    requester: {
      identity: record.requester,
      person: record.requesterPerson,
      requestedAt: record.requestedAt,
    },
    approvals: Object.values(record.approvals)
      .map((a) => ({ approver: a.approver, approvedAt: a.approvedAt }))
      .sort((a, b) => a.approvedAt.localeCompare(b.approvedAt)),
    requiredApprovals: record.requiredApprovals,
  };
}
