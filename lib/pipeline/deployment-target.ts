import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ModelTarget } from '../capabilities/model-target';

/** Where a SageMaker endpoint target serves, and how. */
export interface SageMakerEndpointTargetProps {
  /** The instances that serve the model (rendered `ml.<type>`). */
  readonly instanceType: ec2.InstanceType;
  /** @default 1 */
  readonly initialInstanceCount?: number;
}

/**
 * What a deployment pipeline may change: a request names one of its targets by `name`, and the
 * pipeline alone decides which resource that is.
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
    if (Token.isUnresolved(endpointName)) {
      throw new Error(
        'DeploymentTarget.sageMakerEndpoint: the endpoint name must be known at synth (requests name it).',
      );
    }
    const count = props.initialInstanceCount ?? 1;
    if (!Number.isInteger(count) || count < 1) {
      throw new Error(
        `DeploymentTarget.sageMakerEndpoint: initialInstanceCount must be a positive integer, got ${count}.`,
      );
    }
    return new DeploymentTarget(ModelTarget.sagemakerEndpoint(endpointName), endpointName, {
      instanceType: `ml.${props.instanceType.toString()}`,
      instanceCount: count,
    });
  }

  /** What requests call it: the endpoint's name. */
  public readonly name: string;
  /** The target as a model the inference and read roles, and the audit trail, can name. */
  public readonly model: ModelTarget;
  /** The instances that serve it. @internal */
  public readonly _serving: { readonly instanceType: string; readonly instanceCount: number };

  private constructor(
    model: ModelTarget,
    endpointName: string,
    serving: { readonly instanceType: string; readonly instanceCount: number },
  ) {
    this.model = model;
    this.name = endpointName;
    this._serving = serving;
  }

  /** The ARN IAM authorizes changes of this target against. @internal */
  public get _arn(): string {
    return this.model.resources[0].arn;
  }
}
