import { App, CfnOutput, Fn, NestedStack, PolicyViolation, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AccessAnalysis, Capability, ModelAccessChecks, ModelRegistry } from '../../lib';
import { buildReport } from '../../lib/cli/report';

const INVOKE = new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: ['*'] });
const TUNE = new iam.PolicyStatement({ actions: ['bedrock:CreateModelCustomizationJob'], resources: ['*'] });
const ACCOUNT = { account: '111111111111', region: 'us-east-1' };

type References = 'weak' | 'strong';

function app(references: References = 'weak'): App {
  const context = references === 'weak' ? { '@aws-cdk/core:defaultCrossStackReferences': 'weak' } : {};
  return new App({ context: { ...context, 'aws:cdk:enable-path-metadata': true } });
}

/** The pack's fatal findings on the app, as `rule@path`. */
function fatal(a: App): string[] {
  a.synth();
  const report = new ModelAccessChecks(a).validateScope(a);
  return report.violations
    .filter((v: PolicyViolation) => v.severity === 'fatal')
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName.replace(/\[.*$/, '')}@${r.constructPath}`))
    .sort();
}

function tuner(scope: Stack, props: Partial<iam.RoleProps> = {}): iam.Role {
  const role = new iam.Role(scope, 'Tuner', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    ...props,
  });
  role.addToPolicy(TUNE);
  return role;
}

describe.each<References>(['weak', 'strong'])('with %s cross-stack references', (references) => {
  test("a team's role that invokes and is granted the platform's weights is one merged identity", () => {
    const a = app(references);
    const platform = new Stack(a, 'Platform', { env: ACCOUNT });
    const registry = new ModelRegistry(platform, 'Registry');
    const team = new Stack(a, 'Team', { env: ACCOUNT });
    const role = new iam.Role(team, 'Backend', {
      roleName: 'team-backend',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    role.addToPolicy(INVOKE);
    registry.grantReadWeights(role);
    expect(fatal(a)).toEqual(['ModelAccess-WeightsAccessMerge@Team/Backend/Resource']);
  });

  test("a policy of another stack on the platform's role, by reference, merges it in its own stack", () => {
    const a = app(references);
    const platform = new Stack(a, 'Platform', { env: ACCOUNT });
    const role = tuner(platform);
    const team = new Stack(a, 'Team', { env: ACCOUNT });
    new iam.Policy(team, 'Invoke', {
      statements: [INVOKE],
      roles: [iam.Role.fromRoleName(team, 'ByRef', role.roleName)],
    });
    expect(fatal(a)).toEqual(['ModelAccess-MergedCapabilities@Platform/Tuner/Resource']);
  });

  test("a policy of another stack on the platform's role imported by its ARN (fromRoleArn) merges it", () => {
    // CDK names the role by splitting the referenced ARN: Fn::Select 1 of Fn::Split '/' of Fn::Select 5 of Fn::Split ':'.
    const a = app(references);
    const platform = new Stack(a, 'Platform', { env: ACCOUNT });
    const role = tuner(platform);
    const team = new Stack(a, 'Team', { env: ACCOUNT });
    iam.Role.fromRoleArn(team, 'ByArn', role.roleArn).addToPrincipalPolicy(INVOKE);
    expect(fatal(a)).toEqual(['ModelAccess-MergedCapabilities@Platform/Tuner/Resource']);
  });

  test('a role with a path imported by its ARN names the first part of the path, as CloudFormation splits it', () => {
    const a = app(references);
    const platform = new Stack(a, 'Platform', { env: ACCOUNT });
    const role = tuner(platform, { path: '/ml/' });
    const team = new Stack(a, 'Team', { env: ACCOUNT });
    iam.Role.fromRoleArn(team, 'ByArn', role.roleArn).addToPrincipalPolicy(INVOKE);
    expect(fatal(a)).toEqual([]);
    const pack = new ModelAccessChecks(a);
    pack.validateScope(a);
    const imported = pack._analysisOf(team)!.analysis.principals.filter((p) => p.external);
    expect(imported.map((p) => `${p.type} ${p.name}`)).toEqual(['AWS::IAM::Role ml']);
  });

  test("a user of another stack imported by its ARN (fromUserArn) is the platform's user", () => {
    const a = app(references);
    const platform = new Stack(a, 'Platform', { env: ACCOUNT });
    const user = new iam.User(platform, 'Person');
    user.addToPolicy(TUNE);
    const team = new Stack(a, 'Team', { env: ACCOUNT });
    iam.User.fromUserArn(team, 'ByArn', user.userArn).addToPrincipalPolicy(INVOKE);
    expect(fatal(a)).toEqual(['ModelAccess-MergedCapabilities@Platform/Person/Resource']);
  });

  test("a role chain whose first hop is in another stack reaches the other stack's role", () => {
    const a = app(references);
    const platform = new Stack(a, 'Platform', { env: ACCOUNT });
    const invoker = new iam.Role(platform, 'Invoker', { assumedBy: new iam.AccountRootPrincipal() });
    invoker.addToPolicy(INVOKE);
    invoker.addToPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['*'] }));
    const team = new Stack(a, 'Team', { env: ACCOUNT });
    tuner(team, { assumedBy: new iam.ArnPrincipal(invoker.roleArn) });
    expect(fatal(a)).toEqual(['ModelAccess-MergeThroughTrust@Platform/Invoker/Resource']);
  });
});

describe("a policy of another stack names the platform's role", () => {
  function platformAndTeam() {
    const a = app();
    const platform = new Stack(a, 'Platform', { env: ACCOUNT });
    const role = tuner(platform, { roleName: 'tuner' });
    const team = new Stack(a, 'Team', { env: ACCOUNT });
    return { a, platform, role, team };
  }

  test('by its literal name (fromRoleName)', () => {
    const { a, team } = platformAndTeam();
    iam.Role.fromRoleName(team, 'ByName', 'tuner').addToPrincipalPolicy(INVOKE);
    expect(fatal(a)).toEqual(['ModelAccess-MergedCapabilities@Platform/Tuner/Resource']);
  });

  test('by its ARN (fromRoleArn)', () => {
    const { a, team } = platformAndTeam();
    iam.Role.fromRoleArn(team, 'ByArn', 'arn:aws:iam::111111111111:role/tuner').addToPrincipalPolicy(INVOKE);
    expect(fatal(a)).toEqual(['ModelAccess-MergedCapabilities@Platform/Tuner/Resource']);
  });

  test('through an export (Fn::ImportValue)', () => {
    const { a, platform, role, team } = platformAndTeam();
    new CfnOutput(platform, 'TunerName', { value: role.roleName, exportName: 'tuner-name' });
    new iam.Policy(team, 'Invoke', {
      statements: [INVOKE],
      roles: [iam.Role.fromRoleName(team, 'ByImport', Fn.importValue('tuner-name'))],
    });
    expect(fatal(a)).toEqual(['ModelAccess-MergedCapabilities@Platform/Tuner/Resource']);
  });

  test('in another account, a role of the same name is another role', () => {
    const a = app();
    const platform = new Stack(a, 'Platform', { env: ACCOUNT });
    tuner(platform, { roleName: 'tuner' });
    const team = new Stack(a, 'Team', { env: { ...ACCOUNT, account: '222222222222' } });
    iam.Role.fromRoleName(team, 'ByName', 'tuner').addToPrincipalPolicy(INVOKE);
    expect(fatal(a)).toEqual([]);
  });
});

test("a nested stack's policy on its parent's role (the name passed as a parameter) merges it", () => {
  const a = app();
  const parent = new Stack(a, 'Parent', { env: ACCOUNT });
  const role = tuner(parent);
  const nested = new NestedStack(parent, 'Nested');
  new iam.Policy(nested, 'Invoke', {
    statements: [INVOKE],
    roles: [iam.Role.fromRoleName(nested, 'Parents', role.roleName)],
  });
  expect(fatal(a)).toEqual(['ModelAccess-MergedCapabilities@Parent/Tuner/Resource']);
});

test('two stacks that each hold one capability on differently named roles pass', () => {
  const a = app();
  const platform = new Stack(a, 'Platform', { env: ACCOUNT });
  tuner(platform, { roleName: 'tuner' });
  const team = new Stack(a, 'Team', { env: ACCOUNT });
  new iam.Role(team, 'Backend', {
    roleName: 'team-backend',
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  }).addToPolicy(INVOKE);
  iam.Role.fromRoleName(team, 'Other', 'another-role').addToPrincipalPolicy(INVOKE);
  expect(fatal(a)).toEqual([]);
});

test('fromApp refuses two stacks of one name, whose logical ids would collide', () => {
  const one = { name: 'Team', template: { Resources: {} } };
  expect(() => AccessAnalysis.fromApp([one, { ...one }])).toThrow(
    'AccessAnalysis.fromApp: two stacks are named "Team"; each stack of an app needs its own name, which qualifies its logical ids.',
  );
});

describe('model-access report on an app of plain templates', () => {
  const platform = {
    Resources: {
      Tuner: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: 'tuner',
          AssumeRolePolicyDocument: {
            Statement: [
              { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } },
            ],
          },
          Policies: [{ PolicyName: 'tune', PolicyDocument: { Statement: [TUNE.toStatementJson()] } }],
        },
      },
    },
    Outputs: { TunerName: { Value: { Ref: 'Tuner' } } },
  };
  const team = {
    Resources: {
      Invoke: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'invoke',
          PolicyDocument: { Statement: [INVOKE.toStatementJson()] },
          Roles: [{ 'Fn::GetStackOutput': { StackName: 'platform', OutputName: 'TunerName' } }],
        },
      },
    },
  };

  test("joins the team's policy to the platform's role through a weak reference, and says so", () => {
    const report = buildReport('test', [
      { name: 'Platform', stackName: 'platform', template: platform },
      { name: 'Team', stackName: 'team', template: team },
    ]);
    const [p, t] = report.stacks;
    expect(p.principals.map((r) => [r.id, Object.keys(r.cells).sort(), r.joined])).toEqual([
      ['Tuner', ['customization', 'inference'], ['Team/Invoke names it ${Platform/Tuner}']],
    ]);
    expect(p.findings.filter((f) => f.merged).map((f) => `${f.rule}@${f.resource}`)).toEqual([
      'ModelAccess-MergedCapabilities[inference+customization]@Tuner',
    ]);
    expect(t.principals).toEqual([]);
  });

  test('a weak reference to a stack the report was not given stays a role of its own', () => {
    const report = buildReport('test', [{ name: 'Team', stackName: 'team', template: team }]);
    expect(report.stacks[0].principals.map((r) => [r.id, Object.keys(r.cells)])).toEqual([
      ['role:${StackOutput:platform/TunerName}', ['inference']],
    ]);
  });
});

describe("a name taken from a role's ARN by Fn::Select and Fn::Split", () => {
  const tuner = {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } },
        ],
      },
      Policies: [{ PolicyName: 'tune', PolicyDocument: { Statement: [TUNE.toStatementJson()] } }],
    },
  };
  const split = (separator: string, index: number, source: unknown) => ({
    'Fn::Select': [index, { 'Fn::Split': [separator, source] }],
  });
  /** Who holds inference: the stack's principals' ids and capabilities, with the imported ones. */
  const holders = (roles: unknown) => {
    const analysis = AccessAnalysis.fromApp([
      {
        name: 'Platform',
        template: {
          Resources: { Tuner: tuner },
          Outputs: {
            Arn: { Value: { 'Fn::GetAtt': ['Tuner', 'Arn'] }, Export: { Name: 'tuner-arn' } },
            Name: { Value: { Ref: 'Tuner' }, Export: { Name: 'tuner-name' } },
          },
        },
      },
      {
        name: 'Team',
        template: {
          Parameters: { Arn: { Type: 'String' } },
          Resources: {
            Invoke: {
              Type: 'AWS::IAM::Policy',
              Properties: {
                PolicyName: 'invoke',
                PolicyDocument: { Statement: [INVOKE.toStatementJson()] },
                Roles: [roles],
              },
            },
          },
        },
      },
    ]);
    return analysis.principals.filter((p) => p.capabilities.includes(Capability.INFERENCE)).map((p) => p.id);
  };
  const imported = { 'Fn::ImportValue': 'tuner-arn' };

  test('is the role itself, as CloudFormation splits the ARN (one merged identity)', () => {
    expect(holders(split('/', 1, split(':', 5, imported)))).toEqual(['Platform/Tuner']);
    expect(holders(split(':role/', 1, imported))).toEqual(['Platform/Tuner']);
    // A separator across two parts of a join.
    const name = { 'Fn::ImportValue': 'tuner-name' };
    expect(holders(split(':role/', 1, { 'Fn::Join': ['', ['a:r', 'ole/', name]] }))).toEqual([
      'Platform/Tuner',
    ]);
  });

  test('another element of the ARN names another role, not the platform one', () => {
    expect(holders(split('/', 0, split(':', 5, imported)))).toEqual(['role:role']);
  });

  test('a separator that a name could hold, or could span a name, is not split', () => {
    // `-` may be inside the role's name; `:aws/` could hold the partition between `:` and `/`.
    expect(holders(split('-', 1, imported))).toEqual(['role:${Platform/Tuner.Arn split "-"[1]}']);
    // The account may end in 1, the name start with T: the separator may start or end inside them.
    expect(holders(split(':role/T', 0, imported))).toEqual(['role:${Platform/Tuner.Arn split ":role/T"[0]}']);
    expect(holders(split('1:role/', 0, imported))).toEqual(['role:${Platform/Tuner.Arn split "1:role/"[0]}']);
    const around = { 'Fn::Join': ['', ['a:', { Ref: 'AWS::Partition' }, '/', imported]] };
    expect(holders(split(':aws/', 0, around))).toEqual([
      'role:${a:AWS::Partition/Platform/Tuner.Arn split ":aws/"[0]}',
    ]);
  });

  test("a parameter's value is not split (it may hold any separator)", () => {
    expect(holders(split('/', 1, split(':', 5, { Ref: 'Arn' })))).toEqual([
      'role:${Team/Arn split ":"[5] split "/"[1]}',
    ]);
  });
});
