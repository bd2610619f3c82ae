import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CustomizationApproverRole,
  CustomizationPipeline,
  CustomizationRequesterRole,
  ModelRegistry,
  ModelTarget,
} from '../../lib';
import { simulate } from '../support/simulate';
import { ACCOUNT, ResolvedTemplate } from '../support/template';
import { DecisionTable, decisionTable } from './handlers/decision-table';
import { quietMetricLines } from './handlers/events';

quietMetricLines();

/**
 * People, end to end: the trust policy CDK synthesizes for the approver role, evaluated by
 * iam-simulate, decides which sessions a human can open; the approval handler, with the
 * environment the construct synthesized and a real conditional-write API (moto), decides what
 * those sessions count for.
 */
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new Stack(app, 'People');
const pipeline = new CustomizationPipeline(stack, 'Pipeline', {
  registry: new ModelRegistry(stack, 'Registry', {
    metadataObjectLockRetention: s3.ObjectLockRetention.governance(Duration.days(365)),
  }),
  baseModels: [ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1')],
});
const leads = new iam.AccountRootPrincipal().withConditions({
  StringEquals: { 'aws:PrincipalTag/job': 'ml-lead' },
});
const approverRole = new CustomizationApproverRole(stack, 'Approvers', { assumedBy: leads, pipeline });
new CustomizationRequesterRole(stack, 'Requesters', {
  assumedBy: new iam.AccountRootPrincipal().withConditions({
    StringEquals: { 'aws:PrincipalTag/job': 'ml-engineer' },
  }),
  pipeline,
});
const t = new ResolvedTemplate(Template.fromStack(stack).toJSON());
const logicalId = (c: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(c.node.defaultChild as never);
const approverId = logicalId(approverRole);
const approvalFunction = t
  .ofType('AWS::Lambda::Function')
  .find((id) => t.props(id).Tags?.some((tag: { Value: string }) => tag.Value === 'approval-endpoint'))!;

/** A session of the approver role that IAM grants `user` under `sessionName`, or undefined if refused. */
async function assume(user: string, sessionName: string): Promise<string | undefined> {
  const decision = await simulate({
    principal: `arn:aws:iam::${ACCOUNT}:user/${user}`,
    action: 'sts:AssumeRole',
    resource: t.arn(approverId),
    identityPolicies: [
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] },
    ],
    resourcePolicy: t.props(approverId).AssumeRolePolicyDocument,
    context: {
      'aws:username': user,
      'aws:PrincipalTag/job': 'ml-lead',
      'aws:MultiFactorAuthPresent': 'true',
      'aws:PrincipalType': 'User',
      'sts:RoleSessionName': sessionName,
    },
  });
  return decision === 'Allowed'
    ? `arn:aws:sts::${ACCOUNT}:assumed-role/${approverId}/${sessionName}`
    : undefined;
}

// The approval handler, with the environment the construct synthesized, over moto's DynamoDB.
let table: DecisionTable;
const sfn = mockClient(SFNClient);

beforeAll(async () => {
  table = await decisionTable(t.props(approvalFunction).Environment.Variables);
}, 60_000);
afterAll(() => table?.stop());
beforeEach(async () => {
  sfn.reset();
  await table.reset();
});

const approveAs = async (session: string | undefined) => (session ? table.approve(session) : undefined);
const approvals = async () => Object.keys((await table.stored()).approvals as object);

describe('one human is one approver', () => {
  test('the synthesized trust lets bob open a session named bob, and no session named carol', async () => {
    expect(await assume('bob', 'bob')).toBeDefined();
    expect(await assume('bob', 'carol')).toBeUndefined();
    expect(await assume('bob', 'bob-again')).toBeUndefined();
  });

  test('bob, assuming the approver role twice under two names, completes no second approval', async () => {
    const first = await approveAs(await assume('bob', 'bob'));
    const second = await approveAs(await assume('bob', 'carol'));
    const third = await approveAs(await assume('bob', 'bob'));

    expect(first?.statusCode).toBe(200);
    expect(second).toBeUndefined(); // IAM refused the session
    expect(third?.statusCode).toBe(409);
    expect(await approvals()).toEqual(['bob']);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  test('two real people, each in a session of their own name, complete the approval', async () => {
    expect((await approveAs(await assume('bob', 'bob')))?.statusCode).toBe(200);
    expect((await approveAs(await assume('carol', 'carol')))?.statusCode).toBe(200);
    expect((await approvals()).sort()).toEqual(['bob', 'carol']);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  test('a session of a role the pipeline was not granted to counts for nobody', async () => {
    const result = await approveAs(`arn:aws:sts::${ACCOUNT}:assumed-role/Admin/carol`);
    expect(result?.statusCode).toBe(403);
    expect(await approvals()).toEqual([]);
  });
});
