import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { matchesAction } from '../../capabilities/actions';
import { scalar } from '../../private/intrinsics';
import { distinguishingConditions, toldApart } from '../../private/trust-conditions';
import type { CapabilityRole } from '../capability-role';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const ROLES = new WeakMap<IConstruct, CapabilityRole[]>();

interface Trusted {
  readonly kind: 'AWS' | 'Federated' | 'Service';
  /** The principal, resolved to JSON, to compare across roles. */
  readonly id: string;
  /** The principal as a person reads it: `arn:${AWS::Partition}:iam::${AWS::AccountId}:root`. */
  readonly name: string;
  /** Its distinguishing conditions, resolved to JSON ('' when none). */
  readonly distinguishedBy: string;
}

/**
 * Registers a capability role for the app-wide trust separation check, which runs as construct
 * validation once the app is complete.
 */
export function registerForTrustSeparation(role: CapabilityRole): void {
  const root = role.node.root;
  const roles = ROLES.get(root) ?? [];
  roles.push(role);
  ROLES.set(root, roles);
  role.node.addValidation({ validate: () => trustSeparationErrors(role, roles) });
}

function trustedBy(role: CapabilityRole): Trusted[] {
  const doc = Stack.of(role).resolve(role.assumeRolePolicy?.toJSON()) as Json;
  const result: Trusted[] = [];
  for (const statement of doc?.Statement ?? []) {
    if (statement.Effect !== 'Allow') continue;
    const distinguishedBy = distinguishingConditions(statement.Condition);
    for (const kind of ['AWS', 'Federated', 'Service'] as const) {
      for (const p of [statement.Principal?.[kind] ?? []].flat()) {
        result.push({ kind, id: JSON.stringify(p), name: scalar(p), distinguishedBy });
      }
    }
  }
  return result;
}

function isAccountRoot(id: string): boolean {
  return /:root"|^"\d{12}"$/.test(id);
}

/** Roles (of any capability) that `role`'s identity statements allow an action on. */
function reachableBy(role: CapabilityRole, action: string, others: CapabilityRole[]): CapabilityRole[] {
  const stack = Stack.of(role);
  const statements = role.identityStatements
    .map((s) => stack.resolve(s.toStatementJson()) as Json)
    .filter(
      (s) => s.Effect === 'Allow' && [s.Action ?? []].flat().some((a: string) => matchesAction(a, action)),
    );
  const resources = statements.flatMap((s) => [s.Resource ?? []].flat().map((r: Json) => JSON.stringify(r)));
  return others.filter(
    (o) => resources.includes('"*"') || resources.includes(JSON.stringify(stack.resolve(o.roleArn))),
  );
}

function describe(role: CapabilityRole): string {
  return `${role.constructor.name} '${role.node.path}' (${role.capability})`;
}

/** Why `role` and roles of other capabilities registered before it are not separate identities. */
function trustSeparationErrors(role: CapabilityRole, roles: CapabilityRole[]): string[] {
  const errors: string[] = [];
  const mine = trustedBy(role);
  const stack = Stack.of(role);
  const earlier = roles.slice(0, roles.indexOf(role)).filter((o) => o.capability !== role.capability);
  const others = roles.filter((o) => o !== role && o.capability !== role.capability);

  for (const other of earlier) {
    for (const theirs of trustedBy(other)) {
      const same = mine.find((m) => m.kind === theirs.kind && m.id === theirs.id);
      // A service acts only for the resource configured with each role: not a merge by itself.
      if (!same || same.kind === 'Service') continue;
      const shared = same.kind === 'Federated' || isAccountRoot(same.id);
      if (shared && toldApart(same.distinguishedBy, theirs.distinguishedBy)) continue;
      errors.push(
        `Trust separation: ${same.name} is trusted by ${describe(other)} and ${describe(role)}, so one caller can hold both capabilities. ` +
          (shared
            ? 'Tell the callers apart with conditions that exclude each other: the same key with different values on each role (aws:PrincipalTag/job = chat on one, ml on the other; a SAML attribute; sts:ExternalId), or trust different principals.'
            : 'Give each capability its own principal.'),
      );
    }
  }
  for (const other of others) {
    const otherArn = JSON.stringify(stack.resolve(other.roleArn));
    if (mine.some((m) => m.kind === 'AWS' && m.id === otherArn)) {
      errors.push(
        `Trust separation: ${describe(other)} may assume ${describe(role)}. A capability role must not assume a role of another capability.`,
      );
    }
  }
  for (const other of reachableBy(role, 'sts:AssumeRole', others)) {
    errors.push(
      `Trust separation: ${describe(role)} is allowed sts:AssumeRole on ${describe(other)}. A capability role must not assume a role of another capability.`,
    );
  }
  const passable = reachableBy(
    role,
    'iam:PassRole',
    roles.filter((o) => o !== role),
  );
  const capabilities = new Set(passable.map((o) => o.capability));
  if (capabilities.size > 1) {
    errors.push(
      `Trust separation: ${describe(role)} may pass ${passable.map(describe).join(' and ')}, so one resource it configures could act as either. ` +
        'Scope iam:PassRole to roles of one capability.',
    );
  }
  return errors;
}
