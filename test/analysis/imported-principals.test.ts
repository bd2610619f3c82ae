import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, Fn, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AccessAnalysis, Capability, ModelAccessChecks } from '../../lib';
import { check, rulesOf } from '../nag/include';
import { allow, doc, role, template } from './designs';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const { INFERENCE, CUSTOMIZATION } = Capability;
const invoke = allow('bedrock:InvokeModel');
const tune = allow('bedrock:CreateModelCustomizationJob');
const policy = (type: string, names: Json, ...statements: Json[]) => ({
  Type: type,
  Properties: { PolicyName: 'p', PolicyDocument: doc(...statements), ...names },
});

describe('principals the template names but does not define', () => {
  test.each([
    ['a literal role name', 'team-role', 'role:team-role'],
    ['a parameter', { Ref: 'RoleName' }, 'role:${RoleName}'],
    ['an import', { 'Fn::ImportValue': 'platform-RoleName' }, 'role:${Import:platform-RoleName}'],
  ])('two policies on a role named by %s merge like policies on a role of the template', (_, name, id) => {
    const analysis = AccessAnalysis.fromTemplate(
      template({
        A: policy('AWS::IAM::Policy', { Roles: [name] }, invoke),
        B: policy('AWS::IAM::Policy', { Roles: [name] }, tune),
      }),
    );
    const principal = analysis.principal(id)!;
    expect(principal).toMatchObject({ external: true, type: 'AWS::IAM::Role', reportedOn: 'A' });
    expect(analysis.mergedIdentities().map((m) => [m.principal, m.capabilities])).toEqual([
      [id, [INFERENCE, CUSTOMIZATION]],
    ]);
  });

  test('two imported roles stay two principals', () => {
    const analysis = AccessAnalysis.fromTemplate(
      template({
        A: policy('AWS::IAM::Policy', { Roles: [{ Ref: 'InvokerName' }] }, invoke),
        B: policy('AWS::IAM::Policy', { Roles: [{ Ref: 'TunerName' }] }, tune),
      }),
    );
    expect(analysis.mergedIdentities()).toEqual([]);
  });

  test.each([
    ['AWS::IAM::RolePolicy', { RoleName: 'team-role' }, 'role:team-role'],
    ['AWS::IAM::UserPolicy', { UserName: 'pipeline-user' }, 'user:pipeline-user'],
    ['AWS::IAM::GroupPolicy', { GroupName: 'ml-team' }, 'group:ml-team'],
  ])('%s is read', (type, names, id) => {
    const analysis = AccessAnalysis.fromTemplate(template({ P: policy(type, names, invoke, tune) }));
    expect(analysis.principal(id)!.capabilities).toEqual([CUSTOMIZATION, INFERENCE]);
  });

  test('a RolePolicy on a template role adds to that role', () => {
    const analysis = AccessAnalysis.fromTemplate(
      template({
        R: role([doc(invoke)]),
        P: policy('AWS::IAM::RolePolicy', { RoleName: { Ref: 'R' } }, tune),
      }),
    );
    expect(analysis.principal('R')!.capabilities).toEqual([CUSTOMIZATION, INFERENCE]);
  });

  test('a customer-managed policy named by ARN resolves to the template policy of that name', () => {
    const analysis = AccessAnalysis.fromTemplate(
      template({
        MP: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: { ManagedPolicyName: 'tuning', PolicyDocument: doc(tune) },
        },
        R: role([doc(invoke)], {
          ManagedPolicyArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/tuning' }],
        }),
      }),
    );
    expect(analysis.principal('R')!.capabilities).toEqual([CUSTOMIZATION, INFERENCE]);
  });

  test('a managed policy or boundary the template cannot resolve is reported as not judged', () => {
    const analysis = AccessAnalysis.fromTemplate(
      template({
        R: role([doc(invoke)], {
          ManagedPolicyArns: ['arn:aws:iam::123456789012:policy/elsewhere'],
          PermissionsBoundary: { 'Fn::ImportValue': 'boundary-arn' },
        }),
      }),
    );
    expect(analysis.problems.map((p) => [p.principal, p.subject])).toEqual([
      ['R', 'arn:aws:iam::123456789012:policy/elsewhere'],
      ['R', '${Import:boundary-arn}'],
    ]);
    expect(analysis.problems[1].message).toMatch(/permissions boundary .* not judged/);
  });
});

describe('the pack on imported roles', () => {
  const quiet = () =>
    [jest.spyOn(console, 'error'), jest.spyOn(console, 'warn'), jest.spyOn(console, 'log')].map((s) =>
      s.mockImplementation(() => undefined),
    );

  test.each([
    [
      'fromRoleArn with a literal ARN',
      (s: Stack) => iam.Role.fromRoleArn(s, 'Team', 'arn:aws:iam::123456789012:role/team-role'),
    ],
    ['fromRoleName', (s: Stack) => iam.Role.fromRoleName(s, 'Team', 'team-role')],
    [
      'fromRoleArn with a parameter',
      (s: Stack) => iam.Role.fromRoleArn(s, 'Team', new CfnParameter(s, 'TeamRoleArn').valueAsString),
    ],
    [
      'fromRoleName with an import',
      (s: Stack) => iam.Role.fromRoleName(s, 'Team', Fn.importValue('team-role')),
    ],
  ])('a merged design on a role imported by %s fails synth', (_, imported) => {
    const spies = quiet();
    try {
      const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'imported-')) });
      Validations.of(app).addPlugins(new ModelAccessChecks(app));
      const stack = new Stack(app, 'App');
      const team = imported(stack);
      // Two grants in two constructs, as two teams might write them.
      new iam.Policy(stack, 'Invoke', {
        roles: [team],
        statements: [new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: ['*'] })],
      });
      new iam.Policy(stack, 'Tune', {
        roles: [team],
        statements: [
          new iam.PolicyStatement({ actions: ['bedrock:CreateModelCustomizationJob'], resources: ['*'] }),
        ],
      });
      expect(() => app.synth()).toThrow(/\(imported role [^)]+\): holds inference and customization/);
    } finally {
      spies.forEach((s) => s.mockRestore());
    }
  });

  test('in a Stage, in eu-west-1, a merged design on an imported role still fails synth', () => {
    const spies = quiet();
    try {
      const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'imported-stage-')) });
      Validations.of(app).addPlugins(new ModelAccessChecks(app));
      const stage = new Stage(app, 'Prod', { env: { account: '123456789012', region: 'eu-west-1' } });
      const stack = new Stack(stage, 'App');
      const team = iam.Role.fromRoleArn(stack, 'Team', 'arn:aws:iam::123456789012:role/team-role');
      team.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: ['*'] }),
      );
      new iam.Policy(stack, 'Tune', {
        roles: [team],
        statements: [new iam.PolicyStatement({ actions: ['sagemaker:UpdateEndpoint'], resources: ['*'] })],
      });
      expect(() => app.synth()).toThrow(/\(imported role team-role\): holds inference and deployment/);
    } finally {
      spies.forEach((s) => s.mockRestore());
    }
  });

  test('the same grants on two imported roles pass', () => {
    const report = check(
      template({
        A: policy('AWS::IAM::Policy', { Roles: ['invoker'] }, invoke),
        B: policy('AWS::IAM::Policy', { Roles: ['tuner'] }, tune),
      }),
    );
    expect(rulesOf(report, ['fatal'])).toEqual([]);
  });
});
