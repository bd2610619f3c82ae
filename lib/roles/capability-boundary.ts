import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Capability } from '../capabilities/capability';
import { acknowledgeWildcardResource } from '../private/compliance-findings';
import { catalogActions, expandActions } from '../capabilities/actions';
import { capabilityDenies, MODEL_SERVICES, WORKLOAD_SUPPORT_ACTIONS } from './private/capability-policy';
import { checkedCapability } from '../capabilities/private/checked';
import { BEARER_TOKEN_ACTIONS } from '../capabilities/private/api-keys';
import { acceptNewerActions } from '../private/cfn-lint';

/** Options of a capability boundary. */
export interface CapabilityBoundaryOptions {
  /**
   * Let inference roles under this boundary use bearer tokens (Bedrock and SageMaker API keys) they
   * sign: `bedrock:CallWithBearerToken` and its counterparts. Inference only.
   * @default false: the boundary denies them
   */
  readonly allowBearerTokens?: boolean;
}

/**
 * The permissions boundary of a capability's roles, created once per stack and shared by them.
 * It allows only the capability's actions and ordinary workload support, so nothing else (the
 * other ML capabilities, privilege administration, passing roles) passes it, and where those
 * allowances reach it explicitly denies what must stay out (for read and inference, weights and
 * training data), so a policy attached later, even AdministratorAccess, cannot merge identities.
 * The role's own policy repeats every deny, explicitly.
 */
export class CapabilityBoundary extends iam.ManagedPolicy {
  /** The boundary of `capability` in the stack of `scope`, created on first use. */
  public static of(
    scope: Construct,
    capability: Capability,
    options: CapabilityBoundaryOptions = {},
  ): CapabilityBoundary {
    const stack = Stack.of(scope);
    checkedCapability('CapabilityBoundary.of', capability);
    const bearerTokens = options.allowBearerTokens ?? false;
    if (bearerTokens && capability !== Capability.INFERENCE) {
      throw new Error(
        `CapabilityBoundary.of: allowBearerTokens is for inference roles only, not ${capability}: an API key would carry that capability to whoever holds it.`,
      );
    }
    const id = `ModelAccessBoundary-${capability}${bearerTokens ? '-bearer-tokens' : ''}`;
    return (
      (stack.node.tryFindChild(id) as CapabilityBoundary | undefined) ??
      new CapabilityBoundary(stack, id, capability, bearerTokens)
    );
  }

  /** The capability whose roles this boundary holds. */
  public readonly capability: Capability;

  private constructor(scope: Construct, id: string, capability: Capability, bearerTokens: boolean) {
    super(scope, id, {
      description: `Permissions boundary of cdk-model-access ${capability} roles: no other model capability, no privilege administration`,
    });
    this.capability = capability;
    acceptNewerActions(this.node.defaultChild as iam.CfnManagedPolicy);
    acknowledgeWildcardResource(
      this,
      '*',
      'A permissions boundary\'s Allow on "*" is a ceiling, not a grant: it lets the role\'s own policies work, and its denies keep out every other capability.',
    );
    const allows = [
      new iam.PolicyStatement({
        sid: 'AllowCapability',
        actions: catalogActions(capability),
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'AllowWorkloadSupport',
        actions: WORKLOAD_SUPPORT_ACTIONS,
        resources: ['*'],
      }),
      // An inference role that must apply a guardrail applies it; applying one only screens text.
      ...(capability === Capability.INFERENCE
        ? [
            new iam.PolicyStatement({
              sid: 'AllowApplyGuardrail',
              actions: ['bedrock:ApplyGuardrail'],
              resources: ['*'],
            }),
          ]
        : []),
      ...(bearerTokens
        ? [
            new iam.PolicyStatement({
              sid: 'AllowBearerTokens',
              actions: [...BEARER_TOKEN_ACTIONS],
              resources: ['*'],
            }),
          ]
        : []),
      ...(capability === Capability.CUSTOMIZATION
        ? [
            new iam.PolicyStatement({
              sid: 'AllowPassRoleToModelServices',
              actions: ['iam:PassRole'],
              resources: ['*'],
              conditions: { StringEquals: { 'iam:PassedToService': MODEL_SERVICES } },
            }),
          ]
        : []),
    ];
    const allowed = expandActions(allows.flatMap((a) => a.actions)).actions;
    this.addStatements(
      ...allows,
      ...capabilityDenies(capability, bearerTokens).flatMap((d) => withinCeiling(d, allowed)),
    );
  }
}

/**
 * A boundary's deny, narrowed to what the boundary's allows reach: an action the boundary does not
 * allow is denied by IAM already (a boundary is a ceiling), and a managed policy holds 6,144
 * characters. Gone when nothing is left; a deny by `NotAction` stays whole.
 */
function withinCeiling(deny: iam.PolicyStatement, allowed: readonly string[]): iam.PolicyStatement[] {
  if (deny.notActions.length > 0) return [deny];
  const reach = new Set(allowed);
  const actions = deny.actions.filter((pattern) =>
    expandActions([pattern]).actions.some((action) => reach.has(action)),
  );
  if (actions.length === 0) return [];
  if (actions.length === deny.actions.length) return [deny];
  return [
    new iam.PolicyStatement({
      sid: deny.sid,
      effect: iam.Effect.DENY,
      actions,
      resources: deny.resources,
      conditions: deny.conditions,
    }),
  ];
}
