import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ModelAccessChecks } from 'cdk-model-access';

/**
 * A deliberately merged design: one hand-written role serves a chat application (inference) and
 * also fine-tunes the model it serves (customization). ModelAccessChecks fails its synth.
 */
export function buildApp(app = new App()): App {
  Validations.of(app).addPlugins(new ModelAccessChecks(app));
  const stack = new Stack(app, 'MergedIdentityExample');

  const chatBackend = new iam.Role(stack, 'ChatBackend', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  chatBackend.addToPolicy(
    new iam.PolicyStatement({
      actions: ['bedrock:InvokeModel', 'bedrock:CreateModelCustomizationJob'],
      resources: ['*'],
    }),
  );
  return app;
}

if (require.main === module) buildApp().synth();
