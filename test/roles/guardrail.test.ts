import { App, Stack } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Template } from 'aws-cdk-lib/assertions';
import {
  AccessAnalysis,
  Capability,
  catalogActions,
  ModelAccessControl,
  ModelAccessControlProps,
  ModelInferenceRole,
  ModelTarget,
} from '../../lib';
import { GUARDED_INVOCATIONS, GUARDRAIL_KEY } from '../../lib/capabilities/private/guardrails';
import { actionConditionKeys } from '../../lib/capabilities/private/iam-data';
import { ACCOUNT } from '../support/template';
import { ARN, buildFixture, targets } from './fixture';

const GUARDRAIL = `arn:aws:bedrock:us-east-1:${ACCOUNT}:guardrail/gr0abc123def`;
const ADMINISTRATOR_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};
const applying = (identifier: string) => ({ context: { 'bedrock:GuardrailIdentifier': identifier } });

const f = buildFixture((stack) => ({
  guarded: new ModelInferenceRole(stack, 'Guarded', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    targets: [targets.fm],
    guardrail: { guardrailArn: GUARDRAIL, version: '3' },
  }),
  plain: new ModelInferenceRole(stack, 'Plain', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    targets: [targets.fm],
  }),
}));

describe('an inference role that must apply a guardrail', () => {
  test.each(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'])(
    '%s is allowed with the guardrail at its version, and denied without it or with another',
    async (action) => {
      expect(await f.can('guarded', action, ARN.fm, applying(`${GUARDRAIL}:3`))).toBe('Allowed');
      expect(await f.can('guarded', action, ARN.fm)).toBe('ExplicitlyDenied');
      expect(await f.can('guarded', action, ARN.fm, applying(`${GUARDRAIL}:2`))).toBe('ExplicitlyDenied');
      expect(await f.can('guarded', action, ARN.fm, applying(`${GUARDRAIL}:DRAFT`))).toBe('ExplicitlyDenied');
      // A role without the requirement invokes without a guardrail.
      expect(await f.can('plain', action, ARN.fm)).toBe('Allowed');
    },
  );

  test('with AdministratorAccess attached, it still invokes nothing without the guardrail, nor through calls that name none', async () => {
    const admin = { extraPolicies: [ADMINISTRATOR_ACCESS] };
    expect(await f.can('guarded', 'bedrock:InvokeModel', ARN.fm, admin)).not.toBe('Allowed');
    for (const action of [
      'bedrock:InvokeAgent',
      'bedrock:RetrieveAndGenerate',
      'bedrock:CreateModelInvocationJob',
      'bedrock-mantle:CreateInference',
      'aws-external-anthropic:CreateInference',
    ]) {
      expect(await f.can('guarded', action, '*', { ...admin, ...applying(`${GUARDRAIL}:3`) })).not.toBe(
        'Allowed',
      );
    }
  });

  test('may apply its guardrail, through its policy and its boundary', async () => {
    expect(await f.can('guarded', 'bedrock:ApplyGuardrail', GUARDRAIL)).toBe('Allowed');
    expect(await f.can('plain', 'bedrock:ApplyGuardrail', GUARDRAIL)).not.toBe('Allowed');
  });
});

describe('the guardrail given', () => {
  const role = (guardrailArn: string, version: string) => () =>
    new ModelInferenceRole(new Stack(new App(), 'S'), 'R', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      targets: [targets.fm],
      guardrail: { guardrailArn, version },
    });

  test('a draft is refused, saying why', () => {
    expect(role(GUARDRAIL, 'DRAFT')).toThrow(
      /^ModelInferenceRole 'R': guardrail.version 'DRAFT' is not a published version \(1, 2...\): a draft changes whenever someone edits the guardrail; publish one/,
    );
  });

  test('an ARN that is no guardrail is refused', () => {
    expect(role('gr0abc123def', '1')).toThrow(
      /^ModelInferenceRole 'R': guardrail.guardrailArn 'gr0abc123def' is not a Bedrock guardrail ARN/,
    );
  });

  test('a guardrail and version of the same app are taken as deploy-time values, the condition joining them', () => {
    const stack = new Stack(new App(), 'S');
    const guardrail = new bedrock.CfnGuardrail(stack, 'G', {
      name: 'g',
      blockedInputMessaging: 'no',
      blockedOutputsMessaging: 'no',
      contentPolicyConfig: {
        filtersConfig: [{ type: 'HATE', inputStrength: 'HIGH', outputStrength: 'HIGH' }],
      },
    });
    const version = new bedrock.CfnGuardrailVersion(stack, 'V', {
      guardrailIdentifier: guardrail.attrGuardrailId,
    });
    const r = new ModelInferenceRole(stack, 'R', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      targets: [targets.fm],
      guardrail: { guardrailArn: guardrail.attrGuardrailArn, version: version.attrVersion },
    });
    const guard = JSON.stringify(stack.resolve((r.node.defaultChild as iam.CfnRole).policies));
    expect(guard).toContain(
      '"bedrock:GuardrailIdentifier":{"Fn::Join":["",[{"Fn::GetAtt":["G","GuardrailArn"]},":",{"Fn::GetAtt":["V","Version"]}]]}',
    );
  });

  test('ModelAccessControl refuses a guardrail without invokers', () => {
    expect(
      () =>
        new ModelAccessControl(new Stack(new App(), 'S'), 'C', {
          models: [targets.fm],
          readers: new iam.AccountRootPrincipal(),
          guardrail: { guardrailArn: GUARDRAIL, version: '1' },
        }),
    ).toThrow(/^ModelAccessControl: guardrail is for the invokers' role, and there are no invokers/);
  });
});

test("the invocations a guardrail condition reaches are those of Bedrock's inference calls that take bedrock:GuardrailIdentifier, per the Service Authorization Reference", () => {
  const bedrock = catalogActions(Capability.INFERENCE).filter((a) =>
    ['bedrock', 'bedrock-mantle', 'aws-external-anthropic'].includes(a.split(':')[0]),
  );
  expect(bedrock.filter((a) => actionConditionKeys(a).includes(GUARDRAIL_KEY)).sort()).toEqual(
    [...GUARDED_INVOCATIONS].sort(),
  );
});

describe('the guardrail enforced on the account (ModelAccessControl enforceGuardrailOnAccount)', () => {
  const platform = (props: Partial<ModelAccessControlProps>) => {
    const stack = new Stack(new App(), 'Platform');
    return {
      stack,
      control: new ModelAccessControl(stack, 'Control', {
        models: [ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1')],
        invokers: new iam.ServicePrincipal('lambda.amazonaws.com'),
        ...props,
      }),
    };
  };
  const GUARDRAIL = {
    guardrailArn: 'arn:aws:bedrock:us-east-1:111111111111:guardrail/abc123def456',
    version: '3',
  };

  test("creates the account's enforced guardrail configuration, on every model, at that version", () => {
    const { stack } = platform({ guardrail: GUARDRAIL, enforceGuardrailOnAccount: true });
    const enforced = Template.fromStack(stack).findResources('AWS::Bedrock::EnforcedGuardrailConfiguration');
    expect(Object.values(enforced).map((r) => r.Properties)).toEqual([
      { GuardrailIdentifier: GUARDRAIL.guardrailArn, GuardrailVersion: '3' },
    ]);
  });

  test('is refused without a guardrail, and absent by default', () => {
    expect(() => platform({ enforceGuardrailOnAccount: true })).toThrow(
      'ModelAccessControl: enforceGuardrailOnAccount enforces the guardrail given as guardrail, and there is none',
    );
    const { stack } = platform({ guardrail: GUARDRAIL });
    expect(Template.fromStack(stack).findResources('AWS::Bedrock::EnforcedGuardrailConfiguration')).toEqual(
      {},
    );
  });

  test('a hand-written invoker of an app that enforces a guardrail on every model draws no advisory', () => {
    const invoker = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: { Statement: [] },
        Policies: [
          {
            PolicyName: 'p',
            PolicyDocument: {
              Statement: [{ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: '*' }],
            },
          },
        ],
      },
    };
    const enforced = (extra: object = {}) => ({
      Type: 'AWS::Bedrock::EnforcedGuardrailConfiguration',
      Properties: { GuardrailIdentifier: GUARDRAIL.guardrailArn, GuardrailVersion: '3', ...extra },
    });
    const unguarded = (resources: object) =>
      AccessAnalysis.fromTemplate({ Resources: { R: invoker, ...resources } }).unguardedInvocations('R');
    expect(unguarded({})).toEqual(['bedrock:InvokeModel']);
    expect(unguarded({ E: enforced() })).toEqual([]);
    // Enforced on some models only: the others are not screened.
    expect(
      unguarded({
        E: enforced({
          ModelEnforcement: { IncludedModels: ['amazon.titan-text-express-v1'], ExcludedModels: [] },
        }),
      }),
    ).toEqual(['bedrock:InvokeModel']);
  });
});
