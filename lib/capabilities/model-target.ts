import { regionProblem } from '../private/regions';
import { Aws, Token } from 'aws-cdk-lib';
import { Capability } from './capability';
import { catalogActions } from './actions';
import { CATALOG } from './catalog';
import { actionConditionKeys, actionResourceTypes } from './private/iam-data';
import { isValidTagKey, isValidTagValue } from './private/tags';
import { checkedCapability } from './private/checked';

/** One IAM resource a model target stands for. */
export interface ModelResource {
  /** IAM service prefix: `bedrock` or `sagemaker`. */
  readonly service: string;
  /** IAM resource type, as the Service Authorization Reference names it (`provisioned-model`). */
  readonly resourceType: string;
  /** The resource's ARN; may contain `*` for tag-selected targets. */
  readonly arn: string;
  /**
   * Conditions every statement on this resource must carry (a foundation model reached only
   * through an inference profile). Actions whose requests carry none of their keys do not apply.
   * @default - none
   */
  readonly conditions?: { [operator: string]: { [key: string]: string } };
}

/** How a system-defined inference profile is named and where its requests may go. */
export interface InferenceProfileOptions extends ModelLocation {
  /**
   * The Regions the profile routes requests to, as the Bedrock console or `GetInferenceProfile`
   * lists them: the foundation model is granted in these alone. Requests Bedrock routes elsewhere
   * are then denied. Not for `global.` profiles, which route to any commercial Region.
   * @default - every Region, and only for requests made through this profile
   * (`bedrock:InferenceProfileArn`): Bedrock itself keeps them to the profile's destinations
   */
  readonly destinationRegions?: string[];
}

/** Where a model lives, when it is not the stack's own region and account. */
export interface ModelLocation {
  /** @default - the stack's region */
  readonly region?: string;
  /** @default - the stack's account */
  readonly account?: string;
}

const FOUNDATION_MODEL_ID = /^[a-z0-9][a-z0-9-]*\.[a-z0-9][a-zA-Z0-9._:-]*$/;
// The geographies of system-defined inference profiles, as Bedrock prefixes their ids
// (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html).
const PROFILE_GEOGRAPHIES = ['us', 'us-gov', 'eu', 'apac', 'jp', 'au', 'ca', 'global'];
const CROSS_REGION_PREFIX = new RegExp(`^(${PROFILE_GEOGRAPHIES.join('|')})\\.`);
const SAGEMAKER_ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const ARN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):([a-z-]+)\/(.+)$/;
const ANY = '*';

/**
 * A model, or a set of models selected by tag, that a role may read, invoke or customize.
 * Each target knows the IAM resources that each capability's actions are authorized against.
 */
export class ModelTarget {
  /**
   * A Bedrock foundation model, by model id (`anthropic.claude-3-haiku-20240307-v1:0`).
   * Invoking it directly; for tag-based access use an application inference profile.
   */
  public static bedrockFoundationModel(modelId: string, location: ModelLocation = {}): ModelTarget {
    if (!Token.isUnresolved(modelId)) {
      if (CROSS_REGION_PREFIX.test(modelId)) {
        throw new Error(
          `ModelTarget.bedrockFoundationModel: '${modelId}' is a cross-region inference profile id, not a model id. ` +
            'Use ModelTarget.bedrockInferenceProfile to invoke through it, or the model id without the geographic prefix.',
        );
      }
      if (!FOUNDATION_MODEL_ID.test(modelId) || modelId.length > 200) {
        throw new Error(
          `ModelTarget.bedrockFoundationModel: '${modelId}' is not a Bedrock model id ` +
            "(expected '<provider>.<model>', e.g. 'amazon.titan-text-express-v1').",
        );
      }
    }
    ModelTarget.checkRegion('bedrockFoundationModel', location.region);
    const region = location.region ?? Aws.REGION;
    return new ModelTarget(modelId, `Bedrock foundation model ${modelId}`, [
      {
        service: 'bedrock',
        resourceType: 'foundation-model',
        arn: `arn:${Aws.PARTITION}:bedrock:${region}::foundation-model/${modelId}`,
      },
    ]);
  }

  /**
   * A system-defined (cross-Region or global) inference profile, by id
   * (`us.anthropic.claude-sonnet-4-5-20250929-v1:0`): how most current Bedrock models are invoked
   * on demand. Invoking needs the profile in the source Region and the foundation model in every
   * Region the profile routes to. The foundation model is granted for requests made through this
   * profile only (`bedrock:InferenceProfileArn`), in `destinationRegions` or else in any Region,
   * where Bedrock keeps them to the profile's destinations. Neither carries tags: for tag-based
   * access, create an application inference profile from it.
   */
  public static bedrockInferenceProfile(
    profileId: string,
    options: InferenceProfileOptions = {},
  ): ModelTarget {
    const where = 'ModelTarget.bedrockInferenceProfile';
    let geography: string | undefined;
    let modelId = profileId;
    if (!Token.isUnresolved(profileId)) {
      const prefix = /^([a-z-]+)\.(.*)$/.exec(profileId);
      geography = prefix?.[1];
      if (!prefix || !PROFILE_GEOGRAPHIES.includes(prefix[1]) || !FOUNDATION_MODEL_ID.test(prefix[2])) {
        throw new Error(
          FOUNDATION_MODEL_ID.test(profileId) && !(geography && PROFILE_GEOGRAPHIES.includes(geography))
            ? `${where}: '${profileId}' has no known geographic prefix (${PROFILE_GEOGRAPHIES.map((g) => `${g}.`).join(', ')}). ` +
                'A model id without one is a foundation model: use ModelTarget.bedrockFoundationModel.'
            : `${where}: '${profileId}' is not an inference profile id (expected '<geography>.<provider>.<model>', e.g. 'us.amazon.nova-lite-v1:0').`,
        );
      }
      modelId = prefix[2];
    }
    ModelTarget.checkAccount('bedrockInferenceProfile', options.account);
    ModelTarget.checkRegion('bedrockInferenceProfile', options.region);
    const regions = options.destinationRegions;
    if (regions !== undefined) {
      if (geography === 'global') {
        throw new Error(
          `${where}: '${profileId}' is a global profile, which routes to any commercial Region; omit destinationRegions.`,
        );
      }
      const bad = regions.find((r) => !Token.isUnresolved(r) && regionProblem(r) !== undefined);
      if (regions.length === 0 || bad !== undefined) {
        throw new Error(
          `${where}: destinationRegions must list Region codes such as 'us-east-1'${bad === undefined ? '' : `; ${regionProblem(bad)}`}.`,
        );
      }
    } else if (Token.isUnresolved(profileId)) {
      throw new Error(`${where}: a profile id known only at deployment needs destinationRegions.`);
    }
    const profileArn = `arn:${Aws.PARTITION}:bedrock:${options.region ?? Aws.REGION}:${options.account ?? Aws.ACCOUNT_ID}:inference-profile/${profileId}`;
    const models: ModelResource[] = [...new Set(regions ?? [ANY])].map((region) => ({
      service: 'bedrock',
      resourceType: 'foundation-model',
      arn: `arn:${Aws.PARTITION}:bedrock:${region}::foundation-model/${modelId}`,
      conditions: { ArnEquals: { 'bedrock:InferenceProfileArn': profileArn } },
    }));
    return new ModelTarget(profileId, `Bedrock inference profile ${profileId}`, [
      { service: 'bedrock', resourceType: 'inference-profile', arn: profileArn },
      ...models,
    ]);
  }

  /** A Bedrock custom (fine-tuned) model, by ARN. It is invoked through a provisioned model or deployment. */
  public static bedrockCustomModel(customModelArn: string): ModelTarget {
    return ModelTarget.fromArn(
      'bedrockCustomModel',
      'Bedrock custom model',
      'bedrock',
      'custom-model',
      customModelArn,
    );
  }

  /** A Bedrock imported model (Custom Model Import), by ARN. */
  public static bedrockImportedModel(importedModelArn: string): ModelTarget {
    return ModelTarget.fromArn(
      'bedrockImportedModel',
      'Bedrock imported model',
      'bedrock',
      'imported-model',
      importedModelArn,
    );
  }

  /** Provisioned Throughput for a Bedrock model, by ARN. */
  public static bedrockProvisionedModel(provisionedModelArn: string): ModelTarget {
    return ModelTarget.fromArn(
      'bedrockProvisionedModel',
      'Bedrock provisioned model',
      'bedrock',
      'provisioned-model',
      provisionedModelArn,
    );
  }

  /** An on-demand deployment of a Bedrock custom model, by ARN. */
  public static bedrockCustomModelDeployment(deploymentArn: string): ModelTarget {
    return ModelTarget.fromArn(
      'bedrockCustomModelDeployment',
      'Bedrock custom model deployment',
      'bedrock',
      'custom-model-deployment',
      deploymentArn,
    );
  }

  /**
   * A Bedrock application inference profile, by ARN. Bedrock also authorizes the foundation
   * models behind the profile, so name them in `foundationModels`.
   */
  public static bedrockApplicationInferenceProfile(
    profileArn: string,
    foundationModels: ModelTarget[] = [],
  ): ModelTarget {
    const profile = ModelTarget.fromArn(
      'bedrockApplicationInferenceProfile',
      'Bedrock application inference profile',
      'bedrock',
      'application-inference-profile',
      profileArn,
    );
    const behind = foundationModels.flatMap((m) => m.resources);
    const stray = behind.find((r) => r.resourceType !== 'foundation-model');
    if (stray) {
      throw new Error(
        `ModelTarget.bedrockApplicationInferenceProfile: foundationModels must be Bedrock foundation models, got a ${stray.resourceType}.`,
      );
    }
    return new ModelTarget(profile.name, profile.description, [...profile.resources, ...behind]);
  }

  /** A versioned SageMaker model package (`model-package/<group>/<version>`), by ARN: a base model to train from. */
  public static sagemakerModelPackage(modelPackageArn: string): ModelTarget {
    return ModelTarget.fromArn(
      'sagemakerModelPackage',
      'SageMaker model package',
      'sagemaker',
      'model-package',
      modelPackageArn,
    );
  }

  /** A SageMaker real-time or asynchronous endpoint, by name. */
  public static sagemakerEndpoint(endpointName: string, location: ModelLocation = {}): ModelTarget {
    if (!Token.isUnresolved(endpointName) && !SAGEMAKER_ENDPOINT_NAME.test(endpointName)) {
      throw new Error(
        `ModelTarget.sagemakerEndpoint: '${endpointName}' is not a SageMaker endpoint name ` +
          '(1-63 letters, digits and single hyphens, starting and ending with a letter or digit).',
      );
    }
    ModelTarget.checkAccount('sagemakerEndpoint', location.account);
    ModelTarget.checkRegion('sagemakerEndpoint', location.region);
    const name = Token.isUnresolved(endpointName) ? endpointName : endpointName.toLowerCase();
    return new ModelTarget(endpointName, `SageMaker endpoint ${endpointName}`, [
      {
        service: 'sagemaker',
        resourceType: 'endpoint',
        arn: `arn:${Aws.PARTITION}:sagemaker:${location.region ?? Aws.REGION}:${location.account ?? Aws.ACCOUNT_ID}:endpoint/${name}`,
      },
    ]);
  }

  /**
   * Every taggable model resource (Bedrock provisioned models, application inference profiles,
   * custom and imported models, custom model deployments; SageMaker endpoints) in the stack's
   * region and account whose tag `tagKey` equals `tagValue`: attribute-based access control.
   * Bedrock foundation models carry no tags; reach them through application inference profiles.
   */
  public static tagged(tagKey: string, tagValue: string): ModelTarget {
    if (!Token.isUnresolved(tagKey) && !isValidTagKey(tagKey)) {
      throw new Error(
        `ModelTarget.tagged: '${tagKey}' is not a valid tag key (1-128 characters, not starting with 'aws:').`,
      );
    }
    if (!Token.isUnresolved(tagValue) && !isValidTagValue(tagValue)) {
      throw new Error(`ModelTarget.tagged: '${tagValue}' is not a valid tag value (0-256 characters).`);
    }
    const inAccount = (service: string, resourceType: string): ModelResource => ({
      service,
      resourceType,
      arn: `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resourceType}/${ANY}`,
    });
    return new ModelTarget(
      `${tagKey}=${tagValue}`,
      `models tagged ${tagKey}=${tagValue}`,
      [
        inAccount('bedrock', 'provisioned-model'),
        inAccount('bedrock', 'application-inference-profile'),
        inAccount('bedrock', 'custom-model'),
        inAccount('bedrock', 'imported-model'),
        inAccount('bedrock', 'custom-model-deployment'),
        inAccount('sagemaker', 'endpoint'),
      ],
      { StringEquals: { [`aws:ResourceTag/${tagKey}`]: tagValue } },
    );
  }

  private static fromArn(
    factory: string,
    description: string,
    service: string,
    resourceType: string,
    arn: string,
  ): ModelTarget {
    if (!Token.isUnresolved(arn)) {
      const m = ARN.exec(arn);
      if (!m || m[2] !== service || m[5] !== resourceType || !m[3] || !m[4]) {
        throw new Error(
          `ModelTarget.${factory}: '${arn}' is not a ${description} ARN ` +
            `(expected arn:<partition>:${service}:<region>:<account>:${resourceType}/<id>).`,
        );
      }
    }
    return new ModelTarget(arn, `${description} ${arn}`, [{ service, resourceType, arn }]);
  }

  private static checkRegion(factory: string, region?: string) {
    const problem = region === undefined || Token.isUnresolved(region) ? undefined : regionProblem(region);
    if (problem) throw new Error(`ModelTarget.${factory}: region ${problem}.`);
  }

  private static checkAccount(factory: string, account?: string) {
    if (account !== undefined && !Token.isUnresolved(account) && !/^\d{12}$/.test(account)) {
      throw new Error(`ModelTarget.${factory}: account '${account}' is not a 12-digit AWS account id.`);
    }
  }

  private constructor(
    /** How requests name the target: model id, endpoint name, ARN, or `key=value` of a tag. */
    public readonly name: string,
    /** What the target is, for messages and reports. */
    public readonly description: string,
    /** The IAM resources the target stands for. */
    public readonly resources: ModelResource[],
    /**
     * Conditions every statement on this target must carry (the tag match of `tagged`).
     * @default - none
     */
    public readonly conditions?: { [operator: string]: { [key: string]: string } },
  ) {}

  /**
   * The catalog's actions of `capability` that can be authorized against this target's resources,
   * per the Service Authorization Reference (list actions, which take only `*`, are not included,
   * nor batch jobs, which a service role runs).
   */
  public actionsFor(capability: Capability): string[] {
    const batch = new Set(CATALOG.filter((e) => e.batchJob).map((e) => e.action));
    return catalogActions(checkedCapability('ModelTarget.actionsFor', capability)).filter(
      (action) => !batch.has(action) && this.resourcesFor(action).length > 0,
    );
  }

  /**
   * The ARNs that `capability`'s actions need on this target.
   * @throws when the target takes none of the capability's actions, e.g. invoking a custom model.
   */
  public arnsFor(capability: Capability): string[] {
    const arns = new Set(this.actionsFor(capability).flatMap((a) => this.resourcesFor(a).map((r) => r.arn)));
    if (arns.size === 0) {
      const hint =
        capability === Capability.INFERENCE && this.resources.some((r) => r.resourceType === 'custom-model')
          ? ' A custom model is invoked through a provisioned model or a custom model deployment: use ModelTarget.bedrockProvisionedModel or ModelTarget.bedrockCustomModelDeployment.'
          : '';
      throw new Error(
        `${this.description} cannot be a target of ${capability}: no ${capability} action applies to it.${hint}`,
      );
    }
    return [...arns];
  }

  /**
   * This target's resources that `action` can be authorized against: of a type the action takes,
   * and whose conditions the action's requests can meet (they carry every key).
   */
  public resourcesFor(action: string): ModelResource[] {
    const [service] = action.split(':');
    const types = actionResourceTypes(action);
    const keys = actionConditionKeys(action).map((k) => k.toLowerCase());
    const meets = (r: ModelResource) =>
      Object.values(r.conditions ?? {}).every((block) =>
        Object.keys(block).every((key) => keys.includes(key.toLowerCase())),
      );
    return this.resources.filter((r) => r.service === service && types.includes(r.resourceType) && meets(r));
  }
}
