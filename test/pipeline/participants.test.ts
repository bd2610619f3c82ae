import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  CustomizationApproverRole,
  CustomizationPipeline,
  CustomizationRequesterRole,
  ModelAccessChecks,
  ModelRegistry,
  ModelTarget,
} from '../../lib';
import { ACCOUNT, ResolvedTemplate } from '../support/template';
import { pipelineStack, TITAN } from './fixture';

const IDENTITY_CENTER =
  'arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_MlLead_0123456789abcdef';
const accountRoot = () => new iam.AccountRootPrincipal();
/** The roles and users the request and approval handlers count, each by `<account>:<name>`. */
const participantsOf = (t: ResolvedTemplate, endpoint?: 'request' | 'approval') => {
  const handlers = t
    .ofType('AWS::Lambda::Function')
    .filter((id) => t.props(id).Environment?.Variables?.PARTICIPANTS)
    .filter((id) => !endpoint || id.includes(endpoint === 'request' ? 'RequestHandler' : 'ApprovalHandler'));
  const all = handlers.map((id) => JSON.parse(t.props(id).Environment.Variables.PARTICIPANTS));
  return {
    roles: Object.assign({}, ...all.map((p) => p.roles)),
    users: [...new Set(all.flatMap((p) => p.users))].sort(),
  };
};

describe('who may request and approve: people the caller cannot invent', () => {
  test('a role whose trust lets callers choose session names is refused at synth, with the fix', () => {
    const { stack, pipeline } = pipelineStack();
    pipeline.grantApprove(new iam.Role(stack, 'Leads', { assumedBy: accountRoot() }));
    expect(() => Template.fromStack(stack)).toThrow(
      /Test\/Leads requests or approves, but its trust policy lets one person take several names: an AWS principal may assume it under any session name; require StringEquals sts:RoleSessionName = '\$\{aws:username\}'/,
    );
  });

  test('a second trust statement by NotAction cannot slip an unpinned AssumeRole past the check', () => {
    const { stack, pipeline } = pipelineStack();
    const leads = new iam.Role(stack, 'Leads', {
      assumedBy: accountRoot().withConditions({ StringEquals: { 'sts:RoleSessionName': '${aws:username}' } }),
    });
    leads.assumeRolePolicy!.addStatements(
      new iam.PolicyStatement({ principals: [accountRoot()], notActions: ['sts:TagSession'] }),
    );
    pipeline.grantApprove(leads);
    expect(() => Template.fromStack(stack)).toThrow(/an AWS principal may assume it under any session name/);
  });

  test("the library's participant roles pin session names to the IAM user's name", () => {
    const { stack, pipeline } = pipelineStack();
    const approvers = new CustomizationApproverRole(stack, 'Approvers', {
      assumedBy: accountRoot(),
      pipeline,
    });
    new CustomizationRequesterRole(stack, 'Requesters', { assumedBy: accountRoot(), pipeline });
    const t = new ResolvedTemplate(Template.fromStack(stack).toJSON());
    const trust = t.props(stack.getLogicalId(approvers.node.defaultChild as never)).AssumeRolePolicyDocument;
    expect(trust.Statement[0].Condition.StringEquals).toEqual({ 'sts:RoleSessionName': '${aws:username}' });
    const approverName = `${ACCOUNT}:${t.resolve({ Ref: stack.getLogicalId(approvers.node.defaultChild as never) })}`;
    expect(participantsOf(t, 'approval').roles).toEqual({ [approverName]: 'pinned' });
    expect(Object.values(participantsOf(t, 'request').roles)).toEqual(['pinned']);
    expect(participantsOf(t, 'request').roles[approverName]).toBeUndefined();
  });

  test('an IAM Identity Center permission-set role takes part directly, through the URL resource policy', () => {
    const { stack, pipeline } = pipelineStack();
    pipeline.grantApprove(iam.Role.fromRoleArn(stack, 'Leads', IDENTITY_CENTER, { mutable: false }));
    const t = new ResolvedTemplate(Template.fromStack(stack).toJSON());
    expect(participantsOf(t)).toEqual({
      roles: { '111111111111:AWSReservedSSO_MlLead_0123456789abcdef': 'identity-center' },
      users: [],
    });
    const permissions = t.ofType('AWS::Lambda::Permission').map((id) => t.props(id));
    expect(permissions).toContainEqual(
      expect.objectContaining({ Action: 'lambda:InvokeFunctionUrl', Principal: IDENTITY_CENTER }),
    );
  });

  test('IAM users take part as themselves, whether of the app, imported or named by ARN', () => {
    const { stack, pipeline } = pipelineStack();
    pipeline.grantApprove(new iam.User(stack, 'Bob'));
    pipeline.grantApprove(iam.User.fromUserName(stack, 'Carol', 'carol'));
    pipeline.grantRequest(new iam.ArnPrincipal('arn:aws:iam::222222222222:user/team/alice'));
    const t = new ResolvedTemplate(Template.fromStack(stack).toJSON());
    expect(participantsOf(t, 'approval')).toEqual({
      roles: {},
      users: [
        `${ACCOUNT}:${t.resolve({ Ref: stack.getLogicalId(stack.node.findChild('Bob').node.defaultChild as never) })}`,
        `${ACCOUNT}:carol`,
      ].sort(),
    });
    expect(participantsOf(t, 'request')).toEqual({ roles: {}, users: ['222222222222:alice'] });
  });

  test('an account, a service or anyone cannot be a participant', () => {
    const { stack, pipeline } = pipelineStack();
    expect(() => pipeline.grantApprove(accountRoot())).toThrow(
      /grantApprove: .* is not a person's identity the pipeline can verify/,
    );
    expect(
      () =>
        new CustomizationApproverRole(stack, 'S', {
          assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
          pipeline,
        }),
    ).toThrow(
      /ServicePrincipal\(lambda.amazonaws.com\) is an AWS service; requesters and approvers are people/,
    );
    expect(
      () => new CustomizationApproverRole(stack, 'A', { assumedBy: new iam.AnyPrincipal(), pipeline }),
    ).toThrow(/'\*' lets anyone assume the role/);
    expect(
      () =>
        new CustomizationApproverRole(stack, 'I', {
          assumedBy: new iam.ArnPrincipal(IDENTITY_CENTER),
          pipeline,
        }),
    ).toThrow(/Grant the pipeline to the permission-set role itself/);
  });

  test('people from two sources of identity are refused: one human with an identity in each would count twice', () => {
    const { stack, pipeline } = pipelineStack();
    new CustomizationRequesterRole(stack, 'Requesters', { assumedBy: accountRoot(), pipeline });
    pipeline.grantApprove(iam.Role.fromRoleArn(stack, 'Leads', IDENTITY_CENTER, { mutable: false }));
    expect(() => Template.fromStack(stack)).toThrow(
      /come from more than one source of identity \(IAM users, IAM Identity Center\), so one human with an identity in each would count as two people/,
    );
  });

  test('SAML federation is accepted as it is (the identity provider sets the session name)', () => {
    const { stack, pipeline } = pipelineStack();
    const provider = iam.SamlProvider.fromSamlProviderArn(
      stack,
      'Idp',
      'arn:aws:iam::111111111111:saml-provider/corp',
    );
    new CustomizationApproverRole(stack, 'Approvers', {
      assumedBy: new iam.SamlPrincipal(provider, {}),
      pipeline,
    });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('a web identity role must pin the session name to a claim of its provider', () => {
    const { stack, pipeline } = pipelineStack();
    const provider = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';
    pipeline.grantRequest(new iam.Role(stack, 'Ci', { assumedBy: new iam.WebIdentityPrincipal(provider) }));
    expect(() => Template.fromStack(stack)).toThrow(
      /lets the caller choose sts:RoleSessionName; pin it to a claim/,
    );

    const pinned = pipelineStack();
    pinned.pipeline.grantRequest(
      new iam.Role(pinned.stack, 'Ci', {
        assumedBy: new iam.WebIdentityPrincipal(provider, {
          StringEquals: { 'sts:RoleSessionName': '${token.actions.githubusercontent.com:actor}' },
        }),
      }),
    );
    expect(() => Template.fromStack(pinned.stack)).not.toThrow();
  });

  test('the escape hatch takes an unpinned role, and the pack reports it', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Test');
    const leads = new iam.Role(stack, 'Leads', { assumedBy: accountRoot(), roleName: 'leads' });
    const pipeline = new CustomizationPipeline(stack, 'Pipeline', {
      registry: new ModelRegistry(stack, 'Registry', {
        metadataObjectLockRetention: s3.ObjectLockRetention.governance(Duration.days(365)),
      }),
      baseModels: [ModelTarget.bedrockFoundationModel(TITAN)],
      unverifiedSessionRoles: [leads],
    });
    pipeline.grantApprove(leads);
    const t = new ResolvedTemplate(Template.fromStack(stack).toJSON());
    expect(participantsOf(t).roles).toEqual({ [`${ACCOUNT}:leads`]: 'unverified' });
    const report = new ModelAccessChecks(app).validateScope(app);
    const findings = report.violations.filter((v) =>
      v.ruleName.startsWith('ModelAccess-UnpinnedParticipants'),
    );
    expect(findings.map((v) => [v.ruleName, v.severity])).toEqual([
      ['ModelAccess-UnpinnedParticipants[leads]', 'warning'],
    ]);
  });
});
