import { GetObjectCommand, HeadObjectCommand, NotFound, S3Client } from '@aws-sdk/client-s3';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { personOf } from './identity';
import type { ProvenanceManifest } from './provenance-writer';
import { RecordPin, sha256Of } from './record-store';
import { RequestRecord, RequestStatus } from './request-record';
import { documents, env } from './runtime';

const s3 = new S3Client({});
/** The customization request id in an artifact's S3 URI or a job's name: `customization/<id>/`, `customization-<id>`. */
const TRAINED_HERE =
  /customization[/-]([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:[/]|$)/;

/** What the deployment pipeline knows of the model version it was asked to deploy. */
export interface ModelToCheck {
  readonly requestId: string;
  /** What a customization produced, as its manifest records it: artifacts' S3 URI or custom model ARN. */
  readonly output: string;
  /** Where the customization's request id shows: the S3 URI, or the job's name. */
  readonly locator: string;
}

/** The provenance the deployment record keeps. */
export interface CheckedProvenance {
  /** The customization manifest's key in the metadata bucket, or `none` when provenance is not required. */
  readonly manifestKey: string;
  /** The person who requested the training, kept from approving the deployment. */
  readonly trainer?: string;
}

/** An error the pipeline reports as the request's fault (INVALID), by name. */
class ProvenanceError extends Error {
  constructor(name: 'ProvenanceMissing' | 'ProvenanceMismatch', message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * Checks that a model version came out of an approved customization of this platform: its
 * manifest (under object lock in the metadata bucket) exists, is the very version its pipeline
 * wrote and pinned (version id and SHA-256), names this very output, and records the approvals
 * it required. Records whoever requested the training as a person who may
 * not approve the deployment, before anyone can. A model without a manifest passes only where
 * the pipeline was told not to require provenance.
 */
export async function handler(event: ModelToCheck): Promise<CheckedProvenance> {
  const required = env('REQUIRE_PROVENANCE') === 'true';
  const trainedBy = TRAINED_HERE.exec(event.locator)?.[1];
  const manifestKey = trainedBy ? `provenance/${trainedBy}.json` : undefined;
  const pin = trainedBy ? await pinOf(trainedBy) : undefined;
  const manifest = manifestKey ? await read(manifestKey, pin) : undefined;
  if (!manifest) {
    if (required) {
      throw new ProvenanceError(
        'ProvenanceMissing',
        `${event.output} has no provenance manifest${manifestKey ? ` (${manifestKey} does not exist)` : ''}: only models customized by this platform's pipeline are deployed`,
      );
    }
    await record(event.requestId, {}, { manifestKey: 'none' });
    return { manifestKey: 'none' };
  }
  const approvals = Array.isArray(manifest.approvals) ? manifest.approvals.length : 0;
  const problem =
    manifest.requestId !== trainedBy
      ? `names request ${manifest.requestId}`
      : manifest.job?.outputModel !== event.output
        ? `records output ${manifest.job?.outputModel}, not ${event.output}`
        : !(manifest.requiredApprovals >= 1 && approvals >= manifest.requiredApprovals)
          ? `records ${approvals} of ${manifest.requiredApprovals} required approvals`
          : typeof manifest.requester?.identity !== 'string'
            ? 'names no requester'
            : undefined;
  if (problem) throw new ProvenanceError('ProvenanceMismatch', `the manifest ${manifestKey} ${problem}`);
  const trainer = manifest.requester.person ?? personOf(manifest.requester.identity);
  await record(
    event.requestId,
    { [trainer]: `requested the training of this model (customization ${trainedBy})` },
    { manifestKey: manifestKey!, trainer },
  );
  return { manifestKey: manifestKey!, trainer };
}

/**
 * The pin the customization pipeline recorded when it wrote the manifest of `requestId`: the
 * version id and SHA-256, from its decision table (only its functions write there).
 */
async function pinOf(requestId: string): Promise<RecordPin | undefined> {
  for (const table of JSON.parse(process.env.PROVENANCE_TABLES ?? '[]') as string[]) {
    const { Item } = await documents.send(
      new GetCommand({ TableName: table, Key: { requestId }, ConsistentRead: true }),
    );
    const record = Item as RequestRecord | undefined;
    if (record?.manifestKey && record.manifestVersionId && record.manifestSha256) {
      return { key: record.manifestKey, versionId: record.manifestVersionId, sha256: record.manifestSha256 };
    }
  }
  return undefined;
}

/**
 * The manifest at `key`, exactly as its pipeline wrote it: the pinned version, whose bytes must
 * have the pinned SHA-256, and no later version over it. A manifest with no pin (none of this
 * registry's customization pipelines wrote it) is no provenance.
 */
async function read(key: string, pin: RecordPin | undefined): Promise<ProvenanceManifest | undefined> {
  const Bucket = env('METADATA_BUCKET');
  let current;
  try {
    current = await s3.send(new HeadObjectCommand({ Bucket, Key: key }));
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (e instanceof NotFound || name === 'NotFound' || name === 'NoSuchKey') return undefined;
    throw e;
  }
  const refuse = (problem: string) =>
    new ProvenanceError('ProvenanceMismatch', `the manifest ${key} ${problem}`);
  if (!pin || pin.key !== key) {
    throw refuse(
      'was not written by a customization pipeline of this registry: no pipeline pinned its version',
    );
  }
  if (current.VersionId !== pin.versionId) {
    throw refuse(
      `was written over after the pipeline wrote it (version ${current.VersionId}, not the pinned ${pin.versionId}); only the pinned version is provenance`,
    );
  }
  const object = await s3.send(new GetObjectCommand({ Bucket, Key: key, VersionId: pin.versionId }));
  const bytes = await object.Body!.transformToByteArray();
  if (sha256Of(bytes) !== pin.sha256) {
    throw refuse(`version ${pin.versionId} does not have the SHA-256 the pipeline recorded`);
  }
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as ProvenanceManifest;
}

/** Writes the exclusions and the provenance into the request's record while it is still only submitted. */
function record(requestId: string, excludedPersons: Record<string, string>, provenance: CheckedProvenance) {
  return documents.send(
    new UpdateCommand({
      TableName: env('TABLE_NAME'),
      Key: { requestId },
      UpdateExpression: 'SET excludedPersons = :excluded, provenance = :provenance',
      ConditionExpression: '#status = :submitted',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':excluded': excludedPersons,
        ':provenance': provenance,
        ':submitted': RequestStatus.SUBMITTED,
      },
    }),
  );
}
