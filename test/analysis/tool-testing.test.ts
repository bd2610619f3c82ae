import { AccessAnalysis, Capability } from '../../lib';
import { simulate } from '../support/simulate';
import { ACCOUNT } from '../support/template';
import { allow, deny, doc, role } from './designs';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Bishop Fox's iam-vulnerable tool-testing cases (modules/free-resources/tool-testing), written
 * as CloudFormation: its false-negative cases (fn1-fn4) are privilege escalation a tool must find,
 * its false-positive cases (fp1-fp5) look like escalation and are not. Each principal here also
 * invokes a model, so escalation is the merge PRIVILEGE_ADMIN + INFERENCE.
 */

const invoke = allow('bedrock:InvokeModel');
const managed = (id: string, ...statements: Json[]) => ({
  [id]: {
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: { PolicyDocument: doc(...statements), Roles: [{ Ref: 'R' }] },
  },
});

function capabilities(statements: Json[], policies: Json = {}): Capability[] {
  const template = { Resources: { R: role([doc(invoke, ...statements)]), ...policies } };
  return AccessAnalysis.fromTemplate(template).principal('R')!.capabilities;
}

const ADMIN = [Capability.INFERENCE, Capability.PRIVILEGE_ADMIN];

/** IAM's decision on iam:CreatePolicyVersion of one of the account's policies, by a session issued now. */
const createsPolicyVersion = (statement: Json) =>
  simulate({
    principal: `arn:aws:iam::${ACCOUNT}:role/r`,
    action: 'iam:CreatePolicyVersion',
    resource: `arn:aws:iam::${ACCOUNT}:policy/fn2-admin`,
    context: { 'aws:TokenIssueTime': new Date().toISOString(), 'aws:CurrentTime': new Date().toISOString() },
    identityPolicies: [doc(statement)],
  });

describe('false negatives: escalation a tool must find', () => {
  test('fn1: the permissions of two policies together (ec2:RunInstances, iam:PassRole on *)', () => {
    const policies = {
      ...managed('Partial', allow(['ec2:DescribeInstances', 'ec2:RunInstances'])),
      ...managed('PassAny', allow('iam:PassRole')),
    };
    expect(capabilities([], policies)).toEqual(ADMIN);
  });

  test('fn2: a resource constraint that still names policies of the account', async () => {
    const statement = allow('iam:CreatePolicyVersion', 'arn:aws:iam::*:policy/fn2-*');
    expect(await createsPolicyVersion(statement)).toBe('Allowed');
    expect(capabilities([statement])).toEqual(ADMIN);
  });

  test('fn3: a condition every caller meets (tokens issued after 2020)', async () => {
    const condition = { DateGreaterThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } };
    const statement = allow('iam:CreatePolicyVersion', '*', { Condition: condition });
    expect(await createsPolicyVersion(statement)).toBe('Allowed');
    expect(capabilities([statement])).toEqual(ADMIN);
  });

  test('fn4: NotAction that leaves iam:Put*Policy allowed', () => {
    const notAction = {
      Effect: 'Allow',
      NotAction: ['iam:Update*', 'iam:Create*', 'iam:Attach*'],
      Resource: '*',
    };
    expect(capabilities([notAction])).toContain(Capability.PRIVILEGE_ADMIN);
  });
});

describe('false positives: what only looks like escalation', () => {
  test('fp1: an allow and a deny of it in one policy', () => {
    expect(capabilities([allow('iam:CreatePolicyVersion'), deny('iam:CreatePolicyVersion')])).toEqual([
      Capability.INFERENCE,
    ]);
  });

  test('fp2: allow everything and deny everything, in two policies', () => {
    const policies = { ...managed('AllowAll', allow('*')), ...managed('DenyAll', deny('*')) };
    expect(capabilities([], policies)).toEqual([]);
  });

  test('fp3: a deny of iam:* beside an allow of an escalating action', () => {
    expect(capabilities([allow('iam:CreatePolicyVersion')], managed('DenyIam', deny('iam:*')))).toEqual([
      Capability.INFERENCE,
    ]);
  });

  test("fp4: a resource constraint that names only AWS's own policies", () => {
    expect(capabilities([allow('iam:CreatePolicyVersion', 'arn:aws:iam::aws:policy/fp4-*')])).toEqual([
      Capability.INFERENCE,
    ]);
  });

  test('fp5: a condition no caller meets (tokens issued before 2020)', async () => {
    const condition = { DateLessThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } };
    const statement = allow('iam:CreatePolicyVersion', '*', { Condition: condition });
    expect(await createsPolicyVersion(statement)).toBe('ImplicitlyDenied');
    expect(capabilities([statement])).toEqual([Capability.INFERENCE]);
    // With IfExists, a caller without a session token (an IAM user's access key) meets it.
    const ifExists = { DateLessThanIfExists: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } };
    expect(capabilities([allow('iam:CreatePolicyVersion', '*', { Condition: ifExists })])).toEqual(ADMIN);
  });
});
