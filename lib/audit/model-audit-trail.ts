import { Aws, Duration, Lazy, RemovalPolicy, Stack, Tags, Token, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct, IConstruct } from 'constructs';
import { Capability, Component, DataClass, TAG_CAPABILITY, TAG_COMPONENT } from '../capabilities/capability';
import { ModelTarget } from '../capabilities/model-target';
import { IModelPipeline } from '../pipeline/model-pipeline';
import { ModelInvocationLogging } from './model-invocation-logging';
import { requireArn } from '../private/arns';
import { acknowledgeFinding } from '../private/compliance-findings';
import { accessLogsBucket, allowCloudWatchLogs, recordBucket } from '../private/log-storage';
import { acceptRoleDependency } from '../private/cfn-lint';
import { confineServiceRole } from '../private/service-trust';
import { ModelRegistry } from '../registry/model-registry';
import { SelfBoundedRole } from '../roles/self-bounded-role';
import { alertRule, alertRuleNamePrefix, RoleAlerts } from './private/role-alerts';
import {
  BUCKETS_PER_RULE,
  invocationLoggingPattern,
  modelPackageApprovalPattern,
  outsidePipelinePattern,
  KEYS_PER_RULE,
  alertRulesPattern,
  alertTopicPattern,
  pipelineFunctionsPattern,
  pipelineStatePattern,
  registryPolicyPattern,
  guardrailChangesPattern,
  serviceCredentialPattern,
  trailTamperingPattern,
} from './private/alert-patterns';
import { auditorRole } from './private/auditor-role';
import { forwardIamChanges, forwardModelCalls } from './private/event-forwarder';
import { invocationSelector, managementSelector, objectSelector } from './private/event-selectors';
import { ownKey } from '../private/own-key';
import { regionProblem } from '../private/regions';
import { RegionInfo } from 'aws-cdk-lib/region-info';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ModelAuditTrailProps {
  /**
   * Registries to watch: object-level data events on their buckets, and alerts on changes to
   * their bucket and key policies. More can be added with `watchRegistry`.
   * @default - none
   */
  readonly registries?: ModelRegistry[];

  /**
   * Customization and deployment pipelines: their roles that act after approval alone may
   * customize or deploy without an alert, and all their roles are watched. More can be added with
   * `watchPipeline`.
   * @default - none: every customization or deployment call raises an alert
   */
  readonly pipelines?: IModelPipeline[];

  /**
   * Invocation logging stores: only their own custom resource may change or switch off Bedrock's
   * model invocation logging without an alert; changes to their bucket policy, key or role raise
   * one, and reads of their logs are recorded as data events. More can be added with
   * `watchInvocationLogging`.
   * @default - none: every change to invocation logging raises an alert
   */
  readonly invocationLogging?: ModelInvocationLogging[];

  /**
   * Roles whose policies, boundary or trust must not change unnoticed. A capability role brings
   * its boundary and model policies along. More can be added with `watchRole`.
   * @default - none besides the auditor role
   */
  readonly roles?: iam.IRole[];

  /**
   * Models whose invocations are recorded as data events (SageMaker endpoints). Bedrock records
   * InvokeModel and Converse as management events, which the trail records anyway.
   * @default - none
   */
  readonly invokedModels?: ModelTarget[];

  /**
   * Who may assume the auditor role, which reads the trail's logs and nothing else.
   * @default - no auditor role
   */
  readonly auditors?: iam.IPrincipal;

  /**
   * A fixed name for the auditor role. Give one when a store or bucket of another stack grants
   * the auditors (a `ModelInvocationLogging` there): its policies name the role by it.
   * @default - a name CloudFormation generates
   */
  readonly auditorRoleName?: string;

  /**
   * The account's organization trail, when it already records this account. No trail, log
   * bucket or log group is created; the alerts still are. The organization trail must record
   * management events (read and write) in every region this account uses, or EventBridge here
   * receives nothing. Registry data events are then the organization trail's to record.
   * @default - a trail of this construct's own
   */
  readonly organizationTrailArn?: string;

  /**
   * Object lock of the log bucket: mode and retention. Compliance mode cannot be shortened or
   * lifted by anyone, the root user included, until it expires.
   * @default s3.ObjectLockRetention.governance(Duration.days(365))
   */
  readonly logRetention?: s3.ObjectLockRetention;

  /** How long the trail's CloudWatch Logs copy is kept. @default logs.RetentionDays.ONE_YEAR */
  readonly cloudWatchLogsRetention?: logs.RetentionDays;

  /**
   * Where the log bucket's S3 server access logs go (it must use SSE-S3).
   * @default - a new access-log bucket
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * The key of the log files, the log group, the alert topic and its dead-letter queue. The policy
   * of a key you bring must let CloudTrail, CloudWatch Logs and EventBridge use it (the construct
   * adds this to a key whose policy it can change).
   * @default - a new KMS key with rotation, retained
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Alerts on changes to the watched roles and policies. IAM sends its events to EventBridge in
   * us-east-1 only (cn-north-1, us-gov-west-1 in those partitions): for a stack in another region
   * the construct adds a stack there (`iamEventForwarder`), in the same app or stage, that forwards
   * IAM's role and policy changes to this region's default event bus. Deploy both.
   * @default true
   */
  readonly alertOnRoleChanges?: boolean;

  /**
   * The other regions the app calls models in, whose model calls must alert here too. The trail
   * records every region, but EventBridge receives a call's event only in the region it was made
   * in, and the alert rules live in this stack's region: for each region listed, the construct
   * adds a stack there, in the same app or stage, that forwards the calls the rules judge (every
   * customization and deployment call of the catalog, guardrail changes, invocation-logging
   * changes, model packages set Approved) to this region's default event bus. Deploy them all.
   * Regions of this stack's partition.
   * @default - none: model calls in other regions are recorded by the trail and raise no alert
   */
  readonly alertRegions?: string[];
}

/**
 * What other stacks and apps use of an audit trail: its alert topic, and alerts on their roles.
 * `ModelAuditTrail` creates one; `ModelAuditTrail.fromAuditTrailAttributes` names one another app created.
 */
export interface IModelAuditTrail extends IConstruct {
  /** Where alerts go. */
  readonly alertTopic: sns.ITopic;
  /**
   * Alerts on the topic when the role's policies, boundary or trust change (and a capability
   * role's boundary and model policies), by rules made in the role's own stack.
   */
  watchRole(role: iam.IRole): void;
}

/** What names an audit trail that another app created. */
export interface ModelAuditTrailAttributes {
  /**
   * ARN of the trail's alert topic. Its policy must let EventBridge publish, and its key let
   * EventBridge use it, as `ModelAuditTrail` sets up for its own topic and account.
   */
  readonly alertTopicArn: string;
}

const DEFAULT_LOG_RETENTION = s3.ObjectLockRetention.governance(Duration.days(365));
/** The capabilities a pipeline exercises after approval, each watched by an alert of its own. */
const PIPELINE_CAPABILITIES = [Capability.CUSTOMIZATION, Capability.DEPLOYMENT, Capability.APPROVAL] as const;
type PipelineCapability = (typeof PIPELINE_CAPABILITIES)[number];

/**
 * Tamper-evident records of who did what to models: a multi-region CloudTrail trail with log file
 * validation, KMS encryption and a CloudWatch Logs copy, writing to an object-locked bucket; data
 * events on the registry buckets and model endpoints only; and alerts, on a KMS-encrypted topic,
 * when anyone but the pipeline customizes a model, when the watched roles, boundaries, bucket or
 * key policies change, and when a trail is stopped or changed.
 */
export class ModelAuditTrail extends Construct implements IModelAuditTrail {
  /**
   * A trail another app created, for alerts on the roles of this one: `watchRole` makes the rules
   * in the role's stack, publishing to the trail's topic. IAM's events reach EventBridge in
   * us-east-1 only: outside it, the trail's own stack must be in this account and region, where
   * its forwarder brings them.
   */
  /**
   * The regions of `region`'s partition that AWS enables by default (not the opt-in ones), but
   * `region` itself, as aws-cdk-lib knows them: `alertRegions` for alerts from every region an
   * account has without asking. Add the opt-in regions the account enabled.
   */
  public static defaultRegionsBesides(region: string): string[] {
    const problem = Token.isUnresolved(region)
      ? 'the region is a deploy-time value; name it (env: { region })'
      : regionProblem(region);
    if (problem) throw new Error(`ModelAuditTrail.defaultRegionsBesides: ${problem}.`);
    const partition = RegionInfo.get(region).partition;
    return RegionInfo.regions
      .filter((r) => r.partition === partition && !r.isOptInRegion && r.name !== region)
      .map((r) => r.name)
      .sort();
  }

  public static fromAuditTrailAttributes(
    scope: Construct,
    id: string,
    attrs: ModelAuditTrailAttributes,
  ): IModelAuditTrail {
    requireArn(
      'ModelAuditTrail.fromAuditTrailAttributes',
      'alertTopicArn',
      attrs.alertTopicArn,
      'sns',
      '[\\w-]{1,256}',
      'an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>)',
    );
    class Import extends Construct implements IModelAuditTrail {
      public readonly alertTopic = sns.Topic.fromTopicArn(this, 'Alerts', attrs.alertTopicArn);
      public watchRole(role: iam.IRole): void {
        RoleAlerts.forRole(this, role, undefined, this.alertTopic, `${this.node.path}.watchRole`).watchRole(
          role,
        );
      }
    }
    return new Import(scope, id);
  }

  /** The trail, unless an organization trail is used. */
  public readonly trail?: cloudtrail.Trail;
  /** The object-locked log bucket (tagged `audit-logs`), unless an organization trail is used. */
  public readonly logBucket?: s3.Bucket;
  /** The trail's CloudWatch Logs copy, unless an organization trail is used. */
  public readonly logGroup?: logs.LogGroup;
  /** Where alerts go. Subscribe the security team to it. */
  public readonly alertTopic: sns.ITopic;
  /** The key of the logs and the topic. */
  public readonly encryptionKey: kms.IKey;
  /**
   * The stack in us-east-1 (IAM's region for EventBridge) that forwards IAM role and policy
   * changes to this stack's region, when this stack lives elsewhere and alerts on role changes.
   */
  public readonly iamEventForwarder?: Stack;
  /**
   * The stacks that forward model calls from `alertRegions` to this stack's region, one per region
   * (IAM's region's is `iamEventForwarder`, when both are needed).
   */
  public readonly regionalEventForwarders: Stack[];
  /** The role that reads the logs and nothing else (tagged `auditor`), when auditors are named. */
  public readonly auditorRole?: SelfBoundedRole;
  /** The organization trail that records this account, when one is used instead of a trail of this construct's own. */
  public readonly organizationTrailArn?: string;

  private readonly registries: ModelRegistry[] = [];
  private readonly keys: kms.IKey[] = [];
  private readonly alertOnRoleChanges: boolean;
  private ownRoleAlerts?: RoleAlerts;
  /** The pipelines whose machinery is watched. */
  private readonly pipelines: IModelPipeline[] = [];
  /** The pipelines' roles whose calls raise no alert, by the capability they exercise. */
  private readonly exempt: Record<PipelineCapability, string[]> = {
    [Capability.CUSTOMIZATION]: [],
    [Capability.DEPLOYMENT]: [],
    [Capability.APPROVAL]: [],
  };
  private readonly endpointArns: string[] = [];
  /** The roles that turn invocation logging on and off for the watched stores. */
  private readonly invocationLogs: ModelInvocationLogging[] = [];
  private readonly loggingRoleArns: string[] = [];
  private allEndpoints = false;
  private readonly registryRules: { buckets: string[]; keys: string[] }[] = [];

  constructor(scope: Construct, id: string, props: ModelAuditTrailProps = {}) {
    super(scope, id);
    // Log delivery through a bucket policy, never ACLs, whatever the app's feature flags say.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const stack = Stack.of(this);
    const organizationTrail = props.organizationTrailArn;
    this.organizationTrailArn = organizationTrail;
    if (organizationTrail !== undefined) {
      if (
        !Token.isUnresolved(organizationTrail) &&
        !/^arn:[a-z-]+:cloudtrail:[a-z0-9-]+:\d{12}:trail\/.+$/.test(organizationTrail)
      ) {
        throw new Error(
          `ModelAuditTrail: organizationTrailArn '${organizationTrail}' is not a trail ARN (expected arn:<partition>:cloudtrail:<region>:<account>:trail/<name>).`,
        );
      }
      const ownTrailProps = (
        [
          'auditors',
          'auditorRoleName',
          'logRetention',
          'cloudWatchLogsRetention',
          'accessLogsBucket',
        ] as const
      ).filter((p) => props[p] !== undefined);
      if (ownTrailProps.length > 0) {
        throw new Error(
          `ModelAuditTrail: ${ownTrailProps.join(', ')} configure a trail of this construct's own; with organizationTrailArn the logs live in the organization's log archive account. Grant auditors there.`,
        );
      }
    }
    const alertOnRoleChanges = props.alertOnRoleChanges ?? true;
    const iamRegion = iamEventRegion(stack.region);
    if (alertOnRoleChanges && iamRegion && iamRegion !== stack.region) {
      this.iamEventForwarder = forwardIamChanges(this, iamRegion);
    }
    this.regionalEventForwarders = alertRegions(stack, props.alertRegions).map((region) =>
      forwardModelCalls(this, region, iamRegion),
    );

    this.encryptionKey = ownKey(
      this,
      'Model audit trail: log files, log group and alerts',
      props.encryptionKey,
    );
    this.allowServicesToUseKey(stack);

    this.alertTopic = new sns.Topic(this, 'Alerts', {
      displayName: 'Model access alerts',
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
    (this.alertTopic.node.defaultChild as sns.CfnTopic).tags.setTag(TAG_COMPONENT, Component.ALERT_TOPIC);

    if (organizationTrail === undefined) {
      const accessLogs = props.accessLogsBucket ?? accessLogsBucket(this, 'AccessLogs', RemovalPolicy.RETAIN);
      this.logBucket = recordBucket(this, 'Logs', {
        dataClass: DataClass.AUDIT_LOGS,
        encryptionKey: this.encryptionKey,
        lock: props.logRetention ?? DEFAULT_LOG_RETENTION,
        accessLogs,
        notReplicated:
          "Log files are object-locked and their integrity is provable by CloudTrail log file validation digests; a copy in another account or region is the organization log archive's to make.",
      });

      this.logGroup = new logs.LogGroup(this, 'TrailLogs', {
        encryptionKey: this.encryptionKey,
        retention: props.cloudWatchLogsRetention ?? logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      this.trail = new cloudtrail.Trail(this, 'Resource', {
        bucket: this.logBucket,
        encryptionKey: this.encryptionKey,
        enableFileValidation: true,
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        sendToCloudWatchLogs: true,
        cloudWatchLogGroup: this.logGroup,
      });
      acknowledgeFinding(
        this.trail.node.findChild('LogsRole'),
        'IAMNoInlinePolicy',
        "CDK gives CloudTrail's log delivery role one inline statement: CreateLogStream and PutLogEvents on this trail's log group only.",
      );
      const cfnTrail = this.trail.node.defaultChild as cloudtrail.CfnTrail;
      acceptRoleDependency(cfnTrail);
      // Advanced selectors replace the basic ones: management events, then data events scoped to
      // the registries and endpoints, so their cost stays with the models' own traffic.
      cfnTrail.advancedEventSelectors = Lazy.any({
        produce: () => this.eventSelectors(),
      });
      if (props.auditors) {
        this.auditorRole = auditorRole(
          this,
          props.auditors,
          this.logBucket,
          this.logGroup,
          this.encryptionKey,
          props.auditorRoleName,
        );
      }
    }

    this.rule(
      'CustomizationOutsidePipeline',
      'A model customization call by anyone but a pipeline acting on an approved request',
      () => outsidePipelinePattern(Capability.CUSTOMIZATION, this.exempt[Capability.CUSTOMIZATION]),
    );
    this.rule(
      'DeploymentOutsidePipeline',
      'A model deployment call (endpoints, provisioned throughput, custom model deployments) by anyone but a deployment pipeline',
      () => outsidePipelinePattern(Capability.DEPLOYMENT, this.exempt[Capability.DEPLOYMENT]),
    );
    this.rule(
      'ModelPackageApprovals',
      "A SageMaker model package created or set Approved by anyone but a deployment pipeline's approval step",
      () => modelPackageApprovalPattern(this.exempt[Capability.APPROVAL]),
    );
    this.rule('TrailTampering', 'A CloudTrail trail stopped, deleted or reconfigured', trailTamperingPattern);
    this.rule(
      'GuardrailChanges',
      "A Bedrock guardrail changed or deleted, or the account's enforcement of one",
      guardrailChangesPattern,
    );
    // IAM's events reach EventBridge in one region: elsewhere they come through the forwarder,
    // which exists with the role alerts.
    if (alertOnRoleChanges) {
      this.rule(
        'ServiceCredentials',
        'A service-specific credential (a long-term Bedrock API key) created, reset or reactivated',
        serviceCredentialPattern,
      );
    }
    this.rule(
      'AlertRuleChanges',
      'An alert rule disabled, deleted, rewritten or retargeted (this one included)',
      () => alertRulesPattern(alertRuleNamePrefix(this.alertTopic)),
    );
    this.rule(
      'AlertTopicChanges',
      "A change to the alert topic's policy, subscriptions or protection, or its deletion",
      () => alertTopicPattern(this.alertTopic.topicArn),
    );
    this.rule(
      'InvocationLoggingChanges',
      "Bedrock model invocation logging changed or switched off by anyone but its stack's custom resource",
      () => invocationLoggingPattern(this.loggingRoleArns),
    );
    this.alertOnRoleChanges = alertOnRoleChanges;
    if (this.trail) {
      // The role CloudTrail assumes to deliver to the log group: a service's role, watched like the rest.
      const deliveryRole = this.trail.node.findChild('LogsRole') as iam.Role;
      Tags.of(deliveryRole).add(TAG_CAPABILITY, 'service');
      confineServiceRole(
        deliveryRole,
        stack.formatArn({ service: 'cloudtrail', region: '*', resource: 'trail', resourceName: '*' }),
        false,
      );
      this.watchRole(deliveryRole);
    }
    if (this.auditorRole) this.watchRole(this.auditorRole);

    this.watchKey(this.encryptionKey);
    for (const registry of props.registries ?? []) this.watchRegistry(registry);
    for (const pipeline of props.pipelines ?? []) this.watchPipeline(pipeline);
    for (const role of props.roles ?? []) this.watchRole(role);
    for (const logging of props.invocationLogging ?? []) this.watchInvocationLogging(logging);
    this.logInvocations(props.invokedModels ?? []);
  }

  /** Records object-level events on the registry's buckets and alerts on changes to its bucket and key policies and its key. */
  public watchRegistry(registry: ModelRegistry): void {
    if (this.registries.includes(registry)) return;
    this.registries.push(registry);
    this.watchKey(registry.encryptionKey);
    this.watchRegistryItem(
      'buckets',
      registry.dataBuckets.map((b) => b.bucketName),
      BUCKETS_PER_RULE,
    );
    if (this.organizationTrailArn !== undefined) {
      for (const bucket of registry.dataBuckets) {
        Validations.of(bucket).acknowledge({
          id: 'ModelAccess::ModelAccess-RegistryWithoutTrail',
          reason: `The organization trail ${this.organizationTrailArn} records this account (ModelAuditTrail organizationTrailArn).`,
        });
      }
    }
  }

  /**
   * Lets the pipeline's roles that act on approved requests customize or deploy models without an
   * alert, and watches every role of the pipeline and its key.
   */
  public watchPipeline(pipeline: IModelPipeline): void {
    for (const capability of PIPELINE_CAPABILITIES) {
      for (const role of pipeline.rolesActingFor(capability)) {
        if (!this.exempt[capability].includes(role.roleArn)) this.exempt[capability].push(role.roleArn);
      }
    }
    for (const role of pipeline.roles) this.watchRole(role);
    this.watchKey(pipeline.encryptionKey);
    this.watchKey(pipeline.taskTokenKey);
    if (this.pipelines.includes(pipeline)) return;
    this.pipelines.push(pipeline);
    // The machinery that enforces its gate; rules of their own keep each pattern within 2,048 characters.
    const n = this.pipelines.length === 1 ? '' : String(this.pipelines.length);
    this.rule(
      `PipelineChanges${n}`,
      "A change to an approval-gated pipeline's state machine (definition, versions, aliases) or to its decision table's policy or settings",
      () => pipelineStatePattern([pipeline.stateMachine.stateMachineArn], [pipeline.table.tableName]),
    );
    this.rule(
      `PipelineFunctionChanges${n}`,
      "A change to an approval-gated pipeline's functions: code, configuration, versions, aliases, permissions or URLs",
      () => pipelineFunctionsPattern(pipeline.functions.map((f) => f.functionName)),
    );
  }

  /**
   * Lets the store's own custom resource change invocation logging without an alert (any other
   * change or switch-off raises one); alerts on changes to its bucket policy, its key and (in this
   * trail's stack) its function's role; and records who reads its logs (object reads, as data
   * events). A store of another stack has its role watched by a trail of its own stack.
   */
  public watchInvocationLogging(logging: ModelInvocationLogging): void {
    if (this.invocationLogs.includes(logging)) return;
    this.invocationLogs.push(logging);
    const role = logging.configurationRole;
    this.loggingRoleArns.push(role.roleArn);
    // A store of another stack has its role watched there: rules made in its stack for this
    // trail's topic would make each stack depend on the other.
    if (Stack.of(logging) === Stack.of(this)) this.watchRole(role);
    this.watchKey(logging.encryptionKey);
    // A bucket policy that lets someone else read the prompts is a privilege change.
    this.watchRegistryItem('buckets', [logging.bucket.bucketName], BUCKETS_PER_RULE);
  }

  /**
   * Alerts when the key's policy changes, a grant is created on it, or it is disabled or
   * scheduled for deletion (which would make what it encrypts unreadable, or the record with it).
   */
  public watchKey(key: kms.IKey): void {
    if (this.keys.includes(key)) return;
    this.keys.push(key);
    this.watchRegistryItem('keys', [key.keyId, key.keyArn], KEYS_PER_RULE * 2);
  }

  /**
   * Adds bucket names or key names to the registry rules, starting a new rule when none has room:
   * an event pattern may hold 2,048 characters.
   */
  private watchRegistryItem(kind: 'buckets' | 'keys', items: string[], perRule: number) {
    let rule = this.registryRules.find((r) => r[kind].length + items.length <= perRule);
    if (!rule) {
      const watched = { buckets: [] as string[], keys: [] as string[] };
      const n = this.registryRules.length;
      this.rule(
        n === 0 ? 'RegistryPolicyChanges' : `RegistryPolicyChanges${n + 1}`,
        "A change to a model registry's bucket policy, or to the policy or state of one of the platform's keys",
        () => registryPolicyPattern(watched.buckets, watched.keys),
      );
      this.registryRules.push(watched);
      rule = watched;
    }
    rule[kind].push(...items);
  }

  /**
   * Alerts when the role's policies, boundary or trust change; a capability role's boundary and
   * model policies too. For a role of another stack (same account and region), the rules are made
   * in that stack and publish to this trail's topic, so this stack refers to nothing of it.
   */
  public watchRole(role: iam.IRole): void {
    if (!this.alertOnRoleChanges) return;
    this.ownRoleAlerts ??= new RoleAlerts(this, (_, id, description, pattern) =>
      this.rule(id, description, pattern),
    );
    RoleAlerts.forRole(
      this,
      role,
      this.ownRoleAlerts,
      this.alertTopic,
      `${this.node.path}.watchRole`,
    ).watchRole(role);
  }

  /** Records the invocations of these models' SageMaker endpoints as data events. */
  public logInvocations(models: ModelTarget[]): void {
    for (const resource of models.flatMap((m) => m.resources)) {
      if (resource.service !== 'sagemaker' || resource.resourceType !== 'endpoint') continue;
      // A target selected by tag names no endpoint: record them all.
      if (resource.arn.includes('*')) this.allEndpoints = true;
      else if (!this.endpointArns.includes(resource.arn)) this.endpointArns.push(resource.arn);
    }
  }

  private eventSelectors(): Json[] {
    const selectors = [managementSelector()];
    const objects = this.registries.flatMap((r) => r.dataBuckets.map((b) => `${b.bucketArn}/`));
    if (objects.length > 0) selectors.push(objectSelector(objects));
    // Who read the prompts: reads only, since Bedrock writes an object per invocation.
    const logs = this.invocationLogs.map((l) => `${l.bucket.bucketArn}/`);
    if (logs.length > 0) selectors.push(objectSelector(logs, { readOnly: true }));
    if (this.allEndpoints || this.endpointArns.length > 0)
      selectors.push(invocationSelector(this.allEndpoints ? undefined : this.endpointArns));
    return selectors;
  }

  /** A rule whose pattern is completed at synthesis, after every watch call, publishing to the topic. */
  private rule(id: string, description: string, pattern: () => Json): events.Rule {
    return alertRule(this, id, description, pattern, this.alertTopic, this.encryptionKey);
  }

  /** CloudTrail writes log files, CloudWatch Logs its log group, EventBridge to the topic: each for this account only. */
  private allowServicesToUseKey(stack: Stack) {
    const key = this.encryptionKey;
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailEncryptsLogs',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${Aws.PARTITION}:cloudtrail:*:${Aws.ACCOUNT_ID}:trail/*`,
          },
        },
      }),
    );
    allowCloudWatchLogs(key, stack);
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgePublishesAlerts',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
  }
}

/** The region where IAM's CloudTrail events reach EventBridge, for a stack in `region`; undefined if unknown. */
/** The regions whose model calls alert here: valid, literal, of this stack's partition, not its own. */
function alertRegions(stack: Stack, regions: string[] | undefined): string[] {
  if (regions === undefined || regions.length === 0) return [];
  const fail = (why: string) => {
    throw new Error(`ModelAuditTrail: alertRegions ${why}.`);
  };
  if (Token.isUnresolved(stack.region)) {
    fail(
      `needs a stack of a known region (env: { region }): its forwarders send ${regions.join(', ')} to it`,
    );
  }
  const partition = RegionInfo.get(stack.region).partition;
  for (const region of regions) {
    if (Token.isUnresolved(region)) fail('are written as region names, not deploy-time values');
    const problem = regionProblem(region);
    if (problem) fail(`includes ${region}: ${problem}`);
    if (region === stack.region) fail(`names ${region}, this stack's own region, whose calls alert already`);
    if (RegionInfo.get(region).partition !== partition) {
      fail(
        `names ${region}, of another partition than ${stack.region}: EventBridge forwards within a partition`,
      );
    }
  }
  const twice = regions.find((r, i) => regions.indexOf(r) !== i);
  if (twice) fail(`names ${twice} twice`);
  return regions;
}

function iamEventRegion(region: string): string | undefined {
  if (Token.isUnresolved(region)) return undefined;
  if (region.startsWith('cn-')) return 'cn-north-1';
  if (region.startsWith('us-gov-')) return 'us-gov-west-1';
  return 'us-east-1';
}
