import { Capability } from '../../capabilities/capability';
import { catalogActions } from '../../capabilities/actions';
import { SERVICE_CREDENTIAL_ACTIONS } from '../../capabilities/private/api-keys';
import { GUARDRAIL_CHANGE_ACTIONS } from '../../capabilities/private/guardrails';
import { NATIVE_APPROVAL_ACTIONS } from '../../capabilities/private/native-approval';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** CloudTrail's `detail-type` for API calls, as EventBridge receives them. */
export const API_CALL = 'AWS API Call via CloudTrail';

/**
 * The catalog's calls of one capability (CUSTOMIZATION or DEPLOYMENT), by service: the API names
 * CloudTrail records as management events (`aws.<service>`, `<service>.amazonaws.com`). Object
 * writes to the registry are S3 data events, recorded by the trail and not alerted on here.
 */
export function capabilityEvents(capability: Capability): Record<string, string[]> {
  const byService: Record<string, string[]> = {};
  for (const action of catalogActions(capability)) {
    const [service, name] = action.split(':');
    if (service !== 's3') (byService[service] ??= []).push(name);
  }
  return byService;
}

/** IAM calls that change a role's permissions, trust, boundary, tags or sessions (`requestParameters.roleName`). */
export const ROLE_CHANGE_EVENTS = [
  'PutRolePolicy',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'DeleteRolePolicy',
  'PutRolePermissionsBoundary',
  'DeleteRolePermissionsBoundary',
  'UpdateAssumeRolePolicy',
  // Tags declare a role's capability and drive ABAC; UpdateRole lengthens its sessions.
  'TagRole',
  'UntagRole',
  'UpdateRole',
];

/**
 * IAM calls that mint, hand out again or reactivate a service-specific credential: a long-term
 * Bedrock API key (or another service's), usable until deleted.
 */
export const SERVICE_CREDENTIAL_EVENTS = SERVICE_CREDENTIAL_ACTIONS.map((a) => a.split(':')[1]);

/** IAM calls that change what a managed policy (a boundary or model policy) says (`requestParameters.policyArn`). */
export const POLICY_CHANGE_EVENTS = ['CreatePolicyVersion', 'SetDefaultPolicyVersion'];

/** S3 calls that change a registry bucket's policy or the data-class tag its denies key on. */
export const BUCKET_POLICY_EVENTS = [
  'PutBucketPolicy',
  'DeleteBucketPolicy',
  'PutBucketTagging',
  'DeleteBucketTagging',
];

/** KMS calls that change who may use one of the platform's keys, or stop it from working. */
export const KEY_POLICY_EVENTS = [
  'PutKeyPolicy',
  'CreateGrant',
  'DisableKey',
  'ScheduleKeyDeletion',
  'DisableKeyRotation',
];

/** Step Functions calls that change or remove a pipeline's state machine (`requestParameters.stateMachineArn`). */
export const STATE_MACHINE_CHANGE_EVENTS = [
  'UpdateStateMachine',
  'DeleteStateMachine',
  'PublishStateMachineVersion',
  'CreateStateMachineAlias',
  'UpdateStateMachineAlias',
  'DeleteStateMachineAlias',
  'DeleteStateMachineVersion',
];

/**
 * Lambda calls that change what a pipeline function runs, who may call it, or remove it
 * (`requestParameters.functionName`). CloudTrail names them with an API version suffix
 * (`UpdateFunctionCode20150331v2`), so they are matched by prefix.
 */
export const FUNCTION_CHANGE_EVENTS = [
  'UpdateFunctionCode',
  'UpdateFunctionConfiguration',
  'PublishVersion',
  'CreateAlias',
  'UpdateAlias',
  'DeleteAlias',
  'AddPermission',
  'RemovePermission',
  'CreateFunctionUrlConfig',
  'UpdateFunctionUrlConfig',
  'DeleteFunctionUrlConfig',
  'DeleteFunction',
];

/** DynamoDB calls that change who may write a decision table, or remove it. */
export const DECISION_TABLE_CHANGE_EVENTS = [
  'PutResourcePolicy',
  'DeleteResourcePolicy',
  'UpdateTable',
  'DeleteTable',
];

/** A name as a caller may give it: itself, or at the end of an ARN after `separator`. */
function byNameOrArn(names: string[], separator: string): Json[] {
  return names.flatMap((n) => [n, { suffix: `${separator}${n}` }]);
}

/** Changes to a pipeline's functions: what they run, who may call them, their URLs, or their removal. */
export function pipelineFunctionsPattern(functionNames: string[]): Json {
  return apiCalls(['lambda'], {
    eventName: FUNCTION_CHANGE_EVENTS.map((prefix) => ({ prefix })),
    requestParameters: { functionName: byNameOrArn(functionNames, ':') },
  });
}

/** Changes to a pipeline's state machine, or to who may write its decision table. */
export function pipelineStatePattern(stateMachineArns: string[], tableNames: string[]): Json {
  return {
    source: ['aws.states', 'aws.dynamodb'],
    'detail-type': [API_CALL],
    detail: {
      $or: [
        {
          eventSource: ['states.amazonaws.com'],
          eventName: STATE_MACHINE_CHANGE_EVENTS,
          requestParameters: { stateMachineArn: stateMachineArns },
        },
        {
          eventSource: ['dynamodb.amazonaws.com'],
          eventName: DECISION_TABLE_CHANGE_EVENTS,
          requestParameters: { tableName: tableNames },
        },
        {
          eventSource: ['dynamodb.amazonaws.com'],
          eventName: DECISION_TABLE_CHANGE_EVENTS,
          requestParameters: { resourceArn: tableNames.map((n) => ({ suffix: `/${n}` })) },
        },
      ],
    },
  };
}

/** EventBridge calls that silence, retarget or rewrite a rule (`requestParameters.name`). */
export const ALERT_RULE_EVENTS = ['DisableRule', 'DeleteRule', 'PutRule', 'PutTargets', 'RemoveTargets'];

/**
 * Changes to the rules whose names begin with `namePrefix`: every alert rule of a trail, this one
 * included, so disabling or retargeting any of them, this one first, is told.
 */
export function alertRulesPattern(namePrefix: string): Json {
  return apiCalls(['events'], {
    eventName: ALERT_RULE_EVENTS,
    requestParameters: { name: [{ prefix: namePrefix }] },
  });
}

/** SNS calls that change who may publish to, read or remove the alert topic, or who receives it. */
export const ALERT_TOPIC_EVENTS = [
  'SetTopicAttributes',
  'AddPermission',
  'RemovePermission',
  'DeleteTopic',
  'Subscribe',
  'Unsubscribe',
  'PutDataProtectionPolicy',
];

/**
 * Changes to the alert topic: its policy, its subscriptions (an unsubscription names the
 * subscription, whose ARN begins with the topic's), its protection, or its removal.
 */
export function alertTopicPattern(topicArn: string): Json {
  return apiCalls(['sns'], {
    eventName: ALERT_TOPIC_EVENTS,
    $or: [
      { requestParameters: { topicArn: [topicArn] } },
      { requestParameters: { resourceArn: [topicArn] } },
      { requestParameters: { subscriptionArn: [{ prefix: `${topicArn}:` }] } },
    ],
  });
}

/** CloudTrail calls that stop or narrow the record. */
export const TRAIL_EVENTS = ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'];

/** An event pattern for CloudTrail-recorded calls of one or more services. */
function apiCalls(services: string[], detail: Json): Json {
  return {
    source: services.map((s) => `aws.${s}`),
    'detail-type': [API_CALL],
    detail: { eventSource: services.map((s) => `${s}.amazonaws.com`), ...detail },
  };
}

/** Calls of the capability's actions by anyone but sessions of `exempt` roles. */
export function outsidePipelinePattern(capability: Capability, exemptRoleArns: string[]): Json {
  const events = capabilityEvents(capability);
  return apiCalls(Object.keys(events), {
    eventName: Object.values(events).flat(),
    ...exceptRoles(exemptRoleArns),
  });
}

/** A SageMaker model package created or set `Approved` by anyone but sessions of `exempt` roles. */
export function modelPackageApprovalPattern(exemptRoleArns: string[]): Json {
  return apiCalls(['sagemaker'], {
    eventName: NATIVE_APPROVAL_ACTIONS.map((a) => a.split(':')[1]),
    requestParameters: { modelApprovalStatus: ['Approved'] },
    ...exceptRoles(exemptRoleArns),
  });
}

/** Bedrock's calls that change or switch off model invocation logging. */
export const INVOCATION_LOGGING_EVENTS = [
  'PutModelInvocationLoggingConfiguration',
  'DeleteModelInvocationLoggingConfiguration',
];

/** Changes to model invocation logging by anyone but `exempt` roles (the construct's own custom resource). */
export function invocationLoggingPattern(exemptRoleArns: string[]): Json {
  return apiCalls(['bedrock'], { eventName: INVOCATION_LOGGING_EVENTS, ...exceptRoles(exemptRoleArns) });
}

/**
 * Callers other than sessions of `exempt` roles: an assumed role whose issuer is not one of them,
 * or any caller that is not an assumed role (a user, the root user, a federated user).
 */
function exceptRoles(exemptRoleArns: string[]): Json {
  if (exemptRoleArns.length === 0) return {};
  return {
    $or: [
      { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': exemptRoleArns }] } } } },
      { userIdentity: { type: [{ 'anything-but': ['AssumedRole'] }] } },
    ],
  };
}

/** EventBridge's default limit on an event pattern, in characters. */
export const MAX_PATTERN_LENGTH = 2048;
/** Role names per rule: at 64 characters each (IAM's longest), the pattern stays within the limit. */
export const ROLES_PER_RULE = 20;
/** Policy ARNs per rule: at 168 characters each (the longest partition, a 128-character name), likewise. */
export const POLICIES_PER_RULE = 8;

/** Changes to the permissions, boundary or trust of the named roles. */
export function roleChangePattern(roleNames: string[]): Json {
  return apiCalls(['iam'], { eventName: ROLE_CHANGE_EVENTS, requestParameters: { roleName: roleNames } });
}

/**
 * Every IAM call that the role and policy change alerts look for, whatever role or policy it
 * names: what a forwarder sends from the region where IAM's events reach EventBridge.
 */
export function iamChangesPattern(): Json {
  return apiCalls(['iam'], {
    eventName: [...ROLE_CHANGE_EVENTS, ...POLICY_CHANGE_EVENTS, ...SERVICE_CREDENTIAL_EVENTS],
  });
}

/** A guardrail changed or deleted, or the account's enforcement of one. */
export function guardrailChangesPattern(): Json {
  return apiCalls(['bedrock'], { eventName: GUARDRAIL_CHANGE_ACTIONS.map((a) => a.split(':')[1]) });
}

/** A service-specific credential created, reset or reactivated, for any user and any service. */
export function serviceCredentialPattern(): Json {
  return apiCalls(['iam'], { eventName: SERVICE_CREDENTIAL_EVENTS });
}

/** New or restored versions of the named managed policies (boundaries, model policies). */
export function policyChangePattern(policyArns: string[]): Json {
  return apiCalls(['iam'], { eventName: POLICY_CHANGE_EVENTS, requestParameters: { policyArn: policyArns } });
}

/** Registry bucket names per rule (three registries): at 63 characters each (S3's longest), with the keys below, the pattern fits. */
export const BUCKETS_PER_RULE = 9;
/** Keys per rule, each named by its id and its ARN (up to 86 characters in the longest partition). */
export const KEYS_PER_RULE = 6;

/**
 * Policy changes of the named buckets and keys. A key is named in a call by its id or its ARN,
 * so both are listed. A kind with nothing named is left out: EventBridge refuses an empty list.
 */
export function registryPolicyPattern(bucketNames: string[], keyIdsAndArns: string[]): Json {
  const branches: Json[] = [];
  if (bucketNames.length > 0) {
    branches.push({
      eventSource: ['s3.amazonaws.com'],
      eventName: BUCKET_POLICY_EVENTS,
      requestParameters: { bucketName: bucketNames },
    });
  }
  if (keyIdsAndArns.length > 0) {
    branches.push({
      eventSource: ['kms.amazonaws.com'],
      eventName: KEY_POLICY_EVENTS,
      requestParameters: { keyId: keyIdsAndArns },
    });
  }
  return {
    source: ['aws.s3', 'aws.kms'],
    'detail-type': [API_CALL],
    detail: branches.length === 1 ? branches[0] : { $or: branches },
  };
}

/** Any trail of the account stopped, deleted or reconfigured: the record itself is at stake. */
export function trailTamperingPattern(): Json {
  return apiCalls(['cloudtrail'], { eventName: TRAIL_EVENTS });
}
