import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ModelAccessChecks, ModelAccessControl, ModelTarget } from 'cdk-model-access';

/**
 * An account in an AWS Organization: the registry uses the platform team's existing KMS key, the
 * organization trail already records this account, and people come in through IAM Identity
 * Center roles. The construct creates no key of its own for the registry and no trail; it keeps
 * the alerts.
 */
export function buildApp(app = new App()): App {
  Validations.of(app).addPlugins(new ModelAccessChecks(app));
  const stack = new Stack(app, 'BringYourOwnExample');

  // The key's own policy must let only S3 decrypt for granted roles: the registry cannot edit it.
  const platformKey = kms.Key.fromKeyArn(
    stack,
    'PlatformKey',
    'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  );
  // Identity Center sets the session name to the user's name itself.
  const permissionSet = (name: string) =>
    new iam.ArnPrincipal(
      `arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_${name}_0123456789abcdef`,
    );
  const claude = ModelTarget.bedrockFoundationModel('anthropic.claude-3-haiku-20240307-v1:0');

  new ModelAccessControl(stack, 'ModelAccess', {
    models: [claude],
    readers: permissionSet('MlAnalyst'),
    invokers: new iam.ServicePrincipal('lambda.amazonaws.com'),
    // The organization's guardrail, published by the platform team: every invocation applies it.
    guardrail: {
      guardrailArn: 'arn:aws:bedrock:us-east-1:111122223333:guardrail/ab12cd34ef56',
      version: '3',
    },
    customizationRequesters: permissionSet('MlEngineer'),
    approvers: permissionSet('MlLead'),
    baseModels: [ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1')],
    // Identity Center asks for MFA at sign-in; its role sessions carry no aws:MultiFactorAuthPresent.
    conditions: { requireMfa: false },
    registry: { encryptionKey: platformKey },
    auditTrail: {
      organizationTrailArn: 'arn:aws:cloudtrail:us-east-1:999988887777:trail/organization-trail',
    },
  });
  return app;
}

if (require.main === module) buildApp().synth();
