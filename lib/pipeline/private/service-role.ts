import { Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TAG_CAPABILITY } from '../../capabilities/capability';
import { acknowledgeFinding } from '../../private/compliance-findings';
import { confinedService } from '../../private/service-trust';
import { ModelRegistry } from '../../registry/model-registry';

/**
 * The role Bedrock or SageMaker runs the pipeline's jobs as: it trusts the service only for this
 * account's jobs (aws:SourceAccount, aws:SourceArn), reads training data and writes artifacts.
 */
export function customizationServiceRole(
  scope: Construct,
  service: 'bedrock' | 'sagemaker',
  jobResource: string,
  registry: ModelRegistry,
): iam.Role {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, 'ServiceRole', {
    description: `Runs the customization pipeline's ${service} jobs`,
    assumedBy: confinedService(
      scope,
      `${service}.amazonaws.com`,
      stack.formatArn({ service, resource: jobResource, resourceName: '*' }),
      true,
    ),
  });
  Tags.of(role).add(TAG_CAPABILITY, 'service');
  acknowledgeFinding(
    role,
    'IAMNoInlinePolicy',
    `The ${service} service role's registry grants go to its own AWS::IAM::Policy; unlike a managed policy it can be attached to no other principal.`,
  );
  registry.grantReadTrainingData(role);
  registry.grantWriteArtifacts(role);
  // Jobs list the dataset and output prefixes.
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [registry.trainingDataBucket.bucketArn, registry.modelArtifactsBucket.bucketArn],
    }),
  );
  return role;
}
