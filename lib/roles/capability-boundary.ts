import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Capability } from '../capabilities/capability';
import { acknowledgeWildcardResource } from '../private/compliance-findings';
import { catalogActions } from '../capabilities/actions';
import { capabilityDenies, MODEL_SERVICES, WORKLOAD_SUPPORT_ACTIONS } from './private/capability-policy';
import { checkedCapability } from '../capabilities/private/checked';

/**
 * The permissions boundary of a capability's roles, created once per stack and shared by them.
 * It allows the capability's actions and ordinary workload support, and explicitly denies the
 * other ML capabilities, privilege administration, passing roles and (for read and inference)
 * weights and training data, so a policy attached later, even AdministratorAccess, cannot merge
 * identities.
 */
export class CapabilityBoundary extends iam.ManagedPolicy {
  /** The boundary of `capability` in the stack of `scope`, created on first use. */
  public static of(scope: Construct, capability: Capability): CapabilityBoundary {
    const stack = Stack.of(scope);
    const id = `ModelAccessBoundary-${checkedCapability('CapabilityBoundary.of', capability)}`;
    return (
      (stack.node.tryFindChild(id) as CapabilityBoundary | undefined) ??
      new CapabilityBoundary(stack, id, capability)
    );
  }

  /** The capability whose roles this boundary holds. */
  public readonly capability: Capability;

  private constructor(scope: Construct, id: string, capability: Capability) {
    super(scope, id, {
      description: `Permissions boundary of cdk-model-access ${capability} roles: no other model capability, no privilege administration`,
    });
    this.capability = capability;
    acknowledgeWildcardResource(
      this,
      '*',
      'A permissions boundary\'s Allow on "*" is a ceiling, not a grant: it lets the role\'s own policies work, and its denies keep out every other capability.',
    );
    this.addStatements(
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
      ...capabilityDenies(capability),
    );
    if (capability === Capability.CUSTOMIZATION) {
      this.addStatements(
        new iam.PolicyStatement({
          sid: 'AllowPassRoleToModelServices',
          actions: ['iam:PassRole'],
          resources: ['*'],
          conditions: { StringEquals: { 'iam:PassedToService': MODEL_SERVICES } },
        }),
      );
    }
  }
}
