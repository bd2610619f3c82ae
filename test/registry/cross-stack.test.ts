import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ModelReadRole, ModelRegistry, ModelTarget } from '../../lib';
import { bucketPolicyOf, identityPoliciesOf, simulate } from '../support/simulate';
import { ACCOUNT, ResolvedTemplate } from '../support/template';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const idOf = (c: { node: { defaultChild?: unknown } }) =>
  Stack.of(c as never).getLogicalId(c.node.defaultChild as never);
const refersTo = (template: Json, stackName: string) =>
  JSON.stringify(template).includes(`"Fn::ImportValue":"${stackName}:`) ||
  JSON.stringify(template).includes(`${stackName}:Export`);

/** A platform team's registry, and an app team's roles in a stack of their own. */
function platformAndAppTeam() {
  const app = new App();
  const platform = new Stack(app, 'Platform');
  const registry = new ModelRegistry(platform, 'Registry');
  const team = new Stack(app, 'AppTeam');
  const role = (id: string, roleName: string) =>
    new iam.Role(team, id, { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'), roleName });
  const serving = role('Serving', 'app-serving');
  const curator = role('Curator', 'app-data-curator');
  // Another role of the team, with every S3 and KMS action: the registry granted it nothing.
  const admin = role('Admin', 'app-admin');
  admin.addToPolicy(new iam.PolicyStatement({ actions: ['s3:*', 'kms:*'], resources: ['*'] }));
  registry.grantReadWeights(serving);
  registry.grantReadMetadata(serving);
  registry.grantWriteTrainingData(curator);
  const assembly = app.synth();
  const json = (s: Stack) => assembly.getStackByName(s.stackName).template;
  const platformTemplate = new ResolvedTemplate(json(platform));
  const teamTemplate = new ResolvedTemplate(json(team), [platformTemplate]);
  return { registry, platform, team, json, platformTemplate, teamTemplate, serving, curator, admin };
}

describe('a registry shared with roles of another stack', () => {
  const f = platformAndAppTeam();
  const p = f.platformTemplate;
  const object = (bucket: string) => `${p.arn(bucket)}/models/m1/weights.safetensors`;
  const artifacts = idOf(f.registry.modelArtifactsBucket);
  const training = idOf(f.registry.trainingDataBucket);
  const key = idOf(f.registry.encryptionKey as never);

  async function s3(role: iam.Role, action: string, bucket: string) {
    return simulate({
      principal: f.teamTemplate.arn(idOf(role)),
      action,
      resource: object(bucket),
      identityPolicies: identityPoliciesOf(f.teamTemplate, idOf(role)),
      resourcePolicy: bucketPolicyOf(p, bucket),
    });
  }
  async function decrypt(role: iam.Role) {
    return simulate({
      principal: f.teamTemplate.arn(idOf(role)),
      action: 'kms:Decrypt',
      resource: p.arn(key),
      context: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
      identityPolicies: identityPoliciesOf(f.teamTemplate, idOf(role)),
      resourcePolicy: p.props(key).KeyPolicy,
    });
  }

  test('synthesizes with no cycle: the platform refers to nothing of the app team, which imports from the platform', () => {
    expect(refersTo(f.json(f.platform), 'AppTeam')).toBe(false);
    expect(refersTo(f.json(f.team), 'Platform')).toBe(true);
    expect(f.team.dependencies).toEqual([f.platform]);
    expect(f.platform.dependencies).toEqual([]);
  });

  test("the platform's key policy names the app team's role by a condition on aws:PrincipalArn, not as a principal", () => {
    const statements = p.props(key).KeyPolicy.Statement as Json[];
    const forServing = statements.filter((s) =>
      JSON.stringify(s.Condition ?? {}).includes(`arn:aws:iam::${ACCOUNT}:role/app-serving`),
    );
    expect(forServing).toEqual([
      expect.objectContaining({
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'kms:Decrypt',
        Condition: {
          ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/app-serving` },
          StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
        },
      }),
    ]);
  });

  test('the granted role reads weights and decrypts them through S3', async () => {
    expect(await s3(f.serving, 's3:GetObject', artifacts)).toBe('Allowed');
    expect(await decrypt(f.serving)).toBe('Allowed');
  });

  test('the curator uploads training data but cannot read it or the weights', async () => {
    expect(await s3(f.curator, 's3:PutObject', training)).toBe('Allowed');
    expect(await s3(f.curator, 's3:GetObject', training)).toBe('ExplicitlyDenied');
    expect(await s3(f.curator, 's3:GetObject', artifacts)).toBe('ExplicitlyDenied');
  });

  test('another role of the app team with s3:* and kms:* reads nothing and decrypts nothing', async () => {
    expect(await s3(f.admin, 's3:GetObject', artifacts)).toBe('ExplicitlyDenied');
    expect(await s3(f.admin, 's3:GetObject', training)).toBe('ExplicitlyDenied');
    expect(await s3(f.admin, 's3:PutObject', artifacts)).toBe('ExplicitlyDenied');
    expect(await decrypt(f.admin)).toBe('ImplicitlyDenied');
  });

  test('the granted role decrypts nothing without S3 as the caller', async () => {
    const direct = await simulate({
      principal: f.teamTemplate.arn(idOf(f.serving)),
      action: 'kms:Decrypt',
      resource: p.arn(key),
      identityPolicies: identityPoliciesOf(f.teamTemplate, idOf(f.serving)),
      resourcePolicy: p.props(key).KeyPolicy,
    });
    expect(direct).toBe('ImplicitlyDenied');
  });
});

describe('grants to roles of another stack that the policies cannot name', () => {
  test('a role whose name CloudFormation chooses fails synth with the fix', () => {
    const app = new App();
    const registry = new ModelRegistry(new Stack(app, 'Platform'), 'Registry');
    const role = new iam.Role(new Stack(app, 'AppTeam'), 'Serving', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    });
    expect(() => registry.grantReadWeights(role)).toThrow(
      /ModelRegistry.grantReadWeights: the role AppTeam\/Serving is in the stack AppTeam, not Platform\. .*give it a fixed roleName/,
    );
  });

  test("a role of the library that has no name gets one of its own, which the registry's policies name", () => {
    const app = new App();
    const platform = new Stack(app, 'Platform');
    const registry = new ModelRegistry(platform, 'Registry');
    const team = new Stack(app, 'AppTeam');
    const reader = new ModelReadRole(team, 'Reader', {
      assumedBy: new iam.AccountRootPrincipal(),
      targets: [ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1')],
      registry,
    });
    expect(() => app.synth()).not.toThrow();
    const name =
      Template.fromStack(team).toJSON().Resources[team.getLogicalId(reader.node.defaultChild as iam.CfnRole)]
        .Properties.RoleName;
    expect(name).toMatch(/^AppTeam-Reader-[A-Za-z0-9]+$/);
    expect(name.length).toBeLessThanOrEqual(64);
    expect(JSON.stringify(Template.fromStack(platform).toJSON())).toContain(`:role/${name}`);
  });

  test('a group is no named principal', () => {
    const app = new App();
    const registry = new ModelRegistry(new Stack(app, 'Platform'), 'Registry');
    const group = new iam.Group(new Stack(app, 'AppTeam'), 'Readers');
    expect(() => registry.grantReadMetadata(group)).toThrow(/must be an IAM role or user/);
  });
});

describe('a registry shared with a role in another account', () => {
  const arn = 'arn:aws:iam::222222222222:role/app-serving';
  const platform = new Stack(new App(), 'Platform', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const registry = new ModelRegistry(platform, 'Registry');
  registry.grantReadWeights(iam.Role.fromRoleArn(platform, 'AppServing', arn, { mutable: false }));
  const p = new ResolvedTemplate(Template.fromStack(platform).toJSON());
  const bucket = idOf(registry.modelArtifactsBucket);
  const key = idOf(registry.encryptionKey as never);
  const everything = [
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'kms:*'], Resource: '*' }] },
  ];
  const request = (principal: string, action: string, resource: string, resourcePolicy: Json, context = {}) =>
    simulate({
      principal,
      action,
      resource,
      context: { 'aws:PrincipalAccount': '222222222222', ...context },
      identityPolicies: everything,
      resourcePolicy,
    });

  test("the bucket and key policies admit the other account's role by condition, and no other role of that account", async () => {
    const weights = `${p.arn(bucket)}/models/m1/weights.safetensors`;
    const via = { 'kms:ViaService': 's3.us-east-1.amazonaws.com' };
    const keyPolicy = p.props(key).KeyPolicy;
    expect(await request(arn, 's3:GetObject', weights, bucketPolicyOf(p, bucket))).toBe('Allowed');
    expect(await request(arn, 'kms:Decrypt', p.arn(key), keyPolicy, via)).toBe('Allowed');
    const other = 'arn:aws:iam::222222222222:role/other';
    expect(await request(other, 's3:GetObject', weights, bucketPolicyOf(p, bucket))).not.toBe('Allowed');
    expect(await request(other, 'kms:Decrypt', p.arn(key), keyPolicy, via)).not.toBe('Allowed');
  });

  test('a role of a stack in another account of the same app fails synth with the two-sided grant to use', () => {
    const app = new App();
    const home = new ModelRegistry(
      new Stack(app, 'Platform', { env: { account: ACCOUNT, region: 'us-east-1' } }),
      'R',
    );
    const role = new iam.Role(
      new Stack(app, 'AppTeam', { env: { account: '222222222222', region: 'us-east-1' } }),
      'Serving',
      {
        assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
        roleName: 'app-serving',
      },
    );
    expect(() => home.grantReadWeights(role)).toThrow(
      /is in another environment \(222222222222\/us-east-1\) than Platform \(111111111111\/us-east-1\).*iam.Role.fromRoleArn/,
    );
  });
});

describe('ModelRegistry.fromRegistryAttributes', () => {
  const attrs = {
    modelArtifactsBucketName: 'platform-model-artifacts',
    trainingDataBucketName: 'platform-training-data',
    metadataBucketName: 'platform-metadata',
    encryptionKeyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`,
  };

  test("grants write the grantee's identity policy on the named buckets and key, and nothing else", () => {
    const stack = new Stack(new App(), 'AppTeam');
    const registry = ModelRegistry.fromRegistryAttributes(stack, 'Registry', attrs);
    const role = new iam.Role(stack, 'Serving', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    });
    registry.grantReadWeights(role);
    const t = new ResolvedTemplate(Template.fromStack(stack).toJSON());
    expect(t.ofType('AWS::S3::BucketPolicy')).toEqual([]);
    expect(t.ofType('AWS::KMS::Key')).toEqual([]);
    const statements = identityPoliciesOf(t, idOf(role)).flatMap((d: Json) => d.Statement);
    expect(statements).toEqual([
      expect.objectContaining({
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: 'arn:aws:s3:::platform-model-artifacts/*',
      }),
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Resource: attrs.encryptionKeyArn,
        Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
      }),
    ]);
  });

  test("the platform names the same role by ARN, and the two halves together let it read: the platform's half alone does not", async () => {
    const platform = new Stack(new App(), 'Platform');
    const registry = new ModelRegistry(platform, 'Registry');
    const arn = `arn:aws:iam::${ACCOUNT}:role/app-serving`;
    registry.grantReadWeights(iam.Role.fromRoleArn(platform, 'AppServing', arn, { mutable: false }));
    // What the platform publishes (as outputs or parameters) for other apps.
    const published = new ResolvedTemplate(Template.fromStack(platform).toJSON());
    const p = published;
    const team = new Stack(new App(), 'AppTeam');
    const imported = ModelRegistry.fromRegistryAttributes(team, 'Registry', {
      modelArtifactsBucketName: published.resolve({ Ref: idOf(registry.modelArtifactsBucket) }),
      trainingDataBucketName: 'unused-training',
      metadataBucketName: 'unused-metadata',
      encryptionKeyArn: published.arn(idOf(registry.encryptionKey as never)),
    });
    const role = new iam.Role(team, 'Serving', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      roleName: 'app-serving',
    });
    imported.grantReadWeights(role);
    const t = new ResolvedTemplate(Template.fromStack(team).toJSON());
    const keyId = idOf(registry.encryptionKey as never);
    const request = (
      action: string,
      resource: string,
      resourcePolicy: Json,
      identityPolicies: Json[],
      context = {},
    ) => simulate({ principal: arn, action, resource, context, identityPolicies, resourcePolicy });
    const weights = `${p.arn(idOf(registry.modelArtifactsBucket))}/models/m1/weights.safetensors`;
    const via = { 'kms:ViaService': 's3.us-east-1.amazonaws.com' };
    const bucketPolicy = bucketPolicyOf(p, idOf(registry.modelArtifactsBucket));
    const keyPolicy = p.props(keyId).KeyPolicy;
    expect(await request('s3:GetObject', weights, bucketPolicy, identityPoliciesOf(t, idOf(role)))).toBe(
      'Allowed',
    );
    expect(
      await request('kms:Decrypt', p.arn(keyId), keyPolicy, identityPoliciesOf(t, idOf(role)), via),
    ).toBe('Allowed');
    expect(await request('kms:Decrypt', p.arn(keyId), keyPolicy, [], via)).toBe('ImplicitlyDenied');
  });

  test('bad attributes and grantees fail with the reason', () => {
    const stack = new Stack(new App(), 'AppTeam');
    expect(() =>
      ModelRegistry.fromRegistryAttributes(stack, 'A', {
        ...attrs,
        encryptionKeyArn: 'alias/model-registry',
      }),
    ).toThrow(/encryptionKeyArn 'alias\/model-registry' is not a KMS key ARN/);
    expect(() =>
      ModelRegistry.fromRegistryAttributes(stack, 'B', { ...attrs, metadataBucketName: '' }),
    ).toThrow(/metadataBucketName is required/);
    const registry = ModelRegistry.fromRegistryAttributes(stack, 'C', attrs);
    expect(() => registry.grantReadMetadata(new iam.AccountRootPrincipal())).toThrow(
      /must be an IAM role or user/,
    );
  });
});

describe('a role in a nested stack', () => {
  // The key policy is part of the key resource: naming a nested stack's role there by reference
  // would make the key wait for the nested stack, which waits for the key's ARN. So a role of a
  // nested stack is named by its fixed name, as one of any other stack.
  test.each([
    ['the registry in the parent, the role nested', true],
    ['the registry nested, the role in the parent', false],
  ])('%s: synthesizes by the fixed name, and asks for one without it', (_, registryInParent) => {
    const app = new App();
    const parent = new Stack(app, 'Parent');
    const nested = new NestedStack(parent, 'Nested');
    const registry = new ModelRegistry(registryInParent ? parent : nested, 'Registry');
    const role = (id: string, roleName?: string) =>
      new iam.Role(registryInParent ? nested : parent, id, {
        assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
        roleName,
      });
    expect(() => registry.grantReadWeights(role('Unnamed'))).toThrow(/give it a fixed roleName/);
    registry.grantReadWeights(role('Serving', 'serving'));
    expect(() => app.synth()).not.toThrow();
  });
});
