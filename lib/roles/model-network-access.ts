import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { catalogActions } from '../capabilities/actions';
import { Capability, TAG_CAPABILITY } from '../capabilities/capability';

/** A runtime that serves model invocations, reached through an interface VPC endpoint. */
export enum ModelRuntime {
  /** `bedrock-runtime`: InvokeModel, InvokeModelWithResponseStream, Converse. */
  BEDROCK = 'bedrock',
  /** `sagemaker-runtime`: InvokeEndpoint and its asynchronous and streaming forms. */
  SAGEMAKER = 'sagemaker',
}

export interface ModelNetworkAccessProps {
  /** The VPC the model callers run in. */
  readonly vpc: ec2.IVpc;

  /**
   * What calls the models (Lambda functions, ECS services, their security groups): only these
   * may reach the endpoints, on 443. At least one.
   */
  readonly callers: ec2.IConnectable[];

  /**
   * Where the endpoints' network interfaces go.
   * @default - the VPC's private subnets
   */
  readonly subnets?: ec2.SubnetSelection;

  /**
   * The runtimes to reach privately.
   * @default [ModelRuntime.BEDROCK]
   */
  readonly runtimes?: ModelRuntime[];
}

const SERVICES: Record<ModelRuntime, ec2.InterfaceVpcEndpointAwsService> = {
  [ModelRuntime.BEDROCK]: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME,
  [ModelRuntime.SAGEMAKER]: ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_RUNTIME,
};

/**
 * Private network paths to the models: an interface VPC endpoint per runtime, with private DNS,
 * reachable on 443 from the named callers alone, whose endpoint policy lets through only the model
 * invocations of the catalog's INFERENCE actions, and only by principals of this account tagged
 * `model-access:capability=inference` (the library's inference roles; retagging a role is
 * privilege administration, which the pack reports and the audit trail alerts on). Give the
 * inference roles `conditions: { sourceVpcEndpoints: access.endpointIds }` so that their
 * credentials invoke nothing from outside these endpoints.
 */
export class ModelNetworkAccess extends Construct {
  /** The endpoints, one per runtime. */
  public readonly endpoints: ec2.InterfaceVpcEndpoint[];
  /** Their ids, for `AccessConditions.sourceVpcEndpoints` of the inference roles. */
  public readonly endpointIds: string[];
  /** The endpoints' security group: HTTPS from the callers, nothing out. */
  public readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: ModelNetworkAccessProps) {
    super(scope, id);
    const runtimes = props.runtimes ?? [ModelRuntime.BEDROCK];
    if (runtimes.length === 0 || new Set(runtimes).size !== runtimes.length) {
      throw new Error(
        `ModelNetworkAccess: runtimes must name each runtime once, got [${runtimes.join(', ')}].`,
      );
    }
    if (props.callers.length === 0) {
      throw new Error(
        'ModelNetworkAccess: callers is empty; name what calls the models, which alone may reach the endpoints.',
      );
    }
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: "Model runtime endpoints: HTTPS from the models' callers alone",
      allowAllOutbound: false,
    });
    for (const caller of props.callers) {
      this.securityGroup.connections.allowFrom(caller, ec2.Port.tcp(443), 'HTTPS from a model caller');
    }
    const account = Stack.of(this).account;
    this.endpoints = runtimes.map((runtime) => {
      const endpoint = new ec2.InterfaceVpcEndpoint(
        this,
        runtime === ModelRuntime.BEDROCK ? 'Bedrock' : 'SageMaker',
        {
          vpc: props.vpc,
          service: SERVICES[runtime],
          subnets: props.subnets,
          privateDnsEnabled: true,
          securityGroups: [this.securityGroup],
          open: false,
        },
      );
      endpoint.addToPolicy(
        new iam.PolicyStatement({
          principals: [new iam.StarPrincipal()],
          actions: catalogActions(Capability.INFERENCE).filter((a) => a.startsWith(`${runtime}:`)),
          resources: ['*'],
          conditions: {
            StringEquals: {
              [`aws:PrincipalTag/${TAG_CAPABILITY}`]: Capability.INFERENCE,
              'aws:PrincipalAccount': account,
            },
          },
        }),
      );
      return endpoint;
    });
    this.endpointIds = this.endpoints.map((e) => e.vpcEndpointId);
  }
}
