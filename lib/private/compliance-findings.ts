import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { nagName } from './intrinsics';

const NIST = 'NIST.800.53.R5';
const HIPAA = 'HIPAA.Security';
const PCI = 'PCI.DSS.321';

/**
 * The rules of cdk-nag's packs that the library knowingly triggers, with the packs that carry
 * each (AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1, Serverless).
 */
const PACKS_OF = {
  IAM5: ['AwsSolutions'],
  IAMNoInlinePolicy: [NIST, HIPAA, PCI],
  LambdaInsideVPC: [NIST, HIPAA, PCI],
  LambdaDLQ: [NIST, HIPAA, 'Serverless'],
  LambdaConcurrency: [NIST, HIPAA],
  S3BucketReplicationEnabled: [NIST, HIPAA, PCI],
  S3DefaultEncryptionKMS: [NIST, HIPAA, PCI],
  DynamoDBInBackupPlan: [NIST, HIPAA],
  SQS3: ['AwsSolutions'],
  SQSRedrivePolicy: ['Serverless'],
} as const;

export type ComplianceRule = keyof typeof PACKS_OF;

/** Why a reader of a bucket of one data class (registry, audit logs, inference logs) may read every object of it. */
export const EVERY_OBJECT_OF_ITS_CLASS =
  'Every object of a bucket that holds one data class (its model-access:data-class tag): access is granted per data class, and each class has a bucket of its own.';

/** Why a role with X-Ray tracing has a statement on "*". */
export const XRAY_TAKES_ONLY_STAR =
  'X-Ray PutTraceSegments and PutTelemetryRecords accept only Resource "*".';

/**
 * Acknowledges a finding of `rule`, in every pack that has it, on `scope` and what it contains.
 * `finding` narrows it to one granular finding (`Resource::<Bucket.Arn>/*`).
 */
export function acknowledgeFinding(
  scope: IConstruct,
  rule: ComplianceRule,
  reason: string,
  finding?: string,
): void {
  const suffix = finding === undefined ? '' : `[${finding}]`;
  Validations.of(scope).acknowledge(
    ...PACKS_OF[rule].map((pack) => ({ id: `${pack}::${pack}-${rule}${suffix}`, reason })),
  );
}

/**
 * Acknowledges AwsSolutions-IAM5 for one wildcard resource, named as cdk-nag names it. Named when
 * the app is validated, after CDK has turned references to other stacks into imports, which is how
 * the template (and cdk-nag) spells them.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resourceArn: string, reason: string): void {
  scope.node.addValidation({
    validate: () => {
      acknowledgeFinding(scope, 'IAM5', reason, `Resource::${nagName(Stack.of(scope).resolve(resourceArn))}`);
      return [];
    },
  });
}

/** A dead-letter queue of alert rules has no dead-letter queue of its own: said once, for each. */
export function acknowledgeDeadLetterQueue(queue: IConstruct): void {
  const reason =
    'This queue is itself the dead-letter queue of the alert rules; nothing reads it to fail again.';
  acknowledgeFinding(queue, 'SQS3', reason);
  acknowledgeFinding(queue, 'SQSRedrivePolicy', reason);
}
