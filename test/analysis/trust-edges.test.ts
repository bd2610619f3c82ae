import { AccessAnalysis, Capability } from '../../lib';
import { simulate } from '../support/simulate';
import { ACCOUNT } from '../support/template';
import { accountTrust, allow, deny, doc, role, template, trustOf } from './designs';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Who may assume a role, as IAM decides it: a caller that invokes models and may call
 * `sts:AssumeRole` reaches a customization role (a merged identity) exactly when the role's trust
 * policy lets it. Where IAM can say, iam-simulate decides the same request.
 */

const CALLER = `arn:aws:iam::${ACCOUNT}:role/caller`;
const TARGET = `arn:aws:iam::${ACCOUNT}:role/target`;
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

const app = (trust: Json, callerStatements: Json[] = [allow('sts:AssumeRole')]) =>
  template({
    Caller: role([doc(allow('bedrock:InvokeModel'), ...callerStatements)], { RoleName: 'caller' }),
    Target: role([doc(allow('bedrock:CreateModelCustomizationJob'))], {
      RoleName: 'target',
      AssumeRolePolicyDocument: trust,
    }),
  });

/** Whether the caller holds the target's customization by assuming it, the app deployed to its account. */
const reaches = (t: Json) =>
  AccessAnalysis.fromApp([{ name: '', account: ACCOUNT, template: t }])
    .mergesOf('Caller')
    .some((m) => m.through.includes('Target') && m.capabilities.includes(Capability.CUSTOMIZATION));

/** IAM's answer for the caller assuming the target, its identity policy and the trust given. */
const iamAnswer = (trust: Json, identity: Json[] = [allow('sts:AssumeRole')]) =>
  simulate({
    principal: CALLER,
    action: 'sts:AssumeRole',
    resource: TARGET,
    identityPolicies: [doc(...identity)],
    resourcePolicy: trust,
  });

const trustAccount = (extra: Json = {}) => ({
  Effect: 'Allow',
  Principal: { AWS: ROOT },
  Action: 'sts:AssumeRole',
  ...extra,
});

describe('trust statements that let the caller in', () => {
  test.each([
    ['the account, in a template of its own', accountTrust],
    ['the account, by its ARN', doc(trustAccount())],
    ['the account, by its number', trustOf({ AWS: ACCOUNT })],
    ['the caller, by its ARN', trustOf({ AWS: CALLER })],
    ['anyone', trustOf({ AWS: '*' })],
    ['sts:* for the account', doc(trustAccount({ Action: 'sts:*' }))],
  ])('%s', async (_, trust) => {
    expect(reaches(app(trust))).toBe(true);
  });

  test('a trust naming the caller needs no permission of the caller in its own account (iam-simulate agrees)', async () => {
    const trust = trustOf({ AWS: CALLER });
    expect(reaches(app(trust, []))).toBe(true);
    expect(await iamAnswer(trust, [])).toBe('Allowed');
    // Trusting the account leaves it to the caller's own policies.
    expect(reaches(app(doc(trustAccount()), []))).toBe(false);
    expect(await iamAnswer(doc(trustAccount()), [])).toBe('ImplicitlyDenied');
  });
});

describe('trust statements that keep the caller out', () => {
  test.each([
    ['a deny of the account, and no allow', doc({ ...trustAccount(), Effect: 'Deny' })],
    ['an allow of another action only', doc(trustAccount({ Action: 'sts:TagSession' }))],
    [
      'one principal of the account the template does not define',
      trustOf({ AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }),
    ],
    [
      'one role of the account the template does not define',
      trustOf({ AWS: `arn:aws:iam::${ACCOUNT}:role/other` }),
    ],
    ['another account', trustOf({ AWS: 'arn:aws:iam::222222222222:root' })],
    ['a service', trustOf({ Service: 'lambda.amazonaws.com' })],
    [
      'the account, with a deny of the caller',
      doc(trustAccount(), { Effect: 'Deny', Principal: { AWS: CALLER }, Action: 'sts:AssumeRole' }),
    ],
    [
      'the account, with a deny of everyone',
      doc(trustAccount(), { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' }),
    ],
  ])('%s (iam-simulate agrees)', async (_, trust) => {
    expect(reaches(app(trust))).toBe(false);
    expect(await iamAnswer(trust)).not.toBe('Allowed');
  });

  test('a conditional deny shuts out only whom its condition names: the caller may not meet it', () => {
    const trust = doc(trustAccount(), {
      Effect: 'Deny',
      Principal: { AWS: CALLER },
      Action: 'sts:AssumeRole',
      Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
    });
    expect(reaches(app(trust))).toBe(true);
  });
});

describe("the caller's own policies", () => {
  test('a caller allowed to assume another role only does not reach this one (iam-simulate agrees)', async () => {
    const only = [allow('sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/other`)];
    expect(reaches(app(doc(trustAccount()), only))).toBe(false);
    expect(await iamAnswer(doc(trustAccount()), only)).toBe('ImplicitlyDenied');
  });

  test('a caller that denies itself the role does not reach it, even when the trust names it (iam-simulate agrees)', async () => {
    const denied = [allow('sts:AssumeRole'), deny('sts:AssumeRole', { 'Fn::GetAtt': ['Target', 'Arn'] })];
    expect(reaches(app(trustOf({ AWS: CALLER }), denied))).toBe(false);
    expect(
      await iamAnswer(trustOf({ AWS: CALLER }), [allow('sts:AssumeRole'), deny('sts:AssumeRole', TARGET)]),
    ).toBe('ExplicitlyDenied');
  });
});

describe('permissions boundaries', () => {
  const bounded = (boundary: Json) =>
    AccessAnalysis.fromTemplate(
      template({
        Boundary: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: boundary } },
        R: role([doc(allow('bedrock:InvokeModel'))], { PermissionsBoundary: { Ref: 'Boundary' } }),
      }),
    ).principal('R')!.capabilities;
  const iam = (boundary: Json) =>
    simulate({
      principal: CALLER,
      action: 'bedrock:InvokeModel',
      resource: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1',
      identityPolicies: [doc(allow('bedrock:InvokeModel'))],
      permissionBoundary: boundary,
    });

  test.each([
    ['allows it', doc(allow('bedrock:*')), [Capability.INFERENCE]],
    ['allows everything but denies it', doc(allow('*'), deny('bedrock:InvokeModel')), []],
    [
      'only denies it, under a condition',
      doc(deny('bedrock:InvokeModel', '*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } })),
      [],
    ],
    [
      'allows everything but it',
      doc({ Effect: 'Allow', NotAction: 'bedrock:InvokeModel', Resource: '*' }),
      [],
    ],
  ])('a boundary that %s (iam-simulate agrees)', async (_, boundary, expected) => {
    expect(bounded(boundary)).toEqual(expected);
    expect((await iam(boundary)) === 'Allowed').toBe(expected.length > 0);
  });
});
