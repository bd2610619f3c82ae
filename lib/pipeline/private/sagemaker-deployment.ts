import { Aws, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { Capability, TAG_CAPABILITY } from '../../capabilities/capability';
import { acknowledgeFinding, acknowledgeWildcardResource } from '../../private/compliance-findings';
import { confinedService } from '../../private/service-trust';
import { DeploymentTarget } from '../deployment-target';
import { DeploymentContext, DeploymentService, DeploymentStates, serviceCall } from './deployment-service';
import { governedModelPackageGroups, modelPackagesOf } from './model-package-groups';

const { stringAt, DISCARD } = sfn.JsonPath;

const PACKAGES =
  'Requests name a model package of this account (of the governed model package groups, when there are any): the state machine only describes it, and the package approval function sets it Approved after the approval step.';
const DEPLOY_NAMES =
  "Each deployment's model and endpoint configuration are named deploy-<request id>, an id the request handler assigns.";

/**
 * SageMaker endpoints: the package is described, set Approved (by a function with that permission
 * alone, after approval), its model created (by a function with `CreateModel` alone, passing the
 * hosting role), served from an endpoint configuration of its own, and the endpoint created or
 * updated to it.
 */
export function sageMakerDeployment(scope: Construct, ctx: DeploymentContext): DeploymentService {
  const { gate, registry, targets } = ctx;
  const stack = Stack.of(scope);
  const arn = (resource: string, resourceName: string) =>
    stack.formatArn({ service: 'sagemaker', resource, resourceName });
  const groups = ctx.modelPackageGroups;
  // With governed groups, the pipeline deploys and approves only their packages.
  const packagesOf = groups?.map((name) => modelPackagesOf(scope, name));
  const packages = packagesOf ?? [arn('model-package', '*')];
  const models = arn('model', 'deploy-*');
  const endpoints = targets.map((t) => t.model.resources[0].arn);

  // The role SageMaker serves the models as: their artifacts from the registry, their images from ECR.
  const hostingRole = new iam.Role(scope, 'HostingRole', {
    description: 'Serves the models the deployment pipeline deploys (SageMaker)',
    assumedBy: confinedService(scope, 'sagemaker.amazonaws.com', undefined, false),
  });
  Tags.of(hostingRole).add(TAG_CAPABILITY, 'service');
  acknowledgeFinding(
    hostingRole,
    'IAMNoInlinePolicy',
    "The hosting role's registry and image grants go to its own AWS::IAM::Policy; unlike a managed policy it can be attached to no other principal.",
  );
  registry.grantReadWeights(hostingRole);
  const repositories = ctx.imageRepositoryArns ?? [
    stack.formatArn({ service: 'ecr', account: '*', resource: 'repository', resourceName: '*' }),
  ];
  hostingRole.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      resources: repositories,
    }),
  );
  hostingRole.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
  );
  acknowledgeWildcardResource(
    hostingRole,
    '*',
    'ecr:GetAuthorizationToken accepts only Resource "*"; the images themselves are pulled only from the repositories named.',
  );
  for (const repository of repositories.filter((r) => r.includes('*'))) {
    acknowledgeWildcardResource(
      hostingRole,
      repository,
      "Served models' images come from the model packages, some from AWS's own repositories in AWS accounts; set imageRepositoryArns to narrow it.",
    );
  }

  const capture = ctx.dataCapture && ctx.dataCapture.store.bindDataCapture(hostingRole);

  const packageApproval = gate.fn(
    'PackageApproval',
    'model-package-approval',
    "Sets an approved deployment's model package Approved",
    {},
  );
  packageApproval.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['sagemaker:UpdateModelPackage'], resources: packages }),
  );
  for (const p of packages) acknowledgeWildcardResource(packageApproval.role!, p, PACKAGES);
  const governed = groups ? governedModelPackageGroups(scope, groups, packageApproval.role!.roleArn) : [];

  const hostingModel = gate.fn('HostingModel', 'hosting-model', 'Creates the model an endpoint serves', {
    HOSTING_ROLE_ARN: hostingRole.roleArn,
  });
  hostingModel.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['sagemaker:CreateModel'], resources: [models] }),
  );
  hostingModel.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [hostingRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }),
  );
  acknowledgeWildcardResource(hostingModel.role!, models, DEPLOY_NAMES);

  const call = (id: string, action: string, resources: string[], props: Parameters<typeof serviceCall>[5]) =>
    serviceCall(scope, id, 'sagemaker', action, resources, props);
  // A roll-back returns to whatever configuration the endpoint served before.
  const changeEndpoint = [...endpoints, arn('endpoint-config', '*')];
  const endpointName = stringAt('$.target.name');
  /** The endpoint created or updated to serve the configuration at `config`. */
  const serve = (id: string, action: string, config: string) =>
    call(id, action, changeEndpoint, {
      parameters: { EndpointName: endpointName, EndpointConfigName: stringAt(config) },
      resultPath: DISCARD,
    });

  const states = (): DeploymentStates => ({
    describe: call('DescribeModelPackage', 'describeModelPackage', packages, {
      parameters: { ModelPackageName: stringAt('$.request.model') },
      resultSelector: {
        output: stringAt('$.InferenceSpecification.Containers[0].ModelDataUrl'),
        locator: stringAt('$.InferenceSpecification.Containers[0].ModelDataUrl'),
      },
      resultPath: '$.model',
    }),
    prepare: (fault, failed) => {
      const approve = new tasks.LambdaInvoke(scope, 'ApproveModelPackage', {
        lambdaFunction: packageApproval,
        payloadResponseOnly: true,
        payload: sfn.TaskInput.fromObject({
          requestId: stringAt('$.requestId'),
          modelPackageArn: stringAt('$.request.model'),
          approvers: sfn.JsonPath.listAt('$.verified.approvers'),
          environment: stringAt('$.request.environment'),
        }),
        resultPath: DISCARD,
      });
      approve.addCatch(fault, { resultPath: '$.error' });
      const model = new tasks.LambdaInvoke(scope, 'CreateHostingModel', {
        lambdaFunction: hostingModel,
        payloadResponseOnly: true,
        payload: sfn.TaskInput.fromObject({
          requestId: stringAt('$.requestId'),
          modelPackageArn: stringAt('$.request.model'),
        }),
        resultPath: '$.hosting',
      });
      model.addCatch(failed, { resultPath: '$.error' });
      const config = call(
        'CreateEndpointConfig',
        'createEndpointConfig',
        [arn('endpoint-config', 'deploy-*')],
        {
          parameters: {
            EndpointConfigName: stringAt('$.target.deployed'),
            ProductionVariants: [
              {
                VariantName: 'AllTraffic',
                ModelName: stringAt('$.hosting.modelName'),
                InstanceType: stringAt('$.target.instanceType'),
                InitialInstanceCount: sfn.JsonPath.numberAt('$.target.instanceCount'),
              },
            ],
            // SageMaker writes the captured requests and responses as the hosting role.
            ...(capture && {
              DataCaptureConfig: {
                EnableCapture: true,
                InitialSamplingPercentage: ctx.dataCapture!.percentage,
                DestinationS3Uri: capture.s3Uri,
                KmsKeyId: capture.kmsKeyArn,
                CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
              },
            }),
          },
          resultPath: DISCARD,
        },
      );
      config.addCatch(failed, { resultPath: '$.error' });
      return approve.next(model).next(config);
    },
    current: call('FindCurrentEndpoint', 'describeEndpoint', endpoints, {
      parameters: { EndpointName: endpointName },
      resultSelector: { config: stringAt('$.EndpointConfigName') },
      resultPath: '$.previous',
    }),
    create: serve('CreateEndpoint', 'createEndpoint', '$.target.deployed'),
    update: serve('UpdateEndpoint', 'updateEndpoint', '$.target.deployed'),
    look: call('DescribeEndpoint', 'describeEndpoint', endpoints, {
      parameters: { EndpointName: endpointName },
      resultSelector: {
        arn: stringAt('$.EndpointArn'),
        status: stringAt('$.EndpointStatus'),
        config: stringAt('$.EndpointConfigName'),
      },
      resultPath: '$.endpoint',
    }),
    rollBack: serve('RollBack', 'updateEndpoint', '$.previous.config'),
  });

  return {
    states,
    targetState: (target: DeploymentTarget) => ({
      deployed: sfn.JsonPath.format('deploy-{}', stringAt('$.requestId')),
      ...target._serving,
    }),
    modelRule: {
      pattern: `^arn:${Aws.PARTITION}:sagemaker:${stack.region}:${stack.account}:model-package/${groups ? `(${groups.join('|')})` : '[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}'}/[0-9]+$`,
      description: groups
        ? `the ARN of a versioned SageMaker model package of this pipeline's account and region, in one of its model package groups (${groups.join(', ')})`
        : "the ARN of a versioned SageMaker model package of this pipeline's account and region",
    },
    modelPackageGroups: governed,
    functions: [packageApproval, hostingModel],
    roles: [hostingRole, packageApproval.role!, hostingModel.role!],
    wildcardResources: [
      ...packages.map((p) => ({ arn: p, reason: PACKAGES })),
      { arn: arn('endpoint-config', 'deploy-*'), reason: DEPLOY_NAMES },
      {
        arn: arn('endpoint-config', '*'),
        reason:
          'CreateEndpoint and UpdateEndpoint are authorized against the endpoint configuration too; a roll-back returns to whatever configuration the endpoint served before. The endpoints are only the targets.',
      },
    ],
    rolesActingFor: (capability, stateMachineRole) => {
      // The hosting-model function makes the one customization call (CreateModel).
      if (capability === Capability.DEPLOYMENT) return [stateMachineRole];
      // The package approval function sets the package Approved, after the approval step.
      if (capability === Capability.APPROVAL) return [packageApproval.role!];
      return capability === Capability.CUSTOMIZATION ? [hostingModel.role!] : [];
    },
  };
}
