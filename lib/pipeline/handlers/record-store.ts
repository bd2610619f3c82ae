import { createHash } from 'crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RequestRecord } from './request-record';
import { documents, env } from './runtime';

const s3 = new S3Client({});

/** A request's record as the decision table holds it now (a consistent read), if there is one. */
export async function loadRecord(requestId: string): Promise<RequestRecord | undefined> {
  const result = await documents.send(
    new GetCommand({ TableName: env('TABLE_NAME'), Key: { requestId }, ConsistentRead: true }),
  );
  return result.Item as RequestRecord | undefined;
}

/** Where a record was written, pinned: the version S3 gave it and the SHA-256 of its bytes (base64). */
export interface RecordPin {
  readonly key: string;
  readonly versionId: string;
  readonly sha256: string;
}

/** SHA-256 of bytes, base64, as S3 reports `ChecksumSHA256` for an object put in one part. */
export function sha256Of(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64');
}

/**
 * Writes a record of what a request did (a provenance manifest, a deployment record) into the
 * metadata bucket, whose object lock keeps it: once (`If-None-Match: *`, never overwriting), with
 * a SHA-256 checksum object lock accepts; then pins it in the request's record, once:
 * `<name>Key`, `<name>VersionId` and `<name>Sha256`. Whoever checks the record later reads that
 * version and compares that checksum: a later version written over it is not the record.
 */
export async function writeOnce(requestId: string, key: string, body: object, name: string): Promise<void> {
  const text = JSON.stringify(body, null, 2);
  const sha256 = sha256Of(text);
  const put = await s3.send(
    new PutObjectCommand({
      Bucket: env('METADATA_BUCKET'),
      Key: key,
      Body: text,
      ContentType: 'application/json',
      ChecksumAlgorithm: 'SHA256',
      ChecksumSHA256: sha256,
      IfNoneMatch: '*',
    }),
  );
  if (!put.VersionId) throw new Error(`the metadata bucket gave ${key} no version id: is versioning on?`);
  await documents.send(
    new UpdateCommand({
      TableName: env('TABLE_NAME'),
      Key: { requestId },
      UpdateExpression: 'SET #key = :key, #version = :version, #sha256 = :sha256',
      ConditionExpression: 'attribute_not_exists(#key)',
      ExpressionAttributeNames: {
        '#key': `${name}Key`,
        '#version': `${name}VersionId`,
        '#sha256': `${name}Sha256`,
      },
      ExpressionAttributeValues: { ':key': key, ':version': put.VersionId, ':sha256': sha256 },
    }),
  );
}
