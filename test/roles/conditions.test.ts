import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ModelInferenceRole, ModelReadRole, ModelTarget } from '../../lib';
import { simulate } from '../support/simulate';
import { ACCOUNT } from '../support/template';
import { ARN, buildFixture, targets } from './fixture';

const VPCE = 'vpce-0123456789abcdef0';
const TAGGED_PT = ARN.provisioned;

const f = buildFixture((stack) => ({
  windowed: new ModelInferenceRole(stack, 'Windowed', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    targets: [targets.fm],
    conditions: { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2026-12-31T23:59:59Z') },
  }),
  inVpc: new ModelInferenceRole(stack, 'InVpc', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    targets: [targets.fm],
    conditions: { sourceVpcEndpoints: [VPCE] },
  }),
  fromOffice: new ModelInferenceRole(stack, 'FromOffice', {
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    targets: [targets.fm],
    conditions: { sourceIpRanges: ['203.0.113.0/24'] },
  }),
  human: new ModelReadRole(stack, 'Human', {
    assumedBy: new iam.AccountRootPrincipal(),
    targets: [targets.fm],
    conditions: { requireMfa: true, requiredSessionTags: ['team'] },
  }),
  classified: new ModelInferenceRole(stack, 'Classified', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    targets: [ModelTarget.tagged('team', 'search')],
    conditions: { classificationTagKey: 'classification' },
  }),
}));

const invoke = (role: string, context: Record<string, string> = {}) =>
  f.can(role, 'bedrock:InvokeModel', ARN.fm, { context });

describe('time window (aws:CurrentTime)', () => {
  test('inside the window: allowed', async () => {
    expect(await invoke('windowed', { 'aws:CurrentTime': '2026-06-01T00:00:00Z' })).toBe('Allowed');
  });
  test('before the window: denied', async () => {
    expect(await invoke('windowed', { 'aws:CurrentTime': '2025-12-31T23:59:59Z' })).toBe('ExplicitlyDenied');
  });
  test('after the window: denied', async () => {
    expect(await invoke('windowed', { 'aws:CurrentTime': '2027-01-01T00:00:00Z' })).toBe('ExplicitlyDenied');
  });
});

describe('network (aws:SourceVpce, aws:SourceIp)', () => {
  test('through the VPC endpoint: allowed', async () => {
    expect(await invoke('inVpc', { 'aws:SourceVpce': VPCE })).toBe('Allowed');
  });
  test('through another VPC endpoint: denied', async () => {
    expect(await invoke('inVpc', { 'aws:SourceVpce': 'vpce-0aaaaaaaaaaaaaaaa' })).toBe('ExplicitlyDenied');
  });
  test('from the internet: denied', async () => {
    expect(await invoke('inVpc', { 'aws:SourceIp': '198.51.100.7' })).toBe('ExplicitlyDenied');
  });
  test('a call an AWS service makes on the role behalf is not held to the endpoint', async () => {
    expect(await invoke('inVpc', { 'aws:ViaAWSService': 'true' })).toBe('Allowed');
  });
  test('from the allowed range: allowed; from elsewhere: denied', async () => {
    expect(await invoke('fromOffice', { 'aws:SourceIp': '203.0.113.9' })).toBe('Allowed');
    expect(await invoke('fromOffice', { 'aws:SourceIp': '198.51.100.7' })).toBe('ExplicitlyDenied');
  });
});

describe('MFA and session tags', () => {
  const read = (context: Record<string, string>) =>
    f.can('human', 'bedrock:GetFoundationModel', ARN.fm, { context });
  test('a session with MFA may act', async () => {
    expect(await read({ 'aws:MultiFactorAuthPresent': 'true' })).toBe('Allowed');
  });
  test('a session without MFA is denied', async () => {
    expect(await read({})).toBe('ExplicitlyDenied');
    expect(await read({ 'aws:MultiFactorAuthPresent': 'false' })).toBe('ExplicitlyDenied');
  });

  const assume = (context: Record<string, string>) => {
    const id = f.stack.getLogicalId(f.roles.human.node.defaultChild as never);
    const user = `arn:aws:iam::${ACCOUNT}:user/alice`;
    return simulate({
      principal: user,
      action: 'sts:AssumeRole',
      resource: f.template.arn(id),
      context,
      identityPolicies: [
        {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: '*' }],
        },
      ],
      resourcePolicy: f.template.props(id).AssumeRolePolicyDocument,
    });
  };
  test('the role can be assumed only with MFA and the required session tag', async () => {
    expect(await assume({ 'aws:MultiFactorAuthPresent': 'true', 'aws:RequestTag/team': 'search' })).toBe(
      'Allowed',
    );
    expect(await assume({ 'aws:RequestTag/team': 'search' })).not.toBe('Allowed');
    expect(await assume({ 'aws:MultiFactorAuthPresent': 'true' })).not.toBe('Allowed');
  });

  const tagSession = (keys: string[]) => {
    const id = f.stack.getLogicalId(f.roles.human.node.defaultChild as never);
    return simulate({
      principal: `arn:aws:iam::${ACCOUNT}:user/alice`,
      action: 'sts:TagSession',
      resource: f.template.arn(id),
      context: {
        'aws:MultiFactorAuthPresent': 'true',
        'aws:TagKeys': keys,
        ...Object.fromEntries(keys.map((k) => [`aws:RequestTag/${k}`, 'x'])),
      },
      identityPolicies: [
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:TagSession', Resource: '*' }] },
      ],
      resourcePolicy: f.template.props(id).AssumeRolePolicyDocument,
    });
  };
  test('callers may tag the session with the required keys only, never with a key that grants access', async () => {
    expect(await tagSession(['team'])).toBe('Allowed');
    expect(await tagSession(['team', 'classification'])).not.toBe('Allowed');
    expect(await tagSession(['team', 'job'])).not.toBe('Allowed');
  });
});

describe('session tags cannot be self-assigned', () => {
  const build = (
    principal: iam.IPrincipal,
    conditions: { requiredSessionTags?: string[]; classificationTagKey?: string },
  ) => {
    const stack = new Stack(new App(), 'T');
    new ModelInferenceRole(stack, 'R', {
      assumedBy: principal,
      targets: [ModelTarget.tagged('team', 'search')],
      conditions,
    });
    return () => Template.fromStack(stack);
  };
  test('the classification key is refused as a session tag of callers in AWS', () => {
    expect(() =>
      build(new iam.AccountRootPrincipal(), {
        requiredSessionTags: ['team', 'Classification'],
        classificationTagKey: 'classification',
      }),
    ).toThrow(/requiredSessionTags includes the classification tag 'classification'/);
  });
  test("the library's own tags are refused as session tags, even asserted by an identity provider", () => {
    const saml = new iam.SamlPrincipal(
      iam.SamlProvider.fromSamlProviderArn(new Stack(), 'P', `arn:aws:iam::${ACCOUNT}:saml-provider/corp`),
      {},
    );
    for (const principal of [new iam.AccountRootPrincipal(), saml]) {
      expect(() => build(principal, { requiredSessionTags: ['team', 'Model-Access:Capability'] })).toThrow(
        /requiredSessionTags includes 'Model-Access:Capability', one of the library's own tags/,
      );
    }
  });
  test('an identity provider may assert the classification tag', () => {
    const saml = new iam.SamlPrincipal(
      iam.SamlProvider.fromSamlProviderArn(new Stack(), 'P', `arn:aws:iam::${ACCOUNT}:saml-provider/corp`),
      {},
    );
    expect(
      build(saml, { requiredSessionTags: ['classification'], classificationTagKey: 'classification' }),
    ).not.toThrow();
  });
  test('sts:TagSession allowed through NotAction is seen too', () => {
    const stack = new Stack(new App(), 'T');
    const role = new ModelInferenceRole(stack, 'R', {
      assumedBy: new iam.AccountRootPrincipal(),
      targets: [ModelTarget.tagged('team', 'search')],
      conditions: { classificationTagKey: 'classification' },
    });
    role.assumeRolePolicy!.addStatements(
      new iam.PolicyStatement({
        principals: [new iam.AccountRootPrincipal()],
        notActions: ['sts:AssumeRole'],
      }),
    );
    expect(() => Template.fromStack(stack)).toThrow(/allows sts:TagSession with any tag key/);
  });

  test('a trust that allows sts:TagSession with any key fails synth', () => {
    const synth = build(new iam.SessionTagsPrincipal(new iam.AccountRootPrincipal()), {
      classificationTagKey: 'classification',
    });
    expect(synth).toThrow(
      /allows sts:TagSession with any tag key; limit it with ForAllValues:StringEquals on aws:TagKeys/,
    );
  });
});

describe('data classification and tag-selected targets', () => {
  const call = (resourceTags: Record<string, string>, principalTags: Record<string, string>) =>
    f.can('classified', 'bedrock:InvokeModel', TAGGED_PT, {
      context: {
        ...Object.fromEntries(Object.entries(resourceTags).map(([k, v]) => [`aws:ResourceTag/${k}`, v])),
        ...Object.fromEntries(Object.entries(principalTags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v])),
      },
    });
  test('matching classification and target tag: allowed', async () => {
    expect(
      await call({ team: 'search', classification: 'confidential' }, { classification: 'confidential' }),
    ).toBe('Allowed');
  });
  test('classification mismatch: denied', async () => {
    expect(
      await call({ team: 'search', classification: 'restricted' }, { classification: 'confidential' }),
    ).not.toBe('Allowed');
  });
  test('principal without a classification: denied', async () => {
    expect(await call({ team: 'search', classification: 'confidential' }, {})).not.toBe('Allowed');
  });
  test('a model without the target tag: denied', async () => {
    expect(
      await call({ team: 'ads', classification: 'confidential' }, { classification: 'confidential' }),
    ).not.toBe('Allowed');
  });
  test('a foundation model is not a tagged target', async () => {
    expect(await f.can('classified', 'bedrock:InvokeModel', ARN.fm)).not.toBe('Allowed');
  });
});
