import { AccessAnalysis, Capability } from '../../lib';
import { LAUNCH_PATHS, TAKEOVER_PATHS } from '../../lib/analysis/private/escalation-paths';
import { check } from '../nag/include';
import { simulate } from '../support/simulate';
import { ACCOUNT } from '../support/template';
import { allow, deny, doc, role } from './designs';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Escalation is access: a principal that may pass a capability role to compute it launches, or
 * change compute that runs as one, holds that role's capabilities. Each path of the table is tried
 * as the catalogues describe it (a positive case) and with each of its permissions removed (a
 * negative case); iam-simulate decides the same requests for the positive case.
 */

const invoke = allow('bedrock:InvokeModel');
const tune = allow('bedrock:CreateModelCustomizationJob');
const deploy = allow('bedrock:CreateCustomModelDeployment');
const TUNER_ARN = `arn:aws:iam::${ACCOUNT}:role/tuner`;
const trustedBy = (...services: string[]) =>
  doc({ Effect: 'Allow', Principal: { Service: services }, Action: 'sts:AssumeRole' });
const tuner = (services: string[], statements: Json[] = [tune]) =>
  role([doc(...statements)], { RoleName: 'tuner', AssumeRolePolicyDocument: trustedBy(...services) });
const passTuner = (condition?: Json) =>
  allow('iam:PassRole', { 'Fn::GetAtt': ['Tuner', 'Arn'] }, condition ? { Condition: condition } : {});

/** The merges the caller reaches through other roles (some paths' actions are capabilities of their own). */
function mergesOf(resources: Json, principal = 'Caller') {
  return AccessAnalysis.fromTemplate({ Resources: resources })
    .mergesOf(principal)
    .filter((m) => m.through.length > 0);
}

describe('passing a capability role to compute one launches', () => {
  const cases = LAUNCH_PATHS.map((p) => [[`iam:PassRole`, ...p.actions].join(' + '), p] as const);

  test.each(cases)('%s acts as the role', async (name, path) => {
    const services = path.trustedBy ?? [path.service];
    const statements = [invoke, passTuner(), allow(path.actions)];
    // The role deploys: some paths' own actions (sagemaker:CreateTrainingJob) already customize.
    const merges = mergesOf({ Caller: role([doc(...statements)]), Tuner: tuner(services, [deploy]) });
    expect(merges.map((m) => [m.capabilities, m.through, m.paths])).toContainEqual([
      [Capability.INFERENCE, Capability.DEPLOYMENT],
      ['Tuner'],
      [name.replace('iam:PassRole', 'iam:PassRole(tuner)')],
    ]);
    // IAM allows each step of the path to the same policy.
    const identityPolicies = [doc(invoke, allow('iam:PassRole', TUNER_ARN), allow(path.actions))];
    const principal = `arn:aws:iam::${ACCOUNT}:role/caller`;
    const context = { 'iam:PassedToService': path.service };
    expect(
      await simulate({ principal, action: 'iam:PassRole', resource: TUNER_ARN, context, identityPolicies }),
    ).toBe('Allowed');
    for (const action of path.actions) {
      expect(await simulate({ principal, action, resource: '*', identityPolicies })).toBe('Allowed');
    }
  });

  test.each(cases)('%s, with any one permission missing, does not', (_, path) => {
    const services = path.trustedBy ?? [path.service];
    for (const missing of ['iam:PassRole', ...path.actions]) {
      const actions = path.actions.filter((a) => a !== missing);
      const statements = [
        invoke,
        ...(missing === 'iam:PassRole' ? [] : [passTuner()]),
        ...(actions.length ? [allow(actions)] : []),
      ];
      expect(mergesOf({ Caller: role([doc(...statements)]), Tuner: tuner(services, [deploy]) })).toEqual([]);
    }
  });

  test.each(cases)('%s, to a role that does not trust the service, does not', (_, path) => {
    const statements = [invoke, passTuner(), allow(path.actions)];
    expect(
      mergesOf({ Caller: role([doc(...statements)]), Tuner: tuner(['states.internal'], [deploy]) }),
    ).toEqual([]);
  });

  const lambdaPath = [invoke, allow(['lambda:CreateFunction', 'lambda:InvokeFunction'])];

  test('iam:PassedToService is honoured: another service, an excluded one, a pattern that admits it', () => {
    const withCondition = (condition: Json) =>
      mergesOf({
        Caller: role([doc(...lambdaPath, passTuner(condition))]),
        Tuner: tuner(['lambda.amazonaws.com']),
      });
    expect(withCondition({ StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } })).toEqual([]);
    expect(withCondition({ StringNotEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } })).toEqual([]);
    expect(withCondition({ StringLike: { 'iam:PassedToService': 'lambda.*' } })).toHaveLength(1);
    expect(
      withCondition({
        StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'lambda.amazonaws.com'] },
      }),
    ).toHaveLength(1);
  });

  test('PassRole scoped to another role, or denied on this one, passes nothing', () => {
    const other = allow('iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/other`);
    expect(
      mergesOf({ Caller: role([doc(...lambdaPath, other)]), Tuner: tuner(['lambda.amazonaws.com']) }),
    ).toEqual([]);
    const denied = deny('iam:PassRole', { 'Fn::GetAtt': ['Tuner', 'Arn'] });
    expect(
      mergesOf({
        Caller: role([doc(...lambdaPath, passTuner(), denied)]),
        Tuner: tuner(['lambda.amazonaws.com']),
      }),
    ).toEqual([]);
  });

  test('a role the template only names (its trust unknown) counts as passed', () => {
    const statements = [...lambdaPath, allow('iam:PassRole', TUNER_ARN)];
    const policy = {
      Type: 'AWS::IAM::Policy',
      Properties: { PolicyName: 't', PolicyDocument: doc(tune), Roles: ['tuner'] },
    };
    const merges = mergesOf({ Caller: role([doc(...statements)]), TunerPolicy: policy });
    expect(merges.map((m) => m.through)).toEqual([['role:tuner']]);
  });

  test('chains: passing a role that can assume the capability role', () => {
    const hop = role([doc(allow('sts:AssumeRole', TUNER_ARN))], {
      RoleName: 'hop',
      AssumeRolePolicyDocument: trustedBy('lambda.amazonaws.com'),
    });
    const accountTrusting = {
      ...tuner([]),
      Properties: {
        ...tuner([]).Properties,
        AssumeRolePolicyDocument: doc({
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'sts:AssumeRole',
        }),
      },
    };
    const passHop = allow('iam:PassRole', { 'Fn::GetAtt': ['Hop', 'Arn'] });
    const merges = mergesOf({
      Caller: role([doc(...lambdaPath, passHop)]),
      Hop: hop,
      Tuner: accountTrusting,
    });
    expect(merges.map((m) => [m.through, m.paths])).toEqual([
      [
        ['Tuner'],
        ['iam:PassRole(hop) + lambda:CreateFunction + lambda:InvokeFunction → sts:AssumeRole(tuner)'],
      ],
    ]);
  });

  test('passing a role without model capabilities is ordinary', () => {
    const plain = tuner(['lambda.amazonaws.com'], [allow('logs:PutLogEvents')]);
    expect(mergesOf({ Caller: role([doc(...lambdaPath, passTuner())]), Tuner: plain })).toEqual([]);
  });
});

/** Compute of the type, running as the Tuner role, with what else it needs (an instance profile). */
function computeRunningAsTuner(type: string, rolePath: string[]): Json {
  const roleValue =
    rolePath[0] === 'IamInstanceProfile' ? { Ref: 'Profile' } : { 'Fn::GetAtt': ['Tuner', 'Arn'] };
  const properties: Json = {};
  let at = properties;
  rolePath.slice(0, -1).forEach((k) => (at = at[k] = {}));
  at[rolePath[rolePath.length - 1]] = roleValue;
  return {
    Compute: { Type: type, Properties: properties },
    ...(rolePath[0] === 'IamInstanceProfile'
      ? { Profile: { Type: 'AWS::IAM::InstanceProfile', Properties: { Roles: [{ Ref: 'Tuner' }] } } }
      : {}),
  };
}

describe('changing compute that runs as a capability role', () => {
  const cases = TAKEOVER_PATHS.map((p) => [`${p.actions.join(' + ')} on ${p.type}`, p] as const);

  test.each(cases)('%s acts as the role', (_, path) => {
    const resources = {
      Caller: role([doc(invoke, allow(path.actions))]),
      Tuner: tuner(['lambda.amazonaws.com']),
      ...computeRunningAsTuner(path.type, path.role),
    };
    expect(mergesOf(resources).map((m) => [m.capabilities, m.through, m.paths])).toEqual([
      [[Capability.INFERENCE, Capability.CUSTOMIZATION], ['Tuner'], [`${path.actions.join(' + ')}(Compute)`]],
    ]);
  });

  test.each(cases)('%s, with any one permission missing, does not', (_, path) => {
    for (const missing of path.actions) {
      const actions = path.actions.filter((a) => a !== missing);
      const resources = {
        Caller: role([doc(invoke, ...(actions.length ? [allow(actions)] : []))]),
        Tuner: tuner(['lambda.amazonaws.com']),
        ...computeRunningAsTuner(path.type, path.role),
      };
      expect(mergesOf(resources)).toEqual([]);
    }
  });

  const fn = (name: string) => ({
    Type: 'AWS::Lambda::Function',
    Properties: { FunctionName: name, Role: { 'Fn::GetAtt': ['Tuner', 'Arn'] } },
  });

  test('the grant must reach that compute: another function is not a takeover', () => {
    const update = (resource: Json) => role([doc(invoke, allow('lambda:UpdateFunctionCode', resource))]);
    const arn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
    expect(mergesOf({ Caller: update(arn('other')), Tuner: tuner([]), Compute: fn('tune') })).toEqual([]);
    expect(mergesOf({ Caller: update(arn('tune')), Tuner: tuner([]), Compute: fn('tune') })).toHaveLength(1);
    expect(
      mergesOf({
        Caller: update({ 'Fn::GetAtt': ['Compute', 'Arn'] }),
        Tuner: tuner([]),
        Compute: fn('tune'),
      }),
    ).toHaveLength(1);
  });

  test('a function that only invokes the compute does not take it over', () => {
    const caller = role([doc(invoke, allow('lambda:InvokeFunction', { 'Fn::GetAtt': ['Compute', 'Arn'] }))]);
    expect(mergesOf({ Caller: caller, Tuner: tuner([]), Compute: fn('tune') })).toEqual([]);
  });
});

describe('the pack', () => {
  test('reports a merge through an escalation path, naming the path', () => {
    const caller = role([
      doc(invoke, passTuner(), allow(['lambda:CreateFunction', 'lambda:InvokeFunction'])),
    ]);
    const report = check({ Resources: { Caller: caller, Tuner: tuner(['lambda.amazonaws.com']) } });
    const names = report.violations.map((v) => v.ruleName);
    expect(names).toContain(
      'ModelAccess-MergeThroughTrust[inference+customization:Tuner via iam:PassRole(tuner) + lambda:CreateFunction + lambda:InvokeFunction]',
    );
  });
});
