import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ModelRegistry } from 'cdk-model-access';

export function buildApp(app = new App()): App {
  const stack = new Stack(app, 'ModelRegistryExample');

  const registry = new ModelRegistry(stack, 'Registry', {
    metadataObjectLockRetention: s3.ObjectLockRetention.governance(Duration.days(365)),
  });

  // A data engineer uploads datasets; an evaluation job reads weights; a dashboard reads metadata.
  const dataEngineer = new iam.Role(stack, 'DataEngineer', { assumedBy: new iam.AccountRootPrincipal() });
  const evaluator = new iam.Role(stack, 'Evaluator', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  const dashboard = new iam.Role(stack, 'Dashboard', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  registry.grantWriteTrainingData(dataEngineer);
  registry.grantReadWeights(evaluator);
  registry.grantReadMetadata(dashboard);
  return app;
}

if (require.main === module) buildApp().synth();
