import { Capability, Component, DataClass, GUARDED_DATA_CLASSES } from './capability';
import {
  DECISION_RECORD_WRITES,
  PIPELINE_FUNCTIONS,
  PIPELINE_STATE_MACHINES,
} from './private/gate-machinery';
import { SERVICE_CREDENTIAL_ACTIONS } from './private/api-keys';
import { GUARDRAIL_CHANGE_ACTIONS } from './private/guardrails';

/**
 * What a statement's resources cover, as far as capabilities care. Analysis derives it from the
 * statement's `Resource`; a catalog entry with `on` counts only where the two overlap.
 */
export interface ResourceContext {
  /** Buckets (or their objects) and log groups tagged with these data classes. @default - none */
  readonly dataClasses?: DataClass[];
  /** A registry KMS key. @default false */
  readonly registryKey?: boolean;
  /** Every resource: `Resource: "*"`. @default false */
  readonly allResources?: boolean;
  /** The customization pipeline's approval endpoint. @default false */
  readonly approvalEndpoint?: boolean;
  /** The customization pipeline's decision table, where its task tokens are kept. @default false */
  readonly decisionTable?: boolean;
  /** Resources tagged `model-access:component` with one of these: the pipelines' machinery. @default - none */
  readonly components?: Component[];
  /** The pipelines' records in a metadata bucket: provenance manifests and deployment records. @default false */
  readonly pipelineRecords?: boolean;
}

/** A statement with `Resource: "*"` covers everything. */
export const ANY_RESOURCE: ResourceContext = {
  dataClasses: Object.values(DataClass),
  registryKey: true,
  allResources: true,
  approvalEndpoint: true,
  decisionTable: true,
  components: Object.values(Component),
  pipelineRecords: true,
};

/** One IAM action and the capability it confers. */
export interface CatalogEntry {
  /** `service:Action`, as the Service Authorization Reference spells it. */
  readonly action: string;
  readonly capability: Capability;
  /** The action confers the capability only on these resources. @default - on any resource */
  readonly on?: ResourceContext;
  /** The action confers the capability only together with one of these. @default - alone */
  readonly withAnyOf?: CatalogCompanion[];
  /**
   * The action starts a batch job that a service role runs (it needs iam:PassRole): a capability
   * role is not granted it with its targets, though it confers the capability wherever held.
   * @default false
   */
  readonly batchJob?: boolean;
  /**
   * The pipelines' own roles do this as their work (a state machine invoking its functions, a
   * function writing its records): it confers nothing on a role a pipeline component runs as.
   * @default false
   */
  readonly gateWork?: boolean;
  /**
   * A statement whose condition pins this key to this value does not confer the capability
   * (`lambda:InvokedViaFunctionUrl` = `true`: the function URL, not a direct invoke).
   * @default - every statement that grants the action confers it
   */
  readonly exceptWhere?: CatalogCondition;
}

/** A condition key and the value a statement pins it to. */
export interface CatalogCondition {
  readonly key: string;
  readonly value: string;
}

/** An action that, held by the same principal, completes a catalog entry. */
export interface CatalogCompanion {
  /** `service:Action`. */
  readonly action: string;
  /** It counts only on these resources. @default - on any resource */
  readonly on?: ResourceContext;
}

const WEIGHTS_DATA = [DataClass.MODEL_ARTIFACTS, DataClass.TRAINING_DATA];

function entries(
  capability: Capability,
  actions: string[],
  extra: Partial<CatalogEntry> = {},
): CatalogEntry[] {
  return actions.map((action) => ({ action, capability, ...extra }));
}

/**
 * The capability catalog (DESIGN.md). Every action here is checked against IAM's action list by
 * test/capabilities/catalog.test.ts.
 */
export const CATALOG: readonly CatalogEntry[] = [
  ...entries(Capability.READ, [
    'bedrock:GetFoundationModel',
    'bedrock:ListFoundationModels',
    'bedrock:GetCustomModel',
    'bedrock:ListCustomModels',
    'bedrock:GetModelCustomizationJob',
    'bedrock:ListModelCustomizationJobs',
    'bedrock:GetProvisionedModelThroughput',
    'bedrock:ListProvisionedModelThroughputs',
    'bedrock:GetInferenceProfile',
    'bedrock:ListInferenceProfiles',
    'bedrock:GetCustomModelDeployment',
    'bedrock:ListCustomModelDeployments',
    'bedrock:GetImportedModel',
    'bedrock:ListImportedModels',
    'bedrock:GetModelImportJob',
    'bedrock:ListModelImportJobs',
    'bedrock:GetModelCopyJob',
    'bedrock:ListModelCopyJobs',
    'sagemaker:DescribeModel',
    'sagemaker:ListModels',
    'sagemaker:DescribeEndpoint',
    'sagemaker:ListEndpoints',
    'sagemaker:DescribeEndpointConfig',
    'sagemaker:ListEndpointConfigs',
    'sagemaker:DescribeModelPackage',
    'sagemaker:ListModelPackages',
    'sagemaker:DescribeModelPackageGroup',
    'sagemaker:ListModelPackageGroups',
    'sagemaker:DescribeTrainingJob',
    'sagemaker:ListTrainingJobs',
    'sagemaker:DescribeInferenceComponent',
    'sagemaker:ListInferenceComponents',
    'sagemaker:DescribeAutoMLJobV2',
    'sagemaker:ListAutoMLJobs',
    'bedrock-mantle:GetModel',
    'bedrock-mantle:ListModels',
    'bedrock-mantle:GetCustomizedModel',
    'bedrock-mantle:ListCustomizedModels',
    'bedrock-mantle:GetFineTuningJob',
    'bedrock-mantle:ListFineTuningJobs',
  ]),
  ...entries(Capability.READ, ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket'], {
    on: { dataClasses: [DataClass.METADATA] },
  }),

  // Converse and ConverseStream are authorized as InvokeModel and InvokeModelWithResponseStream.
  ...entries(Capability.INFERENCE, [
    'bedrock:InvokeModel',
    'bedrock:InvokeModelWithResponseStream',
    'bedrock:InvokeAgent',
    'bedrock:InvokeInlineAgent',
    'bedrock:RetrieveAndGenerate',
    'bedrock-mantle:CreateInference',
    // Claude on AWS: Anthropic's API under its own prefix, authorized by IAM.
    'aws-external-anthropic:CreateInference',
    'aws-external-anthropic:CreateBatchInference',
    'sagemaker:InvokeEndpoint',
    'sagemaker:InvokeEndpointAsync',
    'sagemaker:InvokeEndpointWithResponseStream',
    // An AgentCore agent runtime invokes models for its callers: calling it is inference.
    'bedrock-agentcore:InvokeAgentRuntime',
    'bedrock-agentcore:InvokeAgentRuntimeForUser',
    'bedrock-agentcore:InvokeAgentRuntimeWithWebSocketStream',
    'bedrock-agentcore:InvokeAgentRuntimeWithWebSocketStreamForUser',
  ]),
  ...entries(Capability.INFERENCE, ['bedrock:CreateModelInvocationJob', 'sagemaker:CreateTransformJob'], {
    batchJob: true,
  }),

  ...entries(Capability.CUSTOMIZATION, [
    'bedrock:CreateModelCustomizationJob',
    'bedrock:StopModelCustomizationJob',
    'bedrock:CreateModelImportJob',
    'bedrock:CreateCustomModel',
    'bedrock-mantle:CreateFineTuningJob',
    'bedrock-mantle:CreateCustomizedModel',
    'sagemaker:CreateTrainingJob',
    'sagemaker:CreateHyperParameterTuningJob',
    'sagemaker:CreateAutoMLJob',
    'sagemaker:CreateAutoMLJobV2',
    'sagemaker:CreateModel',
    'sagemaker:CreateModelPackage',
  ]),
  ...entries(Capability.CUSTOMIZATION, ['s3:PutObject'], {
    on: { dataClasses: [DataClass.MODEL_ARTIFACTS] },
  }),

  ...entries(Capability.WEIGHTS_ACCESS, ['s3:GetObject', 's3:GetObjectVersion'], {
    on: { dataClasses: WEIGHTS_DATA },
  }),
  ...entries(Capability.DEPLOYMENT, [
    'sagemaker:CreateEndpoint',
    'sagemaker:UpdateEndpoint',
    'sagemaker:UpdateEndpointWeightsAndCapacities',
    'sagemaker:CreateInferenceComponent',
    'sagemaker:UpdateInferenceComponent',
    'bedrock:CreateCustomModelDeployment',
    'bedrock:UpdateCustomModelDeployment',
    'bedrock:CreateProvisionedModelThroughput',
    'bedrock:UpdateProvisionedModelThroughput',
  ]),

  ...entries(Capability.WEIGHTS_ACCESS, [
    'bedrock:CreateModelCopyJob',
    'bedrock:PutResourcePolicy',
    'sagemaker:CreateHubContentPresignedUrls',
    'sagemaker:PutModelPackageGroupPolicy',
  ]),

  // Prompts and responses, in their bucket or log group: whoever invokes, customizes or deploys
  // must not also read them.
  ...entries(
    Capability.INFERENCE_LOG_ACCESS,
    [
      's3:GetObject',
      's3:GetObjectVersion',
      'logs:GetLogEvents',
      'logs:FilterLogEvents',
      'logs:StartQuery',
      'logs:StartLiveTail',
      'logs:GetLogRecord',
    ],
    { on: { dataClasses: [DataClass.INFERENCE_LOGS] } },
  ),

  ...entries(Capability.APPROVAL, ['sagemaker:UpdateModelPackage']),
  // A package created already Approved skips the approval whatever deploys on that status; one
  // created pending (the status pinned) waits for it.
  ...entries(Capability.APPROVAL, ['sagemaker:CreateModelPackage'], {
    exceptWhere: { key: 'sagemaker:ModelApprovalStatus', value: 'PendingManualApproval' },
  }),
  ...entries(Capability.APPROVAL, ['lambda:InvokeFunctionUrl'], { on: { approvalEndpoint: true } }),
  // SendTask* alone is the ordinary callback-worker pattern; it approves only with a way to read
  // the pipeline's task tokens: execution histories, or the pipeline's decision table.
  ...entries(Capability.APPROVAL, ['states:SendTaskSuccess', 'states:SendTaskFailure'], {
    withAnyOf: [
      { action: 'states:GetExecutionHistory' },
      ...[
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:PartiQLSelect',
      ].map((action) => ({ action, on: { decisionTable: true } })),
    ],
  }),

  ...entries(Capability.PRIVILEGE_ADMIN, [
    'iam:PutRolePolicy',
    'iam:AttachRolePolicy',
    'iam:DetachRolePolicy',
    'iam:DeleteRolePolicy',
    'iam:CreatePolicyVersion',
    'iam:SetDefaultPolicyVersion',
    'iam:UpdateAssumeRolePolicy',
    'iam:PutRolePermissionsBoundary',
    'iam:DeleteRolePermissionsBoundary',
    'iam:PutUserPolicy',
    'iam:AttachUserPolicy',
    'iam:DetachUserPolicy',
    'iam:DeleteUserPolicy',
    'iam:PutUserPermissionsBoundary',
    'iam:DeleteUserPermissionsBoundary',
    'iam:PutGroupPolicy',
    'iam:AttachGroupPolicy',
    'iam:DetachGroupPolicy',
    'iam:DeleteGroupPolicy',
    // Taking over another identity, or retagging one (tags declare capability and drive ABAC).
    'iam:CreateAccessKey',
    'iam:CreateLoginProfile',
    'iam:UpdateLoginProfile',
    // Service-specific credentials: a Bedrock API key is one, long-lived, for the user it is minted
    // for; resetting or reactivating one hands it out again.
    ...SERVICE_CREDENTIAL_ACTIONS,
    ...GUARDRAIL_CHANGE_ACTIONS,
    'iam:AddUserToGroup',
    'iam:TagRole',
    'iam:UntagRole',
    'iam:TagUser',
    'iam:UntagUser',
    // A model package group's policy may deny SageMaker's own approval to all but a deployment
    // pipeline (DeploymentPipeline's modelPackageGroups); deleting it lifts the deny.
    'sagemaker:DeleteModelPackageGroupPolicy',
  ]),
  // Passing one named role is ordinary; passing any role is privilege administration.
  ...entries(Capability.PRIVILEGE_ADMIN, ['iam:PassRole'], { on: { allResources: true } }),
  ...entries(Capability.PRIVILEGE_ADMIN, ['kms:PutKeyPolicy', 'kms:CreateGrant'], {
    on: { registryKey: true },
  }),
  // Registry and inference-log buckets are guarded by their policies and, through ABAC, by their
  // data-class tags.
  ...entries(
    Capability.PRIVILEGE_ADMIN,
    [
      's3:PutBucketPolicy',
      's3:DeleteBucketPolicy',
      's3:PutBucketAbac',
      's3:PutBucketTagging',
      's3:TagResource',
      's3:UntagResource',
    ],
    { on: { dataClasses: [...GUARDED_DATA_CLASSES] } },
  ),
  // The machinery that enforces separation (DESIGN.md): whoever changes the pipelines' state
  // machines, functions, decision tables or records can approve, deploy or customize around them.
  ...entries(
    Capability.PRIVILEGE_ADMIN,
    [
      'states:UpdateStateMachine',
      'states:DeleteStateMachine',
      'states:CreateStateMachineAlias',
      'states:UpdateStateMachineAlias',
      'states:DeleteStateMachineAlias',
      'states:PublishStateMachineVersion',
      'states:DeleteStateMachineVersion',
    ],
    { on: { components: PIPELINE_STATE_MACHINES } },
  ),
  ...entries(
    Capability.PRIVILEGE_ADMIN,
    [
      'lambda:UpdateFunctionCode',
      'lambda:UpdateFunctionConfiguration',
      'lambda:PublishVersion',
      'lambda:CreateAlias',
      'lambda:UpdateAlias',
      'lambda:DeleteAlias',
      'lambda:AddPermission',
      'lambda:RemovePermission',
      'lambda:CreateFunctionUrlConfig',
      'lambda:UpdateFunctionUrlConfig',
      'lambda:DeleteFunctionUrlConfig',
      'lambda:DeleteFunction',
    ],
    { on: { components: PIPELINE_FUNCTIONS } },
  ),
  ...entries(
    Capability.PRIVILEGE_ADMIN,
    [
      'dynamodb:PutResourcePolicy',
      'dynamodb:DeleteResourcePolicy',
      'dynamodb:DeleteTable',
      'dynamodb:UpdateTable',
    ],
    {
      on: { components: [Component.DECISION_TABLE] },
    },
  ),
  // Silencing the alerts: disabling, retargeting or rewriting a rule, or the topic's policy and subscriptions.
  ...entries(
    Capability.PRIVILEGE_ADMIN,
    [
      'events:DisableRule',
      'events:DeleteRule',
      'events:PutRule',
      'events:PutTargets',
      'events:RemoveTargets',
    ],
    { on: { components: [Component.ALERT_RULE] } },
  ),
  ...entries(
    Capability.PRIVILEGE_ADMIN,
    [
      'sns:SetTopicAttributes',
      'sns:AddPermission',
      'sns:RemovePermission',
      'sns:DeleteTopic',
      'sns:Subscribe',
      'sns:Unsubscribe',
      'sns:PutDataProtectionPolicy',
    ],
    { on: { components: [Component.ALERT_TOPIC] } },
  ),
  // Invoking a pipeline function directly (only the URL and the state machine are its callers),
  // writing the decision table or the records: the gate's own work, anyone else's forgery.
  ...entries(Capability.PRIVILEGE_ADMIN, ['lambda:InvokeFunction'], {
    on: { components: PIPELINE_FUNCTIONS },
    gateWork: true,
    exceptWhere: { key: 'lambda:InvokedViaFunctionUrl', value: 'true' },
  }),
  ...entries(Capability.PRIVILEGE_ADMIN, [...DECISION_RECORD_WRITES], {
    on: { components: [Component.DECISION_TABLE] },
    gateWork: true,
  }),
  ...entries(Capability.PRIVILEGE_ADMIN, ['s3:PutObject'], { on: { pipelineRecords: true }, gateWork: true }),
  // Object lock in governance mode holds provenance manifests, audit logs and inference logs only
  // against those who may not bypass it: whoever may, can rewrite the record.
  ...entries(Capability.PRIVILEGE_ADMIN, ['s3:BypassGovernanceRetention'], {
    on: { dataClasses: [DataClass.METADATA, DataClass.AUDIT_LOGS, DataClass.INFERENCE_LOGS] },
  }),
];
