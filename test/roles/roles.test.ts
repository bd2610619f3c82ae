import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  AccessConditions,
  CapabilityBoundary,
  Capability,
  ModelCustomizationRole,
  ModelInferenceRole,
  ModelReadRole,
  ModelTarget,
  TAG_CAPABILITY,
} from '../../lib';
import { bucketPolicyOf, identityPoliciesOf } from '../support/simulate';
import { ResolvedTemplate } from '../support/template';
import { buildFixture, targets, threeRoles } from './fixture';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const f = buildFixture(threeRoles);
const idOf = (name: string) => f.stack.getLogicalId(f.roles[name].node.defaultChild as iam.CfnRole);
const allows = (name: string): Json[] =>
  identityPoliciesOf(f.template, idOf(name))
    .flatMap((d) => d.Statement)
    .filter((s: Json) => s.Effect === 'Allow');

describe('capability roles', () => {
  test.each([
    ['reader', 'read'],
    ['invoker', 'inference'],
    ['tuner', 'customization'],
  ])('the %s role is tagged model-access:capability=%s', (name, capability) => {
    expect(f.template.props(idOf(name)).Tags).toEqual(
      expect.arrayContaining([{ Key: TAG_CAPABILITY, Value: capability }]),
    );
  });

  test.each([['reader'], ['invoker'], ['tuner']])(
    'the %s role has one-hour sessions and its capability boundary',
    (name) => {
      const props = f.template.props(idOf(name));
      expect(props.MaxSessionDuration).toBe(3600);
      const boundary = f.stack.getLogicalId(
        CapabilityBoundary.of(f.stack, f.roles[name].capability).node.defaultChild as iam.CfnManagedPolicy,
      );
      expect(
        Template.fromStack(f.stack).toJSON().Resources[idOf(name)].Properties.PermissionsBoundary,
      ).toEqual({ Ref: boundary });
    },
  );

  test('one boundary per capability per stack, shared by that capability’s roles', () => {
    const stack = new Stack(new App(), 'S');
    const lambda = new iam.ServicePrincipal('lambda.amazonaws.com');
    new ModelInferenceRole(stack, 'A', { assumedBy: lambda, targets: [targets.fm] });
    new ModelInferenceRole(stack, 'B', { assumedBy: lambda, targets: [targets.endpoint] });
    new ModelReadRole(stack, 'C', { assumedBy: lambda, targets: [targets.fm] });
    Template.fromStack(stack).resourcePropertiesCountIs(
      'AWS::IAM::ManagedPolicy',
      {
        Description: `Permissions boundary of cdk-model-access inference roles: no other model capability, no privilege administration`,
      },
      1,
    );
    const boundaries = Object.values(
      Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'),
    ).filter((r: Json) => r.Properties.Description.startsWith('Permissions boundary'));
    expect(boundaries).toHaveLength(2);
  });

  test('the guard lives in the role resource itself, so the role never exists without its denies', () => {
    const policies = f.template.props(idOf('invoker')).Policies;
    expect(policies).toHaveLength(1);
    expect(policies[0].PolicyName).toBe('model-access-guard');
    expect(policies[0].PolicyDocument.Statement.every((s: Json) => s.Effect === 'Deny')).toBe(true);
  });

  test.each([['reader'], ['invoker'], ['tuner']])('the %s role is allowed no wildcard action', (name) => {
    const actions = allows(name).flatMap((s) => [s.Action].flat());
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a: string) => a.includes('*'))).toEqual([]);
  });

  test('Resource "*" only for actions that take no resource: list actions', () => {
    const onStar = (name: string) =>
      allows(name)
        .filter((s) => [s.Resource].flat().includes('*'))
        .flatMap((s) => [s.Action].flat())
        .sort();
    expect(onStar('invoker')).toEqual([]);
    expect(onStar('tuner')).toEqual([]);
    expect(onStar('reader').every((a: string) => /:List/.test(a))).toBe(true);
    expect(onStar('reader')).toContain('bedrock:ListFoundationModels');
  });

  test('the read role may read metadata through the registry; the customization role reads training data and writes artifacts', () => {
    const registryBucket = (dataClass: string) =>
      f.template
        .ofType('AWS::S3::Bucket')
        .find((id) => (f.template.props(id).Tags ?? []).some((t: Json) => t.Value === dataClass))!;
    const readersOf = (dataClass: string) =>
      bucketPolicyOf(f.template, registryBucket(dataClass)).Statement.find(
        (s: Json) => s.Sid === 'DenyReadsToPrincipalsNotGranted',
      )?.Condition?.ArnNotEquals?.['aws:PrincipalArn'] ?? [];
    const tuner = f.template.arn(idOf('tuner'));
    expect(readersOf('training-data')).toEqual([tuner]);
    expect(readersOf('model-artifacts')).toEqual([]);
    const readerActions = allows('reader').flatMap((s) => [s.Action].flat());
    expect(readerActions).toEqual(expect.arrayContaining(['s3:GetObject', 's3:ListBucket', 'kms:Decrypt']));
    const tunerActions = allows('tuner').flatMap((s) => [s.Action].flat());
    expect(tunerActions).toEqual(
      expect.arrayContaining(['s3:GetObject', 's3:PutObject', 'kms:GenerateDataKey']),
    );
  });

  test('a permissions boundary of your own replaces the capability boundary', () => {
    const stack = new Stack(new App(), 'S');
    const mine = new iam.ManagedPolicy(stack, 'Mine', {
      statements: [new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: ['*'] })],
    });
    const role = new ModelInferenceRole(stack, 'R', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      targets: [targets.fm],
      permissionsBoundary: mine,
    });
    expect(role.permissionsBoundary).toBe(mine);
    expect(stack.node.tryFindChild(`ModelAccessBoundary-${Capability.INFERENCE}`)).toBeUndefined();
  });

  test('external ids go into the trust policy', () => {
    const stack = new Stack(new App(), 'S');
    new ModelReadRole(stack, 'R', {
      assumedBy: new iam.AccountPrincipal('222222222222'),
      externalIds: ['partner-1'],
      targets: [targets.fm],
    });
    const t = new ResolvedTemplate(Template.fromStack(stack).toJSON());
    const role = t.ofType('AWS::IAM::Role')[0];
    expect(t.props(role).AssumeRolePolicyDocument.Statement[0].Condition).toEqual({
      StringEquals: { 'sts:ExternalId': 'partner-1' },
    });
  });
});

test("every capability boundary fits IAM's 6,144 characters of a managed policy, in the longest partition", () => {
  const stack = new Stack(new App(), 'S');
  const boundaries = [
    ...[Capability.READ, Capability.INFERENCE, Capability.CUSTOMIZATION, Capability.DEPLOYMENT].map((c) =>
      CapabilityBoundary.of(stack, c),
    ),
    CapabilityBoundary.of(stack, Capability.INFERENCE, { allowBearerTokens: true }),
  ];
  const t = new ResolvedTemplate(Template.fromStack(stack).toJSON());
  for (const boundary of boundaries) {
    const text = JSON.stringify(
      t.props(stack.getLogicalId(boundary.node.defaultChild as iam.CfnManagedPolicy)).PolicyDocument,
    );
    // IAM counts no white space; each ARN may name aws-iso-b (6 characters more than aws).
    const size = text.replace(/\s/g, '').length + 6 * (text.match(/arn:aws:/g) ?? []).length;
    expect([boundary.capability, size <= 6144]).toEqual([boundary.capability, true]);
  }
});

describe('bad input fails at synth time with a clear error', () => {
  const lambda = new iam.ServicePrincipal('lambda.amazonaws.com');
  const human = new iam.AccountRootPrincipal();
  const make =
    (conditions: AccessConditions, principal: iam.IPrincipal = human) =>
    () =>
      new ModelInferenceRole(new Stack(new App(), 'S'), 'Invoker', {
        assumedBy: principal,
        targets: [targets.endpoint],
        conditions,
      });

  test('no model targets', () => {
    expect(
      () => new ModelReadRole(new Stack(new App(), 'S'), 'Reader', { assumedBy: human, targets: [] }),
    ).toThrow(/ModelReadRole 'Reader': targets is empty; name at least one ModelTarget/);
  });
  test('notAfter before notBefore', () => {
    expect(
      make({ notBefore: new Date('2026-06-01T00:00:00Z'), notAfter: new Date('2026-01-01T00:00:00Z') }),
    ).toThrow(
      /conditions.notAfter \(2026-01-01T00:00:00.000Z\) must be later than notBefore \(2026-06-01T00:00:00.000Z\)/,
    );
  });
  test('an invalid date', () => {
    expect(make({ notAfter: new Date('not a date') })).toThrow(/conditions.notAfter is not a valid Date/);
  });
  test.each([['10.0.0.0/33'], ['300.1.1.1/8'], ['10.0.0.0'], ['example.com/24']])(
    'a malformed CIDR %s',
    (cidr) => {
      expect(make({ sourceIpRanges: [cidr] })).toThrow(
        new RegExp(`'${cidr.replace(/\./g, '\\.')}' is not a CIDR range`),
      );
    },
  );
  test('a malformed VPC endpoint id', () => {
    expect(make({ sourceVpcEndpoints: ['vpc-123'] })).toThrow(/'vpc-123' is not a VPC endpoint id/);
  });
  test('VPC endpoints together with IP ranges', () => {
    expect(make({ sourceVpcEndpoints: ['vpce-0123456789abcdef0'], sourceIpRanges: ['10.0.0.0/8'] })).toThrow(
      /cannot be combined/,
    );
  });
  test('MFA demanded of a service principal', () => {
    expect(make({ requireMfa: true }, lambda)).toThrow(
      /requireMfa applies to human principals; an AWS service principal cannot present MFA/,
    );
  });
  test('session tags demanded of a service principal', () => {
    expect(make({ requiredSessionTags: ['team'] }, lambda)).toThrow(
      /requiredSessionTags applies to principals that assume the role themselves/,
    );
  });
  test('an invalid tag key', () => {
    expect(make({ classificationTagKey: 'aws:secret' })).toThrow(/'aws:secret' is not a valid tag key/);
  });
  test.each([
    ['AnyPrincipal', new iam.AnyPrincipal()],
    ['StarPrincipal', new iam.StarPrincipal()],
    ["ArnPrincipal('*')", new iam.ArnPrincipal('*')],
  ])('anyone in the world (%s)', (_name, anyone) => {
    expect(make({}, anyone)).toThrow(
      /assumedBy is '\*', so any principal in any AWS account could assume the role/,
    );
  });
  test('a whole other account with no condition', () => {
    expect(make({}, new iam.AccountPrincipal('222222222222'))).toThrow(
      /assumedBy trusts the whole account 222222222222 with no condition/,
    );
    const conditioned = new iam.AccountPrincipal('222222222222').withConditions({
      ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::222222222222:role/app' },
    });
    expect(make({}, conditioned)).not.toThrow();
  });
  test('classification on a target that carries no tags', () => {
    expect(
      () =>
        new ModelInferenceRole(new Stack(new App(), 'S'), 'I', {
          assumedBy: lambda,
          targets: [targets.fm],
          conditions: { classificationTagKey: 'c' },
        }),
    ).toThrow(
      /classificationTagKey needs taggable targets, but Bedrock foundation model amazon.titan-text-express-v1 carries no tags/,
    );
  });
  test('a customization session over one hour', () => {
    expect(
      () =>
        new ModelCustomizationRole(new Stack(new App(), 'S'), 'Tuner', {
          assumedBy: human,
          targets: [targets.fm],
          maxSessionDuration: Duration.hours(2),
        }),
    ).toThrow(
      /ModelCustomizationRole 'Tuner': maxSessionDuration is 2 hours; a customization session may last at most 1 hour/,
    );
  });
  test('a custom model as an inference target', () => {
    expect(
      () =>
        new ModelInferenceRole(new Stack(new App(), 'S'), 'I', {
          assumedBy: lambda,
          targets: [targets.custom],
        }),
    ).toThrow(/custom model is invoked through a provisioned model or a custom model deployment/);
  });
  test('a SageMaker endpoint as a customization target', () => {
    expect(
      () =>
        new ModelCustomizationRole(new Stack(new App(), 'S'), 'T', {
          assumedBy: human,
          targets: [ModelTarget.sagemakerEndpoint('ep')],
        }),
    ).toThrow(/SageMaker endpoint ep cannot be a target of customization/);
  });
  test.each([[0], [21], [2.5]])('maxManagedPolicies %s', (n) => {
    expect(
      () =>
        new ModelInferenceRole(new Stack(new App(), 'S'), 'I', {
          assumedBy: lambda,
          targets: [targets.fm],
          maxManagedPolicies: n,
        }),
    ).toThrow(/IAM allows 1 to 20 managed policies per role/);
  });
});
