import { Duration, Lazy, Names, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct, IConstruct } from 'constructs';
import {
  acknowledgeFinding,
  acknowledgeWildcardResource,
  EVERY_OBJECT_OF_ITS_CLASS,
} from '../private/compliance-findings';
import { accessLogsBucket } from '../private/log-storage';
import { requireArn } from '../private/arns';
import { administrationOnlyKeyPolicy, denyAllBut } from '../private/exclusive-access';
import { namedPrincipal } from '../private/named-principal';
import { GUARDED_DELETE_ACTIONS, GUARDED_WRITE_ACTIONS } from '../private/registry-writes';
import { DataClass, TAG_DATA_CLASS } from '../capabilities/capability';
import { RECORD_PREFIXES } from '../capabilities/private/gate-machinery';
import { atSynthesis } from '../private/at-synthesis';
import {
  grantKeyViaS3,
  grantOnRegistry,
  KEY_READ_ACTIONS,
  REGISTRY_GRANTS,
  RegistryGrantMethod,
  RegistryGrantSpec,
  WRITE_OBJECT_ACTIONS,
} from './private/registry-grants';

/**
 * A model registry: its buckets, its key and its grants. `ModelRegistry` creates one;
 * `ModelRegistry.fromRegistryAttributes` names one that another app created.
 */
export interface IModelRegistry extends IConstruct {
  /** The key that encrypts the registry buckets. */
  readonly encryptionKey: kms.IKey;
  /** Model weights and other training outputs. */
  readonly modelArtifactsBucket: s3.IBucket;
  /** Datasets for customization. */
  readonly trainingDataBucket: s3.IBucket;
  /** Model cards, lineage and provenance manifests. */
  readonly metadataBucket: s3.IBucket;
  /** Lets the grantee read models' metadata, lineage and provenance manifests (READ). */
  grantReadMetadata(grantee: iam.IGrantable): iam.Grant;
  /** Lets the grantee write metadata and provenance manifests. */
  grantWriteMetadata(grantee: iam.IGrantable): iam.Grant;
  /** Lets the grantee download model weights (WEIGHTS_ACCESS). */
  grantReadWeights(grantee: iam.IGrantable): iam.Grant;
  /** Lets the grantee write model artifacts, as a customization job does (CUSTOMIZATION). */
  grantWriteArtifacts(grantee: iam.IGrantable): iam.Grant;
  /** Lets the grantee read training data (WEIGHTS_ACCESS). */
  grantReadTrainingData(grantee: iam.IGrantable): iam.Grant;
  /** Lets the grantee upload training data. */
  grantWriteTrainingData(grantee: iam.IGrantable): iam.Grant;
}

/** What names a registry that another app created: its bucket names and its key. */
export interface ModelRegistryAttributes {
  /** Name of the registry's model-artifacts bucket. */
  readonly modelArtifactsBucketName: string;
  /** Name of the registry's training-data bucket. */
  readonly trainingDataBucketName: string;
  /** Name of the registry's metadata bucket. */
  readonly metadataBucketName: string;
  /** ARN of the key that encrypts the registry buckets. */
  readonly encryptionKeyArn: string;
}

/** The grants every registry has, its own or imported: each one is a spec of `REGISTRY_GRANTS`. */
abstract class ModelRegistryBase extends Construct implements IModelRegistry {
  public abstract readonly encryptionKey: kms.IKey;
  public abstract readonly modelArtifactsBucket: s3.IBucket;
  public abstract readonly trainingDataBucket: s3.IBucket;
  public abstract readonly metadataBucket: s3.IBucket;

  /** Lets the grantee read models' metadata, lineage and provenance manifests (READ). */
  public grantReadMetadata(grantee: iam.IGrantable): iam.Grant {
    return this._grant(grantee, 'grantReadMetadata');
  }

  /** Lets the grantee write metadata and provenance manifests. */
  public grantWriteMetadata(grantee: iam.IGrantable): iam.Grant {
    return this._grant(grantee, 'grantWriteMetadata');
  }

  /** Lets the grantee download model weights (WEIGHTS_ACCESS): the only way past the bucket's deny. */
  public grantReadWeights(grantee: iam.IGrantable): iam.Grant {
    return this._grant(grantee, 'grantReadWeights');
  }

  /** Lets the grantee write model artifacts, as a customization job does (CUSTOMIZATION). */
  public grantWriteArtifacts(grantee: iam.IGrantable): iam.Grant {
    return this._grant(grantee, 'grantWriteArtifacts');
  }

  /** Lets the grantee read training data (WEIGHTS_ACCESS): the only way past the bucket's deny. */
  public grantReadTrainingData(grantee: iam.IGrantable): iam.Grant {
    return this._grant(grantee, 'grantReadTrainingData');
  }

  /** Lets the grantee upload training data. */
  public grantWriteTrainingData(grantee: iam.IGrantable): iam.Grant {
    return this._grant(grantee, 'grantWriteTrainingData');
  }

  /** @internal */
  protected abstract _grant(grantee: iam.IGrantable, method: RegistryGrantMethod): iam.Grant;
}

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

const KEY_ALIAS = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;

/**
 * KMS-encrypted buckets for model artifacts (weights), training data and metadata, with an
 * access-log bucket, a customer-managed key, and policies that keep weights and training data
 * away from every principal not granted them through this construct: reads and writes to
 * granted principals only, deletes to break-glass roles only.
 */
export class ModelRegistry extends ModelRegistryBase {
  /**
   * A registry another app created, named by its buckets and key, for stacks that are not in its
   * app. Its grants write only the grantee's identity policy: the registry's bucket and key
   * policies admit only the principals its own stack granted, so grant the same role there too
   * (by ARN, with `iam.Role.fromRoleArn(..., { mutable: false })`). Within one app, share the
   * `ModelRegistry` object itself: its grants to roles of other stacks need no import.
   */
  public static fromRegistryAttributes(
    scope: Construct,
    id: string,
    attrs: ModelRegistryAttributes,
  ): IModelRegistry {
    for (const [name, value] of Object.entries(attrs)) {
      if (typeof value !== 'string' || value === '') {
        throw new Error(`ModelRegistry.fromRegistryAttributes: ${name} is required.`);
      }
    }
    requireArn(
      'ModelRegistry.fromRegistryAttributes',
      'encryptionKeyArn',
      attrs.encryptionKeyArn,
      'kms',
      'key/[\\w-]+',
      'a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>); an alias will not do, since key policies name the key',
    );
    class Import extends ModelRegistryBase {
      public readonly encryptionKey = kms.Key.fromKeyArn(this, 'Key', attrs.encryptionKeyArn);
      public readonly modelArtifactsBucket = this.bucket('ModelArtifacts', attrs.modelArtifactsBucketName);
      public readonly trainingDataBucket = this.bucket('TrainingData', attrs.trainingDataBucketName);
      public readonly metadataBucket = this.bucket('Metadata', attrs.metadataBucketName);
      private bucket(id: string, bucketName: string): s3.IBucket {
        return s3.Bucket.fromBucketAttributes(this, id, { bucketName, encryptionKey: this.encryptionKey });
      }
      protected _grant(grantee: iam.IGrantable, method: RegistryGrantMethod): iam.Grant {
        const spec = REGISTRY_GRANTS[method];
        namedPrincipal(this, grantee, `ModelRegistry.${method}`); // a role or user, as the registry's own grants require
        return grantOnRegistry(grantee, spec, bucketOf(this, spec.dataClass), this.encryptionKey);
      }
    }
    return new Import(scope, id);
  }

  /** The key that encrypts the registry buckets. */
  public readonly encryptionKey: kms.IKey;
  /** Model weights and other training outputs. Tagged `model-artifacts`. */
  public readonly modelArtifactsBucket: s3.IBucket;
  /** Datasets for customization. Tagged `training-data`. */
  public readonly trainingDataBucket: s3.IBucket;
  /** Model cards, lineage and provenance manifests. Tagged `metadata`. */
  public readonly metadataBucket: s3.IBucket;
  /** S3 server access logs of the other three. Tagged `access-logs`. */
  public readonly accessLogsBucket: s3.Bucket;
  /** The buckets that hold models' data (not the access logs): artifacts, training data, metadata. */
  public get dataBuckets(): s3.IBucket[] {
    return [this.modelArtifactsBucket, this.trainingDataBucket, this.metadataBucket];
  }
  /** The default object lock retention of the metadata bucket, if it has object lock. */
  public readonly metadataObjectLockRetention?: s3.ObjectLockRetention;

  private readonly readersOf = new Map<s3.IBucket, Set<string>>();
  private readonly writersOf = new Map<s3.IBucket, Set<string>>();
  private readonly breakGlass = new Set<string>();
  /** The pipelines' functions that write provenance manifests and deployment records. */
  private readonly recordWriters = new Set<string>();
  /** The customization pipelines' decision tables, where each manifest's version and checksum are pinned. */
  private readonly ledgers: { table: dynamodb.ITable; key: kms.IKey }[] = [];
  private readonly ledgerReaders: iam.IGrantable[] = [];
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
        // Decryption is granted per principal below: an identity policy alone never decrypts registry data.
        policy: administrationOnlyKeyPolicy('KeyAdministration'),
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
        'Replicating a registry bucket would copy its data out of the registry key and the bucket policy that deny it to everyone not granted it; versioning and RETAIN keep it from loss. Add replication with an equally protected destination if your recovery plan needs one.',
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
      grantKeyViaS3(role, this.encryptionKey, KEY_READ_ACTIONS, { principal: role, otherAccount: false });
    }

    // Who may read or write weights is known only once every grant is made: finalize at synthesis.
    atSynthesis(this, () => this.denyUngrantedAccess());
  }

  /**
   * Grants in the grantee's identity policy and in the key policy (and the bucket policy for
   * another account); a reader or writer also gets past the bucket's deny. A grantee this stack
   * does not create (another stack's, or imported) is named by a condition on `aws:PrincipalArn`
   * with its account as the principal: no reference to its stack, and a policy that deploys before
   * it exists.
   */
  /** @internal */
  protected _grant(grantee: iam.IGrantable, method: RegistryGrantMethod): iam.Grant {
    if (this.finalized) {
      throw new Error(
        `ModelRegistry.${method}: called after synthesis began; make every grant while building the app.`,
      );
    }
    const spec: RegistryGrantSpec = REGISTRY_GRANTS[method];
    const bucket = bucketOf(this, spec.dataClass) as s3.Bucket;
    const named = namedPrincipal(this, grantee, `ModelRegistry.${method}`);
    if (spec.passes === 'reads') this.readersOf.get(bucket)!.add(named.arn);
    if (spec.passes === 'writes') this.writersOf.get(bucket)!.add(named.arn);
    if (Construct.isConstruct(grantee.grantPrincipal)) {
      acknowledgeWildcardResource(
        grantee.grantPrincipal,
        bucket.arnForObjects('*'),
        EVERY_OBJECT_OF_ITS_CLASS,
      );
    }
    return grantOnRegistry(grantee, spec, bucket, this.encryptionKey, {
      principal: named.outside ? byArnCondition(named.account, named.arn) : grantee.grantPrincipal,
      otherAccount: named.otherAccount,
    });
  }

  /**
   * Lets a pipeline's function write its records (provenance manifests, deployment records) into
   * the metadata bucket, whose policy denies those writes to anyone else.
   * @internal
   */
  public _grantWriteRecords(grantee: iam.IGrantable): iam.Grant {
    this.recordWriters.add(namedPrincipal(this, grantee, 'ModelRegistry.grantWriteRecords').arn);
    return this.grantWriteMetadata(grantee);
  }

  /**
   * A customization pipeline's decision table, where the version id and checksum of each manifest
   * it writes are pinned, with the key it is encrypted with.
   * @internal
   */
  public _addProvenanceLedger(table: dynamodb.ITable, key: kms.IKey): void {
    this.ledgers.push({ table, key });
    for (const reader of this.ledgerReaders) grantLedger(reader, table, key);
  }

  /**
   * Lets a deployment pipeline's provenance check read the pins of every customization pipeline of
   * this registry, made before or after it; returns their table names as JSON, for its environment.
   * @internal
   */
  public _readProvenanceLedgers(reader: iam.IGrantable): string {
    this.ledgerReaders.push(reader);
    for (const { table, key } of this.ledgers) grantLedger(reader, table, key);
    return Lazy.string({
      produce: () => Stack.of(this).toJsonString(this.ledgers.map(({ table }) => table.tableName)),
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

  /**
   * The bucket policies' denies of weights and training data: reads to every principal not granted
   * them, writes to every principal not granted them, deletes to all but break-glass roles. With
   * the capability boundaries' own denies, no role holds them by its identity policies alone.
   */
  private denyUngrantedAccess() {
    this.finalized = true;
    const deny = (bucket: s3.Bucket, sid: string, actions: string[], allowed: Set<string>) =>
      bucket.addToResourcePolicy(
        denyAllBut({ sid, actions, resources: [bucket.arnForObjects('*')], principalArns: [...allowed] }),
      );
    // The buckets whose reads are granted one principal at a time: weights and training data.
    const reads = Object.values<RegistryGrantSpec>(REGISTRY_GRANTS).filter((spec) => spec.passes === 'reads');
    for (const spec of reads) {
      const bucket = bucketOf(this, spec.dataClass) as s3.Bucket;
      deny(bucket, 'DenyReadsToPrincipalsNotGranted', spec.actions, this.readersOf.get(bucket)!);
      deny(
        bucket,
        'DenyWritesToPrincipalsNotGranted',
        GUARDED_WRITE_ACTIONS,
        new Set([...this.writersOf.get(bucket)!, ...this.breakGlass]),
      );
      deny(bucket, 'DenyDeletesButBreakGlass', GUARDED_DELETE_ACTIONS, this.breakGlass);
    }
    // The pipelines' records: written by the pipelines' own functions, and by nobody else.
    const metadata = this.metadataBucket as s3.Bucket;
    metadata.addToResourcePolicy(
      denyAllBut({
        sid: 'DenyRecordWritesButThePipelines',
        actions: GUARDED_WRITE_ACTIONS,
        resources: RECORD_PREFIXES.map((prefix) => metadata.arnForObjects(`${prefix}*`)),
        principalArns: [...this.recordWriters],
      }),
    );
  }
}

/** GetItem on a ledger table, and the decryption its key requires. */
function grantLedger(reader: iam.IGrantable, table: dynamodb.ITable, key: kms.IKey) {
  table.grant(reader, 'dynamodb:GetItem');
  key.grant(reader, 'kms:Decrypt');
}

/** The bucket of a registry that holds a data class. */
function bucketOf(registry: IModelRegistry, dataClass: DataClass): s3.IBucket {
  if (dataClass === DataClass.MODEL_ARTIFACTS) return registry.modelArtifactsBucket;
  return dataClass === DataClass.TRAINING_DATA ? registry.trainingDataBucket : registry.metadataBucket;
}

/** A role or user named by its ARN in a condition, with its account as the policy's principal. */
function byArnCondition(account: string, arn: string): iam.IPrincipal {
  return new iam.AccountPrincipal(account).withConditions({ ArnEquals: { 'aws:PrincipalArn': arn } });
}
