import { ArnFormat, Duration, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DataClass, TAG_DATA_CLASS } from '../capabilities/capability';
import { acknowledgeFinding } from './compliance-findings';

/**
 * A bucket for S3 server access logs, tagged `access-logs`: SSE-S3 (the only encryption log
 * delivery supports), versioned, TLS only, no public access.
 */
export function accessLogsBucket(
  scope: Construct,
  id: string,
  removalPolicy: RemovalPolicy,
  expiration?: Duration,
): s3.Bucket {
  // S3 expires objects after whole days, at least one: 0 (or 12 hours) would be refused at deploy.
  const days = expiration?.toDays({ integral: false });
  if (days !== undefined && !Token.isUnresolved(days) && !(Number.isInteger(days) && days >= 1)) {
    throw new Error(
      `${scope.node.path}: accessLogsExpiration must be a whole number of days, at least 1 (got ${expiration!.toHumanString()}); omit it to keep access logs.`,
    );
  }
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    removalPolicy,
    lifecycleRules: expiration ? [{ expiration, noncurrentVersionExpiration: expiration }] : undefined,
  });
  Tags.of(bucket).add(TAG_DATA_CLASS, DataClass.ACCESS_LOGS);
  acknowledgeFinding(
    bucket,
    'S3DefaultEncryptionKMS',
    'S3 server access logging delivers only to buckets encrypted with SSE-S3 (AES256).',
  );
  acknowledgeFinding(
    bucket,
    'S3BucketReplicationEnabled',
    "Server access logs of the buckets that log here, versioned and retained; copy them to a log archive with your organization's logs if required.",
  );
  return bucket;
}

/** What a bucket of records holds and how long. */
export interface RecordBucketProps {
  readonly dataClass: DataClass;
  readonly encryptionKey: kms.IKey;
  /** Object lock: the records cannot be changed or deleted for this long. */
  readonly lock: s3.ObjectLockRetention;
  readonly accessLogs: s3.IBucket;
  /** Why it is not replicated (an acknowledgement of other packs). */
  readonly notReplicated: string;
  /** @default - none */
  readonly lifecycleRules?: s3.LifecycleRule[];
}

/**
 * A bucket of records (audit logs, inference logs): KMS-encrypted, versioned, object-locked, no
 * public access, TLS only, server access logs, retained, tagged with its data class.
 */
export function recordBucket(scope: Construct, id: string, props: RecordBucketProps): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: props.encryptionKey,
    bucketKeyEnabled: true,
    versioned: true,
    objectLockEnabled: true,
    objectLockDefaultRetention: props.lock,
    lifecycleRules: props.lifecycleRules,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    serverAccessLogsBucket: props.accessLogs,
    serverAccessLogsPrefix: `${props.dataClass}/`,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Tags.of(bucket).add(TAG_DATA_CLASS, props.dataClass);
  // ABAC: capability roles' boundaries recognise the bucket by its tag (they deny inference logs).
  (bucket.node.defaultChild as s3.CfnBucket).abacStatus = 'Enabled';
  acknowledgeFinding(bucket, 'S3BucketReplicationEnabled', props.notReplicated);
  return bucket;
}

/** Lets CloudWatch Logs encrypt this account's log groups in the stack's region with the key. */
export function allowCloudWatchLogs(key: kms.IKey, scope: Construct): void {
  const stack = Stack.of(scope);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchLogsEncryptsLogGroups',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
}
