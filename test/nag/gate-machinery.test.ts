import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DataClass, ModelAccessChecks, ModelAuditTrail, TAG_DATA_CLASS } from '../../lib';
import { pipelineStack } from '../pipeline/fixture';

/**
 * The pipelines' machinery is privilege administration: a hand-written role that can change the
 * state machine or functions that enforce the gate, invoke its functions directly, write its
 * decision table or its records, holds PRIVILEGE_ADMIN, and beside a model capability that is a
 * merged identity the pack fails. Its own roles, and people granted its URLs, are not.
 */
const INVOKE = new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: ['*'] });

function fatalFindings(
  extra: (
    stack: Stack,
    arns: { table: string; fn: string; sm: string; metadata: string },
  ) => iam.PolicyStatement[],
) {
  const { app, stack, pipeline, registry } = pipelineStack();
  const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  role.addToPolicy(INVOKE);
  const arns = {
    table: pipeline.table.tableArn,
    fn: pipeline.approvalUrl.functionArn,
    sm: pipeline.stateMachine.stateMachineArn,
    metadata: registry.metadataBucket.arnForObjects('*'),
  };
  for (const s of extra(stack, arns)) role.addToPolicy(s);
  pipeline.grantApprove(new iam.User(stack, 'Lead'));
  return new ModelAccessChecks(app)
    .validateScope(app)
    .violations.filter((v) => v.severity === 'fatal')
    .map((v) => v.ruleName);
}

const allow = (actions: string[], resources: string[]) => new iam.PolicyStatement({ actions, resources });

describe('beside inference, each way around the gate is a merged identity', () => {
  test.each([
    ['changing the pipeline function code', () => [allow(['lambda:UpdateFunctionCode'], ['*'])]],
    ['updating the state machine', (a: { sm: string }) => [allow(['states:UpdateStateMachine'], [a.sm])]],
    ['invoking the approval function directly', () => [allow(['lambda:InvokeFunction'], ['*'])]],
    ['writing the decision table', (a: { table: string }) => [allow(['dynamodb:UpdateItem'], [a.table])]],
    ['writing any table, the decision table among them', () => [allow(['dynamodb:PutItem'], ['*'])]],
    ['rewriting its resource policy', () => [allow(['dynamodb:PutResourcePolicy'], ['*'])]],
  ])('%s', (name, statements) => {
    const findings = fatalFindings((_s, a) => statements(a as never));
    expect(findings[0]).toBe('ModelAccess-PrivilegeAdminMerge[inference+privilege-admin]');
    // Changing the code or definition a pipeline runs is also acting as the role it runs as.
    const takeover = findings.slice(1);
    if (/function code|state machine/.test(name)) {
      expect(takeover.length).toBeGreaterThan(0);
      for (const f of takeover) {
        expect(f).toMatch(
          /^ModelAccess-MergeThroughTrust\[.* via (lambda:UpdateFunctionCode|states:UpdateStateMachine)\(/,
        );
      }
    } else {
      expect(takeover).toEqual([]);
    }
  });
});

test("writing provenance records is privilege administration, and the registry's bucket policy denies it to all but the pipelines", () => {
  // A metadata bucket of the app's own, with no record policy: the write is held.
  const own = fatalFindings((stack) => {
    const bucket = new s3.Bucket(stack, 'OwnMetadata');
    (bucket.node.defaultChild as s3.CfnBucket).tags.setTag(TAG_DATA_CLASS, DataClass.METADATA);
    return [allow(['s3:PutObject'], [bucket.arnForObjects('provenance/*')])];
  });
  expect(own).toEqual(['ModelAccess-PrivilegeAdminMerge[inference+privilege-admin]']);
  // The registry's metadata bucket: its policy denies record writes to anyone but the pipelines.
  expect(fatalFindings((_stack, a) => [allow(['s3:PutObject'], [a.metadata])])).toEqual([]);
});

test('silencing the audit trail: disabling its rules or rewriting its topic, beside inference, is a merged identity', () => {
  for (const statement of [
    allow(['events:DisableRule'], ['*']),
    allow(['sns:SetTopicAttributes', 'sns:Unsubscribe'], ['*']),
  ]) {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Audited');
    new ModelAuditTrail(stack, 'Audit');
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(INVOKE);
    role.addToPolicy(statement);
    const fatal = new ModelAccessChecks(app)
      .validateScope(app)
      .violations.filter((v) => v.severity === 'fatal')
      .map((v) => v.ruleName);
    expect(fatal).toEqual(['ModelAccess-PrivilegeAdminMerge[inference+privilege-admin]']);
  }
});

describe('what the gate does as its work, and ordinary lookalikes, stay clean', () => {
  test("the pipeline's own roles and an approver granted its URL hold no privilege administration", () => {
    expect(fatalFindings(() => [])).toEqual([]);
  });

  test('an inference role writing its own table, or invoking its own function, is no merge', () => {
    expect(
      fatalFindings((stack) => [
        allow(
          ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
          [`arn:aws:dynamodb:us-east-1:${stack.account}:table/orders`],
        ),
        allow(['lambda:InvokeFunction'], [`arn:aws:lambda:us-east-1:${stack.account}:function:orders-*`]),
      ]),
    ).toEqual([]);
  });

  test('lambda:* and dynamodb:* beside inference in an app with no pipeline confer nothing more', () => {
    const app = new App();
    const stack = new Stack(app, 'NoPipeline');
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(INVOKE);
    role.addToPolicy(
      allow(['lambda:*', 'dynamodb:*', 'states:StartExecution', 'states:UpdateStateMachine'], ['*']),
    );
    const fatal = new ModelAccessChecks(app)
      .validateScope(app)
      .violations.filter((v) => v.severity === 'fatal');
    expect(fatal).toEqual([]);
  });
});
