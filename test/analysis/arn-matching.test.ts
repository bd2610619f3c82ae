import { AccessAnalysis, Capability } from '../../lib';
import {
  mayNameResourceOf,
  narrower,
  resourceMatches,
  resourcesOverlap,
  withDeployingAccount,
} from '../../lib/analysis/private/resource-match';
import { resourceArnPatterns } from '../../lib/capabilities/private/iam-data';
import { simulate } from '../support/simulate';
import { ACCOUNT } from '../support/template';
import { allow, deny, doc, role, template } from './designs';

/**
 * ARN matching as IAM does it. Where IAM can say (literal ARNs), iam-simulate is the oracle: a
 * policy allowing the action on the pattern allows the request on the resource exactly when the
 * matcher says the pattern matches. Where only the analysis can (the deploying account and region,
 * written as symbols because the template does not fix them), each equivalence has a case that
 * holds and one that does not.
 */

const OTHER = '222222222222';
const object = (key: string, bucket = 'weights') => `arn:aws:s3:::${bucket}/${key}`;
const roleArn = (name: string, account = ACCOUNT) => `arn:aws:iam::${account}:role/${name}`;
const fn = (name: string, region = 'us-east-1') => `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`;

// [what it shows, pattern, resource, action of that resource, IAM's answer]
const LITERAL: [string, string, string, string, boolean][] = [
  ['`*` runs within the resource', object('models/*'), object('models/a.bin'), 's3:GetObject', true],
  ['`*` runs across slashes', object('models/*'), object('models/v1/a.bin'), 's3:GetObject', true],
  ['a prefix is no other prefix', object('models/*'), object('data/a.bin'), 's3:GetObject', false],
  ['`?` is one character', object('model-?.bin'), object('model-1.bin'), 's3:GetObject', true],
  ['`?` is not two', object('model-?.bin'), object('model-12.bin'), 's3:GetObject', false],
  ['`?` is not none', object('model-?.bin'), object('model-.bin'), 's3:GetObject', false],
  ['a suffix pattern', object('*.bin'), object('models/a.bin'), 's3:GetObject', true],
  ['a suffix pattern, another suffix', object('*.bin'), object('models/a.json'), 's3:GetObject', false],
  ['ARNs are case-sensitive', object('Models/*'), object('models/a.bin'), 's3:GetObject', false],
  ['a bucket pattern', 'arn:aws:s3:::weight?/*', object('a.bin'), 's3:GetObject', true],
  ['another bucket', 'arn:aws:s3:::weights/*', object('a.bin', 'weights2'), 's3:GetObject', false],
  ['a trailing `*` runs on into the keys', 'arn:aws:s3:::weights*', object('a.bin'), 's3:GetObject', true],
  ['a role of the account', roleArn('*'), roleArn('tuner'), 'iam:PassRole', true],
  ['a role with a path', roleArn('*'), `arn:aws:iam::${ACCOUNT}:role/ml/tuner`, 'iam:PassRole', true],
  ['a role of another account', roleArn('*'), roleArn('tuner', OTHER), 'iam:PassRole', false],
  ['any account', 'arn:aws:iam::*:role/tuner', roleArn('tuner', OTHER), 'iam:PassRole', true],
  ['a name is not its prefix', roleArn('tune'), roleArn('tuner'), 'iam:PassRole', false],
  ['any partition', 'arn:*:iam::*:role/tuner', roleArn('tuner'), 'iam:PassRole', true],
  ['`*` in the resource runs across colons', fn('tune*'), `${fn('tune')}:1`, 'lambda:InvokeFunction', true],
  ['a function is not its version', fn('tune'), `${fn('tune')}:1`, 'lambda:InvokeFunction', false],
  ['a literal region', fn('*'), fn('tune'), 'lambda:InvokeFunction', true],
  ['another region', fn('*'), fn('tune', 'us-west-2'), 'lambda:InvokeFunction', false],
  ['any region', 'arn:aws:lambda:*:*:function:tune', fn('tune', 'eu-west-1'), 'lambda:InvokeFunction', true],
  ['a short ARN: its missing segments are `*`', 'arn:aws:iam::*', roleArn('tuner'), 'iam:PassRole', true],
  ['a short ARN of a region', 'arn:aws:lambda:us-east-1:*', fn('tune'), 'lambda:InvokeFunction', true],
  ['a short ARN of another region', 'arn:aws:lambda:us-west-2:*', fn('tune'), 'lambda:InvokeFunction', false],
  ['a short ARN of another service', 'arn:aws:lambda:*', object('a.bin'), 's3:GetObject', false],
];

describe('literal ARNs match as IAM matches them (iam-simulate)', () => {
  test.each(LITERAL)('%s', async (_, pattern, resource, action, expected) => {
    expect(resourceMatches(pattern, resource)).toBe(expected);
    const decision = await simulate({
      principal: roleArn('caller'),
      action,
      resource,
      identityPolicies: [doc(allow(action, pattern))],
    });
    expect(decision === 'Allowed').toBe(expected);
  });

  test.each(LITERAL)('%s: a pattern that matches may overlap', (_, pattern, resource, _action, expected) => {
    if (expected) expect(resourcesOverlap(pattern, resource)).toBe(true);
  });
});

describe('patterns that may name a resource in common', () => {
  test.each([
    ['two object patterns of a bucket', object('models/*'), object('*.bin'), true],
    ['prefixes apart', object('models/*'), object('data/*'), false],
    ['`?` against a character', object('model-?'), object('model-1'), true],
    ['`?` against two', object('model-?'), object('model-12'), false],
    ['two roles of the account', roleArn('ml-*'), roleArn('*-tuner'), true],
    ['roles of two accounts', roleArn('*'), roleArn('*', OTHER), false],
  ])('%s', (_, a, b, expected) => {
    expect(resourcesOverlap(a, b)).toBe(expected);
    expect(resourcesOverlap(b, a)).toBe(expected);
  });
});

describe('the deploying account and region, written as symbols', () => {
  const deploying = (name: string) => 'arn:aws:iam::${AWS::AccountId}:role/' + name;

  test("a grant on any account's roles reaches the deploying account's; on another account's, not", () => {
    expect(resourcesOverlap('arn:aws:iam::*:role/tuner', deploying('tuner'))).toBe(true);
    expect(resourcesOverlap(roleArn('tuner', OTHER), deploying('tuner'))).toBe(true);
    expect(resourcesOverlap('arn:aws:iam::${Account:222222222222}:role/tuner', deploying('tuner'))).toBe(
      false,
    );
  });

  test("AWS's own account (AWS-managed policies) is nobody's", () => {
    expect(
      resourcesOverlap('arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::${AWS::AccountId}:policy/*'),
    ).toBe(false);
    expect(resourcesOverlap('arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::*:policy/*')).toBe(true);
  });

  test('a literal account never covers the deploying one: a deny on it removes nothing that may be ours', () => {
    expect(resourceMatches(roleArn('*'), deploying('tuner'))).toBe(false);
    expect(resourceMatches('arn:aws:iam::*:role/*', deploying('tuner'))).toBe(true);
    expect(resourceMatches(deploying('*'), deploying('tuner'))).toBe(true);
  });

  test("a literal partition names the app's resources wherever it deploys: all partitions count as one", () => {
    const deployed = 'arn:${AWS::Partition}:s3:::weights/a.bin';
    for (const partition of ['aws', 'aws-cn', 'aws-us-gov', '*']) {
      expect(resourceMatches(`arn:${partition}:s3:::weights/*`, deployed)).toBe(true);
      expect(resourcesOverlap(`arn:${partition}:s3:::weights/*`, deployed)).toBe(true);
    }
    expect(resourceMatches('arn:aws-cn:s3:::other/*', deployed)).toBe(false);
    expect(resourceMatches('arn:aws-cn:sqs:::weights/*', deployed)).toBe(false);
  });

  test('a literal region may be the deploying one; a string that is no region may not', () => {
    const inDeployingRegion = 'arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:tune';
    expect(resourceMatches('arn:aws:lambda:us-east-1:*:function:tune', inDeployingRegion)).toBe(true);
    expect(resourceMatches('arn:aws:lambda:not-a-region:*:function:tune', inDeployingRegion)).toBe(false);
    expect(resourcesOverlap('arn:aws:lambda:us-east-1:*:function:tune', inDeployingRegion)).toBe(true);
  });

  test('a foundation model, of no account, is no resource of the account', () => {
    const model = 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1';
    expect(resourcesOverlap(model, 'arn:aws:bedrock:${AWS::Region}:${AWS::AccountId}:*')).toBe(false);
    expect(resourcesOverlap(model, 'arn:aws:bedrock:*::foundation-model/*')).toBe(true);
  });

  test("a literal ARN of the deploying account's partition is looked up as the account's", () => {
    expect(withDeployingAccount(`arn:aws-cn:iam::${ACCOUNT}:role/tuner`)).toBe(deploying('tuner'));
    expect(withDeployingAccount('arn:aws:iam::aws:policy/ReadOnlyAccess')).toBe(
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
    );
  });

  test('where a grant meets a target, the narrower of each segment', () => {
    expect(narrower(object('models/*'), 'arn:aws:s3:::weights/*')).toBe(object('models/*'));
    expect(narrower('arn:aws:s3:::weights/*', object('models/*'))).toBe(object('models/*'));
    expect(narrower('arn:aws:iam::*:role/x', deploying('*'))).toBe('arn:aws:iam::${AWS::AccountId}:role/x');
    expect(narrower('*', roleArn('x'))).toBe(roleArn('x'));
  });
});

describe('grants on every resource', () => {
  const capabilities = (...statements: object[]) =>
    AccessAnalysis.fromTemplate(template({ R: role([doc(...statements)]) })).principal('R')!.capabilities;

  test('passing one named role, or roles of a prefix, is ordinary; passing any role is privilege administration', () => {
    expect(capabilities(allow('iam:PassRole', roleArn('worker')))).toEqual([]);
    expect(capabilities(allow('iam:PassRole', 'arn:aws:iam::*:role/ml-*'))).toEqual([]);
    expect(capabilities(allow('iam:PassRole', 'arn:aws:iam::*:role/*'))).toEqual([
      Capability.PRIVILEGE_ADMIN,
    ]);
    expect(capabilities(allow('iam:PassRole', '*'))).toEqual([Capability.PRIVILEGE_ADMIN]);
    // Every role but one is still any role the caller chooses; a deny on all leaves none.
    expect(capabilities(allow('iam:PassRole', '*'), deny('iam:PassRole', roleArn('worker')))).toEqual([
      Capability.PRIVILEGE_ADMIN,
    ]);
    expect(capabilities(allow('iam:PassRole', '*'), deny('iam:PassRole', '*'))).toEqual([]);
  });
});

describe('actions IAM authorizes only against `*`', () => {
  const KB = `arn:aws:bedrock:us-east-1:${ACCOUNT}:knowledge-base/KB12345678`;
  const capabilities = (...statements: object[]) =>
    AccessAnalysis.fromTemplate(template({ R: role([doc(...statements)]) })).principal('R')!.capabilities;

  test('a statement naming an ARN does not grant them; one naming `*` does (iam-simulate agrees)', async () => {
    expect(capabilities(allow('bedrock:RetrieveAndGenerate', KB))).toEqual([]);
    expect(capabilities(allow('bedrock:RetrieveAndGenerate', '*'))).toEqual([Capability.INFERENCE]);
    expect(capabilities(allow('bedrock:CreateModelImportJob', KB))).toEqual([]);
    const ask = (resource: string) =>
      simulate({
        principal: roleArn('caller'),
        action: 'bedrock:RetrieveAndGenerate',
        resource: '*',
        identityPolicies: [doc(allow('bedrock:RetrieveAndGenerate', resource))],
      });
    expect(await ask(KB)).toBe('ImplicitlyDenied');
    expect(await ask('*')).toBe('Allowed');
  });

  test('nor does a permissions boundary naming an ARN let them through (iam-simulate agrees)', async () => {
    const boundary = doc(allow('bedrock:RetrieveAndGenerate', KB));
    const bounded = template({
      Boundary: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: boundary } },
      R: role([doc(allow('bedrock:RetrieveAndGenerate'))], { PermissionsBoundary: { Ref: 'Boundary' } }),
    });
    expect(AccessAnalysis.fromTemplate(bounded).principal('R')!.capabilities).toEqual([]);
    expect(
      await simulate({
        principal: roleArn('caller'),
        action: 'bedrock:RetrieveAndGenerate',
        resource: '*',
        identityPolicies: [doc(allow('bedrock:RetrieveAndGenerate'))],
        permissionBoundary: boundary,
      }),
    ).toBe('ImplicitlyDenied');
  });

  test('nor does a deny naming an ARN remove them', () => {
    expect(
      capabilities(allow('bedrock:RetrieveAndGenerate'), deny('bedrock:RetrieveAndGenerate', KB)),
    ).toEqual([Capability.INFERENCE]);
    expect(
      capabilities(allow('bedrock:RetrieveAndGenerate'), deny('bedrock:RetrieveAndGenerate', '*')),
    ).toEqual([]);
  });

  test('an action with no resource type matches no ARN, and `*` always', () => {
    expect(mayNameResourceOf(KB, [])).toBe(false);
    expect(mayNameResourceOf('*', [])).toBe(true);
    expect(mayNameResourceOf(KB, resourceArnPatterns('bedrock:Retrieve'))).toBe(true);
    expect(mayNameResourceOf(KB, resourceArnPatterns('bedrock:InvokeModel'))).toBe(false);
  });
});
