import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AccessAnalysis, Capability, ModelDeploymentRole, ModelTarget, TAG_CAPABILITY } from '../../lib';
import { ACCOUNT } from '../support/template';
import { buildFixture } from './fixture';

// The deployment role on a SageMaker endpoint and on a Bedrock custom model and its deployment.
const CUSTOM = `arn:aws:bedrock:us-east-1:${ACCOUNT}:custom-model/amazon.titan-text-express-v1:0:8k/abc123`;
const DEPLOYMENT = `arn:aws:bedrock:us-east-1:${ACCOUNT}:custom-model-deployment/d1`;
const sm = (resource: string) => `arn:aws:sagemaker:us-east-1:${ACCOUNT}:${resource}`;
const ADMIN = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const releaseManagers = new iam.AccountRootPrincipal().withConditions({
  StringEquals: { 'aws:PrincipalTag/job': 'release-manager' },
});

const f = buildFixture((stack) => ({
  deployer: new ModelDeploymentRole(stack, 'Deployer', {
    assumedBy: releaseManagers,
    targets: [
      ModelTarget.sagemakerEndpoint('fraud-detector'),
      ModelTarget.bedrockCustomModel(CUSTOM),
      ModelTarget.bedrockCustomModelDeployment(DEPLOYMENT),
    ],
  }),
}));

describe('ModelDeploymentRole', () => {
  test.each([
    ['sagemaker:CreateEndpoint', sm('endpoint/fraud-detector')],
    ['sagemaker:UpdateEndpoint', sm('endpoint/fraud-detector')],
    ['sagemaker:UpdateEndpoint', sm('endpoint-config/fraud-detector-v2')],
    ['sagemaker:UpdateEndpointWeightsAndCapacities', sm('endpoint/fraud-detector')],
    ['sagemaker:CreateInferenceComponent', sm('endpoint/fraud-detector')],
    ['bedrock:CreateCustomModelDeployment', CUSTOM],
    ['bedrock:UpdateCustomModelDeployment', DEPLOYMENT],
  ])('may %s on %s', async (action, resource) => {
    expect(await f.can('deployer', action, resource)).toBe('Allowed');
  });

  test('deploys to no other endpoint', async () => {
    expect(await f.can('deployer', 'sagemaker:UpdateEndpoint', sm('endpoint/churn-predictor'))).not.toBe(
      'Allowed',
    );
    expect(await f.can('deployer', 'sagemaker:DeleteEndpoint', sm('endpoint/fraud-detector'))).not.toBe(
      'Allowed',
    );
  });

  test.each([
    ['invoke the endpoint', 'sagemaker:InvokeEndpoint', sm('endpoint/fraud-detector')],
    ['invoke the deployment', 'bedrock:InvokeModel', DEPLOYMENT],
    ['customize', 'bedrock:CreateModelCustomizationJob', CUSTOM],
    ['train', 'sagemaker:CreateTrainingJob', sm('training-job/t1')],
    ['approve a model package', 'sagemaker:UpdateModelPackage', sm('model-package/fraud/3')],
    ['change its own policies', 'iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/Deployer`],
    ['pass a role', 'iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/any`],
  ])('cannot %s, even with AdministratorAccess attached', async (_, action, resource) => {
    expect(await f.can('deployer', action, resource, { extraPolicies: [ADMIN] })).toBe('ExplicitlyDenied');
  });

  test('cannot read weights, even with AdministratorAccess attached', async () => {
    const weights = 'arn:aws:s3:::registry-artifacts/models/m1/weights.safetensors';
    expect(
      await f.can('deployer', 's3:GetObject', weights, {
        extraPolicies: [ADMIN],
        s3Abac: true,
        context: { 'aws:ResourceTag/model-access:data-class': 'model-artifacts' },
      }),
    ).toBe('ExplicitlyDenied');
  });

  test('is tagged deployment, and the analysis sees deployment alone', () => {
    const json = Template.fromStack(f.stack).toJSON();
    const id = f.stack.getLogicalId(f.roles.deployer.node.defaultChild as iam.CfnRole);
    expect(json.Resources[id].Properties.Tags).toContainEqual({ Key: TAG_CAPABILITY, Value: 'deployment' });
    expect(AccessAnalysis.fromTemplate(json).principal(id)!.capabilities).toEqual([Capability.DEPLOYMENT]);
  });

  test('sessions last at most one hour', () => {
    expect(
      () =>
        new ModelDeploymentRole(new Stack(new App(), 'T'), 'Long', {
          assumedBy: releaseManagers,
          targets: [ModelTarget.sagemakerEndpoint('fraud-detector')],
          maxSessionDuration: Duration.hours(4),
        }),
    ).toThrow(/maxSessionDuration is 4 hours; a deployment session may last at most 1 hour/);
  });

  test('a target no deployment action applies to is refused', () => {
    expect(
      () =>
        new ModelDeploymentRole(new Stack(new App(), 'T'), 'Fm', {
          assumedBy: releaseManagers,
          targets: [ModelTarget.bedrockInferenceProfile('us.amazon.nova-lite-v1:0')],
        }),
    ).toThrow(/cannot be a target of deployment/);
  });
});
