import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource, EVERY_OBJECT_OF_ITS_CLASS } from '../../private/compliance-findings';
import { SelfBoundedRole } from '../../roles/self-bounded-role';

/**
 * The auditor role (tag `auditor`): reads the log files, decrypting through S3 only, and queries
 * the log group; nothing else, since its boundary allows only what is granted here.
 */
export function auditorRole(
  scope: Construct,
  auditors: iam.IPrincipal,
  logBucket: s3.IBucket,
  logGroup: logs.ILogGroup,
  key: kms.IKey,
  roleName?: string,
): SelfBoundedRole {
  const role = new SelfBoundedRole(scope, 'Auditor', 'auditor', {
    assumedBy: auditors,
    roleName,
    description: 'cdk-model-access auditor: reads the audit logs and nothing else',
  });
  const statements = [
    new iam.PolicyStatement({
      sid: 'ReadLogFiles',
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [logBucket.arnForObjects('*')],
    }),
    new iam.PolicyStatement({
      sid: 'ListLogFiles',
      actions: ['s3:ListBucket', 's3:ListBucketVersions'],
      resources: [logBucket.bucketArn],
    }),
    new iam.PolicyStatement({
      sid: 'DecryptLogFilesThroughS3',
      actions: ['kms:Decrypt'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
    }),
    new iam.PolicyStatement({
      sid: 'ReadTrailLogGroup',
      actions: [
        'logs:DescribeLogStreams',
        'logs:GetLogEvents',
        'logs:FilterLogEvents',
        'logs:StartQuery',
        'logs:GetQueryResults',
        'logs:StopQuery',
      ],
      resources: [logGroup.logGroupArn],
    }),
  ];
  for (const statement of statements) role.addToPrincipalPolicy(statement);
  acknowledgeWildcardResource(role, logBucket.arnForObjects('*'), EVERY_OBJECT_OF_ITS_CLASS);
  // The log key's policy must let the auditor decrypt; identity policies alone cannot.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AuditorDecryptsLogFilesThroughS3',
      principals: [new iam.ArnPrincipal(role.roleArn)],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
    }),
  );
  return role;
}
