import * as path from 'path';
import { CustomResource, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct, IConstruct } from 'constructs';
import { catalogActions } from '../capabilities/actions';
import { DataCaptureDestination, IDataCaptureStore } from '../pipeline/data-capture';
import { checkCapturePercentage } from '../pipeline/private/capture-percentage';
import { Capability, DataClass, TAG_DATA_CLASS } from '../capabilities/capability';
import { grantKeyViaS3, KEY_READ_ACTIONS } from '../registry/private/registry-grants';
import {
  acknowledgeFinding,
  acknowledgeWildcardResource,
  EVERY_OBJECT_OF_ITS_CLASS,
} from '../private/compliance-findings';
import { atSynthesis } from '../private/at-synthesis';
import { handlerFunction } from '../private/handler-function';
import { INVOCATION_LOGGING_RESOURCE_TYPE } from '../private/invocation-logging-resource';
import { namedPrincipal } from '../private/named-principal';
import { accessLogsBucket, allowCloudWatchLogs, recordBucket } from '../private/log-storage';
import { serviceTrustConditions } from '../private/service-trust';
import { ownKey } from '../private/own-key';

export interface ModelInvocationLoggingProps {
  /**
   * How long each log is kept: object lock holds it that long, and a lifecycle rule then expires
   * it (seven years for a healthcare record, say).
   * @default Duration.days(365)
   */
  readonly retention?: Duration;

  /**
   * The object lock mode. GOVERNANCE lets principals allowed `s3:BypassGovernanceRetention` lift
   * it (the pack counts that as privilege administration); COMPLIANCE lets nobody.
   * @default s3.ObjectLockMode.GOVERNANCE
   */
  readonly lockMode?: s3.ObjectLockMode;

  /** Also deliver images. @default false */
  readonly logImages?: boolean;
  /** Also deliver embeddings. @default false */
  readonly logEmbeddings?: boolean;
  /** Also deliver video. @default false */
  readonly logVideo?: boolean;

  /**
   * Also deliver to a CloudWatch Logs log group, kept this long, for Logs Insights queries and
   * metric filters (bodies over 100 KB still go to the bucket). The log group is encrypted with
   * the store's key and tagged `inference-logs`: capability roles' boundaries deny reading it, and
   * the analysis counts whoever may read it. But CloudWatch Logs has no resource policy to deny
   * other readers, as the bucket's does: any principal allowed to read the account's log groups
   * (`logs:*` on `*`, `CloudWatchLogsReadOnlyAccess`) reads the prompts there too.
   * @default - no CloudWatch Logs delivery: the bucket alone, whose policy denies unnamed readers
   */
  readonly cloudWatchLogsRetention?: logs.RetentionDays;

  /**
   * The key of the logs bucket and the function's logs.
   * @default - a new KMS key with rotation, retained on stack deletion
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Where the bucket's S3 server access logs go.
   * @default - a new access-logs bucket
   */
  readonly accessLogsBucket?: s3.IBucket;
}

const KEY_PREFIX = 'bedrock';
/** Where SageMaker endpoints' data capture goes. */
const CAPTURE_PREFIX = 'sagemaker';
const READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectAttributes', 's3:RestoreObject'];

/**
 * Bedrock model invocation logging for this account and region, into a store of its own: a
 * KMS-encrypted, versioned, object-locked bucket tagged `model-access:data-class=inference-logs`,
 * with its own retention, that Bedrock may write only for this account and region, and that
 * nobody reads unless granted with `grantReadLogs`. A custom resource turns the logging on and,
 * when the stack deletes it, off. Invocation logging is one configuration per account and region:
 * a second of these for the same account and region fails synth.
 */
export class ModelInvocationLogging extends Construct implements IDataCaptureStore {
  /** The logs: prompts and responses. */
  public readonly bucket: s3.Bucket;
  /** The key of the bucket. */
  public readonly encryptionKey: kms.IKey;
  /** The role that turns logging on and off: the audit trail alerts on any other that does. */
  public readonly configurationRole: iam.IRole;
  /** The log group the logs are also delivered to, with `cloudWatchLogsRetention`. */
  public readonly logGroup?: logs.LogGroup;

  private readonly readers: string[] = [];
  private finalized = false;

  constructor(scope: Construct, id: string, props: ModelInvocationLoggingProps = {}) {
    super(scope, id);
    // Log delivery through a bucket policy, never ACLs, whatever the app's feature flags say.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const stack = Stack.of(this);
    const where = (c: IConstruct) => `${Stack.of(c).account}/${Stack.of(c).region}`;
    const other = this.node.root.node
      .findAll()
      .find((c) => c !== this && c instanceof ModelInvocationLogging && where(c) === where(this));
    if (other) {
      throw new Error(
        `ModelInvocationLogging '${this.node.path}': '${other.node.path}' already turns on Bedrock model invocation logging for this account and region, which has one configuration: a second would overwrite it, and deleting either would switch it off. Use that one (ModelAccessControl: invocationLogging: InvocationLogging.existing(store)).`,
      );
    }
    const retention = props.retention ?? Duration.days(365);
    const days = retention.toDays({ integral: false });
    if (!Number.isInteger(days) || days < 1 || days > 36500) {
      throw new Error(
        `ModelInvocationLogging: retention must be a whole number of days from 1 to 36500, got ${retention.toHumanString()}.`,
      );
    }
    // Bedrock delivers for this account and region only.
    const bedrock = new iam.ServicePrincipal('bedrock.amazonaws.com');
    const fromBedrock = serviceTrustConditions(
      stack.account,
      stack.formatArn({ service: 'bedrock', resource: '*', resourceName: undefined }),
      true,
    );
    this.encryptionKey = ownKey(this, 'Model invocation logs', props.encryptionKey);
    allowCloudWatchLogs(this.encryptionKey, this);
    this.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'BedrockDeliversInvocationLogs',
        principals: [bedrock],
        actions: ['kms:GenerateDataKey'],
        resources: ['*'],
        conditions: fromBedrock,
      }),
    );

    const lock =
      props.lockMode === s3.ObjectLockMode.COMPLIANCE
        ? s3.ObjectLockRetention.compliance(retention)
        : s3.ObjectLockRetention.governance(retention);
    this.bucket = recordBucket(this, 'Logs', {
      dataClass: DataClass.INFERENCE_LOGS,
      encryptionKey: this.encryptionKey,
      lock,
      accessLogs: props.accessLogsBucket ?? accessLogsBucket(this, 'AccessLogs', RemovalPolicy.RETAIN),
      lifecycleRules: [
        { expiration: retention.plus(Duration.days(1)), noncurrentVersionExpiration: Duration.days(1) },
      ],
      notReplicated:
        'Inference logs are object-locked for their retention; a copy in another account or region would be another store of prompts and responses to guard.',
    });
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'BedrockDeliversInvocationLogs',
        principals: [bedrock],
        actions: ['s3:PutObject'],
        resources: [
          this.bucket.arnForObjects(`${KEY_PREFIX}/AWSLogs/${stack.account}/BedrockModelInvocationLogs/*`),
        ],
        conditions: fromBedrock,
      }),
    );
    // Reading the logs is granted here alone: every other principal is denied, whatever its policies say.
    atSynthesis(this, () => {
      this.finalized = true;
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'DenyReadsToPrincipalsNotGranted',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: READ_ACTIONS,
          resources: [this.bucket.arnForObjects('*')],
          // Nobody granted: the deny holds for everyone.
          conditions:
            this.readers.length > 0 ? { ArnNotEquals: { 'aws:PrincipalArn': this.readers } } : undefined,
        }),
      );
    });

    const fn = handlerFunction(this, 'Handler', {
      owner: 'ModelInvocationLogging',
      directory: path.join(__dirname, 'handlers'),
      handler: 'invocation-logging',
      description: 'Turns Bedrock model invocation logging on and off',
      part: 'model invocation logging custom resource',
      roleCapability: 'service',
      invocation: {
        deadLetterQueue:
          'Invoked by CloudFormation for this custom resource alone; the function reports every outcome, failures included, to the stack operation, which fails visibly.',
        concurrency:
          'Invoked once per stack operation on the custom resource; reserved concurrency would take from the account pool and can fail deployment in accounts with the minimum quota.',
      },
      calls: 'Bedrock',
      environment: {},
      encryptionKey: this.encryptionKey,
      logRetention: logs.RetentionDays.ONE_YEAR,
    });
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'bedrock:PutModelInvocationLoggingConfiguration',
          'bedrock:DeleteModelInvocationLoggingConfiguration',
        ],
        resources: ['*'],
      }),
    );
    acknowledgeWildcardResource(
      fn.role!,
      '*',
      'Bedrock model invocation logging is one configuration per account and region: its actions take only Resource "*".',
    );
    this.configurationRole = fn.role!;
    if (props.cloudWatchLogsRetention) {
      this.logGroup = new logs.LogGroup(this, 'LogGroup', {
        encryptionKey: this.encryptionKey,
        retention: props.cloudWatchLogsRetention,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Tags.of(this.logGroup).add(TAG_DATA_CLASS, DataClass.INFERENCE_LOGS);
    }
    const delivery = this.logGroup
      ? deliveryRole(this, this.logGroup, bedrock.withConditions(fromBedrock), fn.role!)
      : undefined;
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: INVOCATION_LOGGING_RESOURCE_TYPE,
      properties: {
        BucketName: this.bucket.bucketName,
        KeyPrefix: KEY_PREFIX,
        LogGroupName: this.logGroup?.logGroupName ?? '',
        LogsRoleArn: delivery?.roleArn ?? '',
        Text: 'true',
        Image: String(props.logImages ?? false),
        Embedding: String(props.logEmbeddings ?? false),
        Video: String(props.logVideo ?? false),
      },
    });
    // Bedrock checks that it can deliver when the configuration is put.
    resource.node.addDependency(this.bucket.policy!);
    if (delivery) resource.node.addDependency(delivery);
  }

  /**
   * SageMaker endpoints' data capture into the store, under `sagemaker/` (a `DeploymentPipeline`'s
   * `dataCapture`): the hosting role may write there, encrypting with the store's key through S3,
   * and reads nothing.
   */
  public bindDataCapture(hostingRole: iam.IRole): DataCaptureDestination {
    hostingRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${CAPTURE_PREFIX}/*`)],
      }),
    );
    grantKeyViaS3(hostingRole, this.encryptionKey, ['kms:GenerateDataKey', 'kms:Encrypt']);
    acknowledgeWildcardResource(
      hostingRole,
      this.bucket.arnForObjects(`${CAPTURE_PREFIX}/*`),
      'SageMaker names each capture file by endpoint, variant and hour; the role writes under the data-capture prefix and reads nothing.',
    );
    return {
      s3Uri: `s3://${this.bucket.bucketName}/${CAPTURE_PREFIX}/`,
      kmsKeyArn: this.encryptionKey.keyArn,
    };
  }

  /**
   * Data capture into the store for a SageMaker endpoint you configure yourself: the
   * `dataCaptureConfig` of its `CfnEndpointConfig`, capturing requests and responses. Grants the
   * model's execution role, as which SageMaker writes, what `bindDataCapture` grants.
   */
  public sageMakerDataCaptureConfig(
    executionRole: iam.IRole,
    samplingPercentage = 100,
  ): sagemaker.CfnEndpointConfig.DataCaptureConfigProperty {
    checkCapturePercentage(
      'ModelInvocationLogging.sageMakerDataCaptureConfig: samplingPercentage',
      samplingPercentage,
    );
    const destination = this.bindDataCapture(executionRole);
    return {
      enableCapture: true,
      initialSamplingPercentage: samplingPercentage,
      destinationS3Uri: destination.s3Uri,
      kmsKeyId: destination.kmsKeyArn,
      captureOptions: [{ captureMode: 'Input' }, { captureMode: 'Output' }],
    };
  }

  /**
   * Lets the grantee read the logs (INFERENCE_LOG_ACCESS: their objects, the listing, and the key
   * through S3 only; the log group too, with `cloudWatchLogsRetention`), and lets it past the
   * bucket's deny of every other reader. Grant auditors only: a principal that also invokes,
   * customizes or deploys models is a merged identity. A role of another stack needs a fixed
   * `roleName`.
   */
  public grantReadLogs(grantee: iam.IGrantable): iam.Grant {
    if (this.finalized) {
      throw new Error(
        'ModelInvocationLogging.grantReadLogs: called after synthesis began; grant while building the app.',
      );
    }
    this.readers.push(namedPrincipal(this, grantee, 'ModelInvocationLogging.grantReadLogs').arn);
    const logs = this.bucket.arnForObjects('*');
    if (Construct.isConstruct(grantee.grantPrincipal)) {
      acknowledgeWildcardResource(grantee.grantPrincipal, logs, EVERY_OBJECT_OF_ITS_CLASS);
    }
    const reads = catalogActions(Capability.INFERENCE_LOG_ACCESS, {
      dataClasses: [DataClass.INFERENCE_LOGS],
    });
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: reads.filter((a) => a.startsWith('s3:')),
      resourceArns: [logs],
    })
      .combine(
        iam.Grant.addToPrincipal({
          grantee,
          actions: ['s3:ListBucket'],
          resourceArns: [this.bucket.bucketArn],
        }),
      )
      .combine(grantKeyViaS3(grantee, this.encryptionKey, KEY_READ_ACTIONS));
    if (!this.logGroup) return grant;
    return grant.combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: [
          ...reads.filter((a) => a.startsWith('logs:')),
          'logs:DescribeLogStreams',
          'logs:GetQueryResults',
        ],
        resourceArns: [this.logGroup.logGroupArn],
      }),
    );
  }
}

/**
 * The role Bedrock delivers to the log group as, for this account only; the configurer may pass it
 * to Bedrock alone.
 */
function deliveryRole(
  scope: Construct,
  logGroup: logs.LogGroup,
  bedrock: iam.IPrincipal,
  configurer: iam.IRole,
): iam.Role {
  const role = new iam.Role(scope, 'DeliveryRole', {
    assumedBy: bedrock,
    description: 'Bedrock delivers model invocation logs to the log group as this role',
  });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  acknowledgeFinding(
    role,
    'IAMNoInlinePolicy',
    "The delivery role's one grant goes to its own AWS::IAM::Policy, attachable to no other principal.",
  );
  configurer.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [role.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } },
    }),
  );
  return role;
}
