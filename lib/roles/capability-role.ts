import { markLibraryRole } from '../private/library-roles';
import { Duration, Stack, Tags, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Capability, TAG_CAPABILITY } from '../capabilities/capability';
import { CATALOG } from '../capabilities/catalog';
import { ModelTarget } from '../capabilities/model-target';
import { acknowledgeFinding, acknowledgeWildcardResource } from '../private/compliance-findings';
import { AccessConditions } from './access-conditions';
import { CapabilityBoundary } from './capability-boundary';
import { capabilityDenies } from './private/capability-policy';
import {
  classificationCondition,
  conditionDenies,
  sessionTagProblem,
  trustedPrincipal,
  validateConditions,
  validateTrust,
} from './private/conditions';
import { DEFAULT_MANAGED_POLICIES_PER_ROLE, packStatements } from './private/policy-packing';
import { StatementSpec } from './private/policy-packing-spec';
import { registerForTrustSeparation } from './private/trust-separation';
import { acceptNewerActions } from '../private/cfn-lint';

/** What every capability role takes. */
export interface CapabilityRoleProps {
  /** Who may assume the role. */
  readonly assumedBy: iam.IPrincipal;

  /**
   * External ids a third party must present when assuming the role (`sts:ExternalId`).
   * @default - none
   */
  readonly externalIds?: string[];

  /** The models the role may act on; at least one. */
  readonly targets: ModelTarget[];

  /**
   * Attribute-based conditions: time window, network, MFA, data classification, session tags.
   * @default - none
   */
  readonly conditions?: AccessConditions;

  /**
   * Longest session of the role.
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;

  /**
   * A permissions boundary of your own instead of the capability's. It should deny what
   * `CapabilityBoundary` denies, or the role can grow into another capability.
   * @default - the stack's CapabilityBoundary of this capability
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;

  /**
   * A physical name for the role.
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;

  /**
   * @default - a description naming the capability
   */
  readonly description?: string;

  /**
   * How many managed policies the role's model statements may take. IAM's default quota is 10
   * per role; raise this (up to 20) only after raising the account's quota.
   * @default 10
   */
  readonly maxManagedPolicies?: number;
}

const ONE_HOUR = Duration.hours(1);

/** What a kind of capability role adds to the role every capability has. */
export interface CapabilityRoleExtras {
  /** Statements granted beside the targets' own. @default - none */
  readonly statements?: StatementSpec[];
  /** Denies added to the role's guard, its inline policy. @default - none */
  readonly denies?: iam.PolicyStatement[];
  /** Bearer tokens (API keys) allowed, by the guard and by a boundary of their own; inference only. @default false */
  readonly allowBearerTokens?: boolean;
}

/**
 * A role that holds exactly one model capability, on its targets, under its conditions, within a
 * boundary that denies every other capability.
 */
export abstract class CapabilityRole extends iam.Role {
  /** Whether `x` is a capability role of this library. */
  public static isCapabilityRole(x: unknown): x is CapabilityRole {
    return x instanceof CapabilityRole;
  }

  /** The capability the role holds. */
  public readonly capability: Capability;
  /** The models the role acts on. */
  public readonly targets: ModelTarget[];
  /** The managed policies that carry the role's model statements. */
  public readonly modelPolicies: iam.ManagedPolicy[] = [];

  private readonly statements: iam.PolicyStatement[] = [];
  private readonly documents: iam.PolicyDocument[] = [];

  protected constructor(
    scope: Construct,
    id: string,
    capability: Capability,
    props: CapabilityRoleProps,
    extras: CapabilityRoleExtras = {},
  ) {
    const { statements: extraStatements = [], denies: extraDenies = [], allowBearerTokens = false } = extras;
    const where = `${new.target.name} '${id}'`;
    const conditions = props.conditions ?? {};
    if (!props.targets || props.targets.length === 0) {
      throw new Error(`${where}: targets is empty; name at least one ModelTarget the role may act on.`);
    }
    validateConditions(where, conditions, props.assumedBy);
    validateTrust(where, props.assumedBy, props.externalIds, Stack.of(scope));
    const maxSession = props.maxSessionDuration ?? ONE_HOUR;
    // What changes a model or what production serves is done in short sessions.
    if (
      (capability === Capability.CUSTOMIZATION || capability === Capability.DEPLOYMENT) &&
      !Token.isUnresolved(maxSession.toSeconds()) &&
      maxSession.toSeconds() > 3600
    ) {
      throw new Error(
        `${where}: maxSessionDuration is ${maxSession.toHumanString()}; a ${capability} session may last at most 1 hour.`,
      );
    }
    const maxPolicies = props.maxManagedPolicies ?? DEFAULT_MANAGED_POLICIES_PER_ROLE;
    if (!Number.isInteger(maxPolicies) || maxPolicies < 1 || maxPolicies > 20) {
      throw new Error(
        `${where}: maxManagedPolicies is ${maxPolicies}; IAM allows 1 to 20 managed policies per role.`,
      );
    }
    const classification = classificationCondition(conditions);
    if (classification) {
      const untaggable = props.targets.find((t) =>
        t.resources.some((r) => r.resourceType === 'foundation-model'),
      );
      if (untaggable) {
        throw new Error(
          `${where}: conditions.classificationTagKey needs taggable targets, but ${untaggable.description} carries no tags. ` +
            'Reach foundation models through an application inference profile.',
        );
      }
    }
    const guard = new iam.PolicyDocument({
      statements: [
        ...conditionDenies(conditions),
        ...capabilityDenies(capability, allowBearerTokens),
        ...extraDenies,
      ],
    });

    super(scope, id, {
      assumedBy: trustedPrincipal(props.assumedBy, conditions),
      externalIds: props.externalIds,
      maxSessionDuration: maxSession,
      permissionsBoundary:
        props.permissionsBoundary ?? CapabilityBoundary.of(scope, capability, { allowBearerTokens }),
      roleName: props.roleName,
      description: props.description ?? `cdk-model-access ${capability} role`,
      // In the role resource itself, so the role never exists without its denies.
      inlinePolicies: { 'model-access-guard': guard },
    });
    this.capability = capability;
    this.targets = props.targets;
    markLibraryRole(this);
    acceptNewerActions(this.node.defaultChild as iam.CfnRole);
    Tags.of(this).add(TAG_CAPABILITY, capability);
    acknowledgeFinding(
      this,
      'IAMNoInlinePolicy',
      "The role's guard denies are inline in the role resource, so the role never exists without them; grants made to it go to its own AWS::IAM::Policy, attachable to no other principal.",
    );

    const onTargets = targetStatements(capability, props.targets, classification);
    for (const spec of onTargets) {
      for (const arn of spec.resources.filter((r) => r.includes('*'))) {
        acknowledgeWildcardResource(this, arn, wildcardReason(spec.conditions));
      }
    }
    const specs = [...onTargets, ...extraStatements];
    const documents = packStatements(Stack.of(this), specs);
    if (documents.length > maxPolicies) {
      throw new Error(
        `${where}: its ${props.targets.length} targets need ${documents.length} managed policies, over the ${maxPolicies} a role may have. ` +
          'Select the models by tag with ModelTarget.tagged, split the targets across roles, or raise maxManagedPolicies after raising the IAM quota.',
      );
    }
    documents.forEach((statements, i) => {
      const policy = new iam.ManagedPolicy(this, `ModelAccess${i + 1}`, {
        description: `cdk-model-access ${capability} permissions of ${this.node.path} (${i + 1}/${documents.length})`,
        statements,
      });
      this.addManagedPolicy(policy);
      this.modelPolicies.push(policy);
    });
    registerForTrustSeparation(this);
    this.node.addValidation({
      validate: () => {
        const problem = sessionTagProblem(
          Stack.of(this).resolve(this.assumeRolePolicy?.toJSON()),
          conditions.classificationTagKey,
        );
        return problem ? [`${where}: ${problem}.`] : [];
      },
    });
  }

  /**
   * Every identity-policy statement the role holds now (its own, and those of the policies
   * attached to it, as they are at the time of the call), for the trust separation check.
   */
  public get identityStatements(): iam.PolicyStatement[] {
    // PolicyDocument keeps its statements private; its JSON form is the public view.
    const fromDocuments = this.documents.flatMap((d) =>
      ((d.toJSON() as { Statement?: unknown[] } | undefined)?.Statement ?? []).map((s) =>
        iam.PolicyStatement.fromJson(s),
      ),
    );
    return [...this.statements, ...fromDocuments];
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.statements.push(statement);
    return super.addToPrincipalPolicy(statement);
  }

  public attachInlinePolicy(policy: iam.Policy): void {
    this.documents.push(policy.document);
    super.attachInlinePolicy(policy);
  }

  public addManagedPolicy(policy: iam.IManagedPolicy): void {
    if (policy instanceof iam.ManagedPolicy) this.documents.push(policy.document);
    super.addManagedPolicy(policy);
  }
}

/**
 * One statement per (actions, conditions) the targets need, listing every resource that takes
 * them: the targets' ARNs, never a wildcard action.
 */
function targetStatements(
  capability: Capability,
  targets: ModelTarget[],
  classification: Record<string, Record<string, string>> | undefined,
): StatementSpec[] {
  const grouped = new Map<
    string,
    { actions: string[]; resources: string[]; conditions?: Record<string, unknown> }
  >();
  for (const target of targets) {
    target.arnsFor(capability); // throws, with a hint, for a target that takes none of the capability's actions
    for (const resource of target.resources) {
      const actions = target.actionsFor(capability).filter((a) => target.resourcesFor(a).includes(resource));
      if (actions.length === 0) continue;
      const conditions = mergeConditions(
        target.conditions,
        resource.conditions,
        classification,
        pinnedApart(capability, actions),
      );
      const key = JSON.stringify([actions, conditions]);
      const group = grouped.get(key) ?? { actions, resources: [], conditions };
      if (!group.resources.includes(resource.arn)) group.resources.push(resource.arn);
      grouped.set(key, group);
    }
  }
  return [...grouped.values()];
}

/**
 * The conditions that keep the actions to `capability`: where the catalog says an action confers
 * another capability unless a condition key is pinned (`sagemaker:CreateModelPackage` is APPROVAL
 * unless `sagemaker:ModelApprovalStatus` is `PendingManualApproval`), the statement pins it.
 */
function pinnedApart(
  capability: Capability,
  actions: string[],
): Record<string, Record<string, string>> | undefined {
  const pins = CATALOG.filter(
    (e) => e.capability !== capability && e.exceptWhere && actions.includes(e.action),
  ).map((e) => e.exceptWhere!);
  if (pins.length === 0) return undefined;
  return { StringEquals: Object.fromEntries(pins.map((p) => [p.key, p.value])) };
}

/** Why a target's ARN with a wildcard is as narrow as the statement: its conditions select the resources. */
function wildcardReason(conditions: Record<string, unknown> | undefined): string {
  const keys = Object.values(conditions ?? {}).flatMap((block) => Object.keys(block as object));
  if (keys.includes('bedrock:InferenceProfileArn')) {
    return 'The foundation model in whichever Region the system-defined inference profile routes to, and only for requests through that profile (bedrock:InferenceProfileArn).';
  }
  return `The model resources the statement's conditions (${keys.join(', ')}) select: ModelTarget.tagged.`;
}

/** Merges condition blocks operator by operator, so neither overwrites the other's keys. */
function mergeConditions(
  ...blocks: (Record<string, Record<string, string>> | undefined)[]
): Record<string, Record<string, string>> | undefined {
  const merged: Record<string, Record<string, string>> = {};
  for (const block of blocks) {
    for (const [operator, keys] of Object.entries(block ?? {}))
      merged[operator] = { ...merged[operator], ...keys };
  }
  return Object.keys(merged).length > 0 ? merged : undefined;
}
