import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MotoServer } from '../../support/moto-server';
import { setHandlerEnv, urlEvent } from './events';

/**
 * The approval handler over a real conditional-write API: moto's DynamoDB, with the decision
 * table created and one request awaiting two approvals, requested by Alice, its task token sealed
 * with a key of moto's KMS.
 */
export interface DecisionTable {
  readonly approve: (caller: string) => Promise<APIGatewayProxyStructuredResultV2>;
  /** Puts the request back to awaiting approval, with no approvals (and `extra` attributes). */
  readonly reset: (extra?: Record<string, unknown>) => Promise<void>;
  /** The request as the table holds it now. */
  readonly stored: () => Promise<Record<string, unknown>>;
  readonly stop: () => Promise<void>;
  /** The sealed task token the record holds (`task-token`, sealed for this request). */
  readonly taskToken: string;
  /** moto's endpoint, for the IAM users and role sessions of a test. */
  readonly endpoint: string;
}

export const REQUEST_ID = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';

/** Starts moto and loads the handler with `env` over the test environment (the construct's, say). */
export async function decisionTable(env: Record<string, string> = {}): Promise<DecisionTable> {
  const moto = await MotoServer.start();
  setHandlerEnv();
  Object.assign(process.env, env, {
    TABLE_NAME: 'decisions',
    AWS_ENDPOINT_URL_DYNAMODB: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  });
  const kms = new KMSClient({ endpoint: moto.endpoint, region: 'us-east-1' });
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  process.env.TOKEN_KEY_ARN = KeyMetadata!.Arn!;
  process.env.AWS_ENDPOINT_URL_KMS = moto.endpoint;
  const { handler } = await import('../../../lib/pipeline/handlers/approval-handler');
  const { tokenContext } = await import('../../../lib/pipeline/handlers/task-token');
  // The task token as the gate seals it: only for this request of this table.
  const sealed = await kms.send(
    new EncryptCommand({
      KeyId: KeyMetadata!.Arn!,
      Plaintext: Buffer.from('task-token'),
      EncryptionContext: tokenContext(REQUEST_ID),
    }),
  );
  const taskToken = Buffer.from(sealed.CiphertextBlob!).toString('base64');
  const { documents } = await import('../../../lib/pipeline/handlers/runtime');
  await new DynamoDBClient({}).send(
    new CreateTableCommand({
      TableName: 'decisions',
      KeySchema: [{ AttributeName: 'requestId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'requestId', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const key = { TableName: 'decisions', Key: { requestId: REQUEST_ID } };
  return {
    approve: async (caller) =>
      handler(await urlEvent(caller, { requestId: REQUEST_ID, decision: 'approve' })),
    reset: async (extra = {}) => {
      await documents.send(
        new PutCommand({
          TableName: 'decisions',
          Item: {
            requestId: REQUEST_ID,
            status: 'AWAITING_APPROVAL',
            requester: 'arn:aws:sts::111111111111:assumed-role/Requester/alice',
            requesterPerson: 'alice',
            requestedAt: '2026-11-24T00:00:00.000Z',
            request: {},
            requiredApprovals: 2,
            approvals: {},
            taskToken,
            expiresAt: new Date(Date.now() + 3600_000).toISOString(),
            ...extra,
          },
        }),
      );
    },
    stored: async () => (await documents.send(new GetCommand({ ...key, ConsistentRead: true }))).Item!,
    stop: () => moto.stop(),
    endpoint: moto.endpoint,
    taskToken,
  };
}
