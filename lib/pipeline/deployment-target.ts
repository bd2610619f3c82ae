import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ModelTarget } from '../capabilities/model-target';
import { ModelAccessTags } from '../capabilities/capability-catalog';

/** The tag the deployment pipeline puts on the provisioned throughput it creates: the target's name. */
export const TAG_DEPLOYMENT_TARGET = ModelAccessTags.DEPLOYMENT_TARGET;

/** Where a SageMaker endpoint target serves, and how. */
export interface SageMakerEndpointTargetProps {
  /** The instances that serve the model (rendered `ml.<type>`). */
  readonly instanceType: ec2.InstanceType;
  /** @default 1 */
  readonly initialInstanceCount?: number;
}

/** How much a Bedrock provisioned throughput target serves. */
export interface BedrockProvisionedThroughputTargetProps {
  /**
   * Model units of the provisioned throughput the first deployment creates, without commitment
   * (billed by the hour until deleted). Later deployments keep what it has.
   * @default 1
   */
  readonly modelUnits?: number;
}

// Bedrock's rule for provisioned throughput names.
const PROVISIONED_MODEL_NAME = /^(?=.{1,63}$)([0-9a-zA-Z][_-]?)+$/;

/**
 * What a deployment pipeline may change: a request names one of its targets by `name`, and the
 * pipeline alone decides which resource that is. A pipeline's targets are all of one service.
 */
export class DeploymentTarget {
  /**
   * A SageMaker real-time endpoint, created by the pipeline's first deployment to it and updated
   * by the next ones; each deployment serves an approved model package from its own endpoint
   * configuration, and the previous one is kept for roll-back.
   */
  public static sageMakerEndpoint(
    endpointName: string,
    props: SageMakerEndpointTargetProps,
  ): DeploymentTarget {
    known('sageMakerEndpoint', endpointName);
    const count = props.initialInstanceCount ?? 1;
    if (!Number.isInteger(count) || count < 1) {
      throw new Error(
        `DeploymentTarget.sageMakerEndpoint: initialInstanceCount must be a positive integer, got ${count}.`,
      );
    }
    return new DeploymentTarget('sagemaker', endpointName, ModelTarget.sagemakerEndpoint(endpointName), {
      instanceType: `ml.${props.instanceType.toString()}`,
      instanceCount: count,
    });
  }

  /**
   * A Bedrock provisioned throughput, by name, serving a custom model: created (tagged
   * `model-access:deployment-target` = the name) by the pipeline's first deployment to it, and
   * switched to the next approved model by the following ones; the model it served before is kept
   * for roll-back. Inference roles reach it through `model`, by that tag.
   */
  public static bedrockProvisionedThroughput(
    provisionedModelName: string,
    props: BedrockProvisionedThroughputTargetProps = {},
  ): DeploymentTarget {
    known('bedrockProvisionedThroughput', provisionedModelName);
    if (!PROVISIONED_MODEL_NAME.test(provisionedModelName)) {
      throw new Error(
        `DeploymentTarget.bedrockProvisionedThroughput: '${provisionedModelName}' is not a provisioned throughput name (1-63 letters and digits, each optionally followed by one '_' or '-').`,
      );
    }
    const units = props.modelUnits ?? 1;
    if (!Number.isInteger(units) || units < 1) {
      throw new Error(
        `DeploymentTarget.bedrockProvisionedThroughput: modelUnits must be a positive integer, got ${units}.`,
      );
    }
    return new DeploymentTarget(
      'bedrock',
      provisionedModelName,
      ModelTarget.tagged(TAG_DEPLOYMENT_TARGET, provisionedModelName),
      { modelUnits: units },
    );
  }

  /** What requests call it: the endpoint's or the provisioned throughput's name. */
  public readonly name: string;
  /** The target as a model the inference and read roles, and the audit trail, can name. */
  public readonly model: ModelTarget;
  /** The service the target belongs to. @internal */
  public readonly _service: 'sagemaker' | 'bedrock';
  /** How it serves: instances of an endpoint, model units of a throughput. @internal */
  public readonly _serving: { readonly [setting: string]: string | number };

  private constructor(
    service: 'sagemaker' | 'bedrock',
    name: string,
    model: ModelTarget,
    serving: { readonly [setting: string]: string | number },
  ) {
    this._service = service;
    this.name = name;
    this.model = model;
    this._serving = serving;
  }
}

/** Requests name the target, so its name must be known at synth; the factory checks its form. */
function known(factory: string, name: string) {
  if (Token.isUnresolved(name)) {
    throw new Error(`DeploymentTarget.${factory}: the name must be known at synth (requests name it).`);
  }
}
