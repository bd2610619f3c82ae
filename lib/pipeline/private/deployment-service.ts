import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { Capability } from '../../capabilities/capability';
import { ModelRegistry } from '../../registry/model-registry';
import { IDataCaptureStore } from '../data-capture';
import { DeploymentTarget } from '../deployment-target';
import type { DeploymentRules } from '../handlers/deployment-rules';
import { ApprovalGate } from './approval-gate';

/** What a deployment service needs from the pipeline. */
export interface DeploymentContext {
  readonly gate: ApprovalGate;
  readonly registry: ModelRegistry;
  readonly targets: DeploymentTarget[];
  /** For SageMaker: the ECR repositories served images come from. */
  readonly imageRepositoryArns?: string[];
  /** For SageMaker: where endpoints capture their requests and responses, and how many. */
  readonly dataCapture?: { readonly store: IDataCaptureStore; readonly percentage: number };
  /** For SageMaker: the model package groups the pipeline governs (checked names). */
  readonly modelPackageGroups?: string[];
}

/**
 * The states of one service's deployments, made in the pipeline's scope. Their results have the
 * shapes the deployment workflow reads:
 * - `describe`: `$.model` = `{ output, locator }`, what a customization manifest records as its
 *   output and where the customization's request id shows;
 * - `current`: `$.previous` = `{ config }`, what the target serves now (fails when it does not exist);
 * - `look`: `$.endpoint` = `{ arn, status, config }`;
 * - `create`, `update`, `rollBack`: no result. They change the target to serve `$.target.deployed`
 *   (`rollBack`: `$.previous.config`).
 */
export interface DeploymentStates {
  readonly describe: sfn.TaskStateBase;
  /**
   * What runs after approval and before the target changes (SageMaker: set the package Approved,
   * create the model and its endpoint configuration), with where its failures go.
   * @default - nothing
   */
  readonly prepare?: (fault: sfn.IChainable, failed: sfn.IChainable) => sfn.IChainable & sfn.INextable;
  readonly current: sfn.TaskStateBase;
  readonly create: sfn.TaskStateBase;
  readonly update: sfn.TaskStateBase;
  readonly look: sfn.TaskStateBase;
  readonly rollBack: sfn.TaskStateBase;
}

/** One service's way of deploying, bound to a pipeline. */
export interface DeploymentService {
  /** The states; called once, when the workflow is built. */
  states(): DeploymentStates;
  /** What the target's selection puts in `$.target`, besides its name: what it is and how it serves. */
  targetState(target: DeploymentTarget): Record<string, unknown>;
  /** The rule a requested model version's ARN must follow. */
  readonly modelRule: DeploymentRules['model'];
  /** The functions the states invoke, besides the gate's and the pipeline's own. */
  readonly functions: lambda.Function[];
  /** The roles it adds: its functions', and the one the service runs as. */
  readonly roles: iam.IRole[];
  /** The state machine's wildcard resources, each with why nothing narrower exists. */
  readonly wildcardResources: { readonly arn: string; readonly reason: string }[];
  /** SageMaker: the model package groups it governs, made with their policies. */
  readonly modelPackageGroups?: sagemaker.CfnModelPackageGroup[];
  /** The roles whose calls of the capability's actions are the deployment's own work. */
  rolesActingFor(capability: Capability, stateMachineRole: iam.IRole): iam.IRole[];
}

/** A task calling one of the service's APIs, its policy naming exactly `resources`. */
export function serviceCall(
  scope: Construct,
  id: string,
  service: string,
  action: string,
  resources: string[],
  props: {
    parameters: object;
    resultSelector?: Record<string, unknown>;
    resultPath: string;
    /** Statements beyond `resources`, for resources only a condition narrows. */
    additionalIamStatements?: iam.PolicyStatement[];
  },
): tasks.CallAwsService {
  return new tasks.CallAwsService(scope, id, {
    service,
    action,
    iamAction: `${service}:${action.charAt(0).toUpperCase()}${action.slice(1)}`,
    iamResources: resources,
    parameters: props.parameters as Record<string, unknown>,
    resultSelector: props.resultSelector,
    resultPath: props.resultPath,
    additionalIamStatements: props.additionalIamStatements,
  });
}
