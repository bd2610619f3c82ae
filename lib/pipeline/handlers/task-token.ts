import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { env } from './runtime';

const kms = new KMSClient({});

/**
 * The encryption context that binds a sealed task token to its request and pipeline: a token
 * copied into another request's record does not open there.
 */
export function tokenContext(requestId: string): Record<string, string> {
  return { requestId, table: env('TABLE_NAME') };
}

/** Opens the sealed task token of a request (the approval handler alone may: the key policy says so). */
export async function openToken(requestId: string, sealed: string): Promise<string> {
  const opened = await kms.send(
    new DecryptCommand({
      KeyId: env('TOKEN_KEY_ARN'),
      CiphertextBlob: Buffer.from(sealed, 'base64'),
      EncryptionContext: tokenContext(requestId),
    }),
  );
  return Buffer.from(opened.Plaintext!).toString('utf8');
}
