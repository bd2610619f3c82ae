import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Capability, DataClass } from '../../capabilities/capability';
import { catalogActions } from '../../capabilities/actions';
import { actionResourceTypes } from '../../capabilities/private/iam-data';

/**
 * What each grant of a registry gives, for the registry's own stack and for stacks that import it:
 * one definition of the actions, the bucket and the key use.
 */
export interface RegistryGrantSpec {
  /** The bucket the grant is on. */
  readonly dataClass: DataClass;
  /** S3 actions: object-level ones on every object, bucket-level ones (ListBucket) on the bucket. */
  readonly actions: string[];
  /** Key actions, only for requests S3 makes on the grantee's behalf. */
  readonly keyActions: string[];
  /** Which of the bucket policy's denies the grant lets the grantee past. */
  readonly passes?: 'reads' | 'writes';
}

export const KEY_READ_ACTIONS = ['kms:Decrypt'];
// Multipart uploads of SSE-KMS objects need Decrypt as well as GenerateDataKey.
const KEY_WRITE = ['kms:GenerateDataKey', 'kms:Decrypt'];
// Writing objects confers no capability of the catalog; it is a registry operation.
export const WRITE_OBJECT_ACTIONS = ['s3:PutObject'];

const weights = (dataClass: DataClass): RegistryGrantSpec => ({
  dataClass,
  actions: catalogActions(Capability.WEIGHTS_ACCESS, { dataClasses: [dataClass] }),
  keyActions: KEY_READ_ACTIONS,
  passes: 'reads',
});

/** The registry's grants, by method name. */
export const REGISTRY_GRANTS = {
  grantReadMetadata: {
    dataClass: DataClass.METADATA,
    actions: catalogActions(Capability.READ, { dataClasses: [DataClass.METADATA] }),
    keyActions: KEY_READ_ACTIONS,
  },
  grantWriteMetadata: { dataClass: DataClass.METADATA, actions: WRITE_OBJECT_ACTIONS, keyActions: KEY_WRITE },
  grantReadWeights: weights(DataClass.MODEL_ARTIFACTS),
  grantWriteArtifacts: {
    dataClass: DataClass.MODEL_ARTIFACTS,
    actions: catalogActions(Capability.CUSTOMIZATION, { dataClasses: [DataClass.MODEL_ARTIFACTS] }),
    keyActions: KEY_WRITE,
    passes: 'writes',
  },
  grantReadTrainingData: weights(DataClass.TRAINING_DATA),
  grantWriteTrainingData: {
    dataClass: DataClass.TRAINING_DATA,
    actions: WRITE_OBJECT_ACTIONS,
    keyActions: KEY_WRITE,
    passes: 'writes',
  },
} satisfies Record<string, RegistryGrantSpec>;

export type RegistryGrantMethod = keyof typeof REGISTRY_GRANTS;

/** How the registry's bucket and key policies name a grantee; absent for an imported registry. */
export interface ResourceSide {
  /** The principal the key policy (and a bucket policy) names for a grantee whose identity policy took the grant. */
  readonly principal: iam.IPrincipal;
  /** The grantee is in another account: the bucket policy must name it too. */
  readonly otherAccount: boolean;
}

type Conditions = Record<string, Record<string, unknown>>;

/**
 * In the grantee's identity policy, and in the resource's policy when `side` says so. A grantee
 * whose identity policy cannot take it (an immutable imported role, as Identity Center's) is named
 * as the principal itself: only then does the resource policy alone grant it.
 */
function grantOn(
  grantee: iam.IGrantable,
  actions: string[],
  resourceArns: string[],
  resource: iam.IResourceWithPolicy,
  side: ResourceSide | undefined,
  keyConditions?: Conditions,
): iam.Grant {
  // A key policy names every grantee; a bucket policy only those the identity policy cannot grant.
  const isKey = keyConditions !== undefined;
  const identity = iam.Grant.addToPrincipal({ grantee, actions, resourceArns, conditions: keyConditions });
  if (!side || (!isKey && !side.otherAccount && identity.success)) return identity;
  const statement = new iam.PolicyStatement({
    actions,
    // A key policy's resource is the key itself.
    resources: isKey ? ['*'] : resourceArns,
    principals: [identity.success ? side.principal : grantee.grantPrincipal],
    conditions: keyConditions,
  });
  return identity.combine(
    iam.Grant.addStatementToResourcePolicy({ grantee, actions, resourceArns, resource, statement }),
  );
}

/** Key actions for requests S3 makes on the grantee's behalf, and no other. */
export function grantKeyViaS3(
  grantee: iam.IGrantable,
  key: kms.IKey,
  actions: string[],
  side?: ResourceSide,
): iam.Grant {
  return grantOn(grantee, actions, [key.keyArn], key, side, {
    StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` },
  });
}

/**
 * Grants `spec` on `bucket` and `key`: always in the grantee's identity policy, and in the key
 * policy (and the bucket policy, for another account) as `side` names the grantee.
 */
export function grantOnRegistry(
  grantee: iam.IGrantable,
  spec: RegistryGrantSpec,
  bucket: s3.IBucket,
  key: kms.IKey,
  side?: ResourceSide,
): iam.Grant {
  // Bucket-level actions (ListBucket) take the bucket ARN, object-level ones the objects.
  const onBucket = spec.actions.filter((a) => actionResourceTypes(a).includes('bucket'));
  const onObjects = spec.actions.filter((a) => !onBucket.includes(a));
  let grant = grantOn(grantee, onObjects, [bucket.arnForObjects('*')], bucket, side);
  if (onBucket.length > 0) {
    grant = grant.combine(grantOn(grantee, onBucket, [bucket.bucketArn], bucket, side));
  }
  return grant.combine(grantKeyViaS3(grantee, key, spec.keyActions, side));
}
