import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Capability } from '../capabilities/capability';
import { IGovernedPipeline } from './governance-dashboard';

/**
 * An approval-gated pipeline of this library (`CustomizationPipeline`, `DeploymentPipeline`), as
 * the audit trail watches it.
 */
export interface IModelPipeline extends IGovernedPipeline {
  /** The pipeline's state machine. */
  readonly stateMachine: sfn.StateMachine;
  /** Every role of the pipeline. */
  readonly roles: iam.IRole[];
  /** The key of its decision table, topic, logs and function environments. */
  readonly encryptionKey: kms.IKey;
  /** The key that seals its approval step's task tokens. */
  readonly taskTokenKey: kms.IKey;
  /** Its decision table, whose records only its own roles write. */
  readonly table: dynamodb.ITable;
  /** Every function of the pipeline: its endpoints, its approval gate and its steps. */
  readonly functions: lambda.IFunction[];
  /**
   * The roles whose calls of the capability's actions are the pipeline's own work, made only after
   * approval: the audit trail raises no alert for them. Empty for a capability the pipeline does
   * not exercise.
   */
  rolesActingFor(capability: Capability): iam.IRole[];
}

/** What every approval-gated pipeline takes: who must approve, for how long, and how it is kept. */
export interface ApprovalPipelineProps {
  /**
   * How many distinct people, none of them the requester (nor, for a deployment, whoever
   * requested the model's training), must approve a request. 1 is refused unless
   * `allowSingleApprover` is set.
   * @default 2
   */
  readonly requiredApprovals?: number;

  /**
   * Allows `requiredApprovals: 1`, giving up the two-person rule: one approver besides the
   * requester then suffices. Meant for sandboxes, not for models that reach production.
   * @default false
   */
  readonly allowSingleApprover?: boolean;

  /** How long a request waits for its approvals before it expires and fails. @default Duration.days(3) */
  readonly approvalTimeout?: Duration;

  /** How long the pipeline's logs are kept. @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The key for the decision table, the topic, the logs and the functions' environment. The policy
   * of a key you bring must let CloudWatch Logs use it (the construct adds this to a key it owns).
   * @default - a new KMS key with rotation, retained on stack deletion
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Roles whose session names the pipeline takes as people although their trust policy does not
   * pin them. A caller of such a role chooses its session name, so one person could request or
   * approve under several names: the pack reports each of these roles
   * (`ModelAccess-UnpinnedParticipants`) until it is acknowledged with a reason. Without this,
   * granting the endpoints to such a role fails at synth.
   * @default - none: only IAM users, roles that pin session names, and IAM Identity Center
   * permission-set roles take part
   */
  readonly unverifiedSessionRoles?: iam.IRole[];
}
