import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ModelInferenceRole, ModelTarget } from '../../lib';
import { estimateChars } from '../../lib/roles/private/policy-packing';
import { ResolvedTemplate } from '../support/template';

// IAM quotas (IAM User Guide, "IAM and AWS STS quotas"), counted without white space.
const MANAGED_POLICY_CHARS = 6144;
const ROLE_INLINE_CHARS = 10240;
const TRUST_POLICY_CHARS = 2048;
const RAISED_MANAGED_POLICIES_PER_ROLE = 20;

const endpoints = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    ModelTarget.sagemakerEndpoint(`endpoint-${String(i).padStart(4, '0')}`),
  );
const lambda = new iam.ServicePrincipal('lambda.amazonaws.com');

describe('an inference role for 1,000 model targets', () => {
  const stack = new Stack(new App(), 'Scale');
  const role = new ModelInferenceRole(stack, 'Invoker', {
    assumedBy: lambda,
    targets: endpoints(1000),
    maxManagedPolicies: 20,
  });
  const raw = Template.fromStack(stack).toJSON();
  const t = new ResolvedTemplate(raw);
  const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
  const managed = role.modelPolicies.map(
    (p) => t.props(stack.getLogicalId(p.node.defaultChild as iam.CfnManagedPolicy)).PolicyDocument,
  );

  test('splits its statements over managed policies within the raised quota', () => {
    expect(managed.length).toBeGreaterThan(1);
    expect(managed.length).toBeLessThanOrEqual(RAISED_MANAGED_POLICIES_PER_ROLE);
    expect(t.props(roleId).ManagedPolicyArns).toHaveLength(managed.length);
  });

  test('every managed policy is within 6,144 characters, even with the longest partition and region', () => {
    for (const [i, p] of role.modelPolicies.entries()) {
      expect(JSON.stringify(managed[i]).length).toBeLessThanOrEqual(MANAGED_POLICY_CHARS);
      expect(estimateChars(stack, p.document.toJSON())).toBeLessThanOrEqual(MANAGED_POLICY_CHARS);
    }
  });

  test('the inline policies and the trust policy are within their limits', () => {
    const inline = (t.props(roleId).Policies ?? []).map(
      (p: { PolicyDocument: unknown }) => JSON.stringify(p.PolicyDocument).length,
    );
    expect(inline.reduce((a: number, b: number) => a + b, 0)).toBeLessThanOrEqual(ROLE_INLINE_CHARS);
    expect(JSON.stringify(t.props(roleId).AssumeRolePolicyDocument).length).toBeLessThanOrEqual(
      TRUST_POLICY_CHARS,
    );
  });

  test('every target appears exactly once, with no wildcard', () => {
    const resources = managed.flatMap((d: { Statement: { Resource: string | string[] }[] }) =>
      d.Statement.flatMap((s) => [s.Resource].flat()),
    );
    expect(resources).toHaveLength(1000);
    expect(new Set(resources).size).toBe(1000);
    expect(resources.every((r: string) => !r.includes('*'))).toBe(true);
  });
});

test("at IAM's default quota of 10 managed policies, 1,000 targets fail with a clear error", () => {
  expect(
    () =>
      new ModelInferenceRole(new Stack(new App(), 'S'), 'Invoker', {
        assumedBy: lambda,
        targets: endpoints(1000),
      }),
  ).toThrow(
    /its 1000 targets need 14 managed policies, over the 10 a role may have\. Select the models by tag with ModelTarget.tagged/,
  );
});

test('tag-based access covers any number of models in one small statement', () => {
  const role = new ModelInferenceRole(new Stack(new App(), 'S'), 'Invoker', {
    assumedBy: lambda,
    targets: [ModelTarget.tagged('team', 'search')],
  });
  expect(role.modelPolicies).toHaveLength(1);
});
