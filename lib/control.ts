import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ModelTarget } from './capabilities/model-target';
import { regionProblem } from './private/regions';
import { InvocationLogging } from './audit/invocation-logging';
import { ModelAuditTrail, ModelAuditTrailProps } from './audit/model-audit-trail';
import { ModelInvocationAlarms, ModelInvocationAlarmsOptions } from './audit/model-invocation-alarms';
import { ModelInvocationLogging } from './audit/model-invocation-logging';
import { bedrockModelId } from './audit/private/bedrock-model-id';
import { CustomizationBackend } from './pipeline/customization-backend';
import { CustomizationPipeline } from './pipeline/customization-pipeline';
import { DeploymentPipeline } from './pipeline/deployment-pipeline';
import { DeploymentTarget } from './pipeline/deployment-target';
import { Hyperparameter } from './pipeline/hyperparameter';
import { ModelRegistry, ModelRegistryProps } from './registry/model-registry';
import { AccessConditions } from './roles/access-conditions';
import {
  CustomizationApproverRole,
  CustomizationRequesterRole,
} from './roles/customization-participant-roles';
import { DeploymentApproverRole, DeploymentRequesterRole } from './roles/deployment-participant-roles';
import { InferenceGuardrail, ModelInferenceRole } from './roles/model-inference-role';
import { ModelReadRole } from './roles/model-read-role';
import { identityCenterRoleName, principalArn } from './private/session-names';

export interface ModelAccessControlProps {
  /** The models readers may see and invokers may call; at least one when either is named. */
  readonly models: ModelTarget[];

  /**
   * Who may read models' metadata and provenance (a ModelReadRole).
   * @default - no read role
   */
  readonly readers?: iam.IPrincipal;

  /**
   * Who may call the models (a ModelInferenceRole): typically a service.
   * @default - no inference role
   */
  readonly invokers?: iam.IPrincipal;

  /**
   * Who may request customizations through the pipeline and upload datasets. Together with
   * `approvers` and `baseModels`, it makes the customization pipeline. People must be told
   * apart by a name they cannot choose: IAM users (through a role whose trust pins the session
   * name to the user name) or an IAM Identity Center permission-set role, granted directly.
   * @default - no pipeline
   */
  readonly customizationRequesters?: iam.IPrincipal;

  /**
   * Who may approve or reject other people's customization requests; told apart as requesters are.
   * @default - no pipeline
   */
  readonly approvers?: iam.IPrincipal;

  /**
   * The base models a request may customize (the pipeline's allowlist).
   * @default - no pipeline
   */
  readonly baseModels?: ModelTarget[];

  /** How many distinct people, never the requester, approve a request. @default 2 */
  readonly requiredApprovals?: number;

  /** Allows `requiredApprovals: 1`, giving up the two-person rule. @default false */
  readonly allowSingleApprover?: boolean;

  /** How long a request waits for its approvals. @default Duration.days(3) */
  readonly approvalTimeout?: Duration;

  /** The service that runs customization jobs. @default CustomizationBackend.bedrock() */
  readonly customizationBackend?: CustomizationBackend;

  /** Hyperparameters a request may set, each within bounds. @default - none */
  readonly hyperParameters?: Hyperparameter[];

  /**
   * Who may ask for a model to be deployed to production. Together with `deploymentApprovers`
   * and `deploymentTargets`, it makes the deployment pipeline, the only way to the targets: nobody
   * else is granted deployment. People are told apart as customization requesters are.
   * @default - no deployment pipeline
   */
  readonly deployers?: iam.IPrincipal;

  /**
   * Who may approve or reject other people's deployments: never the requester, nor whoever
   * requested the model's training. Told apart as requesters are.
   * @default - no deployment pipeline
   */
  readonly deploymentApprovers?: iam.IPrincipal;

  /**
   * What the deployment pipeline may deploy to (its environment is `production`). Deploy to more
   * environments, each with its own approvers, with a `DeploymentPipeline` each.
   * @default - no deployment pipeline
   */
  readonly deploymentTargets?: DeploymentTarget[];

  /**
   * How many distinct people approve a deployment; at least 2, for production.
   * @default 2
   */
  readonly deploymentRequiredApprovals?: number;

  /**
   * SageMaker deployment targets: the model package groups the deployment pipeline governs, made
   * with it; only its approval step may set their packages Approved (see
   * `DeploymentPipelineProps.modelPackageGroups`).
   * @default - no groups
   */
  readonly deploymentModelPackageGroups?: string[];

  /**
   * Conditions on the people's roles: readers, requesters and approvers (time window, network,
   * MFA, session tags). MFA stays required unless these set `requireMfa: false`.
   * @default - MFA required
   */
  readonly conditions?: AccessConditions;

  /**
   * Conditions on the invokers' role (time window, network, classification). A service cannot
   * present MFA.
   * @default - none
   */
  readonly inferenceConditions?: AccessConditions;

  /**
   * A guardrail every Bedrock invocation of the invokers' role must apply (see
   * `ModelInferenceRoleProps.guardrail`). Needs `invokers`.
   * @default - no guardrail required
   */
  readonly guardrail?: InferenceGuardrail;

  /**
   * Also enforce `guardrail` on every Bedrock model invocation of the account and region, whoever
   * makes it (an `AWS::Bedrock::EnforcedGuardrailConfiguration`): roles of other apps, people and
   * keys included. The account has one such configuration per region, so one app of the account
   * should own it; changing or deleting it is privilege administration, and the audit trail alerts
   * on it (`GuardrailChanges`, which its own deployment raises once).
   * @default false
   */
  readonly enforceGuardrailOnAccount?: boolean;

  /**
   * Who may read the audit logs (the auditor role).
   * @default - no auditor role
   */
  readonly auditors?: iam.IPrincipal;

  /**
   * Bedrock model invocation logging (prompts and responses) for the account and region, into a
   * store of its own whose only readers are the auditors (none without `auditors`), watched by the
   * trail. The deployment pipeline's SageMaker endpoints capture their requests and responses into
   * the same store. It is one configuration per account and region: a second platform there uses
   * the first one's store (`InvocationLogging.existing`), and an account whose logging a central
   * team runs says so (`InvocationLogging.configuredOutside`).
   * @default InvocationLogging.newStore(): kept 365 days under object lock in `recordLockMode`,
   * server access logs to the registry's access-logs bucket
   */
  readonly invocationLogging?: InvocationLogging;

  /**
   * How the alarms on the invokers' Bedrock models (foundation models and system-defined inference
   * profiles among `models`) judge their traffic: token ceilings, throttles, the anomaly band.
   * @default - alarms on invocations and on input and output tokens above their anomaly bands, and
   * on more than 10 throttles in five minutes
   */
  readonly invocationAlarms?: ModelInvocationAlarmsOptions;

  /**
   * Whether the invokers' Bedrock models get alarms on their invocations (ModelInvocationAlarms).
   * @default true
   */
  readonly invocationAlarmsEnabled?: boolean;

  /**
   * The registry's settings. The metadata bucket always gets object lock when there is a
   * pipeline, for its provenance manifests.
   * @default - a new key; metadata object lock in governance mode for 365 days
   */
  readonly registry?: ModelRegistryProps;

  /**
   * The audit trail's settings; the registry, pipeline and roles here are always watched too.
   * Set `organizationTrailArn` to use the organization's trail instead of a new one.
   * @default - a new trail with the defaults of ModelAuditTrail
   */
  readonly auditTrail?: ModelAuditTrailProps;

  /**
   * The object lock mode of the records: the audit logs and the provenance manifests, each kept
   * 365 days unless `auditTrail.logRetention` or `registry.metadataObjectLockRetention` says
   * otherwise. GOVERNANCE lets principals allowed `s3:BypassGovernanceRetention` shorten or lift
   * it (the pack counts that permission on these buckets as privilege administration); COMPLIANCE
   * lets nobody, the root user included, delete a record before it expires, nor delete the
   * bucket: choose it once the retention is settled. With `auditTrail.organizationTrailArn`, the
   * audit logs are the organization log archive's to lock.
   * @default s3.ObjectLockMode.GOVERNANCE
   */
  readonly recordLockMode?: s3.ObjectLockMode;
}

const RECORD_RETENTION = Duration.days(365);

/**
 * The whole platform with secure defaults: a registry, a role per capability for the principals
 * named, the approval-gated customization and deployment pipelines with requester and approver
 * roles, Bedrock invocation logging into a store only the auditors read, alarms on the invoked
 * models' traffic, and an audit trail that watches all of them. Each part is exposed for further
 * grants.
 */
export class ModelAccessControl extends Construct {
  /** The registry of weights, training data and metadata. */
  public readonly registry: ModelRegistry;
  /** The readers' role, when readers are named. */
  public readonly readRole?: ModelReadRole;
  /** The invokers' role, when invokers are named. */
  public readonly inferenceRole?: ModelInferenceRole;
  /** The account-level enforcement of the guardrail, when `enforceGuardrailOnAccount` is set. */
  public readonly enforcedGuardrail?: bedrock.CfnEnforcedGuardrailConfiguration;
  /** The customization pipeline, when requesters, approvers and base models are named. */
  public readonly pipeline?: CustomizationPipeline;
  /**
   * The requesters' role, with the pipeline. None when requesters are an IAM Identity Center
   * permission-set role: the pipeline's request URL and the training-data bucket are granted to
   * that role by resource policy (its permission set must allow following executions).
   */
  public readonly requesterRole?: CustomizationRequesterRole;
  /** The approvers' role, with the pipeline. None when approvers are an IAM Identity Center role, granted directly. */
  public readonly approverRole?: CustomizationApproverRole;
  /** The deployment pipeline to production, when deployers, deployment approvers and targets are named. */
  public readonly deploymentPipeline?: DeploymentPipeline;
  /** The deployers' role, with the deployment pipeline; none for an IAM Identity Center role, granted directly. */
  public readonly deployerRole?: DeploymentRequesterRole;
  /** The deployment approvers' role, with the deployment pipeline; none for an IAM Identity Center role. */
  public readonly deploymentApproverRole?: DeploymentApproverRole;
  /** The trail and alerts. */
  public readonly auditTrail: ModelAuditTrail;
  /** The store of invocation logs: made here, or the one given; none when configured outside the app. */
  public readonly invocationLogging?: ModelInvocationLogging;
  /** The alarms on the invokers' Bedrock models, when there are invokers and such models. */
  public readonly invocationAlarms?: ModelInvocationAlarms;

  constructor(scope: Construct, id: string, props: ModelAccessControlProps) {
    super(scope, id);
    checkPrincipals(props);
    // CloudFormation would fail the deploy: say so at synth, with the fix.
    const region = Stack.of(this).region;
    const regionIssue = Token.isUnresolved(region) ? undefined : regionProblem(region);
    if (regionIssue) throw new Error(`ModelAccessControl: the stack's region ${regionIssue}.`);
    const customizes = [props.customizationRequesters, props.approvers, props.baseModels].filter(
      (p) => p !== undefined,
    ).length;
    if (customizes !== 0 && customizes !== 3) {
      throw new Error(
        'ModelAccessControl: customization needs customizationRequesters, approvers and baseModels together; name all three, or none for no pipeline.',
      );
    }
    const deploys = [props.deployers, props.deploymentApprovers, props.deploymentTargets].filter(
      (p) => p !== undefined,
    ).length;
    if (deploys !== 0 && deploys !== 3) {
      throw new Error(
        'ModelAccessControl: deployment needs deployers, deploymentApprovers and deploymentTargets together; name all three, or none for no deployment pipeline.',
      );
    }
    if (props.deploymentRequiredApprovals !== undefined && props.deploymentRequiredApprovals < 2) {
      throw new Error(
        `ModelAccessControl: deploymentRequiredApprovals must be at least 2 for production, got ${props.deploymentRequiredApprovals}; for a sandbox, compose a DeploymentPipeline with allowSingleApprover.`,
      );
    }
    if ((props.readers || props.invokers) && !props.models?.length) {
      throw new Error(
        `ModelAccessControl: models is ${props.models === undefined ? 'missing' : 'empty'}; name the models readers and invokers may use.`,
      );
    }
    // One principal on both sides of a pipeline: its people request and approve each other's
    // requests, with no one apart from them deciding.
    for (const [requesters, approvers, names] of [
      [props.customizationRequesters, props.approvers, 'customizationRequesters and approvers'],
      [props.deployers, props.deploymentApprovers, 'deployers and deploymentApprovers'],
    ] as const) {
      if (requesters && approvers && samePrincipal(this, requesters, approvers)) {
        throw new Error(
          `ModelAccessControl: ${names} are the same principal, so the people who request also approve each other's requests; give the approvers a principal of their own.`,
        );
      }
    }
    const people = { requireMfa: true, ...props.conditions };
    const recordLock =
      props.recordLockMode === s3.ObjectLockMode.COMPLIANCE
        ? s3.ObjectLockRetention.compliance(RECORD_RETENTION)
        : s3.ObjectLockRetention.governance(RECORD_RETENTION);

    this.registry = new ModelRegistry(this, 'Registry', {
      ...props.registry,
      metadataObjectLockRetention:
        props.registry?.metadataObjectLockRetention ?? (customizes || deploys ? recordLock : undefined),
    });
    if (props.readers) {
      this.readRole = new ModelReadRole(this, 'Readers', {
        assumedBy: props.readers,
        targets: props.models,
        registry: this.registry,
        conditions: people,
      });
    }
    if (props.guardrail && !props.invokers) {
      throw new Error(
        "ModelAccessControl: guardrail is for the invokers' role, and there are no invokers; name invokers, or leave guardrail out.",
      );
    }
    if (props.enforceGuardrailOnAccount && !props.guardrail) {
      throw new Error(
        'ModelAccessControl: enforceGuardrailOnAccount enforces the guardrail given as guardrail, and there is none; give guardrail, or leave enforceGuardrailOnAccount out.',
      );
    }
    if (props.enforceGuardrailOnAccount && props.guardrail) {
      this.enforcedGuardrail = new bedrock.CfnEnforcedGuardrailConfiguration(this, 'EnforcedGuardrail', {
        guardrailIdentifier: props.guardrail.guardrailArn,
        guardrailVersion: props.guardrail.version,
      });
    }
    if (props.invokers) {
      this.inferenceRole = new ModelInferenceRole(this, 'Invokers', {
        assumedBy: props.invokers,
        targets: props.models,
        conditions: props.inferenceConditions,
        guardrail: props.guardrail,
      });
    }
    const logging = props.invocationLogging ?? InvocationLogging.newStore();
    this.invocationLogging =
      logging._store ??
      (logging._outsideReason === undefined
        ? new ModelInvocationLogging(this, 'InvocationLogging', {
            lockMode: props.recordLockMode,
            accessLogsBucket: this.registry.accessLogsBucket,
            ...logging._props,
          })
        : undefined);
    if (logging._outsideReason !== undefined && this.inferenceRole) {
      Validations.of(this.inferenceRole).acknowledge({
        id: 'ModelAccess::ModelAccess-InferenceWithoutInvocationLogging',
        reason: logging._outsideReason,
      });
    }
    this.invocationAlarms = this.makeInvocationAlarms(props);

    if (props.customizationRequesters && props.approvers && props.baseModels) {
      this.pipeline = new CustomizationPipeline(this, 'Customization', {
        registry: this.registry,
        baseModels: props.baseModels,
        backend: props.customizationBackend,
        hyperParameters: props.hyperParameters,
        requiredApprovals: props.requiredApprovals,
        allowSingleApprover: props.allowSingleApprover,
        approvalTimeout: props.approvalTimeout,
      });
      // An Identity Center session carries the user's name; a role it assumed would carry a name
      // of the caller's choosing. So Identity Center people are granted directly, by resource policy.
      const requesters = identityCenterRole(this, 'Requesters', props.customizationRequesters);
      const approvers = identityCenterRole(this, 'Approvers', props.approvers);
      if (requesters) {
        this.pipeline.grantRequest(requesters);
        this.registry.grantWriteTrainingData(requesters);
      } else {
        this.requesterRole = new CustomizationRequesterRole(this, 'Requesters', {
          assumedBy: props.customizationRequesters,
          pipeline: this.pipeline,
          conditions: people,
        });
      }
      if (approvers) {
        this.pipeline.grantApprove(approvers);
      } else {
        this.approverRole = new CustomizationApproverRole(this, 'Approvers', {
          assumedBy: props.approvers,
          pipeline: this.pipeline,
          conditions: people,
        });
      }
    }

    if (props.deployers && props.deploymentApprovers && props.deploymentTargets) {
      this.deploymentPipeline = new DeploymentPipeline(this, 'Deployment', {
        registry: this.registry,
        targets: props.deploymentTargets,
        environment: 'production',
        requiredApprovals: props.deploymentRequiredApprovals,
        approvalTimeout: props.approvalTimeout,
        // Endpoints' requests and responses, beside Bedrock's, where the auditors read them.
        dataCapture: props.deploymentTargets.every((t) => t._service === 'sagemaker')
          ? this.invocationLogging
          : undefined,
        modelPackageGroups: props.deploymentModelPackageGroups,
      });
      const deployers = identityCenterRole(this, 'Deployers', props.deployers);
      const approvers = identityCenterRole(this, 'DeploymentApprovers', props.deploymentApprovers);
      if (deployers) this.deploymentPipeline.grantRequest(deployers);
      else {
        this.deployerRole = new DeploymentRequesterRole(this, 'Deployers', {
          assumedBy: props.deployers,
          pipeline: this.deploymentPipeline,
          conditions: people,
        });
      }
      if (approvers) this.deploymentPipeline.grantApprove(approvers);
      else {
        this.deploymentApproverRole = new DeploymentApproverRole(this, 'DeploymentApprovers', {
          assumedBy: props.deploymentApprovers,
          pipeline: this.deploymentPipeline,
          conditions: people,
        });
      }
    }

    const roles = [
      this.readRole,
      this.inferenceRole,
      this.requesterRole,
      this.approverRole,
      this.deployerRole,
      this.deploymentApproverRole,
    ].filter((r): r is NonNullable<typeof r> => r !== undefined);
    this.auditTrail = new ModelAuditTrail(this, 'Audit', {
      ...props.auditTrail,
      // An organization trail's logs are locked in the organization's log archive, not here.
      logRetention:
        props.auditTrail?.logRetention ?? (props.auditTrail?.organizationTrailArn ? undefined : recordLock),
      auditors: props.auditors ?? props.auditTrail?.auditors,
      registries: [this.registry, ...(props.auditTrail?.registries ?? [])],
      pipelines: [
        ...[this.pipeline, this.deploymentPipeline].filter((p) => p !== undefined),
        ...(props.auditTrail?.pipelines ?? []),
      ],
      roles: [...roles, ...(props.auditTrail?.roles ?? [])],
      invocationLogging: [
        ...(this.invocationLogging ? [this.invocationLogging] : []),
        ...(props.auditTrail?.invocationLogging ?? []),
      ],
      invokedModels: [...(props.invokers ? props.models : []), ...(props.auditTrail?.invokedModels ?? [])],
      accessLogsBucket:
        props.auditTrail?.accessLogsBucket ??
        (props.auditTrail?.organizationTrailArn ? undefined : this.registry.accessLogsBucket),
    });
    // The auditors are the only readers of the prompts; without them, nobody is. A store of
    // another stack can name them only by a fixed name (auditTrail.auditorRoleName); without one,
    // it keeps the readers its own stack grants.
    const auditor = this.auditTrail.auditorRole;
    const nameable =
      this.invocationLogging &&
      (Stack.of(this.invocationLogging) === Stack.of(this) ||
        props.auditTrail?.auditorRoleName !== undefined);
    if (this.invocationLogging && auditor && nameable) this.invocationLogging.grantReadLogs(auditor);
  }

  private makeInvocationAlarms(props: ModelAccessControlProps): ModelInvocationAlarms | undefined {
    if (props.invocationAlarmsEnabled === false) {
      if (props.invocationAlarms) {
        throw new Error(
          'ModelAccessControl: invocationAlarms configures alarms that invocationAlarmsEnabled: false turns off; remove one.',
        );
      }
      return undefined;
    }
    const watched = props.invokers ? props.models.filter((m) => bedrockModelId(m) !== undefined) : [];
    if (watched.length === 0) {
      if (props.invocationAlarms) {
        throw new Error(
          "ModelAccessControl: invocationAlarms configures alarms on the invokers' Bedrock foundation models and system-defined inference profiles, and there are none: name invokers and such models, or remove invocationAlarms.",
        );
      }
      return undefined;
    }
    return new ModelInvocationAlarms(this, 'InvocationAlarms', {
      ...props.invocationAlarms,
      models: watched,
    });
  }
}

/** The principal as an imported, immutable role when it is an Identity Center permission-set role. */
function identityCenterRole(scope: Construct, id: string, principal: iam.IPrincipal): iam.IRole | undefined {
  const arn = principalArn(principal);
  if (arn === undefined || identityCenterRoleName(arn) === undefined) return undefined;
  // Immutable: Identity Center owns the role's policies, so grants go to resource policies.
  return iam.Role.fromRoleArn(scope, `${id}IdentityCenterRole`, arn, {
    mutable: false,
    addGrantsToResources: true,
  });
}

/**
 * Whether two principals are one: the same object, or the same principal with the same conditions
 * as a policy names them (the account with `aws:PrincipalTag/job` = `lead` is not the account).
 */
function samePrincipal(scope: Construct, a: iam.IPrincipal, b: iam.IPrincipal): boolean {
  if (a === b) return true;
  const stack = Stack.of(scope);
  const json = (p: iam.IPrincipal) =>
    JSON.stringify(stack.resolve([p.policyFragment.principalJson, p.policyFragment.conditions]));
  return json(a) === json(b);
}

const PRINCIPAL_PROPS = [
  'readers',
  'invokers',
  'customizationRequesters',
  'approvers',
  'deployers',
  'deploymentApprovers',
] as const;

/**
 * Each principal prop is a principal: from JavaScript or Python, an ARN string (or anything else)
 * may arrive where a principal belongs, and would fail later with a TypeError.
 */
function checkPrincipals(props: ModelAccessControlProps): void {
  for (const name of PRINCIPAL_PROPS) {
    const value: unknown = props[name];
    const principal = value as iam.IPrincipal | undefined;
    if (value === undefined || typeof principal?.policyFragment?.principalJson === 'object') continue;
    const got = typeof value === 'string' ? `the string '${value}'` : `a ${typeof value}`;
    throw new Error(
      `ModelAccessControl: ${name} must be a principal (iam.ArnPrincipal, iam.AccountRootPrincipal, iam.ServicePrincipal, a role...), got ${got}; wrap an ARN in new iam.ArnPrincipal(arn).`,
    );
  }
}
