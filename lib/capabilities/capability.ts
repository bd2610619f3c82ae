/**
 * What a principal may do with models. Every part of the library speaks in these terms.
 */
export enum Capability {
  /** See models, jobs, lineage, metrics and provenance manifests. */
  READ = 'read',
  /** Call a model. */
  INFERENCE = 'inference',
  /** Change a model: fine-tuning, retraining, AutoML, imports. */
  CUSTOMIZATION = 'customization',
  /** Change what production serves: endpoints, inference components, custom model deployments, provisioned throughput. */
  DEPLOYMENT = 'deployment',
  /** Take weights or training data out. */
  WEIGHTS_ACCESS = 'weights-access',
  /** Decide a customization request. */
  APPROVAL = 'approval',
  /** Read what was asked of models and what they answered: the inference logs. */
  INFERENCE_LOG_ACCESS = 'inference-log-access',
  /** Change who may do any of the above. */
  PRIVILEGE_ADMIN = 'privilege-admin',
}

/**
 * The class of data a registry bucket holds, carried as the `model-access:data-class` tag.
 */
export enum DataClass {
  /** Model weights and other training outputs. */
  MODEL_ARTIFACTS = 'model-artifacts',
  /** Datasets used to customize models. */
  TRAINING_DATA = 'training-data',
  /** Model cards, lineage and provenance manifests. */
  METADATA = 'metadata',
  /** Model invocation logs: prompts and responses, kept apart from the weights. */
  INFERENCE_LOGS = 'inference-logs',
  /** CloudTrail log files. */
  AUDIT_LOGS = 'audit-logs',
  /** S3 server access logs of the other buckets. */
  ACCESS_LOGS = 'access-logs',
}

/** The capabilities over models: all but privilege administration. */
export const MODEL_CAPABILITIES: readonly Capability[] = [
  Capability.READ,
  Capability.INFERENCE,
  Capability.CUSTOMIZATION,
  Capability.DEPLOYMENT,
  Capability.WEIGHTS_ACCESS,
  Capability.APPROVAL,
  Capability.INFERENCE_LOG_ACCESS,
];

/** The data classes of a model registry's own buckets (not its logs). */
export const REGISTRY_DATA_CLASSES: readonly DataClass[] = [
  DataClass.MODEL_ARTIFACTS,
  DataClass.TRAINING_DATA,
  DataClass.METADATA,
];

/** The data classes whose readers and writers the analysis lists: the registry's, and the inference logs. */
export const GUARDED_DATA_CLASSES: readonly DataClass[] = [
  ...REGISTRY_DATA_CLASSES,
  DataClass.INFERENCE_LOGS,
];

/** Tag keys that other tools (the nag pack, the report) rely on. */
export const TAG_CAPABILITY = 'model-access:capability';
export const TAG_DATA_CLASS = 'model-access:data-class';
export const TAG_COMPONENT = 'model-access:component';

/** Values of the `model-access:component` tag: the pipeline's parts that other tools must recognize. */
export enum Component {
  /** The customization state machine. */
  CUSTOMIZATION_PIPELINE = 'customization-pipeline',
  /** The deployment state machine. */
  DEPLOYMENT_PIPELINE = 'deployment-pipeline',
  /** The function behind the approval endpoint: invoking its URL is APPROVAL. */
  APPROVAL_ENDPOINT = 'approval-endpoint',
  /** The function behind the request endpoint. */
  REQUEST_ENDPOINT = 'request-endpoint',
  /** Any other function of a pipeline: the approval gate, provenance, records, deployment steps. */
  PIPELINE_FUNCTION = 'pipeline-function',
  /** The table of decisions, which holds the approval step's task tokens. */
  DECISION_TABLE = 'decision-table',
  /** An alert rule of the audit trail. */
  ALERT_RULE = 'alert-rule',
  /** The audit trail's alert topic. */
  ALERT_TOPIC = 'alert-topic',
}
