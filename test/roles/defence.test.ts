import { TAG_DATA_CLASS } from '../../lib';
import { BEARER_TOKEN_ACTIONS, SERVICE_CREDENTIAL_ACTIONS } from '../../lib/capabilities/private/api-keys';
import { ACCOUNT } from '../support/template';
import { ARN, buildFixture, RequestOptions, threeRoles } from './fixture';

const f = buildFixture(threeRoles);
const ADMINISTRATOR_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};
const invokerArn = () => f.template.arn(f.stack.getLogicalId(f.roles.invoker.node.defaultChild as never));
const WEIGHTS = `arn:aws:s3:::some-registry-artifacts/models/m1/weights.safetensors`;
const weightsTag = (dataClass: string) => ({ [`aws:ResourceTag/${TAG_DATA_CLASS}`]: dataClass });

// Each protection must hold by itself: with both layers, with the boundary alone, with the guard alone.
const layers: [string, RequestOptions][] = [
  ['boundary and own policy', {}],
  ['boundary alone', { withoutGuard: true }],
  ['own policy alone', { withoutBoundary: true }],
];

describe.each(layers)('an inference role with AdministratorAccess attached later (%s)', (_name, layer) => {
  const admin: RequestOptions = { ...layer, extraPolicies: [ADMINISTRATOR_ACCESS] };

  test('still cannot start a customization job', async () => {
    expect(await f.can('invoker', 'bedrock:CreateModelCustomizationJob', ARN.fm, admin)).not.toBe('Allowed');
    expect(
      await f.can(
        'invoker',
        'sagemaker:CreateTrainingJob',
        `arn:aws:sagemaker:us-east-1:${ACCOUNT}:training-job/t1`,
        admin,
      ),
    ).not.toBe('Allowed');
  });

  test('still cannot read weights or training data', async () => {
    for (const dataClass of ['model-artifacts', 'training-data']) {
      expect(
        await f.can('invoker', 's3:GetObject', WEIGHTS, {
          ...admin,
          s3Abac: true,
          context: weightsTag(dataClass),
        }),
      ).not.toBe('Allowed');
    }
    expect(await f.can('invoker', 'bedrock:CreateModelCopyJob', ARN.custom, admin)).not.toBe('Allowed');
  });

  test('still cannot read inference logs, nor can the other capability roles', async () => {
    const log = `arn:aws:s3:::some-inference-logs/bedrock/AWSLogs/${ACCOUNT}/BedrockModelInvocationLogs/log.json.gz`;
    const group = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:invocations`;
    for (const role of Object.keys(f.roles)) {
      expect(
        await f.can(role, 's3:GetObject', log, {
          ...admin,
          s3Abac: true,
          context: weightsTag('inference-logs'),
        }),
      ).not.toBe('Allowed');
      // Delivered to CloudWatch Logs too: the log group is known by the same tag.
      for (const action of ['logs:FilterLogEvents', 'logs:StartQuery']) {
        expect(
          await f.can(role, action, group, { ...admin, context: weightsTag('inference-logs') }),
        ).not.toBe('Allowed');
      }
    }
  });

  test('still cannot use bearer tokens (API keys), nor mint a service-specific credential, nor can the other capability roles', async () => {
    const user = `arn:aws:iam::${ACCOUNT}:user/BedrockAPIKey-abcd`;
    for (const role of Object.keys(f.roles)) {
      for (const action of BEARER_TOKEN_ACTIONS) {
        expect(await f.can(role, action, '*', admin)).not.toBe('Allowed');
      }
      for (const action of SERVICE_CREDENTIAL_ACTIONS) {
        expect(await f.can(role, action, user, admin)).not.toBe('Allowed');
      }
    }
  });

  test('still cannot change its own boundary or policies', async () => {
    for (const action of [
      'iam:DeleteRolePermissionsBoundary',
      'iam:PutRolePermissionsBoundary',
      'iam:PutRolePolicy',
      'iam:AttachRolePolicy',
    ]) {
      expect(await f.can('invoker', action, invokerArn(), admin)).not.toBe('Allowed');
    }
  });

  test('still cannot pass a role or change a registry bucket policy', async () => {
    expect(await f.can('invoker', 'iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/anything`, admin)).not.toBe(
      'Allowed',
    );
    expect(
      await f.can('invoker', 's3:PutBucketPolicy', 'arn:aws:s3:::some-registry-artifacts', admin),
    ).not.toBe('Allowed');
  });
});

describe('the boundary keeps the role a workload, not an administrator', () => {
  const admin: RequestOptions = { extraPolicies: [ADMINISTRATOR_ACCESS] };

  test('with AdministratorAccess it still cannot assume another role', async () => {
    expect(await f.can('invoker', 'sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/Admin`, admin)).not.toBe(
      'Allowed',
    );
  });

  test('with AdministratorAccess it still cannot run commands on instances', async () => {
    expect(
      await f.can(
        'invoker',
        'ssm:SendCommand',
        `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`,
        admin,
      ),
    ).not.toBe('Allowed');
  });

  test('with AdministratorAccess it can still do its work: invoke, log, read an ordinary bucket', async () => {
    expect(await f.can('invoker', 'bedrock:InvokeModel', ARN.fm, admin)).toBe('Allowed');
    expect(
      await f.can(
        'invoker',
        'logs:PutLogEvents',
        `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:g:log-stream:s`,
        admin,
      ),
    ).toBe('Allowed');
    expect(await f.can('invoker', 's3:GetObject', 'arn:aws:s3:::prompts/p1.txt', admin)).toBe('Allowed');
  });

  test('with AdministratorAccess a read role still cannot read weights, but can read ordinary objects', async () => {
    const options = { ...admin, s3Abac: true };
    expect(
      await f.can('reader', 's3:GetObject', WEIGHTS, { ...options, context: weightsTag('model-artifacts') }),
    ).toBe('ExplicitlyDenied');
    expect(
      await f.can('reader', 's3:GetObject', WEIGHTS, { ...options, context: weightsTag('metadata') }),
    ).toBe('Allowed');
  });

  test('a customization role may pass a role only to Bedrock or SageMaker', async () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/BedrockServiceRole`;
    const options = { extraPolicies: [ADMINISTRATOR_ACCESS] };
    expect(
      await f.can('tuner', 'iam:PassRole', role, {
        ...options,
        context: { 'iam:PassedToService': 'bedrock.amazonaws.com' },
      }),
    ).toBe('Allowed');
    expect(
      await f.can('tuner', 'iam:PassRole', role, {
        ...options,
        context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
      }),
    ).not.toBe('Allowed');
  });

  test('a customization role cannot copy or share a model out, even with AdministratorAccess', async () => {
    const options = { extraPolicies: [ADMINISTRATOR_ACCESS] };
    expect(await f.can('tuner', 'bedrock:CreateModelCopyJob', ARN.custom, options)).not.toBe('Allowed');
    expect(await f.can('tuner', 'bedrock:PutResourcePolicy', ARN.custom, options)).not.toBe('Allowed');
  });

  test('a customization role reads training data but not weights, even with AdministratorAccess', async () => {
    const options = { extraPolicies: [ADMINISTRATOR_ACCESS], s3Abac: true };
    expect(
      await f.can('tuner', 's3:GetObject', WEIGHTS, { ...options, context: weightsTag('training-data') }),
    ).toBe('Allowed');
    expect(
      await f.can('tuner', 's3:GetObject', WEIGHTS, { ...options, context: weightsTag('model-artifacts') }),
    ).toBe('ExplicitlyDenied');
  });

  test('a customization role cannot read metadata or job status (READ would merge with its training data)', async () => {
    const options = { extraPolicies: [ADMINISTRATOR_ACCESS] };
    expect(
      await f.can('tuner', 's3:GetObject', WEIGHTS, {
        ...options,
        s3Abac: true,
        context: weightsTag('metadata'),
      }),
    ).toBe('ExplicitlyDenied');
    expect(
      await f.can(
        'tuner',
        'bedrock:GetModelCustomizationJob',
        `arn:aws:bedrock:us-east-1:${ACCOUNT}:model-customization-job/j1`,
        options,
      ),
    ).not.toBe('Allowed');
  });

  test('a customization role cannot invoke models or approve, even with AdministratorAccess', async () => {
    const options = { extraPolicies: [ADMINISTRATOR_ACCESS] };
    expect(await f.can('tuner', 'bedrock:InvokeModel', ARN.fm, options)).not.toBe('Allowed');
    expect(
      await f.can(
        'tuner',
        'sagemaker:UpdateModelPackage',
        `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model-package/group/1`,
        options,
      ),
    ).not.toBe('Allowed');
  });
});
