import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../../private/compliance-findings';
import { GovernanceMetric } from '../handlers/governance-metrics';
import { RequestStatus } from '../handlers/request-record';
import type { IGovernedPipeline } from '../governance-dashboard';
import { ApprovalGate, ApprovalGateProps } from './approval-gate';

/**
 * What every approval-gated pipeline is: its gate (decision table, topic, key, request and approval
 * endpoints with the people they count), the grants to use them, and its governance metrics.
 * `CustomizationPipeline` and `DeploymentPipeline` differ only in their state machines.
 */
export abstract class GatedPipeline extends Construct implements IGovernedPipeline {
  /** Requests, decisions and outcomes; the task tokens live here and nowhere readable by people. */
  public readonly table: dynamodb.Table;
  /** Approval requests and outcomes. Subscribe approvers and owners to it. */
  public readonly topic: sns.Topic;
  /** The key of the table, topic, logs and function environments. */
  public readonly encryptionKey: kms.IKey;
  /** How many distinct people must approve a request. */
  public readonly requiredApprovals: number;
  /** The pipeline's state machine. */
  public abstract readonly stateMachine: sfn.StateMachine;
  /** Where requesters POST requests (IAM-authenticated). */
  public abstract readonly requestUrl: lambda.FunctionUrl;
  /** Where approvers POST decisions (IAM-authenticated). */
  public abstract readonly approvalUrl: lambda.FunctionUrl;

  protected readonly gate: ApprovalGate;

  constructor(scope: Construct, id: string, gate: ApprovalGateProps) {
    super(scope, id);
    // Requests, decisions, the people who make them, and the endpoints: the gate every pipeline has.
    this.gate = new ApprovalGate(this, gate);
    this.requiredApprovals = this.gate.requiredApprovals;
    this.encryptionKey = this.gate.encryptionKey;
    this.table = this.gate.table;
    this.topic = this.gate.topic;
  }

  /** Requests accepted and started (governance metric `Requested`, summed per day by default). */
  public metricRequested(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.gate.metric(GovernanceMetric.REQUESTED, props);
  }

  /** Requests that got their last required approval (`Approved`). */
  public metricApproved(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.gate.metric(GovernanceMetric.APPROVED, props);
  }

  /** Requests rejected by an approver (`Rejected`). */
  public metricRejected(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.gate.metric(GovernanceMetric.REJECTED, props);
  }

  /** Seconds from a request to its approval or rejection (`TimeToDecision`, averaged by default). */
  public metricTimeToDecision(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.gate.metric(GovernanceMetric.TIME_TO_DECISION, props);
  }

  /** Requests nobody decided in time, which failed closed (`Outcome`, `Status` = `EXPIRED`). */
  public metricExpired(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.gate.metric(GovernanceMetric.OUTCOME, props, RequestStatus.EXPIRED);
  }

  /** Requests whose work, or the pipeline itself, failed (`Outcome`, `Status` = `FAILED`). */
  public metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.gate.metric(GovernanceMetric.OUTCOME, props, RequestStatus.FAILED);
  }

  /** Requests that ended done: a customized model, a model in service (`Outcome`, `Status` = `SUCCEEDED`). */
  public metricSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.gate.metric(GovernanceMetric.OUTCOME, props, RequestStatus.SUCCEEDED);
  }

  /**
   * Lets the grantee submit requests through the request URL, and nothing more. The grantee must
   * name people: an IAM user, a role whose trust pins session names, or an IAM Identity Center
   * permission-set role (granted through the URL's resource policy).
   */
  public grantRequest(grantee: iam.IGrantable): iam.Grant {
    return this.gate.grantRequest(grantee);
  }

  /**
   * Lets the grantee approve or reject other people's requests through the approval URL
   * (APPROVAL only). The grantee must name people, as for `grantRequest`.
   */
  public grantApprove(grantee: iam.IGrantable): iam.Grant {
    return this.gate.grantApprove(grantee);
  }

  /**
   * Lets the grantee follow requests: list and describe the pipeline's executions. Not their
   * history, which holds the approval step's task token.
   */
  public grantReadStatus(grantee: iam.IGrantable): iam.Grant {
    return grantReadStatus(this, grantee, this.stateMachine.stateMachineArn, this.gate.executionsArn());
  }
}

/** Execution list and descriptions of one state machine; not their history, which holds the approval step's task token. */
export function grantReadStatus(
  scope: Construct,
  grantee: iam.IGrantable,
  stateMachineArn: string,
  executions: string,
): iam.Grant {
  if (Construct.isConstruct(grantee.grantPrincipal)) {
    acknowledgeWildcardResource(
      grantee.grantPrincipal,
      executions,
      `The executions of ${scope.node.path} only: their names are chosen when each request starts.`,
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
