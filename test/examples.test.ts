import { Match, Template } from 'aws-cdk-lib/assertions';
import { Stack } from 'aws-cdk-lib';
import { buildApp as bedrockFineTuningExample } from '../examples/bedrock-fine-tuning/app';
import { buildApp as capabilityRolesExample } from '../examples/capability-roles/app';
import { buildApp as mergedIdentityExample } from '../examples/merged-identity/app';
import { buildApp as modelRegistryExample } from '../examples/model-registry/app';

test('examples/model-registry synthesizes a registry with its three grants', () => {
  const app = modelRegistryExample();
  const stack = app.node.findChild('ModelRegistryExample') as Stack;
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::S3::Bucket', 4);
  template.resourceCountIs('AWS::IAM::Policy', 3);
  expect(app.synth().stacks).toHaveLength(1);
});

test('examples/capability-roles synthesizes three capability roles, each with its boundary, and passes validation', () => {
  const app = capabilityRolesExample();
  const template = Template.fromStack(app.node.findChild('CapabilityRolesExample') as Stack);
  for (const capability of ['read', 'inference', 'customization']) {
    template.hasResourceProperties('AWS::IAM::Role', {
      Tags: [{ Key: 'model-access:capability', Value: capability }],
      PermissionsBoundary: { Ref: Match.stringLikeRegexp(`^ModelAccessBoundary${capability}`) },
    });
  }
  expect(() => app.synth()).not.toThrow();
});

test('examples/merged-identity fails synth with the merged-identity finding', () => {
  const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const app = mergedIdentityExample();
  expect(() => app.synth()).toThrow(
    /FATAL MergedIdentityExample\/ChatBackend\/Resource: holds inference and customization/,
  );
  spy.mockRestore();
});

test('examples/bedrock-fine-tuning synthesizes the pipeline and passes ModelAccessChecks', () => {
  // The pack prints its advisory finding (no audit trail yet); it must not fail synth.
  const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const app = bedrockFineTuningExample();
  const template = Template.fromStack(app.node.findChild('BedrockFineTuningExample') as Stack);
  template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  template.resourceCountIs('AWS::Lambda::Url', 2);
  expect(() => app.synth()).not.toThrow();
  spy.mockRestore();
});
