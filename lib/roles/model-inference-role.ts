import { Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Capability } from '../capabilities/capability';
import { BEARER_TOKEN_ACTIONS } from '../capabilities/private/bearer-tokens';
import { CapabilityRole, CapabilityRoleProps } from './capability-role';

/** Properties of a ModelInferenceRole. */
export interface ModelInferenceRoleProps extends CapabilityRoleProps {
  /**
   * Let the role use bearer tokens (short-term Bedrock and SageMaker API keys) that its sessions
   * sign: `bedrock:CallWithBearerToken` and its `bedrock-mantle`, Claude on AWS and SageMaker
   * counterparts, granted and allowed by its boundary. Whoever holds such a key invokes the role's
   * models for up to twelve hours, from anywhere, without the role's conditions being asked again;
   * the pack's `ModelAccess-BearerTokenCapability` finding is acknowledged on the role, saying so.
   * @default false: its boundary and its own policy deny them
   */
  readonly allowBearerTokens?: boolean;
}

/**
 * A role that may call its models (INFERENCE) and nothing else: it cannot read metadata through
 * the registry, customize a model, read weights or training data, or change its own permissions.
 */
export class ModelInferenceRole extends CapabilityRole {
  constructor(scope: Construct, id: string, props: ModelInferenceRoleProps) {
    const bearerTokens = props.allowBearerTokens ?? false;
    super(
      scope,
      id,
      Capability.INFERENCE,
      props,
      bearerTokens ? [{ actions: [...BEARER_TOKEN_ACTIONS], resources: ['*'] }] : [],
      bearerTokens,
    );
    if (bearerTokens) {
      Validations.of(this).acknowledge({
        id: `ModelAccess::ModelAccess-BearerTokenCapability[${BEARER_TOKEN_ACTIONS.join('+')}]`,
        reason:
          'allowBearerTokens: inference by API key was asked for; a key this role signs carries its inference, and nothing else, to whoever holds it for up to twelve hours.',
      });
    }
  }
}
