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

/**
 * Writes a record of what a request did (a provenance manifest, a deployment record) into the
 * metadata bucket, whose object lock keeps it: once (`If-None-Match: *`, never overwriting), with
 * a SHA-256 checksum object lock accepts; then notes its key in the request's record as `field`.
 */
export async function writeOnce(requestId: string, key: string, body: object, field: string): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: env('METADATA_BUCKET'),
      Key: key,
      Body: JSON.stringify(body, null, 2),
      ContentType: 'application/json',
      ChecksumAlgorithm: 'SHA256',
      IfNoneMatch: '*',
    }),
  );
  await documents.send(
    new UpdateCommand({
      TableName: env('TABLE_NAME'),
      Key: { requestId },
      UpdateExpression: 'SET #field = :key',
      ExpressionAttributeNames: { '#field': field },
      ExpressionAttributeValues: { ':key': key },
    }),
  );
}
