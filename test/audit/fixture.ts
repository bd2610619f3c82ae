import { App, Stack, StackProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { DeploymentTarget, ModelAccessControl, ModelAccessControlProps, ModelTarget } from '../../lib';
import { ResolvedTemplate } from '../support/template';

export const TITAN = ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1');
export const DEPLOYED = DeploymentTarget.sageMakerEndpoint('fraud-detector', {
  instanceType: ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.LARGE),
});
export const ENDPOINT = DEPLOYED.model;

const person = (job: string) =>
  new iam.AccountRootPrincipal().withConditions({ StringEquals: { 'aws:PrincipalTag/job': job } });

/** The whole platform in one stack: every principal named, so every part and alert exists. */
export function controlFixture(props: Partial<ModelAccessControlProps> = {}, stackProps?: StackProps) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test', stackProps);
  const control = new ModelAccessControl(stack, 'Control', {
    models: [TITAN, ENDPOINT],
    readers: person('analyst'),
    invokers: new iam.ServicePrincipal('lambda.amazonaws.com'),
    customizationRequesters: person('engineer'),
    approvers: person('lead'),
    baseModels: [TITAN],
    deployers: person('engineer'),
    deploymentApprovers: person('sre'),
    deploymentTargets: [DEPLOYED],
    auditors: person('auditor'),
    ...props,
  });
  const json = Template.fromStack(stack).toJSON();
  const id = (c: IConstruct) => stack.getLogicalId((c.node.defaultChild ?? c) as never);
  return { app, stack, control, json, template: new ResolvedTemplate(json), id };
}
