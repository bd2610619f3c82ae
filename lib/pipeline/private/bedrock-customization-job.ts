import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { CustomizationType } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

export interface BedrockCustomizationJobProps extends sfn.TaskStateBaseProps {
  readonly customizationType: CustomizationType;
  /** The service role Bedrock runs the job as. */
  readonly serviceRole: iam.IRole;
  /** ARNs of the allowlisted base models: the only ones the task may start from. */
  readonly baseModelArns: string[];
}

/**
 * Bedrock CreateModelCustomizationJob, run to completion (`.sync`), with every per-request field
 * taken from the state by JSONPath. CDK's BedrockCreateModelCustomizationJob cannot do this: it
 * renders no `.sync` suffix, builds S3 URIs by concatenation (so a JSONPath key throws), and takes
 * the base model statically.
 *
 * State it reads: `$.requestId`, `$.baseModel.arn`, `$.request.customModelName`,
 * `$.request.hyperParameters`, `$.locations.{training,validation,output}`.
 */
export class BedrockCustomizationJob extends sfn.TaskStateBase {
  protected readonly taskMetrics?: sfn.TaskMetricsConfig;
  protected readonly taskPolicies?: iam.PolicyStatement[];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: BedrockCustomizationJobProps,
  ) {
    super(scope, id, { ...props, integrationPattern: sfn.IntegrationPattern.RUN_JOB });
    const { jobs, customModels } = bedrockJobArns(Stack.of(this));
    this.taskPolicies = [
      new iam.PolicyStatement({
        actions: ['bedrock:CreateModelCustomizationJob', 'bedrock:TagResource'],
        resources: [...props.baseModelArns, customModels, jobs],
      }),
      // What `.sync` polls with, and how it stops a job when the execution is stopped.
      new iam.PolicyStatement({
        actions: ['bedrock:GetModelCustomizationJob', 'bedrock:StopModelCustomizationJob'],
        resources: [jobs],
      }),
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [props.serviceRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } },
      }),
    ];
  }

  /** @internal */
  protected _renderTask(): unknown {
    const requestTag = [{ Key: 'model-access:request-id', Value: sfn.JsonPath.stringAt('$.requestId') }];
    return {
      Resource: `arn:${Stack.of(this).partition}:states:::bedrock:createModelCustomizationJob.sync`,
      Parameters: sfn.FieldUtils.renderObject({
        BaseModelIdentifier: sfn.JsonPath.stringAt('$.baseModel.arn'),
        ClientRequestToken: sfn.JsonPath.stringAt('$.requestId'),
        CustomizationType: this.props.customizationType,
        CustomModelName: sfn.JsonPath.stringAt('$.request.customModelName'),
        HyperParameters: sfn.JsonPath.objectAt('$.request.hyperParameters'),
        JobName: sfn.JsonPath.format('customization-{}', sfn.JsonPath.stringAt('$.requestId')),
        RoleArn: this.props.serviceRole.roleArn,
        TrainingDataConfig: { S3Uri: sfn.JsonPath.stringAt('$.locations.training') },
        ValidationDataConfig: { Validators: [{ S3Uri: sfn.JsonPath.stringAt('$.locations.validation') }] },
        OutputDataConfig: { S3Uri: sfn.JsonPath.stringAt('$.locations.output') },
        CustomModelTags: requestTag,
        JobTags: requestTag,
      }),
    };
  }
}

/** Bedrock names a job and its output model when it creates them: IAM can name neither in advance. */
export function bedrockJobArns(stack: Stack): { jobs: string; customModels: string } {
  return {
    jobs: stack.formatArn({ service: 'bedrock', resource: 'model-customization-job', resourceName: '*' }),
    customModels: stack.formatArn({ service: 'bedrock', resource: 'custom-model', resourceName: '*' }),
  };
}
