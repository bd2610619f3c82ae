import { HeadObjectCommand, NotFound, S3Client } from '@aws-sdk/client-s3';
import { env } from './runtime';

const s3 = new S3Client({});

/** What S3 holds now under a dataset's key. */
export interface DatasetState {
  /** The current version; '' when the key holds no object. */
  readonly versionId: string;
  /** S3's SHA-256 of that version (`ChecksumSHA256`); '' when it has none. */
  readonly sha256: string;
}

/**
 * Reads the current version and SHA-256 of a dataset key in the training-data bucket (metadata
 * only). The pipeline compares them with the request: what a job reads is the current version.
 */
export async function handler(event: { key: string }): Promise<DatasetState> {
  try {
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: env('TRAINING_DATA_BUCKET'), Key: event.key, ChecksumMode: 'ENABLED' }),
    );
    return { versionId: head.VersionId ?? '', sha256: head.ChecksumSHA256 ?? '' };
  } catch (e) {
    if (e instanceof NotFound || (e as { name?: string }).name === 'NotFound')
      return { versionId: '', sha256: '' };
    throw e;
  }
}
