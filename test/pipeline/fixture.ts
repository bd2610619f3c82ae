import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  CustomizationPipeline,
  CustomizationPipelineProps,
  DeploymentPipeline,
  DeploymentPipelineProps,
  DeploymentTarget,
  Hyperparameter,
  ModelRegistry,
  ModelTarget,
} from '../../lib';
import { datasetsOf } from '../../lib/pipeline/handlers/request-record';
import type { CustomizationRequest } from '../../lib/pipeline/handlers/request-rules';
import { ResolvedTemplate } from '../support/template';

export const TITAN = 'amazon.titan-text-express-v1';
export const REQUEST_ID = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
export const LLAMA = 'meta.llama3-1-8b-instruct-v1:0';

/**
 * A stack with a registry and a pipeline over it (two allowlisted models, two hyperparameters).
 * Handlers are tested on their own; these tests need the template, not bundles (see .ci/check-dist.js).
 */
export function pipelineStack(props: Partial<CustomizationPipelineProps> = {}, metadataObjectLock = true) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test');
  const registry = new ModelRegistry(stack, 'Registry', {
    metadataObjectLockRetention: metadataObjectLock
      ? s3.ObjectLockRetention.governance(Duration.days(365))
      : undefined,
  });
  const pipeline = new CustomizationPipeline(stack, 'Pipeline', {
    registry,
    baseModels: [ModelTarget.bedrockFoundationModel(TITAN), ModelTarget.bedrockFoundationModel(LLAMA)],
    hyperParameters: [
      Hyperparameter.integer('epochCount', 1, 5),
      Hyperparameter.number('learningRate', 1e-6, 1e-4),
    ],
    ...props,
  });
  return { app, stack, registry, pipeline };
}

/** A pipeline over a registry, with a requester, two approvers and a status reader. */
export function pipelineFixture(props: Partial<CustomizationPipelineProps> = {}) {
  const { app, stack, registry, pipeline } = pipelineStack(props);
  // People of the account, each session named after its IAM user.
  const role = (id: string) =>
    new iam.Role(stack, id, {
      assumedBy: new iam.AccountRootPrincipal().withConditions({
        StringEquals: { 'sts:RoleSessionName': '${aws:username}' },
      }),
    });
  const requester = role('Requester');
  const approver = role('Approver');
  const statusReader = role('StatusReader');
  pipeline.grantRequest(requester);
  pipeline.grantApprove(approver);
  pipeline.grantReadStatus(statusReader);
  const json = Template.fromStack(stack).toJSON();
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  return {
    app,
    stack,
    registry,
    pipeline,
    json,
    template: new ResolvedTemplate(json),
    ids: {
      stateMachine: id(pipeline.stateMachine),
      stateMachineRole: id(pipeline.stateMachine.role),
      serviceRole: id(pipeline.serviceRole as iam.Role),
      requester: id(requester),
      approver: id(approver),
      statusReader: id(statusReader),
      table: id(pipeline.table),
      approvalGate: stack.getLogicalId(
        stack.node.findChild('Pipeline').node.findChild('ApprovalGate').node.defaultChild as never,
      ),
    },
  };
}

/** The execution input the request handler would start the pipeline with for `request`. */
export function executionInput(request: {
  trainingData: Record<string, string>;
  validationData: Record<string, string>;
  [field: string]: unknown;
}) {
  return {
    requestId: REQUEST_ID,
    requester: 'arn:aws:sts::111111111111:assumed-role/Requester/alice',
    requestedAt: '2026-11-24T00:00:00.000Z',
    request,
    datasets: datasetsOf(request as unknown as CustomizationRequest),
  };
}

export const ENDPOINT = 'churn-predictor';
export const MODEL_PACKAGE = 'arn:aws:sagemaker:us-east-1:111111111111:model-package/churn/3';

/** A stack with a registry and a deployment pipeline to one SageMaker endpoint, with its people. */
export function deploymentFixture(props: Partial<DeploymentPipelineProps> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test');
  const registry = new ModelRegistry(stack, 'Registry', {
    metadataObjectLockRetention: s3.ObjectLockRetention.governance(Duration.days(365)),
  });
  const pipeline = new DeploymentPipeline(stack, 'Deployment', {
    registry,
    targets: [
      DeploymentTarget.sageMakerEndpoint(ENDPOINT, {
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.LARGE),
        initialInstanceCount: 2,
      }),
    ],
    ...props,
  });
  const role = (id: string) =>
    new iam.Role(stack, id, {
      assumedBy: new iam.AccountRootPrincipal().withConditions({
        StringEquals: { 'sts:RoleSessionName': '${aws:username}' },
      }),
    });
  const deployer = role('Deployer');
  const approver = role('DeploymentApprover');
  pipeline.grantRequest(deployer);
  pipeline.grantApprove(approver);
  const json = Template.fromStack(stack).toJSON();
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  // The SageMaker parts are absent from a Bedrock pipeline: '' then.
  const fn = (name: string) => {
    const child = pipeline.node.tryFindChild(name);
    return child ? stack.getLogicalId((child.node.defaultChild ?? child) as never) : '';
  };
  return {
    app,
    stack,
    registry,
    pipeline,
    json,
    template: new ResolvedTemplate(json),
    ids: {
      stateMachine: id(pipeline.stateMachine),
      stateMachineRole: id(pipeline.stateMachine.role),
      hostingRole: fn('HostingRole'),
      deployer: id(deployer),
      approver: id(approver),
      table: id(pipeline.table),
      packageApprovalRole: fn('PackageApprovalRole'),
      hostingModelRole: fn('HostingModelRole'),
      provenanceCheckRole: fn('ProvenanceCheckRole'),
      deploymentRecordRole: fn('DeploymentRecordRole'),
    },
  };
}
