import { DataClass, TAG_DATA_CLASS } from '../../lib';
import { boundaryOf, bucketPolicyOf, Decision, identityPoliciesOf, simulate } from '../support/simulate';
import { buildFixture, threeRoles } from './fixture';

/**
 * Two layers keep read and inference roles off the weights and the training data, each enough by
 * itself: the registry's bucket policies and the roles' boundaries (with their inline guard).
 * AdministratorAccess is attached, and the key policy is left out, as if it allowed everything.
 */
const f = buildFixture(threeRoles);
const t = f.template;
const ADMINISTRATOR_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};
const bucketId = (dataClass: string) =>
  t
    .ofType('AWS::S3::Bucket')
    .find((id) => (t.props(id).Tags ?? []).some((tag: { Value: string }) => tag.Value === dataClass))!;
const roleId = (name: string) => f.stack.getLogicalId(f.roles[name].node.defaultChild as never);

type Layer = 'bucket policy alone' | 'boundary alone' | 'guard alone' | 'all layers';
function request(role: string, action: string, dataClass: string, layer: Layer): Promise<Decision> {
  const id = roleId(role);
  const bucket = bucketId(dataClass);
  // Resolved documents are new objects on each call: compare them by content.
  const guard = (t.props(id).Policies ?? []).map((p: { PolicyDocument: unknown }) =>
    JSON.stringify(p.PolicyDocument),
  );
  const own = identityPoliciesOf(t, id);
  const withoutGuard = own.filter((p) => !guard.includes(JSON.stringify(p)));
  expect(withoutGuard.length).toBe(own.length - guard.length);
  return simulate({
    principal: t.arn(id),
    action,
    resource: `${t.arn(bucket)}/models/m1/weights.safetensors`,
    context: {
      [`aws:ResourceTag/${TAG_DATA_CLASS}`]: dataClass,
      'aws:CurrentTime': '2026-06-01T00:00:00Z',
      'aws:MultiFactorAuthPresent': 'true',
    },
    identityPolicies: [
      ADMINISTRATOR_ACCESS,
      ...(layer === 'guard alone' || layer === 'all layers' ? own : withoutGuard),
    ],
    permissionBoundary: layer === 'boundary alone' || layer === 'all layers' ? boundaryOf(t, id) : undefined,
    resourcePolicy:
      layer === 'bucket policy alone' || layer === 'all layers' ? bucketPolicyOf(t, bucket) : undefined,
    s3Abac: true,
  });
}

const LAYERS: Layer[] = ['bucket policy alone', 'boundary alone', 'guard alone', 'all layers'];
const ACTIONS = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:PutObject',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
];

describe.each(LAYERS)('with AdministratorAccess, no key policy, %s', (layer) => {
  test.each(['reader', 'invoker'])(
    'the %s role can neither read, write nor delete weights or training data',
    async (role) => {
      for (const dataClass of [DataClass.MODEL_ARTIFACTS, DataClass.TRAINING_DATA]) {
        for (const action of ACTIONS) {
          // A boundary denies by leaving out (a ceiling) what its allow does not reach, and by an
          // explicit deny what it does (reads and writes of objects).
          const decision = await request(role, action, dataClass, layer);
          expect([dataClass, action, decision === 'Allowed' ? 'Allowed' : 'denied']).toEqual([
            dataClass,
            action,
            'denied',
          ]);
        }
      }
    },
  );
});

test('without any of the layers, AdministratorAccess would allow it: the layers are what deny', async () => {
  const id = roleId('invoker');
  const bucket = bucketId(DataClass.MODEL_ARTIFACTS);
  expect(
    await simulate({
      principal: t.arn(id),
      action: 's3:PutObject',
      resource: `${t.arn(bucket)}/models/m1/weights.safetensors`,
      identityPolicies: [ADMINISTRATOR_ACCESS],
    }),
  ).toBe('Allowed');
});
