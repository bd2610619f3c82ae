import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { registerChecks, unacknowledgedFindings } from '../../bin/app';
import {
  ModelInferenceRole,
  ModelInvocationLogging,
  ModelNetworkAccess,
  ModelRuntime,
  ModelTarget,
} from '../../lib';
import { boundaryOf, identityPoliciesOf, simulate } from '../support/simulate';
import { ACCOUNT, ResolvedTemplate } from '../support/template';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const TITAN = 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1';
const ENDPOINT_ARN = `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/fraud-detector`;

const SCAFFOLD_FINDINGS: Record<string, string[]> = {
  AwsSolutions: ['VPC7'],
  'NIST.800.53.R5': ['VPCFlowLogsEnabled', 'VPCDefaultSecurityGroupClosed'],
  'HIPAA.Security': ['VPCFlowLogsEnabled', 'VPCDefaultSecurityGroupClosed'],
  'PCI.DSS.321': ['VPCFlowLogsEnabled', 'VPCDefaultSecurityGroupClosed'],
};

/**
 * A VPC with the model runtimes' endpoints for a service, an inference role held
 * to them, and, unless only what a user would deploy is wanted, an administrator.
 */
/** The guardrail the invoker must apply. */
const GUARDRAIL = `arn:aws:bedrock:us-east-1:${ACCOUNT}:guardrail/gr0net`;

function build(app: App, withAdmin = true) {
  const stack = new Stack(app, 'Network');
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const service = new ec2.SecurityGroup(stack, 'ChatService', { vpc, allowAllOutbound: false });
  const access = new ModelNetworkAccess(stack, 'ModelNetwork', {
    vpc,
    callers: [service],
    runtimes: [ModelRuntime.BEDROCK, ModelRuntime.SAGEMAKER],
  });
  const invoker = new ModelInferenceRole(stack, 'Invoker', {
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    targets: [
      ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1'),
      ModelTarget.sagemakerEndpoint('fraud-detector'),
    ],
    conditions: { sourceVpcEndpoints: access.endpointIds },
    // And screened, as the pack advises for Bedrock inference.
    guardrail: { guardrailArn: GUARDRAIL, version: '1' },
  });
  // What is asked through the endpoints is logged, as the pack advises for Bedrock inference.
  new ModelInvocationLogging(stack, 'InvocationLogging');
  // The test's VPC stands for the user's: its own findings are the user's to settle.
  for (const [pack, rules] of Object.entries(SCAFFOLD_FINDINGS)) {
    for (const rule of rules) {
      Validations.of(vpc).acknowledge({
        id: `${pack}::${pack}-${rule}`,
        reason:
          "The test's VPC stands for the user's own, whose flow logs and default security group are theirs.",
      });
    }
  }
  const admin = withAdmin
    ? new iam.Role(stack, 'Admin', {
        assumedBy: new iam.AccountRootPrincipal(),
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
      })
    : undefined;
  return { stack, vpc, access, invoker, admin: admin! };
}

const f = build(new App());
const json = Template.fromStack(f.stack).toJSON();
const t = new ResolvedTemplate(json);
const id = (c: { node: { defaultChild?: unknown } }) => f.stack.getLogicalId(c.node.defaultChild as never);
const endpointOf = (i: number) => id(f.access.endpoints[i] as never);
const endpointPolicy = (i: number) => t.resolve(json.Resources[endpointOf(i)].Properties.PolicyDocument);
const vpce = (i: number) => t.resolve({ Ref: endpointOf(i) });
const ADMINISTRATOR_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/** A request by the role through endpoint `i` (or from outside, for -1), as the role's session carries its tags. */
function invoke(
  role: 'invoker' | 'admin',
  action: string,
  resource: string,
  through: number,
  extra: Json = {},
) {
  const roleId = role === 'invoker' ? id(f.invoker) : id(f.admin);
  return simulate({
    principal: t.arn(roleId),
    action,
    resource,
    identityPolicies: role === 'admin' ? [ADMINISTRATOR_ACCESS] : identityPoliciesOf(t, roleId),
    permissionBoundary: role === 'invoker' ? boundaryOf(t, roleId) : undefined,
    vpcEndpointPolicy: through >= 0 ? endpointPolicy(through) : undefined,
    context: {
      ...(through >= 0 ? { 'aws:SourceVpce': vpce(through) } : {}),
      // The invoker applies the guardrail its role requires.
      ...(role === 'invoker'
        ? {
            'aws:PrincipalTag/model-access:capability': 'inference',
            'bedrock:GuardrailIdentifier': `${GUARDRAIL}:1`,
          }
        : {}),
      ...extra,
    },
  });
}

describe('ModelNetworkAccess', () => {
  test('one endpoint per runtime, with private DNS, reachable on 443 from the callers alone', () => {
    const template = Template.fromJSON(json);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 2);
    const services = f.access.endpoints.map((e) => {
      const props = json.Resources[id(e as never)].Properties;
      expect(props).toMatchObject({ VpcEndpointType: 'Interface', PrivateDnsEnabled: true });
      return JSON.stringify(props.ServiceName);
    });
    expect(services[0]).toContain('bedrock-runtime');
    expect(services[1]).toContain('sagemaker.runtime');
    const group = json.Resources[id(f.access.securityGroup)].Properties;
    expect(group.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
    expect(group.SecurityGroupIngress).toBeUndefined();
    const ingress = Object.values<Json>(template.findResources('AWS::EC2::SecurityGroupIngress'));
    expect(ingress.map((r) => r.Properties)).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        GroupId: { 'Fn::GetAtt': [id(f.access.securityGroup), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^ChatService/), 'GroupId'] },
      }),
    ]);
  });

  test('the inference role invokes its models through the endpoints', async () => {
    expect(await invoke('invoker', 'bedrock:InvokeModel', TITAN, 0)).toBe('Allowed');
    expect(await invoke('invoker', 'sagemaker:InvokeEndpoint', ENDPOINT_ARN, 1)).toBe('Allowed');
  });

  test('its credentials, taken outside the VPC, invoke nothing', async () => {
    expect(await invoke('invoker', 'bedrock:InvokeModel', TITAN, -1)).toBe('ExplicitlyDenied');
    expect(await invoke('invoker', 'sagemaker:InvokeEndpoint', ENDPOINT_ARN, -1)).toBe('ExplicitlyDenied');
  });

  test('an administrator of the account, not an inference role, cannot invoke through the endpoints', async () => {
    expect(await invoke('admin', 'bedrock:InvokeModel', TITAN, 0)).not.toBe('Allowed');
    expect(await invoke('admin', 'sagemaker:InvokeEndpoint', ENDPOINT_ARN, 1)).not.toBe('Allowed');
  });

  test('a session that declares itself inference by a session tag still holds only its own permissions', async () => {
    // Whoever could tag a session with the library's capability key would pass the endpoint policy,
    // so the library's roles refuse that key as a session tag (conditions.test.ts); and the endpoint
    // grants nothing: a role without invoke permissions is denied by its own policies.
    expect(
      await simulate({
        principal: `arn:aws:iam::${ACCOUNT}:role/SomeoneElse`,
        action: 'bedrock:InvokeModel',
        resource: TITAN,
        identityPolicies: [],
        vpcEndpointPolicy: endpointPolicy(0),
        context: { 'aws:SourceVpce': vpce(0), 'aws:PrincipalTag/model-access:capability': 'inference' },
      }),
    ).toBe('ImplicitlyDenied');
  });

  test("another account's role tagged inference cannot either", async () => {
    expect(
      await invoke('invoker', 'bedrock:InvokeModel', TITAN, 0, { 'aws:PrincipalAccount': '222222222222' }),
    ).not.toBe('Allowed');
  });

  test('only model invocations pass the endpoints', async () => {
    const statement = endpointPolicy(0).Statement[0];
    expect([statement.Action].flat().sort()).toEqual(
      expect.arrayContaining(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']),
    );
    expect([statement.Action].flat().every((a: string) => a.startsWith('bedrock:'))).toBe(true);
    expect(await invoke('invoker', 'bedrock:GetFoundationModel', TITAN, 0)).not.toBe('Allowed');
  });

  test('passes all six packs with no finding to acknowledge', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'network-')) });
    registerChecks(app);
    build(app, false);
    expect(unacknowledgedFindings(app.synth().directory)).toEqual([]);
  });

  test('each runtime once, and someone to call', () => {
    const stack = new Stack(new App(), 'Twice');
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const callers = [new ec2.SecurityGroup(stack, 'Caller', { vpc })];
    const twice = [ModelRuntime.BEDROCK, ModelRuntime.BEDROCK];
    expect(() => new ModelNetworkAccess(stack, 'N', { vpc, callers, runtimes: twice })).toThrow(
      'ModelNetworkAccess: runtimes must name each runtime once, got [bedrock, bedrock].',
    );
    expect(() => new ModelNetworkAccess(stack, 'M', { vpc, callers: [] })).toThrow(
      'ModelNetworkAccess: callers is empty',
    );
  });
});
