import * as http from 'http';
import * as https from 'https';
import {
  BedrockClient,
  DeleteModelInvocationLoggingConfigurationCommand,
  PutModelInvocationLoggingConfigurationCommand,
} from '@aws-sdk/client-bedrock';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

const bedrock = new BedrockClient({});

/** What the construct asks for, in the custom resource's properties. */
export interface LoggingProperties {
  readonly BucketName: string;
  readonly KeyPrefix: string;
  readonly Text: string;
  readonly Image: string;
  readonly Embedding: string;
  readonly Video: string;
  /** The log group to deliver to as well, or '' for the bucket alone. */
  readonly LogGroupName: string;
  /** The role Bedrock delivers to the log group as ('' without one). */
  readonly LogsRoleArn: string;
}

/** The one physical id: invocation logging is one configuration per account and region. */
export const PHYSICAL_ID = 'model-invocation-logging';

/**
 * Turns Bedrock model invocation logging on (Create, Update) into the construct's bucket, and off
 * (Delete). CloudFormation invokes it and waits for its answer at the pre-signed ResponseURL;
 * every outcome, a failure included, is reported there with its reason, so a stack never hangs.
 */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<void> {
  try {
    if (event.RequestType === 'Delete') {
      await bedrock.send(new DeleteModelInvocationLoggingConfigurationCommand({}));
    } else {
      const p = event.ResourceProperties as unknown as LoggingProperties;
      await bedrock.send(
        new PutModelInvocationLoggingConfigurationCommand({
          loggingConfig: {
            s3Config: { bucketName: p.BucketName, keyPrefix: p.KeyPrefix },
            // Bodies over 100 KB go to the bucket, as everything else does.
            cloudWatchConfig: p.LogGroupName
              ? {
                  logGroupName: p.LogGroupName,
                  roleArn: p.LogsRoleArn,
                  largeDataDeliveryS3Config: { bucketName: p.BucketName, keyPrefix: p.KeyPrefix },
                }
              : undefined,
            textDataDeliveryEnabled: p.Text === 'true',
            imageDataDeliveryEnabled: p.Image === 'true',
            embeddingDataDeliveryEnabled: p.Embedding === 'true',
            videoDataDeliveryEnabled: p.Video === 'true',
          },
        }),
      );
    }
    await respond(
      event,
      'SUCCESS',
      `model invocation logging ${event.RequestType === 'Delete' ? 'off' : 'on'}`,
    );
  } catch (e) {
    await respond(event, 'FAILED', `${(e as Error).name}: ${(e as Error).message}`);
  }
}

/** Sends CloudFormation the outcome at the event's pre-signed URL. */
export function respond(
  event: CloudFormationCustomResourceEvent,
  status: 'SUCCESS' | 'FAILED',
  reason: string,
): Promise<void> {
  const body = JSON.stringify({
    Status: status,
    Reason: reason.slice(0, 3000),
    PhysicalResourceId: PHYSICAL_ID,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  return new Promise((resolve, reject) => {
    // CloudFormation's URLs are https; a local test server's may be http.
    const request = event.ResponseURL.startsWith('http:') ? http.request : https.request;
    const req = request(
      event.ResponseURL,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
