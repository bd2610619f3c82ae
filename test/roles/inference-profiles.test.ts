import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  AccessAnalysis,
  Capability,
  ModelCustomizationRole,
  ModelInferenceRole,
  ModelReadRole,
  ModelTarget,
} from '../../lib';
import { ACCOUNT } from '../support/template';
import { buildFixture } from './fixture';

// System-defined inference profiles: the profile in the source Region, and the foundation model
// in the Regions the profile routes to, only for requests that come through the profile.
const SONNET = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const US_SONNET = `us.${SONNET}`;
const profileArn = (id: string, region = 'us-east-1') =>
  `arn:aws:bedrock:${region}:${ACCOUNT}:inference-profile/${id}`;
const model = (region: string, id = SONNET) => `arn:aws:bedrock:${region}::foundation-model/${id}`;
const through = (id: string) => ({ context: { 'bedrock:InferenceProfileArn': profileArn(id) } });
const lambda = new iam.ServicePrincipal('lambda.amazonaws.com');

const f = buildFixture((stack) => ({
  anywhere: new ModelInferenceRole(stack, 'Anywhere', {
    assumedBy: lambda,
    targets: [ModelTarget.bedrockInferenceProfile(US_SONNET)],
  }),
  pinned: new ModelInferenceRole(stack, 'Pinned', {
    assumedBy: lambda,
    targets: [
      ModelTarget.bedrockInferenceProfile(US_SONNET, {
        destinationRegions: ['us-east-1', 'us-east-2', 'us-west-2'],
      }),
    ],
  }),
  global: new ModelInferenceRole(stack, 'Global', {
    assumedBy: lambda,
    targets: [ModelTarget.bedrockInferenceProfile(`global.${SONNET}`)],
  }),
  reader: new ModelReadRole(stack, 'Reader', {
    assumedBy: new iam.AccountRootPrincipal(),
    targets: [ModelTarget.bedrockInferenceProfile(US_SONNET)],
  }),
}));

describe('invoking through a system-defined inference profile', () => {
  test.each(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'])(
    '%s on the profile, and on the model in each Region the profile routes to',
    async (action) => {
      expect(await f.can('anywhere', action, profileArn(US_SONNET))).toBe('Allowed');
      for (const region of ['us-east-1', 'us-east-2', 'us-west-2'])
        expect(await f.can('anywhere', action, model(region), through(US_SONNET))).toBe('Allowed');
    },
  );

  test('the model is not invoked directly, nor through another profile, nor another model through this one', async () => {
    expect(await f.can('anywhere', 'bedrock:InvokeModel', model('us-west-2'))).not.toBe('Allowed');
    expect(
      await f.can('anywhere', 'bedrock:InvokeModel', model('us-west-2'), through(`us.${SONNET}-other`)),
    ).not.toBe('Allowed');
    expect(
      await f.can(
        'anywhere',
        'bedrock:InvokeModel',
        model('us-west-2', 'amazon.nova-pro-v1:0'),
        through(US_SONNET),
      ),
    ).not.toBe('Allowed');
    expect(await f.can('anywhere', 'bedrock:InvokeModel', profileArn(`eu.${SONNET}`))).not.toBe('Allowed');
  });

  test('with destinationRegions, the model only in those Regions', async () => {
    expect(await f.can('pinned', 'bedrock:InvokeModel', model('us-east-2'), through(US_SONNET))).toBe(
      'Allowed',
    );
    expect(await f.can('pinned', 'bedrock:InvokeModel', model('eu-west-1'), through(US_SONNET))).not.toBe(
      'Allowed',
    );
  });

  test('a global profile reaches the model wherever Bedrock routes it, through the profile alone', async () => {
    const id = `global.${SONNET}`;
    expect(await f.can('global', 'bedrock:InvokeModel', profileArn(id))).toBe('Allowed');
    expect(await f.can('global', 'bedrock:InvokeModel', model('ap-southeast-2'), through(id))).toBe(
      'Allowed',
    );
    expect(await f.can('global', 'bedrock:InvokeModel', model('ap-southeast-2'))).not.toBe('Allowed');
  });

  test("the profile's role can do nothing else with the model, even with AdministratorAccess attached", async () => {
    const admin = {
      extraPolicies: [
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
      ],
    };
    expect(
      await f.can('anywhere', 'bedrock:CreateModelCustomizationJob', model('us-east-1'), admin),
    ).not.toBe('Allowed');
    expect(await f.can('anywhere', 'bedrock:GetInferenceProfile', profileArn(US_SONNET))).not.toBe('Allowed');
  });

  test('reading names the profile: the model statement, which only invocations can meet, is left out', async () => {
    expect(await f.can('reader', 'bedrock:GetInferenceProfile', profileArn(US_SONNET))).toBe('Allowed');
    const target = ModelTarget.bedrockInferenceProfile(US_SONNET);
    expect(target.arnsFor(Capability.READ)).toEqual([target.resources[0].arn]);
    expect(target.resources[0].resourceType).toBe('inference-profile');
    expect(target.resourcesFor('bedrock:GetFoundationModel')).toEqual([]);
  });

  test('the analysis sees an inference role, and no merge', () => {
    const analysis = AccessAnalysis.fromTemplate(Template.fromStack(f.stack).toJSON());
    const id = f.stack.getLogicalId(f.roles.anywhere.node.defaultChild as iam.CfnRole);
    expect(analysis.principal(id)!.capabilities).toEqual([Capability.INFERENCE]);
  });
});

describe('ModelTarget.bedrockInferenceProfile: bad input and limits', () => {
  test.each([
    [
      'xx.anthropic.claude-3-haiku-20240307-v1:0',
      /has no known geographic prefix \(us\., us-gov\., eu\., apac\./,
    ],
    [
      'anthropic.claude-3-haiku-20240307-v1:0',
      /no known geographic prefix.*use ModelTarget.bedrockFoundationModel/,
    ],
    ['us.', /is not an inference profile id/],
    ['us.Claude', /is not an inference profile id/],
  ])('%s is rejected', (id, message) => {
    expect(() => ModelTarget.bedrockInferenceProfile(id)).toThrow(message);
  });

  test('destinationRegions: Region codes, not empty, not for a global profile', () => {
    expect(() => ModelTarget.bedrockInferenceProfile(US_SONNET, { destinationRegions: [] })).toThrow(
      /destinationRegions must list Region codes/,
    );
    expect(() => ModelTarget.bedrockInferenceProfile(US_SONNET, { destinationRegions: ['US East'] })).toThrow(
      /US East is not an AWS region/,
    );
    expect(() =>
      ModelTarget.bedrockInferenceProfile(US_SONNET, { destinationRegions: ['us-east-1', 'us-west-2b'] }),
    ).toThrow(/us-west-2b is an availability zone; the region is us-west-2/);
    expect(() =>
      ModelTarget.bedrockInferenceProfile(`global.${SONNET}`, { destinationRegions: ['us-east-1'] }),
    ).toThrow(/global profile, which routes to any commercial Region; omit destinationRegions/);
  });

  test.each([
    ['Virginia', /ModelTarget.bedrockFoundationModel: region Virginia is not an AWS region/],
    [
      'us-east-1a',
      /ModelTarget.bedrockFoundationModel: region us-east-1a is an availability zone; the region is us-east-1\./,
    ],
    ['mars-east-1', /region mars-east-1 is not an AWS region \(a region is written like us-east-1/],
  ])('a model region %s is refused, naming the fix', (region, message) => {
    expect(() => ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1', { region })).toThrow(
      message,
    );
    expect(() => ModelTarget.sagemakerEndpoint('chat', { region })).toThrow(
      /ModelTarget.sagemakerEndpoint: region/,
    );
  });

  test('a profile id known only at deployment needs its Regions', () => {
    const stack = new Stack(new App(), 'T');
    const id = new iam.Role(stack, 'R', { assumedBy: lambda }).roleName;
    expect(() => ModelTarget.bedrockInferenceProfile(id)).toThrow(/needs destinationRegions/);
  });

  test('cannot be customized, nor selected by a classification tag: neither the profile nor the model carries tags', () => {
    const stack = new Stack(new App(), 'T');
    const profile = ModelTarget.bedrockInferenceProfile(US_SONNET);
    expect(
      () =>
        new ModelCustomizationRole(stack, 'Tuner', {
          assumedBy: new iam.AccountRootPrincipal(),
          targets: [profile],
        }),
    ).toThrow(/cannot be a target of customization/);
    expect(
      () =>
        new ModelInferenceRole(stack, 'Tagged', {
          assumedBy: lambda,
          targets: [profile],
          conditions: { classificationTagKey: 'data-classification' },
        }),
    ).toThrow(/carries no tags/);
  });

  test('a foundation model id with a profile prefix points here', () => {
    expect(() => ModelTarget.bedrockFoundationModel(US_SONNET)).toThrow(
      /Use ModelTarget.bedrockInferenceProfile/,
    );
  });
});
