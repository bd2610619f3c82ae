import { controlFixture } from '../audit/fixture';
import { boundaryOf, identityPoliciesOf, simulate } from '../support/simulate';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The gate's records and tokens, evaluated by iam-simulate on the synthesized policies: records
 * are written only by the gate's own roles (the table's resource policy alone, and the capability
 * roles' boundaries alone, each hold), and task tokens are opened only by the approval function.
 */
const f = controlFixture();
const t = f.template;
const pipeline = f.control.pipeline!;
const tableId = f.id(pipeline.table);
const table = t.arn(tableId);
const tablePolicy = t.props(tableId).ResourcePolicy.PolicyDocument;
const tokenKeyId = f.id(pipeline.node.findChild('TaskTokenKey'));
const tokenKey = t.arn(tokenKeyId);
const keyPolicy = t.props(tokenKeyId).KeyPolicy;
const DECISION_TABLE_TAG = { 'aws:ResourceTag/model-access:component': 'decision-table' };
const WRITE_ANY_TABLE = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['dynamodb:UpdateItem', 'dynamodb:PutItem'], Resource: '*' }],
};
const ADMINISTRATOR_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

const functionRoleId = (name: string) =>
  (f.json.Resources[f.id(pipeline.node.findChild(name))].Properties.Role as Json)['Fn::GetAtt'][0];

function as(
  roleId: string,
  action: string,
  resource: string,
  layers: { resourcePolicy?: Json; boundary?: boolean; extra?: Json[]; context?: Json },
) {
  return simulate({
    principal: t.arn(roleId),
    action,
    resource,
    identityPolicies: [...identityPoliciesOf(t, roleId), ...(layers.extra ?? [])],
    resourcePolicy: layers.resourcePolicy,
    permissionBoundary: layers.boundary === false ? undefined : boundaryOf(t, roleId),
    context: { ...DECISION_TABLE_TAG, ...layers.context },
  });
}

describe("the decision table's records are the gate's alone", () => {
  const inference = f.id(f.control.inferenceRole!);

  test('an inference role granted UpdateItem on every table for its own app writes no approval: the table policy alone denies it', async () => {
    expect(
      await as(inference, 'dynamodb:UpdateItem', table, {
        resourcePolicy: tablePolicy,
        boundary: false,
        extra: [WRITE_ANY_TABLE],
      }),
    ).toBe('ExplicitlyDenied');
  });

  test('... and its boundary alone denies it too', async () => {
    expect(await as(inference, 'dynamodb:UpdateItem', table, { extra: [WRITE_ANY_TABLE] })).toBe(
      'ExplicitlyDenied',
    );
    expect(await as(inference, 'dynamodb:PutItem', table, { extra: [WRITE_ANY_TABLE] })).toBe(
      'ExplicitlyDenied',
    );
  });

  test('the approval function, the request function and the state machine still write their records', async () => {
    for (const writer of [
      functionRoleId('ApprovalHandler'),
      functionRoleId('RequestHandler'),
      functionRoleId('ApprovalGate'),
    ]) {
      expect(await as(writer, 'dynamodb:UpdateItem', table, { resourcePolicy: tablePolicy })).toBe('Allowed');
    }
    const machineRole = (f.json.Resources[f.id(pipeline.stateMachine)].Properties.RoleArn as Json)[
      'Fn::GetAtt'
    ][0];
    expect(await as(machineRole, 'dynamodb:UpdateItem', table, { resourcePolicy: tablePolicy })).toBe(
      'Allowed',
    );
  });

  test('an administrator of the account writes no record either', async () => {
    const approvers = f.id(f.control.approverRole!);
    expect(
      await as(approvers, 'dynamodb:UpdateItem', table, {
        resourcePolicy: tablePolicy,
        boundary: false,
        extra: [ADMINISTRATOR_ACCESS],
      }),
    ).toBe('ExplicitlyDenied');
  });
});

describe("capability roles' boundaries keep them from the gate's machinery, whatever is attached later", () => {
  const fnArn = (name: string) => t.arn(f.id(pipeline.node.findChild(name)));
  const cases: [string, string, Json][] = [
    [
      'lambda:UpdateFunctionCode',
      fnArn('ApprovalHandler'),
      { 'aws:ResourceTag/model-access:component': 'approval-endpoint' },
    ],
    [
      'lambda:UpdateFunctionConfiguration',
      fnArn('ApprovalGate'),
      { 'aws:ResourceTag/model-access:component': 'pipeline-function' },
    ],
    [
      'lambda:InvokeFunction',
      fnArn('RequestHandler'),
      { 'aws:ResourceTag/model-access:component': 'request-endpoint' },
    ],
    [
      'states:UpdateStateMachine',
      t.arn(f.id(pipeline.stateMachine)),
      { 'aws:ResourceTag/model-access:component': 'customization-pipeline' },
    ],
    ['dynamodb:PutResourcePolicy', table, DECISION_TABLE_TAG],
    [
      's3:PutObject',
      `${t.arn(f.id(f.control.registry.metadataBucket))}/provenance/forged.json`,
      { 'aws:ResourceTag/model-access:data-class': 'metadata' },
    ],
  ];
  test.each(cases)(
    '%s on %s is denied to the inference and read roles, AdministratorAccess attached',
    async (action, resource, context) => {
      for (const role of [f.control.inferenceRole!, f.control.readRole!]) {
        const request = (layer: { identityPolicies: Json[]; permissionBoundary?: Json }) =>
          simulate({
            principal: t.arn(f.id(role)),
            action,
            resource,
            context,
            s3Abac: action.startsWith('s3:'),
            ...layer,
          });
        // The boundary alone: its explicit deny, or its ceiling where its allow does not reach.
        expect(
          await request({
            identityPolicies: [ADMINISTRATOR_ACCESS],
            permissionBoundary: boundaryOf(t, f.id(role)),
          }),
        ).not.toBe('Allowed');
        // The role's own policy alone denies it explicitly.
        expect(
          await request({ identityPolicies: [ADMINISTRATOR_ACCESS, ...identityPoliciesOf(t, f.id(role))] }),
        ).toBe('ExplicitlyDenied');
      }
    },
  );
});

test("a capability role's guard leaves a function URL's invocation alone: people granted a URL still reach it", async () => {
  const role = f.id(f.control.inferenceRole!);
  const request = (context: Json) =>
    simulate({
      principal: t.arn(role),
      action: 'lambda:InvokeFunction',
      resource: t.arn(f.id(pipeline.node.findChild('RequestHandler'))),
      identityPolicies: [ADMINISTRATOR_ACCESS, ...identityPoliciesOf(t, role)],
      context: { 'aws:ResourceTag/model-access:component': 'request-endpoint', ...context },
    });
  expect(await request({ 'lambda:InvokedViaFunctionUrl': 'true' })).toBe('Allowed');
  expect(await request({ 'lambda:InvokedViaFunctionUrl': 'false' })).toBe('ExplicitlyDenied');
});

describe('task tokens are opened by the approval function alone', () => {
  test('the approval function may decrypt a sealed token; the gate function only seals', async () => {
    const approval = functionRoleId('ApprovalHandler');
    const gate = functionRoleId('ApprovalGate');
    expect(await as(approval, 'kms:Decrypt', tokenKey, { resourcePolicy: keyPolicy })).toBe('Allowed');
    expect(await as(gate, 'kms:Encrypt', tokenKey, { resourcePolicy: keyPolicy })).toBe('Allowed');
    expect(await as(gate, 'kms:Decrypt', tokenKey, { resourcePolicy: keyPolicy })).not.toBe('Allowed');
  });

  test('a table reader with AdministratorAccess cannot decrypt one: the key policy lets no identity policy grant it', async () => {
    for (const who of [f.id(f.control.approverRole!), functionRoleId('RequestHandler')]) {
      for (const action of ['kms:Decrypt', 'kms:CreateGrant', 'kms:ReEncryptFrom']) {
        expect(
          await as(who, action, tokenKey, {
            resourcePolicy: keyPolicy,
            boundary: false,
            extra: [ADMINISTRATOR_ACCESS],
          }),
        ).not.toBe('Allowed');
      }
    }
  });
});
