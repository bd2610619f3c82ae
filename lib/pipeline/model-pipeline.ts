import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Capability } from '../capabilities/capability';
import { IGovernedPipeline } from './governance-dashboard';

/**
 * An approval-gated pipeline of this library (`CustomizationPipeline`, `DeploymentPipeline`), as
 * the audit trail watches it.
 */
export interface IModelPipeline extends IGovernedPipeline {
  /** The pipeline's state machine. */
  readonly stateMachine: sfn.IStateMachine;
  /** Every role of the pipeline. */
  readonly roles: iam.IRole[];
  /** The key of its decision table, topic, logs and function environments. */
  readonly encryptionKey: kms.IKey;
  /**
   * The roles whose calls of the capability's actions are the pipeline's own work, made only after
   * approval: the audit trail raises no alert for them. Empty for a capability the pipeline does
   * not exercise.
   */
  rolesActingFor(capability: Capability): iam.IRole[];
}
