import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ModelAccessChecks, ModelAccessControl, ModelTarget } from 'cdk-model-access';

/**
 * Inference only: a service calls two SageMaker endpoints, and nothing else. The registry keeps
 * the endpoints' weights and model cards; the audit trail records every invocation of the two
 * endpoints (data events for them alone) and alerts on any customization, since no pipeline may.
 */
export function buildApp(app = new App()): App {
  Validations.of(app).addPlugins(new ModelAccessChecks(app));
  const stack = new Stack(app, 'SageMakerEndpointExample');

  const control = new ModelAccessControl(stack, 'ModelAccess', {
    models: [
      ModelTarget.sagemakerEndpoint('fraud-detector'),
      ModelTarget.sagemakerEndpoint('churn-predictor'),
    ],
    invokers: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    inferenceConditions: { sourceVpcEndpoints: ['vpce-0f1e2d3c4b5a69788'] },
  });

  // The team that publishes the endpoints uploads their model cards.
  const publishers = new iam.Role(stack, 'ModelPublishers', {
    assumedBy: new iam.AccountRootPrincipal().withConditions({
      StringEquals: { 'aws:PrincipalTag/job': 'ml-platform' },
    }),
  });
  control.registry.grantWriteMetadata(publishers);
  control.auditTrail.watchRole(publishers);
  // A hand-written role keeps its grants in an inline policy: say why, where the finding is raised.
  for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
    Validations.of(publishers).acknowledge({
      id: `${pack}::${pack}-IAMNoInlinePolicy`,
      reason:
        'The publishers role holds one grant, writing model cards to the registry metadata bucket; inline, it can be attached to no one else.',
    });
  }
  return app;
}

if (require.main === module) buildApp().synth();
