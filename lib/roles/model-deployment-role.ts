import { Aws } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Capability } from '../capabilities/capability';
import { acknowledgeWildcardResource } from '../private/compliance-findings';
import { CapabilityRole, CapabilityRoleProps } from './capability-role';
import { StatementSpec } from './private/policy-packing-spec';

export type ModelDeploymentRoleProps = CapabilityRoleProps;

/**
 * A role that may change what production serves on its targets (DEPLOYMENT), and nothing else:
 * create and update its SageMaker endpoints and their instance weights, add inference components
 * to them; create and update deployments and provisioned throughput of its Bedrock custom models.
 * It cannot invoke a model, customize one, read weights, approve requests, or change permissions,
 * even with a policy attached later: its boundary denies every other capability. Sessions last at
 * most one hour. Deployments should reach production only through an approval pipeline; this is
 * the role such a pipeline's deploy step runs as.
 *
 * IAM authorizes some deployment actions against two resources, and each must be a target or
 * covered here: `CreateEndpoint` and `UpdateEndpoint` also name an endpoint configuration (any of
 * the account and Region: a configuration only names models, and making one is not deployment),
 * `CreateInferenceComponent` the new component; Bedrock's updates name both the custom model and
 * the deployment or provisioned model, so give both as targets.
 */
export class ModelDeploymentRole extends CapabilityRole {
  constructor(scope: Construct, id: string, props: ModelDeploymentRoleProps) {
    const endpoints = props.targets?.some((t) =>
      t.resources.some((r) => r.service === 'sagemaker' && r.resourceType === 'endpoint'),
    );
    const inAccount = (resource: string) =>
      `arn:${Aws.PARTITION}:sagemaker:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}/*`;
    const extra: StatementSpec[] = endpoints
      ? [
          {
            actions: ['sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint'],
            resources: [inAccount('endpoint-config')],
          },
          { actions: ['sagemaker:CreateInferenceComponent'], resources: [inAccount('inference-component')] },
        ]
      : [];
    super(scope, id, Capability.DEPLOYMENT, props, { statements: extra });
    for (const { resources } of extra) {
      acknowledgeWildcardResource(
        this,
        resources[0],
        "The second resource IAM authorizes these deployment actions against: the endpoint, the first, is one of the role's targets.",
      );
    }
  }
}
