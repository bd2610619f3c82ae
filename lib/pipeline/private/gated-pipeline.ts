import { ArnFormat, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, IConstruct } from 'constructs';
import {
  acknowledgeFinding,
  acknowledgeWildcardResource,
  XRAY_TAKES_ONLY_STAR,
} from '../../private/compliance-findings';
import { acceptRoleDependency } from '../../private/cfn-lint';
import { confineServiceRole } from '../../private/service-trust';
import { GovernanceMetric } from '../handlers/governance-metrics';
import { RequestStatus } from '../handlers/request-record';
import { Capability, Component, TAG_CAPABILITY, TAG_COMPONENT } from '../../capabilities/capability';
import type { ApprovalPipelineProps, IModelPipeline } from '../model-pipeline';
import { ApprovalGate } from './approval-gate';

/**
 * What every approval-gated pipeline is: its gate (decision table, topic, key, request and approval
 * endpoints with the people they count), the grants to use them, and its governance metrics.
 * `CustomizationPipeline` and `DeploymentPipeline` differ only in their state machines. Hidden from
 * jsii: its public members appear on each pipeline.
 * @internal
 */
export abstract class GatedPipeline extends Construct implements IModelPipeline {
  /** Requests, decisions and outcomes; the task tokens live here and nowhere readable by people. */
  public readonly table: dynamodb.ITable;
  /** Approval requests and outcomes. Subscribe approvers and owners to it. */
  public readonly topic: sns.Topic;
  /** The key of the table, topic, logs and function environments. */
  public readonly encryptionKey: kms.IKey;
  /** The key that seals the approval step's task tokens: only the gate's functions may use it. */
  public readonly taskTokenKey: kms.IKey;
  /** How many distinct people must approve a request. */
  public readonly requiredApprovals: number;
  /** The pipeline's state machine. */
  public abstract readonly stateMachine: sfn.StateMachine;
  /** Where requesters POST requests (IAM-authenticated). */
  public abstract readonly requestUrl: lambda.FunctionUrl;
  /** Where approvers POST decisions (IAM-authenticated). */
  public abstract readonly approvalUrl: lambda.FunctionUrl;
  /** Every function of the pipeline: its endpoints, its approval gate and its steps. */
  public get functions(): lambda.IFunction[] {
    return [...this._gate.allFunctions];
  }
  /** Every role of the pipeline: its state machine's, its functions' and its service roles. */
  public abstract readonly roles: iam.IRole[];

  /** @internal */
  protected readonly _gate: ApprovalGate;

  /**
   * @param owner the construct's name, for error messages
   * @param subject what the requests are for: `customization`, `deployment`
   */
  constructor(scope: Construct, id: string, owner: string, subject: string, props: ApprovalPipelineProps) {
    super(scope, id);
    // Requests, decisions, the people who make them, and the endpoints: the gate every pipeline has.
    this._gate = new ApprovalGate(this, { ...props, owner, subject });
    this.requiredApprovals = this._gate.requiredApprovals;
    this.encryptionKey = this._gate.encryptionKey;
    this.taskTokenKey = this._gate.tokenKey;
    this.table = this._gate.table;
    this.topic = this._gate.topic;
  }

  /**
   * Makes the pipeline's state machine: a standard workflow, traced, logging every state to a
   * KMS-encrypted group without execution data (the approval step's task token would be in it),
   * tagged as `component`; its role tagged `pipeline`, trusting Step Functions for this account
   * only, and its findings of other packs acknowledged, each for its reason.
   * @internal
   */
  protected _makeStateMachine(
    definition: sfn.IChainable,
    props: {
      readonly component: Component;
      /** The functions its tasks invoke. */
      readonly invoked: lambda.IFunction[];
      /** Wildcard resources its policy names, each with why nothing narrower exists. */
      readonly wildcardResources: { readonly arn: string; readonly reason: string }[];
    },
  ): sfn.StateMachine {
    const logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      encryptionKey: this.encryptionKey,
      retention: this._gate.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stateMachine = new sfn.StateMachine(this, 'Resource', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      tracingEnabled: true,
      // Execution data would put task tokens in the logs: whoever reads them could resume a wait.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    const cfnStateMachine = stateMachine.node.defaultChild as sfn.CfnStateMachine;
    cfnStateMachine.tags.setTag(TAG_COMPONENT, props.component);
    acceptRoleDependency(cfnStateMachine);
    const role = stateMachine.role;
    Tags.of(role).add(TAG_CAPABILITY, 'pipeline');
    confineServiceRole(
      role,
      Stack.of(this).formatArn({
        service: 'states',
        resource: 'stateMachine',
        resourceName: '*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      true,
    );
    acknowledgeFinding(
      role,
      'IAMNoInlinePolicy',
      "CDK writes the state machine's task permissions to its role's own AWS::IAM::Policy, scoped to this pipeline's resources; unlike a managed policy it can be attached to no other principal.",
    );
    acknowledgeWildcardResource(role, '*', XRAY_TAKES_ONLY_STAR);
    for (const fn of props.invoked) {
      acknowledgeWildcardResource(
        role,
        `${fn.functionArn}:*`,
        "CDK's LambdaInvoke grant covers the versions and aliases of the one function a task invokes.",
      );
    }
    for (const { arn, reason } of props.wildcardResources) acknowledgeWildcardResource(role, arn, reason);
    return stateMachine;
  }

  /**
   * The registry must be in the pipeline's stack: the registry's policies name the pipeline's own
   * roles, whose names CloudFormation generates, and a reference across stacks would tie them
   * both ways.
   * @internal
   */
  protected _requireRegistryInStack(owner: string, registry: IConstruct): void {
    const home = Stack.of(this);
    if (Stack.of(registry) !== home) {
      throw new Error(
        `${owner}: the registry ${registry.node.path} is in the stack ${Stack.of(registry).node.path}, not ${home.node.path}; its policies name the pipeline's own roles, so make the pipeline in the registry's stack (grant people of other stacks by a fixed roleName).`,
      );
    }
  }

  /** The sources of identity its requesters and approvers come from. @internal */
  public _participantSources(): Set<string> {
    return this._gate.participantSources();
  }

  /** The roles whose calls of the capability's actions are this pipeline's own work. */
  public abstract rolesActingFor(capability: Capability): iam.IRole[];

  /** Requests accepted and started (governance metric `Requested`, summed per day by default). */
  public metricRequested(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this._gate.metric(GovernanceMetric.REQUESTED, props);
  }

  /** Requests that got their last required approval (`Approved`). */
  public metricApproved(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this._gate.metric(GovernanceMetric.APPROVED, props);
  }

  /** Requests rejected by an approver (`Rejected`). */
  public metricRejected(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this._gate.metric(GovernanceMetric.REJECTED, props);
  }

  /** Seconds from a request to its approval or rejection (`TimeToDecision`, averaged by default). */
  public metricTimeToDecision(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this._gate.metric(GovernanceMetric.TIME_TO_DECISION, props);
  }

  /** Requests nobody decided in time, which failed closed (`Outcome`, `Status` = `EXPIRED`). */
  public metricExpired(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this._gate.metric(GovernanceMetric.OUTCOME, props, RequestStatus.EXPIRED);
  }

  /** Requests whose work, or the pipeline itself, failed (`Outcome`, `Status` = `FAILED`). */
  public metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this._gate.metric(GovernanceMetric.OUTCOME, props, RequestStatus.FAILED);
  }

  /** Requests that ended done: a customized model, a model in service (`Outcome`, `Status` = `SUCCEEDED`). */
  public metricSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this._gate.metric(GovernanceMetric.OUTCOME, props, RequestStatus.SUCCEEDED);
  }

  /**
   * Lets the grantee submit requests through the request URL, and nothing more. The grantee must
   * name people: an IAM user, a role whose trust pins session names, or an IAM Identity Center
   * permission-set role (granted through the URL's resource policy).
   */
  public grantRequest(grantee: iam.IGrantable): iam.Grant {
    return this._gate.grantRequest(grantee);
  }

  /**
   * Lets the grantee approve or reject other people's requests through the approval URL
   * (APPROVAL only). The grantee must name people, as for `grantRequest`.
   */
  public grantApprove(grantee: iam.IGrantable): iam.Grant {
    return this._gate.grantApprove(grantee);
  }

  /**
   * Lets the grantee follow requests: list and describe the pipeline's executions. Not their
   * history, which holds the approval step's task token.
   */
  public grantReadStatus(grantee: iam.IGrantable): iam.Grant {
    return grantReadStatus(grantee, this.stateMachine.stateMachineArn, this._gate.executionsArn());
  }
}

/** Execution list and descriptions of one state machine; not their history, which holds the approval step's task token. */
export function grantReadStatus(
  grantee: iam.IGrantable,
  stateMachineArn: string,
  executions: string,
): iam.Grant {
  if (Construct.isConstruct(grantee.grantPrincipal)) {
    acknowledgeWildcardResource(
      grantee.grantPrincipal,
      executions,
      "The executions of the pipeline's own state machine only: their names are chosen when each request starts.",
    );
  }
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['states:ListExecutions', 'states:DescribeStateMachine'],
    resourceArns: [stateMachineArn],
  }).combine(
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:DescribeExecution'],
      resourceArns: [executions],
    }),
  );
}
