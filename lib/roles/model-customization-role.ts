import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Capability } from '../capabilities/capability';
import { IModelRegistry } from '../registry/model-registry';
import { CapabilityRole, CapabilityRoleProps } from './capability-role';
import { StatementSpec } from './private/policy-packing-spec';

export interface ModelCustomizationRoleProps extends CapabilityRoleProps {
  /**
   * A registry from which the role reads training data and to which it writes model artifacts.
   * @default - no registry access
   */
  readonly registry?: IModelRegistry;

  /**
   * Service roles the role may pass to Bedrock or SageMaker as a customization job's role.
   * @default - none: the role can start jobs only with a service role granted elsewhere
   */
  readonly serviceRoles?: iam.IRole[];
}

const SERVICE_PRINCIPAL: Record<string, string> = {
  bedrock: 'bedrock.amazonaws.com',
  sagemaker: 'sagemaker.amazonaws.com',
};

/**
 * A role that may customize its base models (CUSTOMIZATION): start and stop customization jobs,
 * read training data and write artifacts. Sessions last at most one hour. It cannot invoke models,
 * read model metadata or weights, approve requests, or change permissions: watching jobs is READ,
 * which together with training data would merge identities, so a read role does it. Customization should reach production only
 * through an approval pipeline; this role is what such a pipeline's job runs as.
 */
export class ModelCustomizationRole extends CapabilityRole {
  constructor(scope: Construct, id: string, props: ModelCustomizationRoleProps) {
    const services = [...new Set(props.targets?.flatMap((t) => t.resources.map((r) => r.service)))];
    const extra: StatementSpec[] = [];
    if (services.includes('bedrock')) {
      const inAccount = (resource: string) =>
        `arn:${Aws.PARTITION}:bedrock:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
      extra.push(
        // A job creates a custom model whose ARN is not known in advance.
        { actions: ['bedrock:CreateModelCustomizationJob'], resources: [inAccount('custom-model/*')] },
        // Its jobs' names are not known in advance either. Watching them (Get/List) is READ: a read role's.
        {
          actions: ['bedrock:StopModelCustomizationJob'],
          resources: [inAccount('model-customization-job/*')],
        },
      );
    }
    if (props.serviceRoles?.length) {
      extra.push({
        actions: ['iam:PassRole'],
        resources: props.serviceRoles.map((r) => r.roleArn),
        conditions: { StringEquals: { 'iam:PassedToService': services.map((s) => SERVICE_PRINCIPAL[s]) } },
      });
    }
    super(scope, id, Capability.CUSTOMIZATION, props, { statements: extra });
    props.registry?.grantReadTrainingData(this);
    props.registry?.grantWriteArtifacts(this);
  }
}
