import { markLibraryRole } from '../private/library-roles';
import { Duration, Lazy, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TAG_CAPABILITY } from '../capabilities/capability';
import { acknowledgeFinding, acknowledgeWildcardResource } from '../private/compliance-findings';
import { AccessConditions } from './access-conditions';
import {
  conditionDenies,
  sessionTagProblem,
  trustedPrincipal,
  validateConditions,
} from './private/conditions';

export interface SelfBoundedRoleProps {
  /** Who may assume the role. */
  readonly assumedBy: iam.IPrincipal;

  /**
   * Attribute-based conditions: time window, network, MFA, session tags.
   * @default - none
   */
  readonly conditions?: AccessConditions;

  /** Longest session of the role. @default Duration.hours(1) */
  readonly maxSessionDuration?: Duration;

  /** @default - a description naming the role's part */
  readonly description?: string;

  /**
   * A fixed name for the role. Give one when a resource of another stack grants to the role (a
   * pipeline, a registry, a trail's alerts): its policies name the role by it, not by a reference.
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;
}

/**
 * A role for people who take part in model access without holding a model capability:
 * customization requesters, approvers, auditors. Its permissions boundary allows exactly the
 * actions granted to it in the app, so a policy attached later (even AdministratorAccess) adds
 * no new action; its conditions are denies in that boundary.
 */
export class SelfBoundedRole extends iam.Role {
  /** The boundary: the granted actions, and the conditions. */
  public readonly boundary: iam.ManagedPolicy;

  private readonly grantedActions = new Set<string>();

  /**
   * @param declaredCapability the `model-access:capability` tag: what the role may hold at most
   */
  constructor(scope: Construct, id: string, declaredCapability: string, props: SelfBoundedRoleProps) {
    const conditions = props.conditions ?? {};
    validateConditions(`${new.target.name} '${id}'`, conditions, props.assumedBy);
    super(scope, id, {
      assumedBy: trustedPrincipal(props.assumedBy, conditions),
      maxSessionDuration: props.maxSessionDuration ?? Duration.hours(1),
      description: props.description ?? `cdk-model-access ${declaredCapability} role`,
      roleName: props.roleName,
    });
    markLibraryRole(this);
    // The boundary names no resource: resources are the grants' business, and naming them here
    // would make the boundary depend on the keys whose policies name this role.
    this.boundary = new iam.ManagedPolicy(this, 'Boundary', {
      description: `cdk-model-access ${declaredCapability}: boundary of ${this.node.path}, the actions granted to it`,
      statements: [
        new iam.PolicyStatement({
          sid: 'AllowGrantedActions',
          actions: Lazy.list({ produce: () => [...this.grantedActions].sort() }),
          resources: ['*'],
        }),
        ...conditionDenies(conditions),
      ],
    });
    iam.PermissionsBoundary.of(this).apply(this.boundary);
    // IAM refuses a policy whose Action list is empty: a role granted nothing cannot be deployed.
    this.node.addValidation({
      validate: () =>
        this.grantedActions.size > 0
          ? []
          : [
              `${new.target.name} '${id}' was granted nothing, so its boundary would allow no action and IAM would refuse it; grant it what its people need, or remove it.`,
            ],
    });
    this.node.addValidation({
      validate: () => {
        const problem = sessionTagProblem(Stack.of(this).resolve(this.assumeRolePolicy?.toJSON()));
        return problem ? [`${new.target.name} '${id}': ${problem}.`] : [];
      },
    });
    Tags.of(this).add(TAG_CAPABILITY, declaredCapability);
    acknowledgeWildcardResource(
      this.boundary,
      '*',
      'A permissions boundary\'s Allow on "*" is a ceiling, not a grant: the role\'s own policy names the resources.',
    );
    acknowledgeFinding(
      this,
      'IAMNoInlinePolicy',
      "The role's grants go to its own AWS::IAM::Policy, attachable to no other principal; its boundary holds it to their actions.",
    );
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    if (statement.effect === iam.Effect.ALLOW) statement.actions.forEach((a) => this.grantedActions.add(a));
    return super.addToPrincipalPolicy(statement);
  }
}
