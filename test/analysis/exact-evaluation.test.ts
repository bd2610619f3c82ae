import { AccessAnalysis, Capability } from '../../lib';
import { simulate } from '../support/simulate';
import { ACCOUNT, REGION } from '../support/template';
import { allow, deny, doc, role } from './designs';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Each class of evaluation the analysis once got wrong, judged by the analysis and, for the same
 * policies, by iam-simulate on the requests that decide it.
 */

const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/r`;
const weightsBucket = {
  Type: 'AWS::S3::Bucket',
  Properties: { BucketName: 'weights', Tags: [{ Key: 'model-access:data-class', Value: 'model-artifacts' }] },
};
const invoke = allow('bedrock:InvokeModel');

function capabilities(statements: Json[], extra: Json = {}, resources: Json = {}): Capability[] {
  const template = {
    Resources: { R: role([doc(...statements)], extra), Weights: weightsBucket, ...resources },
  };
  return AccessAnalysis.fromTemplate(template).principal('R')!.capabilities;
}

async function decides(statements: Json[], action: string, resource: string, boundary?: Json[]) {
  return simulate({
    principal: ROLE_ARN,
    action,
    resource,
    identityPolicies: [doc(...statements)],
    permissionBoundary: boundary ? doc(...boundary) : undefined,
  });
}

describe('reading part of a registry bucket is reading weights', () => {
  test.each([
    ['a prefix', 'arn:aws:s3:::weights/models/*', 'arn:aws:s3:::weights/models/llama.bin'],
    ['a suffix', 'arn:aws:s3:::weights/*.bin', 'arn:aws:s3:::weights/llama.bin'],
    ['one named object', 'arn:aws:s3:::weights/model.safetensors', 'arn:aws:s3:::weights/model.safetensors'],
  ])('%s', async (_, pattern, object) => {
    const statements = [invoke, allow('s3:GetObject', pattern)];
    expect(await decides(statements, 's3:GetObject', object)).toBe('Allowed');
    expect(capabilities(statements)).toEqual([Capability.INFERENCE, Capability.WEIGHTS_ACCESS]);
  });

  test('a deny on *model* leaves every object whose key lacks the word', async () => {
    const statements = [
      invoke,
      allow('s3:GetObject', 'arn:aws:s3:::weights/*'),
      deny('s3:GetObject', 'arn:aws:s3:::weights/*model*'),
    ];
    expect(await decides(statements, 's3:GetObject', 'arn:aws:s3:::weights/llama.bin')).toBe('Allowed');
    expect(capabilities(statements)).toEqual([Capability.INFERENCE, Capability.WEIGHTS_ACCESS]);
  });

  test('a deny that covers all the allowed part removes it', async () => {
    const statements = [
      invoke,
      allow('s3:GetObject', 'arn:aws:s3:::weights/models/*'),
      deny('s3:GetObject', 'arn:aws:s3:::weights/*model*'),
    ];
    expect(await decides(statements, 's3:GetObject', 'arn:aws:s3:::weights/models/llama.bin')).toBe(
      'ExplicitlyDenied',
    );
    expect(capabilities(statements)).toEqual([Capability.INFERENCE]);
  });

  test('a boundary and a deny that together leave nothing are judged together', async () => {
    const statements = [
      invoke,
      allow('s3:GetObject', 'arn:aws:s3:::weights/*'),
      deny('s3:GetObject', 'arn:aws:s3:::weights/public/*'),
    ];
    const boundary = [invoke, allow('s3:GetObject', 'arn:aws:s3:::weights/public/*')];
    expect(await decides(statements, 's3:GetObject', 'arn:aws:s3:::weights/public/x', boundary)).toBe(
      'ExplicitlyDenied',
    );
    expect(await decides(statements, 's3:GetObject', 'arn:aws:s3:::weights/private/x', boundary)).toBe(
      'ImplicitlyDenied',
    );
    const analysis = AccessAnalysis.fromTemplate({
      Resources: {
        R: role([doc(...statements)], { PermissionsBoundary: { Ref: 'B' } }),
        B: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: doc(...boundary) } },
        Weights: weightsBucket,
      },
    });
    expect(analysis.principal('R')!.capabilities).toEqual([Capability.INFERENCE]);
  });
});

describe("a SageMaker resource named by Ref is that resource's ARN", () => {
  const endpoint = {
    Type: 'AWS::SageMaker::Endpoint',
    Properties: { EndpointName: 'prod-chat', EndpointConfigName: 'c' },
  };

  test('in an allow, Ref of an endpoint grants invoking it, not deploying (UpdateEndpoint is on the endpoint too)', () => {
    const invokeIt = allow('sagemaker:InvokeEndpoint', { Ref: 'Endpoint' });
    expect(capabilities([invokeIt], {}, { Endpoint: endpoint })).toEqual([Capability.INFERENCE]);
    // Before, the opaque symbol "may name anything": invoking an endpoint config ARN was counted too.
    const onConfig = allow('sagemaker:CreateEndpoint', { Ref: 'Config' });
    const config = { Type: 'AWS::SageMaker::EndpointConfig', Properties: { EndpointConfigName: 'c' } };
    expect(capabilities([onConfig], {}, { Config: config })).toEqual([Capability.DEPLOYMENT]);
  });

  test("in a deny's NotResource, Ref of the endpoint excludes it and denies the rest", async () => {
    const statements = [
      allow('sagemaker:UpdateEndpoint'),
      invoke,
      deny('sagemaker:UpdateEndpoint', undefined, { Resource: undefined, NotResource: { Ref: 'Endpoint' } }),
    ];
    const arn = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/prod-chat`;
    const written = statements.map((s) =>
      s.NotResource ? { Effect: s.Effect, Action: s.Action, NotResource: arn } : s,
    );
    expect(await decides(written, 'sagemaker:UpdateEndpoint', arn)).toBe('Allowed');
    // The endpoint stays open to UpdateEndpoint: a deployment capability beside inference.
    expect(capabilities(statements, {}, { Endpoint: endpoint })).toEqual([
      Capability.DEPLOYMENT,
      Capability.INFERENCE,
    ]);
  });
});

test("a GetAtt Arn of any type IAM lists is that type's ARN, from IAM's format, not a symbol that may name anything", async () => {
  const queue = { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'jobs' } };
  const onQueue = allow('sagemaker:*', { 'Fn::GetAtt': ['Queue', 'Arn'] });
  expect(
    await decides(
      [{ ...onQueue, Resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:jobs` }],
      'sagemaker:CreateEndpoint',
      `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/x`,
    ),
  ).toBe('ImplicitlyDenied');
  expect(capabilities([invoke, onQueue], {}, { Queue: queue })).toEqual([Capability.INFERENCE]);
  // A deny on the SageMaker endpoint config by GetAtt removes CreateEndpoint on it, and only there.
  const config = { Type: 'AWS::SageMaker::EndpointConfig', Properties: { EndpointConfigName: 'chat' } };
  const denied = deny('sagemaker:CreateEndpoint', { 'Fn::GetAtt': ['Config', 'EndpointConfigArn'] });
  expect(capabilities([invoke, allow('sagemaker:CreateEndpoint'), denied], {}, { Config: config })).toEqual([
    Capability.DEPLOYMENT,
    Capability.INFERENCE,
  ]);
});

describe('literal accounts', () => {
  const app = (statements: Json[], account?: string) =>
    AccessAnalysis.fromApp([
      {
        name: '',
        account,
        template: { Resources: { R: role([doc(...statements)]), Weights: weightsBucket } },
      },
    ]).principal('R')!.capabilities;

  test("a deny on another account's roles removes nothing in this one", async () => {
    const statements = [
      invoke,
      allow('iam:PutRolePolicy'),
      deny('iam:PutRolePolicy', 'arn:aws:iam::222222222222:role/*'),
    ];
    expect(await decides(statements, 'iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/x`)).toBe('Allowed');
    expect(app(statements, ACCOUNT)).toContain(Capability.PRIVILEGE_ADMIN);
    expect(app(statements)).toContain(Capability.PRIVILEGE_ADMIN);
  });

  test("an allow on another account's roles gives nothing in this one, where the app fixes its account", () => {
    const statements = [invoke, allow('iam:PutRolePolicy', 'arn:aws:iam::222222222222:role/*')];
    expect(app(statements, ACCOUNT)).toEqual([Capability.INFERENCE]);
    expect(app([invoke, allow('iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/*`)], ACCOUNT)).toContain(
      Capability.PRIVILEGE_ADMIN,
    );
    // Where it does not, the literal account may be the deploying one.
    expect(app(statements)).toContain(Capability.PRIVILEGE_ADMIN);
  });

  test("a deny on the app's own account, written by number, removes the grant", async () => {
    const statements = [
      invoke,
      allow('iam:PutRolePolicy'),
      deny('iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/*`),
    ];
    expect(await decides(statements, 'iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/x`)).toBe(
      'ExplicitlyDenied',
    );
    expect(app(statements, ACCOUNT)).toEqual([Capability.INFERENCE]);
  });

  test("a deny on the account's roles cancels an allow on every account's (arn:aws:iam::*:role/...)", async () => {
    const statements = [
      invoke,
      allow('iam:PutRolePolicy', 'arn:aws:iam::*:role/app-*'),
      deny('iam:PutRolePolicy', { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*' }),
    ];
    expect(
      await decides(
        statements.map((s) =>
          s.Effect === 'Deny' ? { ...s, Resource: `arn:aws:iam::${ACCOUNT}:role/*` } : s,
        ),
        'iam:PutRolePolicy',
        `arn:aws:iam::${ACCOUNT}:role/app-x`,
      ),
    ).toBe('ExplicitlyDenied');
    expect(app(statements)).toEqual([Capability.INFERENCE]);
  });

  test("a NotResource naming another account's roles keeps the grant on this one's", async () => {
    const statements = [
      invoke,
      allow('iam:PutRolePolicy', undefined, {
        Resource: undefined,
        NotResource: 'arn:aws:iam::222222222222:role/*',
      }),
    ];
    const written = statements.map((s) =>
      Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)),
    );
    expect(await decides(written, 'iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/x`)).toBe('Allowed');
    expect(app(statements, ACCOUNT)).toContain(Capability.PRIVILEGE_ADMIN);
  });

  test("a trust naming another account's role of the same name is not this app's role", () => {
    const trusting = (principal: string) =>
      AccessAnalysis.fromApp([
        {
          name: '',
          account: ACCOUNT,
          template: {
            Resources: {
              Caller: role([doc(invoke)], { RoleName: 'caller' }),
              Tuner: role([doc(allow('bedrock:CreateModelCustomizationJob'))], {
                AssumeRolePolicyDocument: doc({
                  Effect: 'Allow',
                  Principal: { AWS: principal },
                  Action: 'sts:AssumeRole',
                }),
              }),
            },
          },
        },
      ]).principal('Caller')!.canAssume;
    expect(trusting(`arn:aws:iam::${ACCOUNT}:role/caller`)).toEqual(['Tuner']);
    expect(trusting('arn:aws:iam::222222222222:role/caller')).toEqual([]);
  });
});

describe('denies on assuming a role', () => {
  const chain = (trust: Json[], callerStatements: Json[] = []) =>
    AccessAnalysis.fromTemplate({
      Resources: {
        Caller: role([doc(invoke, ...callerStatements)], { RoleName: 'caller' }),
        Tuner: role([doc(allow('bedrock:CreateModelCustomizationJob'))], {
          AssumeRolePolicyDocument: doc(...trust),
        }),
      },
    }).principal('Caller')!.canAssume;
  const trustsCaller = {
    Effect: 'Allow',
    Principal: { AWS: { 'Fn::GetAtt': ['Caller', 'Arn'] } },
    Action: 'sts:AssumeRole',
  };

  test('a deny statement in the trust policy shuts out whom it names', () => {
    expect(chain([trustsCaller])).toEqual(['Tuner']);
    expect(chain([trustsCaller, { ...trustsCaller, Effect: 'Deny' }])).toEqual([]);
    expect(chain([trustsCaller, { ...trustsCaller, Effect: 'Deny', Principal: '*' }])).toEqual([]);
  });

  test("the caller's own explicit deny on sts:AssumeRole keeps it out", async () => {
    const denyAssume = deny('sts:AssumeRole', '*');
    expect(await decides([invoke, denyAssume], 'sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/tuner`)).toBe(
      'ExplicitlyDenied',
    );
    expect(chain([trustsCaller], [denyAssume])).toEqual([]);
  });
});
