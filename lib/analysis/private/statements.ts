import { coversAction, matchesAction } from '../../capabilities/actions';
import { list } from '../../private/intrinsics';
import { resourceMatches, resourcesOverlap } from './resource-match';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One statement of a policy, its intrinsics resolved to symbols and its resources canonical. */
export interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions?: string[];
  readonly notActions?: string[];
  /** `Resource`, or `NotResource` when `notResource`, canonical for matching. Empty in trust policies. */
  readonly resources: string[];
  /** The same resources as the template writes them, for evidence. */
  readonly written: string[];
  readonly notResource: boolean;
  readonly conditional: boolean;
  /** The policy, as evidence names it. */
  readonly policy: string;
  readonly sid: string;
  /** The `Principal` element, in trust and resource policies. */
  readonly principal?: Json;
  /** The `Condition` element, as written. */
  readonly condition?: Json;
  /** From an AWS-managed policy: an action IAM no longer lists is AWS's, not the user's, to fix. */
  readonly awsManaged: boolean;
}

/** The statements of a policy document. `canonical` rewrites each resource to the form matching uses. */
export function parseStatements(
  document: Json,
  policy: string,
  canonical: (resource: string) => string,
  awsManaged = false,
): Statement[] {
  const raw = document?.Statement;
  return (Array.isArray(raw) ? raw : raw ? [raw] : []).map((s: Json, i: number) => {
    const written = s.Resource !== undefined ? list(s.Resource) : list(s.NotResource);
    return {
      effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
      actions: s.Action !== undefined ? list(s.Action) : undefined,
      notActions: s.NotAction !== undefined ? list(s.NotAction) : undefined,
      resources: written.map(canonical),
      written,
      notResource: s.Resource === undefined && s.NotResource !== undefined,
      conditional: s.Condition !== undefined && Object.keys(s.Condition).length > 0,
      policy,
      sid: typeof s.Sid === 'string' && s.Sid ? s.Sid : `#${i + 1}`,
      principal: s.Principal,
      condition: s.Condition,
      awsManaged,
    };
  });
}

/** Whether the statement's Action (or NotAction) covers an action. */
export function holdsAction(s: Statement, action: string): boolean {
  return coversAction(s.actions, s.notActions, action);
}

/** The action pattern of a statement that covers an action, as evidence writes it. */
export function actionEvidence(s: Statement, action: string): string {
  return s.actions
    ? (s.actions.find((p) => matchesAction(p, action)) ?? action)
    : `not ${(s.notActions ?? []).join(',')}`;
}

/** Whether the statement applies to some of what `target` names (a resource, or a statement's resource pattern). */
export function mayApplyTo(s: Statement, target: string): boolean {
  // `*` is the request resource of an action that takes no other: only a `*` in the policy names it.
  if (target === '*') return s.notResource !== s.resources.includes('*');
  return s.notResource
    ? !s.resources.some((p) => resourceMatches(p, target))
    : s.resources.some((p) => resourcesOverlap(p, target));
}

/** Whether the statement applies to all that `target` names. */
export function appliesToAll(s: Statement, target: string): boolean {
  if (target === '*') return s.notResource !== s.resources.includes('*');
  return s.notResource
    ? !s.resources.some((p) => resourcesOverlap(p, target))
    : s.resources.some((p) => resourceMatches(p, target));
}

/** Whether an unconditional deny among the statements removes `action` on all that `target` names. */
export function deniedOn(statements: Statement[], action: string, target: string): boolean {
  return statements.some(
    (d) => d.effect === 'Deny' && !d.conditional && holdsAction(d, action) && appliesToAll(d, target),
  );
}

/** Whether a permissions boundary (undefined: none) lets `action` through on some of `target`. */
export function boundaryAllows(boundary: Statement[] | undefined, action: string, target: string): boolean {
  if (!boundary) return true;
  return (
    boundary.some((b) => b.effect === 'Allow' && holdsAction(b, action) && mayApplyTo(b, target)) &&
    !deniedOn(boundary, action, target)
  );
}
