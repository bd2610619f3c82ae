import { Aws, Duration, Names, RemovalPolicy, Tags, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { acknowledgeFinding, acknowledgeWildcardResource } from '../private/compliance-findings';
import { accessLogsBucket } from '../private/log-storage';
import { GUARDED_DELETE_ACTIONS, GUARDED_WRITE_ACTIONS } from '../private/registry-writes';
import { Capability, DataClass, TAG_DATA_CLASS } from '../capabilities/capability';
import { catalogActions } from '../capabilities/actions';
import { actionResourceTypes } from '../capabilities/private/iam-data';
import { atSynthesis } from './private/at-synthesis';
import { principalArnOf } from './private/principal-arn';

export interface ModelRegistryProps {
  /**
   * The customer-managed key that encrypts every registry bucket but the access-log bucket.
   * A key imported by ARN cannot have its policy changed here: its policy must then restrict
   * decryption itself.
   * @default - a new symmetric key with rotation enabled, an alias, and `removalPolicy`
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Alias of the new key. Ignored when `encryptionKey` is given.
   * @default - `alias/model-registry/<unique id of this construct>`
   */
  readonly keyAlias?: string;

  /**
   * What happens to the key and the buckets when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Enables S3 Object Lock on the metadata bucket with this default retention, so provenance
   * manifests cannot be changed or deleted during it.
   * @default - no object lock
   */
  readonly metadataObjectLockRetention?: s3.ObjectLockRetention;

  /**
   * Roles exempt from the denies on reading, writing and deleting weights and training data, and
   * allowed to decrypt through S3, for emergencies. They still need their own S3 permissions,
   * and their use shows in CloudTrail.
   * @default - none
   */
  readonly breakGlassRoles?: iam.IRole[];

  /**
   * How long S3 server access logs are kept.
   * @default - forever
   */
  readonly accessLogsExpiration?: Duration;
}

// Key administration for the account, and no cryptographic operation: decryption is granted per
// principal below, so an identity policy alone can never decrypt registry data.
const KEY_ADMIN_ACTIONS = [
  'kms:CreateAlias',
  'kms:Describe*',
  'kms:List*',
  'kms:Get*',
  'kms:Enable*',
  'kms:Disable*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];
const KEY_READ_ACTIONS = ['kms:Decrypt'];
// Multipart uploads of SSE-KMS objects need Decrypt as well as GenerateDataKey.
const KEY_WRITE_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];
// Writing training data confers no capability of the catalog; it is a registry operation.
const WRITE_OBJECT_ACTIONS = ['s3:PutObject'];

const KEY_ALIAS = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;

/**
 * KMS-encrypted buckets for model artifacts (weights), training data and metadata, with an
 * access-log bucket, a customer-managed key, and policies that keep weights and training data
 * away from every principal not granted them through this construct: reads and writes to
 * granted principals only, deletes to break-glass roles only.
 */
export class ModelRegistry extends Construct {
  /** The key that encrypts the registry buckets. */
  public readonly encryptionKey: kms.IKey;
  /** Model weights and other training outputs. Tagged `model-artifacts`. */
  public readonly modelArtifactsBucket: s3.Bucket;
  /** Datasets for customization. Tagged `training-data`. */
  public readonly trainingDataBucket: s3.Bucket;
  /** Model cards, lineage and provenance manifests. Tagged `metadata`. */
  public readonly metadataBucket: s3.Bucket;
  /** S3 server access logs of the other three. Tagged `access-logs`. */
  public readonly accessLogsBucket: s3.Bucket;
  /** The buckets that hold models' data (not the access logs): artifacts, training data, metadata. */
  public get dataBuckets(): s3.Bucket[] {
    return [this.modelArtifactsBucket, this.trainingDataBucket, this.metadataBucket];
  }
  /** The default object lock retention of the metadata bucket, if it has object lock. */
  public readonly metadataObjectLockRetention?: s3.ObjectLockRetention;

  private readonly readersOf = new Map<s3.Bucket, Set<string>>();
  private readonly writersOf = new Map<s3.Bucket, Set<string>>();
  private readonly breakGlass = new Set<string>();
  private finalized = false;

  constructor(scope: Construct, id: string, props: ModelRegistryProps = {}) {
    super(scope, id);
    // Log delivery through a bucket policy, never ACLs, whatever the app's feature flags say.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    if (props.keyAlias !== undefined && props.encryptionKey) {
      throw new Error(
        'ModelRegistry: keyAlias applies only to a key the registry creates; omit it when passing encryptionKey.',
      );
    }
    if (props.keyAlias !== undefined && !Token.isUnresolved(props.keyAlias)) {
      if (!KEY_ALIAS.test(props.keyAlias) || props.keyAlias.startsWith('alias/aws/')) {
        throw new Error(
          `ModelRegistry: keyAlias '${props.keyAlias}' is not a valid alias (expected 'alias/<name>' of letters, digits, '/', '_' and '-', not under 'alias/aws/').`,
        );
      }
    }

    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: `Encrypts the model registry ${this.node.path}`,
        enableKeyRotation: true,
        alias: props.keyAlias ?? `alias/model-registry/${Names.uniqueResourceName(this, { maxLength: 200 })}`,
        removalPolicy,
        policy: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'KeyAdministration',
              principals: [new iam.AccountRootPrincipal()],
              actions: KEY_ADMIN_ACTIONS,
              resources: ['*'],
            }),
          ],
        }),
      });

    this.accessLogsBucket = accessLogsBucket(this, 'AccessLogs', removalPolicy, props.accessLogsExpiration);

    const dataBucket = (id: string, dataClass: DataClass, extra: s3.BucketProps = {}) => {
      const bucket = new s3.Bucket(this, id, {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: this.encryptionKey,
        bucketKeyEnabled: true,
        versioned: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforceSSL: true,
        minimumTLSVersion: 1.2,
        serverAccessLogsBucket: this.accessLogsBucket,
        serverAccessLogsPrefix: `${dataClass}/`,
        removalPolicy,
        ...extra,
      });
      Tags.of(bucket).add(TAG_DATA_CLASS, dataClass);
      // ABAC: policies anywhere (capability roles' denies) can recognise the bucket by its tag.
      (bucket.node.defaultChild as s3.CfnBucket).abacStatus = 'Enabled';
      this.denyPutsNotEncryptedWithRegistryKey(bucket);
      acknowledgeFinding(
        bucket,
        'S3BucketReplicationEnabled',
        `Replicating ${dataClass} would copy it out of the registry key and the bucket policy that deny it to everyone not granted it; versioning and RETAIN keep it from loss. Add replication with an equally protected destination if your recovery plan needs one.`,
      );
      return bucket;
    };
    this.modelArtifactsBucket = dataBucket('ModelArtifacts', DataClass.MODEL_ARTIFACTS);
    this.trainingDataBucket = dataBucket('TrainingData', DataClass.TRAINING_DATA);
    this.metadataObjectLockRetention = props.metadataObjectLockRetention;
    this.metadataBucket = dataBucket('Metadata', DataClass.METADATA, {
      objectLockEnabled: props.metadataObjectLockRetention ? true : undefined,
      objectLockDefaultRetention: props.metadataObjectLockRetention,
    });

    for (const bucket of [this.modelArtifactsBucket, this.trainingDataBucket]) {
      this.readersOf.set(bucket, new Set());
      this.writersOf.set(bucket, new Set());
    }
    for (const role of props.breakGlassRoles ?? []) {
      for (const readers of this.readersOf.values()) readers.add(role.roleArn);
      this.breakGlass.add(role.roleArn);
      this.allowKeyViaS3(role, KEY_READ_ACTIONS);
    }

    // Who may read or write weights is known only once every grant is made: finalize at synthesis.
    atSynthesis(this, () => this.denyUngrantedAccess());
  }

  /** Lets the grantee read models' metadata, lineage and provenance manifests (READ). */
  public grantReadMetadata(grantee: iam.IGrantable): iam.Grant {
    return this.grantData(
      grantee,
      'grantReadMetadata',
      this.metadataBucket,
      catalogActions(Capability.READ, {
        dataClasses: [DataClass.METADATA],
      }),
      KEY_READ_ACTIONS,
    );
  }

  /** Lets the grantee write metadata and provenance manifests. */
  public grantWriteMetadata(grantee: iam.IGrantable): iam.Grant {
    return this.grantData(
      grantee,
      'grantWriteMetadata',
      this.metadataBucket,
      WRITE_OBJECT_ACTIONS,
      KEY_WRITE_ACTIONS,
    );
  }

  /** Lets the grantee download model weights (WEIGHTS_ACCESS): the only way past the bucket's deny. */
  public grantReadWeights(grantee: iam.IGrantable): iam.Grant {
    return this.grantReader(
      grantee,
      'grantReadWeights',
      this.modelArtifactsBucket,
      DataClass.MODEL_ARTIFACTS,
    );
  }

  /** Lets the grantee write model artifacts, as a customization job does (CUSTOMIZATION). */
  public grantWriteArtifacts(grantee: iam.IGrantable): iam.Grant {
    const actions = catalogActions(Capability.CUSTOMIZATION, { dataClasses: [DataClass.MODEL_ARTIFACTS] });
    return this.grantData(
      grantee,
      'grantWriteArtifacts',
      this.modelArtifactsBucket,
      actions,
      KEY_WRITE_ACTIONS,
    );
  }

  /** Lets the grantee read training data (WEIGHTS_ACCESS): the only way past the bucket's deny. */
  public grantReadTrainingData(grantee: iam.IGrantable): iam.Grant {
    return this.grantReader(
      grantee,
      'grantReadTrainingData',
      this.trainingDataBucket,
      DataClass.TRAINING_DATA,
    );
  }

  /** Lets the grantee upload training data. */
  public grantWriteTrainingData(grantee: iam.IGrantable): iam.Grant {
    return this.grantData(
      grantee,
      'grantWriteTrainingData',
      this.trainingDataBucket,
      WRITE_OBJECT_ACTIONS,
      KEY_WRITE_ACTIONS,
    );
  }

  private grantReader(
    grantee: iam.IGrantable,
    method: string,
    bucket: s3.Bucket,
    dataClass: DataClass,
  ): iam.Grant {
    const actions = catalogActions(Capability.WEIGHTS_ACCESS, { dataClasses: [dataClass] });
    return this.grantData(grantee, method, bucket, actions, KEY_READ_ACTIONS, true);
  }

  /** Grants `actions` on the bucket and `keyActions` on the key; a reader also gets past the read deny. */
  private grantData(
    grantee: iam.IGrantable,
    method: string,
    bucket: s3.Bucket,
    actions: string[],
    keyActions: string[],
    reader = false,
  ): iam.Grant {
    if (this.finalized) {
      throw new Error(
        `ModelRegistry.${method}: called after synthesis began; make every grant while building the app.`,
      );
    }
    const principalArn = principalArnOf(grantee, method);
    if (reader) this.readersOf.get(bucket)!.add(principalArn);
    else if (actions.includes('s3:PutObject')) this.writersOf.get(bucket)?.add(principalArn);
    if (Construct.isConstruct(grantee.grantPrincipal)) {
      acknowledgeWildcardResource(
        grantee.grantPrincipal,
        bucket.arnForObjects('*'),
        `Every object of the registry's ${this.dataClassOf(bucket)} bucket: registry access is granted per data class, and each class has a bucket of its own.`,
      );
    }
    // Bucket-level actions (ListBucket) take the bucket ARN, object-level ones the objects.
    const onBucket = actions.filter((a) => actionResourceTypes(a).includes('bucket'));
    const onObjects = actions.filter((a) => !onBucket.includes(a));
    let grant = iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: onObjects,
      resourceArns: [bucket.arnForObjects('*')],
      resource: bucket,
    });
    if (onBucket.length > 0) {
      grant = grant.combine(
        iam.Grant.addToPrincipalOrResource({
          grantee,
          actions: onBucket,
          resourceArns: [bucket.bucketArn],
          resource: bucket,
        }),
      );
    }
    return grant.combine(this.allowKeyViaS3(grantee, keyActions));
  }

  /** The key policy names the grantee, and only for requests S3 makes on its behalf. */
  private allowKeyViaS3(grantee: iam.IGrantable, actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipalAndResource({
      grantee,
      actions,
      resourceArns: [this.encryptionKey.keyArn],
      resource: this.encryptionKey,
      resourceSelfArns: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
    });
  }

  private denyPutsNotEncryptedWithRegistryKey(bucket: s3.Bucket) {
    const deny = (sid: string, conditions: Record<string, Record<string, unknown>>) =>
      bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: WRITE_OBJECT_ACTIONS,
          resources: [bucket.arnForObjects('*')],
          conditions,
        }),
      );
    // A put without encryption headers gets the bucket's default (the registry key). A negated
    // operator matches an absent header too, so each deny also requires the header to be present.
    const sse = 's3:x-amz-server-side-encryption';
    const sseKey = 's3:x-amz-server-side-encryption-aws-kms-key-id';
    deny('DenyPutsNotEncryptedWithKms', {
      Null: { [sse]: 'false' },
      StringNotEquals: { [sse]: ['aws:kms', 'aws:kms:dsse'] },
    });
    deny('DenyPutsWithAnotherKey', {
      Null: { [sseKey]: 'false' },
      StringNotEquals: { [sseKey]: this.encryptionKey.keyArn },
    });
    deny('DenyPutsWithCustomerKeys', {
      Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' },
    });
  }

  private dataClassOf(bucket: s3.Bucket): DataClass {
    if (bucket === this.modelArtifactsBucket) return DataClass.MODEL_ARTIFACTS;
    return bucket === this.trainingDataBucket ? DataClass.TRAINING_DATA : DataClass.METADATA;
  }

  /**
   * The bucket policies' denies of weights and training data: reads to every principal not granted
   * them, writes to every principal not granted them, deletes to all but break-glass roles. With
   * the capability boundaries' own denies, no role holds them by its identity policies alone.
   */
  private denyUngrantedAccess() {
    this.finalized = true;
    const deny = (bucket: s3.Bucket, sid: string, actions: string[], allowed: Set<string>) =>
      bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions,
          resources: [bucket.arnForObjects('*')],
          // Nobody granted: the deny holds for everyone.
          conditions: allowed.size > 0 ? { ArnNotEquals: { 'aws:PrincipalArn': [...allowed] } } : undefined,
        }),
      );
    for (const [bucket, readers] of this.readersOf) {
      const dataClass = this.dataClassOf(bucket);
      deny(
        bucket,
        'DenyReadsToPrincipalsNotGranted',
        catalogActions(Capability.WEIGHTS_ACCESS, { dataClasses: [dataClass] }),
        readers,
      );
      deny(
        bucket,
        'DenyWritesToPrincipalsNotGranted',
        GUARDED_WRITE_ACTIONS,
        new Set([...this.writersOf.get(bucket)!, ...this.breakGlass]),
      );
      deny(bucket, 'DenyDeletesButBreakGlass', GUARDED_DELETE_ACTIONS, this.breakGlass);
    }
  }
}
