import { Template } from 'aws-cdk-lib/assertions';
import { Stack } from 'aws-cdk-lib';
import { buildApp as modelRegistryExample } from '../examples/model-registry/app';

test('examples/model-registry synthesizes a registry with its three grants', () => {
  const app = modelRegistryExample();
  const stack = app.node.findChild('ModelRegistryExample') as Stack;
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::S3::Bucket', 4);
  template.resourceCountIs('AWS::IAM::Policy', 3);
  expect(app.synth().stacks).toHaveLength(1);
});
