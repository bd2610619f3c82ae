import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ModelRegistry, ModelRegistryProps } from '../../lib';
import { ResolvedTemplate } from '../support/template';

/** A registry with one role per kind of grant, and an admin the registry never granted anything. */
export function registryFixture(props: ModelRegistryProps = {}) {
  const app = new App();
  const stack = new Stack(app, 'Test');
  const registry = new ModelRegistry(stack, 'Registry', props);
  const role = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
  const metadataReader = role('MetadataReader');
  const weightsReader = role('WeightsReader');
  const trainingReader = role('TrainingReader');
  const artifactWriter = role('ArtifactWriter');
  const admin = role('Admin');
  admin.addToPolicy(new iam.PolicyStatement({ actions: ['s3:*', 'kms:*'], resources: ['*'] }));
  registry.grantReadMetadata(metadataReader);
  registry.grantReadWeights(weightsReader);
  registry.grantReadTrainingData(trainingReader);
  registry.grantWriteArtifacts(artifactWriter);
  const template = new ResolvedTemplate(Template.fromStack(stack).toJSON());
  const id = (c: { node: { defaultChild?: unknown } } | iam.Role) =>
    stack.getLogicalId((c as iam.Role).node.defaultChild as never);
  return {
    app,
    stack,
    registry,
    template,
    ids: {
      key: stack.getLogicalId(registry.encryptionKey.node.defaultChild as never),
      artifacts: id(registry.modelArtifactsBucket),
      training: id(registry.trainingDataBucket),
      metadata: id(registry.metadataBucket),
      metadataReader: id(metadataReader),
      weightsReader: id(weightsReader),
      trainingReader: id(trainingReader),
      artifactWriter: id(artifactWriter),
      admin: id(admin),
    },
  };
}
