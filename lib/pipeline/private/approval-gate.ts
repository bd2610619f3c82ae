import * as path from 'path';
import { ArnFormat, Duration, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { Component, TAG_COMPONENT } from '../../capabilities/capability';
import { DECISION_RECORD_WRITES } from '../../capabilities/private/gate-machinery';
import {
  acknowledgeFinding,
  acknowledgeWildcardResource,
  XRAY_TAKES_ONLY_STAR,
} from '../../private/compliance-findings';
import { allowCloudWatchLogs } from '../../private/log-storage';
import { PARTICIPANTS_ENV } from '../../private/participant-roles';
import { handlerFunction } from '../../private/handler-function';
import { allowGovernanceMetrics, governanceMetric } from './governance-metrics';
import { Participants } from './participants';
import type { ApprovalPipelineProps } from '../model-pipeline';
import { ownKey } from '../../private/own-key';
import { administrationOnlyKeyPolicy, denyAllBut } from '../../private/exclusive-access';

/** How the pipelines' functions are invoked, and why that needs no DLQ nor reserved concurrency. */
const PIPELINE_INVOCATION = {
  deadLetterQueue:
    "Invoked synchronously (by its IAM-authenticated URL or a Step Functions task); a DLQ applies only to asynchronous invocations, and failures return to the caller or the state machine's Catch.",
  concurrency:
    'Only IAM principals granted by the pipeline can invoke it, one call per request or decision; reserved concurrency would take from the account pool and can fail deployment in accounts with the minimum quota.',
};

const GATE_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];

const MAX_APPROVAL_TIMEOUT = Duration.days(365);

export interface ApprovalGateProps extends ApprovalPipelineProps {
  /** The construct the gate belongs to, for error messages: `CustomizationPipeline`. */
  readonly owner: string;
  /** What the requests are for, in descriptions: `customization`, `deployment`. */
  readonly subject: string;
}

/**
 * The approval gate of a pipeline, one part for every pipeline: the decision table (where task
 * tokens live, readable by the gate's functions alone), the notification topic, the function that
 * holds a request for approval, the request and approval endpoints with the people they count
 * (`Participants`), and the governance metrics. Its resources are made in the pipeline's own scope.
 * The two-person rule, no self-approval and expiry are the handlers' and the state machine's.
 */
export class ApprovalGate {
  /** How many distinct people, none of them the requester, must approve a request. */
  public readonly requiredApprovals: number;
  /** How long a request waits for its approvals before it expires and fails closed. */
  public readonly approvalTimeout: Duration;
  /** How long the pipeline's logs are kept. */
  public readonly logRetention: logs.RetentionDays;
  public readonly encryptionKey: kms.IKey;
  /**
   * Seals the approval step's task token in the decision table: its key policy lets the gate
   * function encrypt and the approval function decrypt, and no one else use it.
   */
  public readonly tokenKey: kms.Key;
  public readonly table: dynamodb.Table;
  public readonly topic: sns.Topic;
  /** The function the state machine invokes to wait for approval, with a task token. */
  public readonly gateFunction: lambda.Function;
  public requestUrl!: lambda.FunctionUrl;
  public approvalUrl!: lambda.FunctionUrl;
  /** The gate's functions, once `attach` has made the endpoints. */
  public readonly functions: lambda.Function[] = [];
  /** Every function made for the pipeline (`fn`): the gate's and the pipeline's steps. */
  public readonly allFunctions: lambda.Function[] = [];

  private readonly participants: Participants;
  /** The roles the table's resource policy lets write: the gate's functions and its state machine. */
  private readonly tableWriters: iam.IRole[] = [];
  private stateMachine?: sfn.StateMachine;
  private requestFunction?: lambda.Function;
  private approvalFunction?: lambda.Function;

  constructor(
    private readonly scope: Construct,
    private readonly props: ApprovalGateProps,
  ) {
    this.requiredApprovals = checkApprovals(props);
    this.approvalTimeout = checkTimeout(props);
    this.logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    this.participants = new Participants(scope, props.unverifiedSessionRoles ?? []);
    this.encryptionKey = ownKey(
      scope,
      `${capitalized(props.subject)} pipeline: decisions, notifications, logs`,
      props.encryptionKey,
    );
    allowCloudWatchLogs(this.encryptionKey, scope);

    this.table = new dynamodb.Table(scope, 'Decisions', {
      // Records are written by the gate alone, whatever identity policies say elsewhere.
      resourcePolicy: new iam.PolicyDocument({
        statements: [
          denyAllBut({
            sid: 'OnlyTheGateWritesRecords',
            actions: [...DECISION_RECORD_WRITES],
            // A table's own ARN cannot be named in its own policy; the policy applies to this table only.
            resources: ['*'],
            principalArns: Lazy.list({ produce: () => this.tableWriters.map((r) => r.roleArn) }),
          }),
        ],
      }),
      partitionKey: { name: 'requestId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeFinding(
      this.table,
      'DynamoDBInBackupPlan',
      "Point-in-time recovery keeps 35 days of the table's requests and decisions; each finished job's record is its provenance manifest under object lock in the registry.",
    );
    // Whoever can read this table and send task success can approve: the analysis must know it.
    (this.table.node.defaultChild as dynamodb.CfnTable).tags.setTag(TAG_COMPONENT, Component.DECISION_TABLE);
    this.topic = new sns.Topic(scope, 'Notifications', {
      displayName: `Model ${props.subject} requests`,
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });

    this.tokenKey = new kms.Key(scope, 'TaskTokenKey', {
      description: `${capitalized(props.subject)} pipeline: seals the approval step's task tokens`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      policy: administrationOnlyKeyPolicy('AccountAdministersButCannotUse'),
    });

    this.gateFunction = this.fn(
      'ApprovalGate',
      'approval-gate',
      'Holds a request for approval, then checks its decision',
      {
        TABLE_NAME: this.table.tableName,
        TOPIC_ARN: this.topic.topicArn,
        TOKEN_KEY_ARN: this.tokenKey.keyArn,
        APPROVAL_TIMEOUT_SECONDS: String(this.approvalTimeout.toSeconds()),
        REQUIRED_APPROVALS: String(this.requiredApprovals),
      },
    );
    this.grantTable(this.gateFunction, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    this.grantTokenKey(this.gateFunction, 'kms:Encrypt');
    this.grantPublish(this.gateFunction);
    this.functions.push(this.gateFunction);
  }

  /**
   * One of the pipeline's functions: its environment and logs under the gate's key, tagged as the
   * pipeline machinery it is (`component`), which the pack and the boundaries guard.
   */
  public fn(
    id: string,
    handler: string,
    description: string,
    environment: Record<string, string>,
    component: Component = Component.PIPELINE_FUNCTION,
  ) {
    const fn = handlerFunction(this.scope, id, {
      owner: this.props.owner,
      directory: path.join(__dirname, '..', 'handlers'),
      handler,
      description,
      part: `${this.props.subject} pipeline function`,
      roleCapability: 'pipeline',
      invocation: PIPELINE_INVOCATION,
      calls: 'DynamoDB, S3, Step Functions, SNS, SageMaker',
      environment,
      encryptionKey: this.encryptionKey,
      logRetention: this.logRetention,
    });
    (fn.node.defaultChild as lambda.CfnFunction).tags.setTag(TAG_COMPONENT, component);
    this.allFunctions.push(fn);
    return fn;
  }

  /**
   * Makes the request and approval endpoints for the pipeline's state machine, which only the
   * request function starts, and lets the state machine publish and count outcomes.
   * `requestEnvironment` is what the request handler checks requests against.
   */
  public attach(stateMachine: sfn.StateMachine, requestEnvironment: Record<string, string>): void {
    this.stateMachine = stateMachine;
    // Its tasks record status changes and outcomes.
    this.tableWriters.push(stateMachine.role);
    this.grantPublish(stateMachine);
    allowGovernanceMetrics(stateMachine.role);
    const common = {
      TABLE_NAME: this.table.tableName,
      PIPELINE_NAME: stateMachine.stateMachineName,
    };
    const requestFunction = this.fn(
      'RequestHandler',
      'request-handler',
      `Takes ${this.props.subject} requests`,
      {
        ...common,
        [PARTICIPANTS_ENV]: this.participants.environment('request'),
        STATE_MACHINE_ARN: stateMachine.stateMachineArn,
        REQUIRED_APPROVALS: String(this.requiredApprovals),
        ...requestEnvironment,
      },
      Component.REQUEST_ENDPOINT,
    );
    this.grantTable(requestFunction, 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    stateMachine.grantStartExecution(requestFunction);
    this.requestFunction = requestFunction;
    this.requestUrl = requestFunction.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });

    const approvalFunction = this.fn(
      'ApprovalHandler',
      'approval-handler',
      'Takes approvals and rejections',
      {
        ...common,
        TOKEN_KEY_ARN: this.tokenKey.keyArn,
        [PARTICIPANTS_ENV]: this.participants.environment('approval'),
      },
      Component.APPROVAL_ENDPOINT,
    );
    this.grantTable(approvalFunction, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    this.grantTokenKey(approvalFunction, 'kms:Decrypt');
    // SendTaskSuccess takes no resource (CDK's grantTaskResponse names the state machine, which
    // IAM never matches): who may resume a wait is decided by who can read its token, here alone.
    approvalFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: ['*'] }),
    );
    acknowledgeWildcardResource(
      approvalFunction.role!,
      '*',
      `states:SendTaskSuccess accepts only Resource "*"; who may resume a wait is decided by who can read its token, this function alone. ${XRAY_TAKES_ONLY_STAR}`,
    );
    this.approvalFunction = approvalFunction;
    this.approvalUrl = approvalFunction.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    for (const f of [requestFunction, approvalFunction]) {
      this.grantKey(f);
      this.functions.push(f);
    }
  }

  /**
   * Lets one of the gate's functions use the decision table; one that writes becomes a writer
   * the table's resource policy admits.
   */
  public grantTable(fn: lambda.Function, ...actions: string[]): void {
    this.table.grant(fn, ...actions);
    if (actions.some((a) => DECISION_RECORD_WRITES.includes(a))) this.tableWriters.push(fn.role!);
  }

  /** One use of the task-token key, by its key policy (identity policies cannot grant it) and the function's own. */
  private grantTokenKey(fn: lambda.Function, action: 'kms:Encrypt' | 'kms:Decrypt'): void {
    this.tokenKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: action === 'kms:Encrypt' ? 'GateSealsTokens' : 'ApprovalHandlerOpensTokens',
        principals: [new iam.ArnPrincipal(fn.role!.roleArn)],
        actions: [action],
        resources: ['*'],
      }),
    );
    this.tokenKey.grant(fn, action);
  }

  /** Lets the grantee submit requests through the request URL, and nothing more. */
  public grantRequest(grantee: iam.IGrantable): iam.Grant {
    this.participants.add(grantee, 'request');
    return this.attached(this.requestFunction).grantInvokeUrl(grantee);
  }

  /** Lets the grantee approve or reject other people's requests through the approval URL. */
  public grantApprove(grantee: iam.IGrantable): iam.Grant {
    this.participants.add(grantee, 'approval');
    return this.attached(this.approvalFunction).grantInvokeUrl(grantee);
  }

  /** The sources of identity its requesters and approvers come from. */
  public participantSources(): Set<string> {
    return this.participants.sources();
  }

  /** The executions of the state machine, for `grantReadStatus`. */
  public executionsArn(): string {
    return Stack.of(this.scope).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.attached(this.stateMachine).stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /** One of the pipeline's governance metrics. */
  public metric(name: string, props?: cloudwatch.MetricOptions, status?: string): cloudwatch.Metric {
    return governanceMetric(this.attached(this.stateMachine).stateMachineName, name, props, status);
  }

  /** sns:Publish on the topic, with the key: CDK's grantPublish would add kms:GenerateDataKey*. */
  public grantPublish(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }),
    );
    this.grantKey(grantee);
  }

  /** The key's cryptographic operations the table, topic and environments need, named one by one. */
  public grantKey(grantee: iam.IGrantable): void {
    this.encryptionKey.grant(grantee, ...GATE_KEY_ACTIONS);
  }

  private attached<T>(part: T | undefined): T {
    if (part === undefined)
      throw new Error(`${this.scope.node.path}: the approval gate is not attached yet.`);
    return part;
  }
}

function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function checkApprovals(props: ApprovalGateProps): number {
  const n = props.requiredApprovals ?? 2;
  if (!Number.isInteger(n) || n < 1 || n > 10) {
    throw new Error(`${props.owner}: requiredApprovals must be a whole number from 1 to 10, got ${n}.`);
  }
  if (n === 1 && !props.allowSingleApprover) {
    throw new Error(
      `${props.owner}: requiredApprovals 1 gives up the two-person rule; set allowSingleApprover: true to accept that.`,
    );
  }
  return n;
}

function checkTimeout(props: ApprovalGateProps): Duration {
  const timeout = props.approvalTimeout ?? Duration.days(3);
  const seconds = timeout.toSeconds();
  if (!Token.isUnresolved(seconds) && (seconds < 1 || seconds > MAX_APPROVAL_TIMEOUT.toSeconds())) {
    throw new Error(
      `${props.owner}: approvalTimeout must be from 1 second to 365 days, got ${timeout.toHumanString()}.`,
    );
  }
  return timeout;
}
