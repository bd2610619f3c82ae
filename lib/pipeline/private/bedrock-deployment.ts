import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { Capability } from '../../capabilities/capability';
import { DeploymentTarget, TAG_DEPLOYMENT_TARGET } from '../deployment-target';
import { DeploymentContext, DeploymentService, serviceCall } from './deployment-service';

const { stringAt, DISCARD } = sfn.JsonPath;

/**
 * Bedrock provisioned throughput serving custom models: the custom model is read (its
 * customization job's name leads to its manifest), and the throughput created with it (tagged with
 * the target's name) or switched to it. The state machine may change only throughputs carrying
 * that tag, so it changes no other.
 */
export function bedrockDeployment(scope: Construct, ctx: DeploymentContext): DeploymentService {
  const stack = Stack.of(scope);
  const arn = (resource: string, resourceName: string, account = stack.account) =>
    stack.formatArn({ service: 'bedrock', resource, resourceName, account });
  const customModels = arn('custom-model', '*');
  // A provisioned throughput is authorized against the custom model and its base foundation model.
  const models = [customModels, arn('foundation-model', '*', '')];
  const throughputs = arn('provisioned-model', '*');
  const names = ctx.targets.map((t) => t.name);
  const taggedTarget = (actions: string[], tagCondition: 'aws:ResourceTag' | 'aws:RequestTag') =>
    new iam.PolicyStatement({
      actions,
      resources: [throughputs],
      conditions: { StringEquals: { [`${tagCondition}/${TAG_DEPLOYMENT_TARGET}`]: names } },
    });
  const call = (id: string, action: string, resources: string[], props: Parameters<typeof serviceCall>[5]) =>
    serviceCall(scope, id, 'bedrock', action, resources, props);
  // Changing a throughput needs it to carry the tag of one of the targets.
  const switchModel = (id: string, desired: string) =>
    call(id, 'updateProvisionedModelThroughput', models, {
      parameters: { ProvisionedModelId: stringAt('$.target.name'), DesiredModelId: desired },
      resultPath: DISCARD,
      additionalIamStatements: [
        taggedTarget(['bedrock:UpdateProvisionedModelThroughput'], 'aws:ResourceTag'),
      ],
    });
  const describeThroughput = (id: string, resultSelector: Record<string, unknown>, resultPath: string) =>
    call(id, 'getProvisionedModelThroughput', [throughputs], {
      parameters: { ProvisionedModelId: stringAt('$.target.name') },
      resultSelector,
      resultPath,
    });

  return {
    states: () => {
      const create = call('CreateThroughput', 'createProvisionedModelThroughput', models, {
        parameters: {
          ProvisionedModelName: stringAt('$.target.name'),
          ModelId: stringAt('$.target.deployed'),
          ModelUnits: sfn.JsonPath.numberAt('$.target.modelUnits'),
          ClientRequestToken: stringAt('$.requestId'),
          Tags: [{ Key: TAG_DEPLOYMENT_TARGET, Value: stringAt('$.target.name') }],
        },
        resultPath: DISCARD,
        // Tagging at creation: only with the tag of one of the targets.
        additionalIamStatements: [taggedTarget(['bedrock:TagResource'], 'aws:RequestTag')],
      });
      const update = switchModel('UpdateThroughput', stringAt('$.target.deployed'));
      const rollBack = switchModel('RollBack', stringAt('$.previous.config'));
      return {
        describe: call('GetCustomModel', 'getCustomModel', [customModels], {
          parameters: { ModelIdentifier: stringAt('$.request.model') },
          resultSelector: { output: stringAt('$.ModelArn'), locator: stringAt('$.JobName') },
          resultPath: '$.model',
        }),
        current: describeThroughput(
          'FindCurrentThroughput',
          { config: stringAt('$.ModelArn') },
          '$.previous',
        ),
        create,
        update,
        look: describeThroughput(
          'DescribeThroughput',
          {
            arn: stringAt('$.ProvisionedModelArn'),
            status: stringAt('$.Status'),
            config: stringAt('$.ModelArn'),
          },
          '$.endpoint',
        ),
        rollBack,
      };
    },
    targetState: (target: DeploymentTarget) => ({
      deployed: stringAt('$.request.model'),
      ...target._serving,
    }),
    modelRule: {
      pattern: `^arn:${Aws.PARTITION}:bedrock:${stack.region}:${stack.account}:custom-model/[a-zA-Z0-9.:/_-]{1,1011}$`,
      description: "the ARN of a Bedrock custom model of this pipeline's account and region",
    },
    functions: [],
    roles: [],
    wildcardResources: [
      {
        arn: customModels,
        reason:
          "Requests name the custom model, validated against this account's custom model ARNs; the state machine reads it and serves it only after approval.",
      },
      {
        arn: arn('foundation-model', '*', ''),
        reason:
          'Bedrock authorizes a provisioned throughput against the custom model and against the foundation model it was customized from.',
      },
      {
        arn: throughputs,
        reason: `Bedrock assigns provisioned throughput ARNs at creation; the state machine changes only those tagged ${TAG_DEPLOYMENT_TARGET} with one of its targets.`,
      },
    ],
    rolesActingFor: (capability, stateMachineRole) =>
      capability === Capability.DEPLOYMENT ? [stateMachineRole] : [],
  };
}
