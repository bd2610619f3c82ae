import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  Capability,
  CapabilityBoundary,
  ModelAccessChecks,
  ModelCustomizationRole,
  ModelInferenceRole,
  ModelRegistry,
} from '../../lib';
import { BEARER_TOKEN_ACTIONS } from '../../lib/capabilities/private/api-keys';
import { buildFixture, targets } from './fixture';
import { Template } from 'aws-cdk-lib/assertions';
import { boundaryOf, simulate } from '../support/simulate';
import { ResolvedTemplate } from '../support/template';

const ADMINISTRATOR_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

describe('an inference role that allowBearerTokens', () => {
  const f = buildFixture((stack) => ({
    keyed: new ModelInferenceRole(stack, 'Keyed', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      targets: [targets.fm],
      allowBearerTokens: true,
    }),
    plain: new ModelInferenceRole(stack, 'Plain', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      targets: [targets.fm],
    }),
  }));

  test('may use API keys it signs, through its policy and its own boundary; a plain one may not', async () => {
    for (const action of BEARER_TOKEN_ACTIONS) {
      expect(await f.can('keyed', action, '*')).toBe('Allowed');
      expect(await f.can('plain', action, '*', { extraPolicies: [ADMINISTRATOR_ACCESS] })).toBe(
        'ExplicitlyDenied',
      );
    }
  });

  test('still customizes nothing and mints no long-lived key, even with AdministratorAccess', async () => {
    const admin = { extraPolicies: [ADMINISTRATOR_ACCESS] };
    expect(await f.can('keyed', 'bedrock:CreateModelCustomizationJob', '*', admin)).not.toBe('Allowed');
    expect(
      await f.can('keyed', 'iam:CreateServiceSpecificCredential', 'arn:aws:iam::123456789012:user/u', admin),
    ).not.toBe('Allowed');
  });

  test('has a boundary of its own, apart from the inference roles that may not', () => {
    const boundaries = Object.entries(f.template.resources)
      .filter(([id, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && /ModelAccessBoundary/.test(id))
      .map(([id]) => id);
    expect(boundaries).toHaveLength(2);
  });
});

describe('the pack on bearer tokens', () => {
  function findings(build: (stack: Stack) => void): string[] {
    const app = new App();
    const stack = new Stack(app, 'S');
    build(stack);
    const report = new ModelAccessChecks().validateScope(app);
    return report.violations.map((v) => v.ruleName).filter((r) => /BearerToken/.test(r));
  }

  test('an inference role allowed bearer tokens is acknowledged by the construct, with its reason', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    new ModelInferenceRole(stack, 'Keyed', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      targets: [targets.fm],
      allowBearerTokens: true,
    });
    Validations.of(app).addPlugins(new ModelAccessChecks(app));
    const acknowledged = JSON.stringify(app.synth().getStackByName('S').metadata);
    expect(acknowledged).toContain('ModelAccess::ModelAccess-BearerTokenCapability');
    expect(acknowledged).toContain('allowBearerTokens: inference by API key was asked for');
  });

  test('a hand-written role that invokes and may call with bearer tokens is a finding naming the actions', () => {
    expect(
      findings((stack) => {
        const role = new iam.Role(stack, 'Chat', {
          assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        });
        role.addToPolicy(
          new iam.PolicyStatement({
            actions: ['bedrock:InvokeModel', 'bedrock:CallWithBearerToken'],
            resources: ['*'],
          }),
        );
      }),
    ).toEqual(['ModelAccess-BearerTokenCapability[bedrock:CallWithBearerToken]']);
  });

  test('bearer tokens without a model capability, or denied, are no finding', () => {
    expect(
      findings((stack) => {
        const logs = new iam.Role(stack, 'Logs', {
          assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        });
        logs.addToPolicy(
          new iam.PolicyStatement({ actions: ['bedrock:CallWithBearerToken'], resources: ['*'] }),
        );
        const denied = new iam.Role(stack, 'Denied', {
          assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        });
        denied.addToPolicy(
          new iam.PolicyStatement({
            actions: ['bedrock:InvokeModel', 'bedrock:CallWithBearerToken'],
            resources: ['*'],
          }),
        );
        denied.addToPolicy(
          new iam.PolicyStatement({
            effect: iam.Effect.DENY,
            actions: ['bedrock:CallWith*'],
            resources: ['*'],
          }),
        );
      }),
    ).toEqual([]);
  });

  test("AWS's API-key user policy (AmazonBedrockLimitedAccess) is a finding on the user it is attached to", () => {
    expect(
      findings((stack) => {
        new iam.User(stack, 'BedrockAPIKey', {
          managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonBedrockLimitedAccess')],
        });
      }),
    ).toEqual([
      'ModelAccess-BearerTokenCapability[bedrock:CallWithBearerToken+bedrock-mantle:CallWithBearerToken]',
    ]);
  });
});

describe('minting API keys is taking over an identity', () => {
  function violations(build: (stack: Stack) => void): string[] {
    const app = new App();
    build(new Stack(app, 'S'));
    return new ModelAccessChecks().validateScope(app).violations.map((v) => v.ruleName);
  }

  test('a role that invokes and may mint a service-specific credential for any user holds privilege administration', () => {
    const found = violations((stack) => {
      const role = new iam.Role(stack, 'Chat', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      });
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['bedrock:InvokeModel', 'iam:ResetServiceSpecificCredential'],
          resources: ['*'],
        }),
      );
    });
    expect(found).toContain('ModelAccess-PrivilegeAdminMerge[inference+privilege-admin]');
  });

  test('a role that invokes and may loosen a guardrail, or its enforcement, holds privilege administration', () => {
    for (const action of ['bedrock:UpdateGuardrail', 'bedrock:DeleteEnforcedGuardrailConfiguration']) {
      const found = violations((stack) => {
        const role = new iam.Role(stack, 'Chat', {
          assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        });
        role.addToPolicy(
          new iam.PolicyStatement({ actions: ['bedrock:InvokeModel', action], resources: ['*'] }),
        );
      });
      expect(found).toContain('ModelAccess-PrivilegeAdminMerge[inference+privilege-admin]');
    }
  });

  test('a user that invokes and may mint its own API key holds long-lived credentials', () => {
    const found = violations((stack) => {
      const user = new iam.User(stack, 'Analyst');
      user.addToPolicy(new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: ['*'] }));
      user.addToPolicy(
        new iam.PolicyStatement({
          actions: ['iam:CreateServiceSpecificCredential'],
          resources: ['arn:aws:iam::*:user/${aws:username}'],
        }),
      );
    });
    expect(found).toContain('ModelAccess-LongLivedCredentials[may-create-service-specific-credential]');
  });
});

test('only inference roles may be allowed bearer tokens', async () => {
  const stack = new Stack(new App(), 'S');
  expect(() => CapabilityBoundary.of(stack, Capability.CUSTOMIZATION, { allowBearerTokens: true })).toThrow(
    /^CapabilityBoundary\.of: allowBearerTokens is for inference roles only, not customization/,
  );
  // A customization role has no such prop; its boundary alone keeps bearer tokens out.
  const role = new ModelCustomizationRole(stack, 'Tuner', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    targets: [targets.fm],
    registry: new ModelRegistry(stack, 'Registry'),
  });
  const t = new ResolvedTemplate(Template.fromStack(stack).toJSON());
  const id = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
  for (const action of BEARER_TOKEN_ACTIONS) {
    const decision = await simulate({
      principal: t.arn(id),
      action,
      resource: '*',
      identityPolicies: [
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
      ],
      permissionBoundary: boundaryOf(t, id),
    });
    expect([action, decision]).toEqual([action, expect.stringMatching(/Denied$/)]);
  }
});
