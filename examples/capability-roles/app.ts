import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  ModelCustomizationRole,
  ModelInferenceRole,
  ModelReadRole,
  ModelRegistry,
  ModelTarget,
} from 'cdk-model-access';

export function buildApp(app = new App()): App {
  const stack = new Stack(app, 'CapabilityRolesExample');
  const registry = new ModelRegistry(stack, 'Registry');
  const claude = ModelTarget.bedrockFoundationModel('anthropic.claude-3-haiku-20240307-v1:0');
  const titan = ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1');

  // People in this account assume the roles; their `job` principal tag tells them apart.
  const people = (job: string) =>
    new iam.AccountRootPrincipal().withConditions({ StringEquals: { 'aws:PrincipalTag/job': job } });

  new ModelReadRole(stack, 'Analysts', {
    assumedBy: people('analyst'),
    targets: [claude, titan],
    registry,
    conditions: { requireMfa: true },
  });

  // A chat service on Lambda calls the model, only through its VPC endpoint, until the pilot ends.
  new ModelInferenceRole(stack, 'ChatService', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    targets: [claude],
    conditions: {
      sourceVpcEndpoints: ['vpce-0a1b2c3d4e5f60718'],
      notAfter: new Date('2027-06-30T23:59:59Z'),
    },
  });

  new ModelCustomizationRole(stack, 'MlEngineers', {
    assumedBy: people('ml-engineer'),
    targets: [titan],
    registry,
    conditions: { requireMfa: true },
  });
  return app;
}

if (require.main === module) buildApp().synth();
