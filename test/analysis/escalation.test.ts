import { AccessAnalysis, Capability } from '../../lib';
import { LAUNCH_PATHS, TAKEOVER_PATHS } from '../../lib/analysis/private/escalation-paths';
import { check } from '../nag/include';
import { simulate } from '../support/simulate';
import { ACCOUNT } from '../support/template';
import { allow, deny, doc, protectedBucket, role } from './designs';

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

/** The analysis of an app that deploys the resources to its account (so another account is another). */
const analyse = (resources: Json) =>
  AccessAnalysis.fromApp([{ name: '', account: ACCOUNT, template: { Resources: resources } }]);

/** The merges the caller reaches through other roles (some paths' actions are capabilities of their own). */
function mergesOf(resources: Json, principal = 'Caller') {
  return analyse(resources)
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
  const profile = rolePath[rolePath.length - 1] === 'IamInstanceProfile';
  // An instance names its profile; a launch template gives its ARN.
  const roleValue = !profile
    ? { 'Fn::GetAtt': ['Tuner', 'Arn'] }
    : rolePath.length === 1
      ? { Ref: 'Profile' }
      : { Arn: { 'Fn::GetAtt': ['Profile', 'Arn'] } };
  const properties: Json = {};
  let at = properties;
  rolePath.slice(0, -1).forEach((k) => (at = at[k] = {}));
  at[rolePath[rolePath.length - 1]] = roleValue;
  return {
    Compute: { Type: type, Properties: properties },
    ...(profile
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

describe('self-administration and separators the caller chooses', () => {
  const user = (...statements: Json[]) => ({
    Type: 'AWS::IAM::User',
    Properties: { UserName: 'ana', Policies: [{ PolicyName: 'p', PolicyDocument: doc(...statements) }] },
  });
  const self = `arn:aws:iam::${ACCOUNT}:user/ana`;

  test.each([
    'iam:DeleteUserPermissionsBoundary',
    'iam:PutUserPermissionsBoundary',
    'iam:DetachUserPolicy',
    'iam:DeleteUserPolicy',
    'iam:PutUserPolicy',
  ])('a user that may %s on itself administers its own privileges', (action) => {
    const analysis = analyse({ U: user(invoke, allow(action, self)) });
    expect(analysis.principal('U')!.capabilities).toEqual([Capability.INFERENCE, Capability.PRIVILEGE_ADMIN]);
  });

  test.each(['iam:DetachGroupPolicy', 'iam:DeleteGroupPolicy'])(
    '%s on a group is administering privileges',
    (action) => {
      const analysis = analyse({ U: user(invoke, allow(action)) });
      expect(analysis.principal('U')!.capabilities).toContain(Capability.PRIVILEGE_ADMIN);
    },
  );

  test('a trust policy naming a session of the inference role lets that role act as the trusting one', () => {
    const inference = role([doc(invoke, allow('sts:AssumeRole', TUNER_ARN))], { RoleName: 'inference' });
    const sessionTrust = doc({
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::Sub': 'arn:aws:sts::${AWS::AccountId}:assumed-role/inference/batch' } },
      Action: 'sts:AssumeRole',
    });
    const trusting = role([doc(tune)], { RoleName: 'tuner', AssumeRolePolicyDocument: sessionTrust });
    const merges = mergesOf({ Caller: inference, Tuner: trusting });
    expect(merges.map((m) => [m.capabilities, m.through])).toEqual([
      [[Capability.INFERENCE, Capability.CUSTOMIZATION], ['Tuner']],
    ]);
  });

  test('two roles told apart only by session names are one identity: the caller chooses its session name', () => {
    const bySession = (name: string) =>
      doc({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:RoleSessionName': name } },
      });
    const analysis = analyse({
      Chat: role([doc(invoke)], { AssumeRolePolicyDocument: bySession('chat') }),
      Tuner: role([doc(tune)], { AssumeRolePolicyDocument: bySession('tuning') }),
    });
    expect(analysis.sharedTrustMerges().map((m) => [m.roles, m.capabilities])).toContainEqual([
      ['Chat', 'Tuner'],
      [Capability.INFERENCE, Capability.CUSTOMIZATION],
    ]);
  });
});

describe('resource policies that open a capability to callers outside the account', () => {
  const fnAsTuner = {
    Type: 'AWS::Lambda::Function',
    Properties: { FunctionName: 'tune', Role: { 'Fn::GetAtt': ['Tuner', 'Arn'] } },
  };
  const fnRef = { 'Fn::GetAtt': ['Fn', 'Arn'] };
  const reachable = (resources: Json, id: string) =>
    analyse({ Tuner: tuner(['lambda.amazonaws.com']), Fn: fnAsTuner, ...resources })
      .worldReachable(id)
      .map((e) => [e.reaches, e.capabilities, e.who]);
  const permission = (extra: Json) => ({
    Type: 'AWS::Lambda::Permission',
    Properties: { Action: 'lambda:InvokeFunction', FunctionName: fnRef, ...extra },
  });
  const opened = (who: string) => [['function Fn (role Tuner)', [Capability.CUSTOMIZATION], who]];

  test('in an app that does not fix its account, a literal account may be its own: not taken for an outsider', () => {
    const template = {
      Resources: {
        Tuner: tuner(['lambda.amazonaws.com']),
        Fn: fnAsTuner,
        P: permission({ Principal: '222222222222' }),
      },
    };
    expect(AccessAnalysis.fromTemplate(template).worldReachable('P')).toEqual([]);
  });

  test('a function URL with auth type NONE; with AWS_IAM it is closed', () => {
    const url = (AuthType: string) => ({
      Type: 'AWS::Lambda::Url',
      Properties: { AuthType, TargetFunctionArn: fnRef },
    });
    expect(reachable({ Url: url('NONE') }, 'Url')).toEqual(opened('*'));
    expect(reachable({ Url: url('AWS_IAM') }, 'Url')).toEqual([]);
  });

  test('a Lambda permission for *, another account or a service with no source; a source closes it', () => {
    expect(reachable({ P: permission({ Principal: '*' }) }, 'P')).toEqual(opened('*'));
    expect(reachable({ P: permission({ Principal: '222222222222' }) }, 'P')).toEqual(
      opened('account 222222222222'),
    );
    expect(reachable({ P: permission({ Principal: 's3.amazonaws.com' }) }, 'P')).toEqual(
      opened("any account's s3.amazonaws.com"),
    );
    expect(
      reachable({ P: permission({ Principal: 's3.amazonaws.com', SourceAccount: ACCOUNT }) }, 'P'),
    ).toEqual([]);
    expect(reachable({ P: permission({ Principal: '*', PrincipalOrgID: 'o-abc' }) }, 'P')).toEqual([]);
  });

  test('a topic anyone may publish to, with the function subscribed; a condition closes it', () => {
    const topicPolicy = (condition?: Json) => ({
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [{ Ref: 'Topic' }],
        PolicyDocument: doc(
          allow(
            'sns:Publish',
            { Ref: 'Topic' },
            { Principal: '*', ...(condition ? { Condition: condition } : {}) },
          ),
        ),
      },
    });
    const subscription = {
      Type: 'AWS::SNS::Subscription',
      Properties: { Protocol: 'lambda', TopicArn: { Ref: 'Topic' }, Endpoint: fnRef },
    };
    const topic = { Type: 'AWS::SNS::Topic', Properties: {} };
    expect(reachable({ Topic: topic, TP: topicPolicy(), Sub: subscription }, 'TP')).toEqual(opened('*'));
    expect(reachable({ Topic: topic, TP: topicPolicy() }, 'TP')).toEqual([]);
    const closed = topicPolicy({ StringEquals: { 'aws:SourceAccount': ACCOUNT } });
    expect(reachable({ Topic: topic, TP: closed, Sub: subscription }, 'TP')).toEqual([]);
  });

  test('a queue anyone may send to, with the function reading it', () => {
    const queuePolicy = {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [{ Ref: 'Queue' }],
        PolicyDocument: doc(allow('sqs:SendMessage', '*', { Principal: { AWS: '*' } })),
      },
    };
    const mapping = {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: { EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] }, FunctionName: { Ref: 'Fn' } },
    };
    expect(reachable({ QP: queuePolicy, Mapping: mapping }, 'QP')).toEqual(opened('*'));
    expect(reachable({ QP: queuePolicy }, 'QP')).toEqual([]);
  });

  test('a function whose role holds no model capability may be public', () => {
    const plain = {
      ...fnAsTuner,
      Properties: { ...fnAsTuner.Properties, Role: { 'Fn::GetAtt': ['Plain', 'Arn'] } },
    };
    const analysis = analyse({
      Plain: role([doc(allow('logs:PutLogEvents'))]),
      Fn: plain,
      P: permission({ Principal: '*' }),
    });
    expect(analysis.worldReachable('P')).toEqual([]);
  });

  test('the pack reports it on the resource that opens the way', () => {
    const report = check({
      Resources: {
        Tuner: tuner(['lambda.amazonaws.com']),
        Fn: { ...fnAsTuner, Properties: { ...fnAsTuner.Properties, Code: { ZipFile: 'x' } } },
        Url: { Type: 'AWS::Lambda::Url', Properties: { AuthType: 'NONE', TargetFunctionArn: fnRef } },
      },
    });
    expect(report.violations.map((v) => v.ruleName)).toContain(
      'ModelAccess-WorldReachableCapability[function Fn (role Tuner): customization by *]',
    );
  });
});

describe('resource policies as sources of access', () => {
  const statement = (principal: Json, action: string, resource: Json = '*', condition?: Json) => ({
    Effect: 'Allow',
    Principal: principal,
    Action: action,
    Resource: resource,
    ...(condition ? { Condition: condition } : {}),
  });
  const registry = protectedBucket('Weights', 'model-artifacts');
  const withKeyPolicy = (...statements: Json[]) => ({
    ...registry,
    WeightsKey: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: doc(...statements) } },
  });
  const callerArn = { 'Fn::GetAtt': ['Caller', 'Arn'] };

  test("a key policy that lets a role change the registry key's policy gives it privilege administration", () => {
    const resources = {
      Caller: role([doc(invoke)]),
      ...withKeyPolicy(statement({ AWS: callerArn }, 'kms:PutKeyPolicy')),
    };
    const analysis = analyse(resources);
    expect(analysis.principal('Caller')!.capabilities).toEqual([
      Capability.INFERENCE,
      Capability.PRIVILEGE_ADMIN,
    ]);
    // The account itself is named: its identity policies decide, and this one grants nothing.
    const root = { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } };
    const byAccount = analyse({ Caller: role([doc(invoke)]), ...withKeyPolicy(statement(root, 'kms:*')) });
    expect(byAccount.principal('Caller')!.capabilities).toEqual([Capability.INFERENCE]);
    expect(byAccount.worldReachable('WeightsKey')).toEqual([]);
  });

  test('a key policy that lets anyone, or another account, create grants of the registry key opens it', () => {
    const open = (principal: Json, condition?: Json) =>
      analyse(withKeyPolicy(statement(principal, 'kms:CreateGrant', '*', condition)))
        .worldReachable('WeightsKey')
        .map((e) => [e.reaches, e.capabilities, e.who]);
    expect(open('*')).toEqual([['kms:CreateGrant', [Capability.PRIVILEGE_ADMIN], '*']]);
    expect(open({ AWS: '222222222222' })).toEqual([
      ['kms:CreateGrant', [Capability.PRIVILEGE_ADMIN], 'account 222222222222'],
    ]);
    expect(open('*', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } })).toEqual([]);
  });

  const group = (...statements: Json[]) => ({
    Group: {
      Type: 'AWS::SageMaker::ModelPackageGroup',
      Properties: { ModelPackageGroupName: 'models', ModelPackageGroupPolicy: doc(...statements) },
    },
  });

  test('a model package group policy that lets a role approve gives it approval; another account, an open way', () => {
    const approve = (principal: Json) => statement(principal, 'sagemaker:UpdateModelPackage');
    const analysis = analyse({ Caller: role([doc(invoke)]), ...group(approve({ AWS: callerArn })) });
    expect(analysis.mergesOf('Caller').map((m) => m.capabilities)).toEqual([
      [Capability.INFERENCE, Capability.APPROVAL],
    ]);
    const outside = analyse(group(approve({ AWS: 'arn:aws:iam::222222222222:root' })));
    expect(outside.worldReachable('Group').map((e) => [e.capabilities, e.who])).toEqual([
      [[Capability.APPROVAL], 'account 222222222222'],
    ]);
  });

  test("an access point's policy on a registry bucket grants the bucket's objects", () => {
    const accessPoint = (principal: Json) => ({
      Point: {
        Type: 'AWS::S3::AccessPoint',
        Properties: {
          Bucket: { Ref: 'Weights' },
          Name: 'weights-ap',
          Policy: doc(
            statement(principal, 's3:GetObject', {
              'Fn::Sub': 'arn:aws:s3:${AWS::Region}:${AWS::AccountId}:accesspoint/weights-ap/object/*',
            }),
          ),
        },
      },
    });
    const analysis = analyse({
      Caller: role([doc(invoke)]),
      ...registry,
      ...accessPoint({ AWS: callerArn }),
    });
    expect(analysis.mergesOf('Caller').map((m) => m.capabilities)).toEqual([
      [Capability.INFERENCE, Capability.WEIGHTS_ACCESS],
    ]);
    const world = analyse({ ...registry, ...accessPoint('*') });
    expect(world.worldReachable('Point').map((e) => [e.capabilities, e.who])).toContainEqual([
      expect.arrayContaining([Capability.WEIGHTS_ACCESS]),
      '*',
    ]);
  });

  test('a Bedrock resource policy that lets another account copy a custom model opens the weights', () => {
    const policy = {
      Type: 'AWS::Bedrock::ResourcePolicy',
      Properties: {
        ResourceArn: 'arn:aws:bedrock:us-east-1:111111111111:custom-model/tuned',
        PolicyDocument: doc(
          statement(
            { AWS: '222222222222' },
            'bedrock:CreateModelCopyJob',
            'arn:aws:bedrock:us-east-1:111111111111:custom-model/tuned',
          ),
        ),
      },
    };
    const analysis = analyse({ Policy: policy });
    expect(analysis.worldReachable('Policy').map((e) => [e.capabilities, e.who])).toEqual([
      [[Capability.WEIGHTS_ACCESS], 'account 222222222222'],
    ]);
  });
});

describe('event buses open to other accounts', () => {
  const fn = {
    Type: 'AWS::Lambda::Function',
    Properties: { FunctionName: 'tune', Role: { 'Fn::GetAtt': ['Tuner', 'Arn'] } },
  };
  const rule = (bus?: Json) => ({
    Type: 'AWS::Events::Rule',
    Properties: {
      ...(bus ? { EventBusName: bus } : {}),
      EventPattern: { source: ['x'] },
      Targets: [{ Id: 't', Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] } }],
    },
  });
  const reachable = (resources: Json, id: string) =>
    analyse({ Tuner: tuner(['lambda.amazonaws.com']), Fn: fn, ...resources })
      .worldReachable(id)
      .map((e) => [e.reaches, e.who]);

  test('the default bus, opened to another account by a bus policy, with a rule targeting the function', () => {
    const policy = {
      Type: 'AWS::Events::EventBusPolicy',
      Properties: { StatementId: 's', Action: 'events:PutEvents', Principal: '222222222222' },
    };
    expect(reachable({ P: policy, R: rule() }, 'P')).toEqual([
      ['function Fn (role Tuner)', 'account 222222222222'],
    ]);
    expect(reachable({ P: policy }, 'P')).toEqual([]);
  });

  test('a bus of the template whose own policy lets anyone put events; an organization condition closes it', () => {
    const bus = (condition?: Json) => ({
      Type: 'AWS::Events::EventBus',
      Properties: {
        Name: 'jobs',
        Policy: doc({
          Effect: 'Allow',
          Principal: '*',
          Action: 'events:PutEvents',
          Resource: '*',
          ...(condition ? { Condition: condition } : {}),
        }),
      },
    });
    expect(reachable({ Bus: bus(), R: rule({ Ref: 'Bus' }) }, 'Bus')).toEqual([
      ['function Fn (role Tuner)', '*'],
    ]);
    const closed = bus({ StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } });
    expect(reachable({ Bus: closed, R: rule({ Ref: 'Bus' }) }, 'Bus')).toEqual([]);
  });
});

describe('the pack reads what these paths need (the compute and policies it judges, not only IAM)', () => {
  const findings = (resources: Json) => check({ Resources: resources }).violations.map((v) => v.ruleName);

  test('a notebook instance taken over through its presigned URL', () => {
    const notebook = {
      Type: 'AWS::SageMaker::NotebookInstance',
      Properties: { InstanceType: 'ml.t3.medium', RoleArn: { 'Fn::GetAtt': ['Tuner', 'Arn'] } },
    };
    const caller = role([doc(invoke, allow('sagemaker:CreatePresignedNotebookInstanceUrl'))]);
    expect(
      findings({ Caller: caller, Tuner: tuner(['sagemaker.amazonaws.com']), Notebook: notebook }),
    ).toContain(
      'ModelAccess-MergeThroughTrust[inference+customization:Tuner via sagemaker:CreatePresignedNotebookInstanceUrl(Notebook)]',
    );
  });

  test('a model package group whose policy lets anyone approve', () => {
    const group = {
      Type: 'AWS::SageMaker::ModelPackageGroup',
      Properties: {
        ModelPackageGroupName: 'models',
        ModelPackageGroupPolicy: doc({
          Effect: 'Allow',
          Principal: '*',
          Action: 'sagemaker:UpdateModelPackage',
          Resource: '*',
        }),
      },
    };
    expect(findings({ Group: group })).toContain(
      'ModelAccess-WorldReachableCapability[sagemaker:UpdateModelPackage: approval by *]',
    );
  });
});

describe('principal tags a broker lets callers set tell nobody apart', () => {
  const byJob = (job: string) =>
    doc({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:PrincipalTag/job': job } },
    });
  const broker = (condition?: Json) =>
    role([doc(allow('sts:AssumeRole'))], {
      AssumeRolePolicyDocument: doc({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        ...(condition ? { Condition: condition } : {}),
      }),
    });
  const merges = (extra: Json) =>
    analyse({
      Chat: role([doc(invoke)], { AssumeRolePolicyDocument: byJob('chat') }),
      Tuner: role([doc(tune)], { AssumeRolePolicyDocument: byJob('ml') }),
      ...extra,
    })
      .sharedTrustMerges()
      .filter((m) => m.roles.includes('Chat') && m.roles.includes('Tuner'));

  test('without a broker, the job tag tells the two roles apart', () => {
    expect(merges({})).toEqual([]);
  });

  test('a role whose callers may pass any session tag makes the job tag theirs to choose', () => {
    expect(merges({ Broker: broker() }).length).toBeGreaterThan(0);
  });

  test('a broker limited to other tag keys does not', () => {
    const limited = broker({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['project'] } });
    expect(merges({ Broker: limited })).toEqual([]);
    const job = broker({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['project', 'job'] } });
    expect(merges({ Broker: job }).length).toBeGreaterThan(0);
  });
});

test('malformed escalation and resource-policy inputs are judged as nothing, never a crash', () => {
  const resources = {
    Tuner: tuner(['lambda.amazonaws.com']),
    Caller: role([
      doc(invoke, allow('iam:PassRole', '*', { Condition: 'not an object' }), allow('lambda:*')),
    ]),
    Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'b', Policy: '{not json' } },
    BusPolicy: { Type: 'AWS::Events::EventBusPolicy', Properties: { Statement: 'x', Principal: 42 } },
    Rule: { Type: 'AWS::Events::Rule', Properties: { EventBusName: { Ref: 'Bus' }, Targets: 'fn' } },
    Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: 'not a document' } },
    Group: { Type: 'AWS::SageMaker::ModelPackageGroup', Properties: { ModelPackageGroupPolicy: [1, 2] } },
    Point: { Type: 'AWS::S3::AccessPoint', Properties: { Bucket: 7, Policy: { Statement: [null, 'x'] } } },
    Url: { Type: 'AWS::Lambda::Url', Properties: { AuthType: 'NONE', TargetFunctionArn: ['a'] } },
    Instance: { Type: 'AWS::EC2::Instance', Properties: { IamInstanceProfile: { Weird: true } } },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: 12 } },
  };
  const analysis = analyse(resources);
  for (const id of Object.keys(resources)) expect(() => analysis.worldReachable(id)).not.toThrow();
  expect(analysis.principal('Caller')!.capabilities).toContain(Capability.INFERENCE);
});
