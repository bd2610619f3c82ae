import { App, Fn, Stack } from 'aws-cdk-lib';
import { Capability, ModelTarget } from '../../lib';
import { ResolvedTemplate } from '../support/template';

const { READ, INFERENCE, CUSTOMIZATION, DEPLOYMENT } = Capability;
const stack = new Stack(new App(), 'Test');
const resolve = (x: unknown) => new ResolvedTemplate({}).resolve(stack.resolve(x));
const PROVISIONED = 'arn:aws:bedrock:us-east-1:111111111111:provisioned-model/abc123';
const CUSTOM = 'arn:aws:bedrock:us-east-1:111111111111:custom-model/amazon.titan-text-express-v1:0:8k/xyz789';
const PROFILE = 'arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/p1';

describe('ModelTarget: which ARNs each capability needs', () => {
  test('a foundation model is invoked, read and customized on its own ARN, with no account', () => {
    const target = ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1');
    const arn = 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1';
    expect(resolve(target.arnsFor(INFERENCE))).toEqual([arn]);
    expect(resolve(target.arnsFor(READ))).toEqual([arn]);
    expect(resolve(target.arnsFor(CUSTOMIZATION))).toEqual([arn]);
    expect(target.actionsFor(INFERENCE)).toEqual([
      'bedrock:InvokeModel',
      'bedrock:InvokeModelWithResponseStream',
    ]);
    expect(target.actionsFor(READ)).toEqual(['bedrock:GetFoundationModel']);
    expect(target.actionsFor(CUSTOMIZATION)).toEqual(['bedrock:CreateModelCustomizationJob']);
    expect(target.actionsFor(DEPLOYMENT)).toEqual([
      'bedrock:CreateProvisionedModelThroughput',
      'bedrock:UpdateProvisionedModelThroughput',
    ]);
  });

  test('a foundation model in another region', () => {
    const target = ModelTarget.bedrockFoundationModel('meta.llama3-8b-instruct-v1:0', {
      region: 'eu-west-1',
    });
    expect(resolve(target.arnsFor(INFERENCE))).toEqual([
      'arn:aws:bedrock:eu-west-1::foundation-model/meta.llama3-8b-instruct-v1:0',
    ]);
  });

  test('a custom model cannot be invoked directly: InvokeModel has no custom-model resource', () => {
    const target = ModelTarget.bedrockCustomModel(CUSTOM);
    expect(target.actionsFor(INFERENCE)).toEqual([]);
    expect(() => target.arnsFor(INFERENCE)).toThrow(
      /custom model is invoked through a provisioned model or a custom model deployment/,
    );
  });

  test('a custom model is read and customized on its ARN, and deployed by the deployment actions', () => {
    const target = ModelTarget.bedrockCustomModel(CUSTOM);
    expect(target.arnsFor(READ)).toEqual([CUSTOM]);
    expect(target.actionsFor(READ)).toEqual(['bedrock:GetCustomModel']);
    expect(target.actionsFor(CUSTOMIZATION)).toEqual(['bedrock:CreateModelCustomizationJob']);
    expect(target.actionsFor(DEPLOYMENT)).toEqual([
      'bedrock:CreateCustomModelDeployment',
      'bedrock:UpdateCustomModelDeployment',
      'bedrock:CreateProvisionedModelThroughput',
      'bedrock:UpdateProvisionedModelThroughput',
    ]);
  });

  test('a provisioned model is invoked and read on its ARN, and cannot be a customization target', () => {
    const target = ModelTarget.bedrockProvisionedModel(PROVISIONED);
    expect(target.arnsFor(INFERENCE)).toEqual([PROVISIONED]);
    expect(target.actionsFor(READ)).toEqual(['bedrock:GetProvisionedModelThroughput']);
    expect(() => target.arnsFor(CUSTOMIZATION)).toThrow(/cannot be a target of customization/);
  });

  test('a custom model deployment and an imported model are invoked on their ARNs', () => {
    const deployment = 'arn:aws:bedrock:us-east-1:111111111111:custom-model-deployment/d1';
    const imported = 'arn:aws:bedrock:us-east-1:111111111111:imported-model/i1';
    expect(ModelTarget.bedrockCustomModelDeployment(deployment).arnsFor(INFERENCE)).toEqual([deployment]);
    expect(ModelTarget.bedrockImportedModel(imported).arnsFor(INFERENCE)).toEqual([imported]);
  });

  test('an application inference profile is invoked on the profile and the foundation models behind it', () => {
    const target = ModelTarget.bedrockApplicationInferenceProfile(PROFILE, [
      ModelTarget.bedrockFoundationModel('anthropic.claude-3-haiku-20240307-v1:0'),
    ]);
    expect(resolve(target.arnsFor(INFERENCE))).toEqual([
      PROFILE,
      'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
    ]);
    expect(target.actionsFor(READ)).toEqual(['bedrock:GetFoundationModel', 'bedrock:GetInferenceProfile']);
  });

  test('a SageMaker endpoint is invoked on its lower-case ARN', () => {
    const target = ModelTarget.sagemakerEndpoint('My-Endpoint');
    expect(resolve(target.arnsFor(INFERENCE))).toEqual([
      'arn:aws:sagemaker:us-east-1:111111111111:endpoint/my-endpoint',
    ]);
    expect(target.actionsFor(INFERENCE)).toEqual([
      'sagemaker:InvokeEndpoint',
      'sagemaker:InvokeEndpointAsync',
      'sagemaker:InvokeEndpointWithResponseStream',
    ]);
    expect(target.actionsFor(READ)).toEqual(['sagemaker:DescribeEndpoint']);
  });

  test('a SageMaker endpoint in another account', () => {
    const target = ModelTarget.sagemakerEndpoint('ep', { account: '222222222222', region: 'eu-west-1' });
    expect(resolve(target.arnsFor(INFERENCE))).toEqual([
      'arn:aws:sagemaker:eu-west-1:222222222222:endpoint/ep',
    ]);
  });

  test('a SageMaker model package is read, approved and trained from on its versioned ARN', () => {
    const arn = 'arn:aws:sagemaker:us-east-1:111111111111:model-package/support-base/3';
    const target = ModelTarget.sagemakerModelPackage(arn);
    expect(target.arnsFor(READ)).toEqual([arn]);
    expect(target.actionsFor(READ)).toEqual([
      'sagemaker:DescribeModelPackage',
      'sagemaker:ListModelPackages',
    ]);
    expect(target.actionsFor(Capability.APPROVAL)).toEqual(['sagemaker:UpdateModelPackage']);
    expect(target.actionsFor(CUSTOMIZATION)).toEqual(['sagemaker:CreateModelPackage']);
    expect(() =>
      ModelTarget.sagemakerModelPackage('arn:aws:sagemaker:us-east-1:111111111111:endpoint/x'),
    ).toThrow(/is not a SageMaker model package ARN/);
  });

  test('each target is named as requests and reports name it', () => {
    expect(ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1').name).toBe(
      'amazon.titan-text-express-v1',
    );
    expect(ModelTarget.sagemakerEndpoint('churn').name).toBe('churn');
    expect(ModelTarget.bedrockCustomModel(CUSTOM).name).toBe(CUSTOM);
    expect(ModelTarget.tagged('team', 'search').name).toBe('team=search');
  });

  test('a tagged target covers the taggable model resources with a resource-tag condition', () => {
    const target = ModelTarget.tagged('team', 'search');
    expect(target.conditions).toEqual({ StringEquals: { 'aws:ResourceTag/team': 'search' } });
    expect(resolve(target.arnsFor(INFERENCE)).sort()).toEqual([
      'arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/*',
      'arn:aws:bedrock:us-east-1:111111111111:custom-model-deployment/*',
      'arn:aws:bedrock:us-east-1:111111111111:imported-model/*',
      'arn:aws:bedrock:us-east-1:111111111111:provisioned-model/*',
      'arn:aws:sagemaker:us-east-1:111111111111:endpoint/*',
    ]);
    expect(resolve(target.arnsFor(INFERENCE))).not.toContainEqual(
      expect.stringContaining('foundation-model'),
    );
  });
});

describe('ModelTarget: bad input', () => {
  test.each([['claude'], ['Anthropic.Claude'], ['anthropic.claude*'], ['anthropic/claude'], ['']])(
    'model id %j is rejected',
    (id) => {
      expect(() => ModelTarget.bedrockFoundationModel(id)).toThrow(/is not a Bedrock model id/);
    },
  );

  test('a cross-region inference profile id is rejected with a hint', () => {
    expect(() => ModelTarget.bedrockFoundationModel('us.anthropic.claude-3-haiku-20240307-v1:0')).toThrow(
      /cross-region inference profile id/,
    );
  });

  test.each([
    ['bedrockProvisionedModel', (a: string) => ModelTarget.bedrockProvisionedModel(a), CUSTOM],
    ['bedrockCustomModel', (a: string) => ModelTarget.bedrockCustomModel(a), PROVISIONED],
    [
      'bedrockCustomModel',
      (a: string) => ModelTarget.bedrockCustomModel(a),
      'arn:aws:bedrock:us-east-1:1111:custom-model/x',
    ],
    [
      'bedrockCustomModel',
      (a: string) => ModelTarget.bedrockCustomModel(a),
      'arn:aws:sagemaker:us-east-1:111111111111:custom-model/x',
    ],
    [
      'bedrockApplicationInferenceProfile',
      (a: string) => ModelTarget.bedrockApplicationInferenceProfile(a),
      'not-an-arn',
    ],
  ])('%s rejects %#', (factory, make, arn) => {
    expect(() => make(arn)).toThrow(
      new RegExp(`ModelTarget.${factory}: '.*' is not a .* ARN \\(expected arn:`),
    );
  });

  test('only foundation models may stand behind an inference profile', () => {
    expect(() =>
      ModelTarget.bedrockApplicationInferenceProfile(PROFILE, [
        ModelTarget.bedrockProvisionedModel(PROVISIONED),
      ]),
    ).toThrow(/foundationModels must be Bedrock foundation models, got a provisioned-model/);
  });

  test.each([['-bad'], ['bad-'], ['a'.repeat(64)], ['under_score']])(
    'endpoint name %j is rejected',
    (name) => {
      expect(() => ModelTarget.sagemakerEndpoint(name)).toThrow(/is not a SageMaker endpoint name/);
    },
  );

  test('an endpoint account that is not 12 digits is rejected', () => {
    expect(() => ModelTarget.sagemakerEndpoint('ep', { account: '123' })).toThrow(
      /account '123' is not a 12-digit/,
    );
  });

  test.each([['aws:team'], [''], ['a'.repeat(129)], ['bad*key']])('tag key %j is rejected', (key) => {
    expect(() => ModelTarget.tagged(key, 'v')).toThrow(/is not a valid tag key/);
  });

  test('a tag value over 256 characters is rejected', () => {
    expect(() => ModelTarget.tagged('team', 'v'.repeat(257))).toThrow(/is not a valid tag value/);
  });

  test('tokens are accepted as they are', () => {
    const arn = Fn.importValue('SharedProvisionedModelArn');
    expect(ModelTarget.bedrockProvisionedModel(arn).arnsFor(INFERENCE)).toEqual([arn]);
    expect(() => ModelTarget.sagemakerEndpoint(Fn.importValue('EndpointName'))).not.toThrow();
  });
});
