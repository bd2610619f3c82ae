import { ArnFormat, Duration, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ModelTarget } from '../capabilities/model-target';
import { BedrockCustomizationJob, bedrockJobArns } from './private/bedrock-customization-job';
import { BackendContext, BoundBackend } from './private/bound-backend';
import { customizationServiceRole } from './private/service-role';

/** Options of the Bedrock backend. */
export interface BedrockBackendProps {
  /**
   * What kind of customization jobs run. Distillation needs a teacher model configuration this
   * pipeline does not take, so it is refused.
   * @default CustomizationType.FINE_TUNING
   */
  readonly customizationType?: tasks.CustomizationType;
}

/** Options of the SageMaker backend. */
export interface SageMakerBackendProps {
  /** The training container; it reads the base model from the `model` channel. */
  readonly trainingImage: tasks.DockerImage;
  /** @default ml.g5.2xlarge */
  readonly instanceType?: ec2.InstanceType;
  /** @default 1 */
  readonly instanceCount?: number;
  /** @default 100 GiB */
  readonly volumeSize?: Size;
  /** A job running longer is stopped and the request fails. @default Duration.hours(24) */
  readonly maxRuntime?: Duration;
}

/** Which service runs the pipeline's customization jobs. */
export abstract class CustomizationBackend {
  /**
   * Bedrock model customization jobs, from allowlisted foundation or custom models
   * (`ModelTarget.bedrockFoundationModel`, `ModelTarget.bedrockCustomModel`).
   */
  public static bedrock(props: BedrockBackendProps = {}): CustomizationBackend {
    return new BedrockBackend(props);
  }

  /**
   * SageMaker training jobs, from allowlisted model packages (`ModelTarget.sagemakerModelPackage`):
   * the pipeline checks that the package is Approved and gives its model data to the job.
   */
  public static sageMaker(props: SageMakerBackendProps): CustomizationBackend {
    return new SageMakerBackend(props);
  }

  /** @internal */
  public abstract _bind(scope: Construct, context: BackendContext): BoundBackend;
}

/** Each allowlisted target's one resource of the types a backend can start from, or a clear error. */
function baseModelArns(targets: ModelTarget[], resourceTypes: string[], backend: string, hint: string) {
  if (targets.length === 0)
    throw new Error(`CustomizationPipeline: baseModels must name at least one model.`);
  const arns: Record<string, string> = {};
  for (const target of targets) {
    const resource = target.resources.find((r) => resourceTypes.includes(r.resourceType));
    if (!resource || target.resources.length !== 1 || target.conditions) {
      throw new Error(
        `CustomizationPipeline: ${target.description} cannot be a ${backend} base model; ${hint}.`,
      );
    }
    if (arns[target.name])
      throw new Error(`CustomizationPipeline: base model ${target.name} is listed twice.`);
    arns[target.name] = resource.arn;
  }
  return arns;
}

class BedrockBackend extends CustomizationBackend {
  constructor(private readonly props: BedrockBackendProps) {
    super();
    if (props.customizationType === tasks.CustomizationType.DISTILLATION) {
      throw new Error(
        'CustomizationBackend.bedrock: DISTILLATION needs a teacher model configuration, which the pipeline does not take; use FINE_TUNING or CONTINUED_PRE_TRAINING.',
      );
    }
  }

  public _bind(scope: Construct, context: BackendContext): BoundBackend {
    const arns = baseModelArns(
      context.baseModels,
      ['foundation-model', 'custom-model'],
      'Bedrock',
      'use ModelTarget.bedrockFoundationModel or ModelTarget.bedrockCustomModel',
    );
    const serviceRole = customizationServiceRole(
      scope,
      'bedrock',
      'model-customization-job',
      context.registry,
    );
    const launch = new BedrockCustomizationJob(scope, 'CustomizeModel', {
      customizationType: this.props.customizationType ?? tasks.CustomizationType.FINE_TUNING,
      serviceRole,
      baseModelArns: Object.values(arns),
      resultPath: '$.job',
    });
    return {
      service: 'bedrock',
      serviceRole,
      modelName: {
        pattern: '^([0-9a-zA-Z][_-]?)+$',
        maxLength: 63,
        description: "1-63 letters and digits, each optionally followed by one '_' or '-' (Bedrock's rule)",
      },
      baseModelArns: arns,
      launch,
      wildcardResources: [
        {
          arn: bedrockJobArns(Stack.of(scope)).jobs,
          reason:
            'Bedrock assigns the job ARN when the job is created; the state machine starts, watches and stops only the jobs it creates.',
        },
        {
          arn: bedrockJobArns(Stack.of(scope)).customModels,
          reason:
            'Bedrock assigns the custom model ARN when the job is created; the request names the model, validated by the request handler.',
        },
      ],
    };
  }
}

class SageMakerBackend extends CustomizationBackend {
  constructor(private readonly props: SageMakerBackendProps) {
    super();
    if (
      props.instanceCount !== undefined &&
      (!Number.isInteger(props.instanceCount) || props.instanceCount < 1)
    ) {
      throw new Error(
        `CustomizationBackend.sageMaker: instanceCount must be a positive integer, got ${props.instanceCount}.`,
      );
    }
  }

  public _bind(scope: Construct, context: BackendContext): BoundBackend {
    const arns = baseModelArns(
      context.baseModels,
      ['model-package'],
      'SageMaker',
      'use ModelTarget.sagemakerModelPackage',
    );
    const serviceRole = customizationServiceRole(scope, 'sagemaker', 'training-job', context.registry);
    // The base model's weights come from the registry's artifacts bucket.
    context.registry.grantReadWeights(serviceRole);
    serviceRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': '/aws/sagemaker/TrainingJobs' } },
      }),
    );
    serviceRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'logs:CreateLogGroup',
          'logs:DescribeLogStreams',
        ],
        resources: [
          Stack.of(scope).formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '/aws/sagemaker/TrainingJobs:*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );

    // Only an Approved package of the allowlist is trained from; its model data is the `model` channel.
    const describe = new tasks.CallAwsService(scope, 'DescribeBaseModel', {
      service: 'sagemaker',
      action: 'describeModelPackage',
      parameters: { ModelPackageName: sfn.JsonPath.stringAt('$.baseModel.arn') },
      iamResources: Object.values(arns),
      iamAction: 'sagemaker:DescribeModelPackage',
      resultSelector: {
        approvalStatus: sfn.JsonPath.stringAt('$.ModelApprovalStatus'),
        modelData: sfn.JsonPath.stringAt('$.InferenceSpecification.Containers[0].ModelDataUrl'),
      },
      resultPath: '$.basePackage',
    });
    const channel = (channelName: string, path: string): tasks.Channel => ({
      channelName,
      dataSource: {
        s3DataSource: {
          s3Location: tasks.S3Location.fromJsonExpression(path),
          s3DataType: tasks.S3DataType.S3_PREFIX,
        },
      },
    });
    const launch = new tasks.SageMakerCreateTrainingJob(scope, 'CustomizeModel', {
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      role: serviceRole,
      trainingJobName: sfn.JsonPath.format('customization-{}', sfn.JsonPath.stringAt('$.requestId')),
      algorithmSpecification: { trainingImage: this.props.trainingImage },
      inputDataConfig: [
        channel('model', '$.basePackage.modelData'),
        channel('training', '$.locations.training'),
        channel('validation', '$.locations.validation'),
      ],
      outputDataConfig: { s3OutputLocation: tasks.S3Location.fromJsonExpression('$.locations.output') },
      hyperparameters: sfn.JsonPath.objectAt('$.request.hyperParameters') as unknown as Record<
        string,
        unknown
      >,
      resourceConfig: {
        instanceCount: this.props.instanceCount ?? 1,
        instanceType: this.props.instanceType ?? new ec2.InstanceType('g5.2xlarge'),
        volumeSize: this.props.volumeSize ?? Size.gibibytes(100),
      },
      stoppingCondition: { maxRuntime: this.props.maxRuntime ?? Duration.hours(24) },
      enableNetworkIsolation: true,
      tags: { 'model-access:pipeline': 'customization' },
      resultPath: '$.job',
    });
    return {
      service: 'sagemaker',
      serviceRole,
      modelName: {
        pattern: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$',
        maxLength: 63,
        description:
          "1-63 letters, digits and hyphens, starting and ending with a letter or digit (SageMaker's rule)",
      },
      baseModelArns: arns,
      prepare: describe,
      precondition: {
        condition: sfn.Condition.stringEquals('$.basePackage.approvalStatus', 'Approved'),
        refusal: 'the base model package is not Approved in the SageMaker model registry',
      },
      launch,
      wildcardResources: [],
    };
  }
}
