import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  Capability,
  DataClass,
  MODEL_CAPABILITIES,
  REGISTRY_DATA_CLASSES,
  TAG_COMPONENT,
  TAG_DATA_CLASS,
} from '../../capabilities/capability';
import { catalogActions } from '../../capabilities/actions';
import { compactActions } from '../../capabilities/private/compact-actions';
import {
  GATE_MACHINERY,
  PIPELINE_FUNCTIONS,
  RECORD_PREFIXES,
} from '../../capabilities/private/gate-machinery';
import { GUARDED_DELETE_ACTIONS, GUARDED_WRITE_ACTIONS } from '../../private/registry-writes';
import { BEARER_TOKEN_ACTIONS } from '../../capabilities/private/api-keys';
import {
  NATIVE_APPROVAL_ACTIONS,
  SETS_APPROVED,
  SETS_LIFECYCLE_STAGE,
} from '../../capabilities/private/native-approval';

/**
 * Registry data a role of `capability` must never read. A customization job's service role reads
 * training data (CUSTOMIZATION with that WEIGHTS_ACCESS is not a merge), but neither the weights
 * nor metadata (READ with WEIGHTS_ACCESS is).
 */
export function forbiddenData(capability: Capability): DataClass[] {
  return capability === Capability.CUSTOMIZATION
    ? [DataClass.MODEL_ARTIFACTS, DataClass.METADATA]
    : [DataClass.MODEL_ARTIFACTS, DataClass.TRAINING_DATA];
}

/**
 * What a capability role's workload may do besides models: logs, metrics, traces, object storage,
 * encryption, queues, tables, configuration and VPC networking. Nothing here can assume, pass or
 * change a role, or run code as another identity (no sts:AssumeRole, iam:*, ssm:SendCommand).
 */
export const WORKLOAD_SUPPORT_ACTIONS = [
  'logs:CreateLogGroup',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'cloudwatch:PutMetricData',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  's3:GetObject',
  's3:GetObjectVersion',
  's3:PutObject',
  's3:ListBucket',
  's3:AbortMultipartUpload',
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:DescribeKey',
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:SendMessage',
  'sqs:GetQueueAttributes',
  'sqs:ChangeMessageVisibility',
  'sns:Publish',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'secretsmanager:GetSecretValue',
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/** What a capability role may still do to the pipelines' machinery: look at it, and call a URL it was granted. */
const GATE_READS = [
  'lambda:InvokeFunction*', // InvokeFunction is denied below unless through the URL
  'lambda:Get*',
  'lambda:List*',
  'states:Describe*',
  'states:List*',
  'dynamodb:Describe*',
];

/** The services a customization role may pass its job's service role to. */
export const MODEL_SERVICES = ['bedrock.amazonaws.com', 'sagemaker.amazonaws.com'];

/**
 * Explicit denies of every capability a role of `capability` must never hold. They name no
 * resource of this app: registry buckets are recognised by their data-class tag (S3 ABAC).
 */
export function capabilityDenies(capability: Capability, allowBearerTokens = false): iam.PolicyStatement[] {
  const others = MODEL_CAPABILITIES.filter((c) => c !== capability).flatMap((c) => catalogActions(c));
  const forbidden = forbiddenData(capability);
  return [
    new iam.PolicyStatement({
      sid: 'DenyWeightsAndTrainingData',
      effect: iam.Effect.DENY,
      actions: [
        ...new Set([
          ...catalogActions(Capability.WEIGHTS_ACCESS, { dataClasses: forbidden }),
          ...catalogActions(Capability.READ, { dataClasses: forbidden }),
        ]),
      ],
      resources: ['*'],
      conditions: { StringEquals: { [`aws:ResourceTag/${TAG_DATA_CLASS}`]: forbidden } },
    }),
    new iam.PolicyStatement({
      sid: 'DenyWritingWeightsAndTrainingData',
      effect: iam.Effect.DENY,
      actions: GUARDED_WRITE_ACTIONS,
      resources: ['*'],
      // Customization writes the weights it makes, and no dataset.
      conditions: {
        StringEquals: {
          [`aws:ResourceTag/${TAG_DATA_CLASS}`]:
            capability === Capability.CUSTOMIZATION
              ? [DataClass.TRAINING_DATA]
              : [DataClass.MODEL_ARTIFACTS, DataClass.TRAINING_DATA],
        },
      },
    }),
    new iam.PolicyStatement({
      sid: 'DenyDeletingWeightsAndTrainingData',
      effect: iam.Effect.DENY,
      actions: GUARDED_DELETE_ACTIONS,
      resources: ['*'],
      conditions: {
        StringEquals: {
          [`aws:ResourceTag/${TAG_DATA_CLASS}`]: [DataClass.MODEL_ARTIFACTS, DataClass.TRAINING_DATA],
        },
      },
    }),
    // Every capability role: whoever reads, invokes, customizes or deploys reads no prompts.
    new iam.PolicyStatement({
      sid: 'DenyInferenceLogs',
      effect: iam.Effect.DENY,
      actions: catalogActions(Capability.INFERENCE_LOG_ACCESS, { dataClasses: [DataClass.INFERENCE_LOGS] }),
      resources: ['*'],
      conditions: { StringEquals: { [`aws:ResourceTag/${TAG_DATA_CLASS}`]: DataClass.INFERENCE_LOGS } },
    }),
    new iam.PolicyStatement({
      sid: 'DenyOtherCapabilities',
      effect: iam.Effect.DENY,
      actions: compactActions(others),
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'DenyPrivilegeAdministration',
      effect: iam.Effect.DENY,
      actions: compactActions(catalogActions(Capability.PRIVILEGE_ADMIN)),
      resources: ['*'],
    }),
    // SageMaker's own approval: a package created or set Approved skips the deployment pipeline's
    // approval for whatever deploys on that status. Approval is the pipeline's, never a role's.
    new iam.PolicyStatement({
      sid: 'DenyNativeApproval',
      effect: iam.Effect.DENY,
      actions: [...NATIVE_APPROVAL_ACTIONS],
      resources: ['*'],
      conditions: { ...SETS_APPROVED },
    }),
    // Nor a lifecycle stage (the stages a model registry's governance promotes packages through).
    new iam.PolicyStatement({
      sid: 'DenyNativeLifecycleStage',
      effect: iam.Effect.DENY,
      actions: [...NATIVE_APPROVAL_ACTIONS],
      resources: ['*'],
      conditions: { ...SETS_LIFECYCLE_STAGE },
    }),
    // A bearer token (an API key) carries the role's capability to whoever holds it.
    ...(allowBearerTokens
      ? []
      : [
          new iam.PolicyStatement({
            sid: 'DenyBearerTokens',
            effect: iam.Effect.DENY,
            actions: [...BEARER_TOKEN_ACTIONS],
            resources: ['*'],
          }),
        ]),
    new iam.PolicyStatement({
      sid: 'DenyPassRole',
      effect: iam.Effect.DENY,
      actions: ['iam:PassRole'],
      resources: ['*'],
      // Customization passes its job's service role to Bedrock or SageMaker, and to nothing else.
      conditions:
        capability === Capability.CUSTOMIZATION
          ? { StringNotEquals: { 'iam:PassedToService': MODEL_SERVICES } }
          : undefined,
    }),
    // The pipelines' machinery, found by its component tag: changing or bypassing it is privilege
    // administration whatever the app grants.
    new iam.PolicyStatement({
      sid: 'DenyGateMachinery',
      effect: iam.Effect.DENY,
      // Everything but looking and calling through a URL: shorter than the catalog's list, which it covers.
      notActions: GATE_READS,
      resources: ['*'],
      conditions: { StringEquals: { [`aws:ResourceTag/${TAG_COMPONENT}`]: GATE_MACHINERY } },
    }),
    // Invoking a pipeline's function other than through its URL (whose grant needs InvokeFunction too).
    new iam.PolicyStatement({
      sid: 'DenyGateInvoke',
      effect: iam.Effect.DENY,
      actions: ['lambda:InvokeFunction'],
      resources: ['*'],
      conditions: {
        StringEquals: { [`aws:ResourceTag/${TAG_COMPONENT}`]: PIPELINE_FUNCTIONS },
        BoolIfExists: { 'lambda:InvokedViaFunctionUrl': 'false' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'DenyPipelineRecords',
      effect: iam.Effect.DENY,
      actions: catalogActions(Capability.PRIVILEGE_ADMIN, { pipelineRecords: true }),
      resources: RECORD_PREFIXES.map((prefix) => `arn:${Aws.PARTITION}:s3:::*/${prefix}*`),
      conditions: { StringEquals: { [`aws:ResourceTag/${TAG_DATA_CLASS}`]: DataClass.METADATA } },
    }),
    new iam.PolicyStatement({
      sid: 'DenyRegistryPolicyChanges',
      effect: iam.Effect.DENY,
      actions: [
        ...catalogActions(Capability.PRIVILEGE_ADMIN, { dataClasses: [...REGISTRY_DATA_CLASSES] }),
        ...catalogActions(Capability.PRIVILEGE_ADMIN, { registryKey: true }),
      ],
      resources: ['*'],
    }),
  ];
}
