import { coversAction, matchesAction } from '../../capabilities/actions';
import { list } from '../../private/intrinsics';
import { globRegExp } from '../../private/glob';
import { narrower, resourceMatches, resourcesOverlap } from './resource-match';

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
  const all: Json[] = Array.isArray(raw) ? raw : raw ? [raw] : [];
  // A statement that is not an object (null, a string) grants and denies nothing.
  return all.flatMap((s: Json, i: number): Statement[] => {
    if (!s || typeof s !== 'object' || Array.isArray(s)) return [];
    const written = s.Resource !== undefined ? list(s.Resource) : list(s.NotResource);
    const statement: Statement = {
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
    return [statement];
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

/**
 * The parts of `target` an allow statement reaches, as patterns: where its resource is narrower
 * than the target (`<bucket>/models/*` of the bucket's objects), that resource. For the objects of
 * a bucket, a pattern reaches them when its bucket part names the bucket (`*`, `weights`, `w?ights`,
 * `weights*`), and then reaches the keys its key part names: `arn:aws:s3:::*SageMaker*` reaches
 * the objects of a bucket whose name holds `SageMaker`, not every key of every bucket that holds it.
 */
export function scopesWithin(s: Statement, target: string): string[] {
  if (target === '*' || s.notResource) return mayApplyTo(s, target) ? [target] : [];
  const objects = OBJECTS.exec(target);
  const reached = objects ? s.resources.map((r) => objectPattern(r, objects[1])) : s.resources;
  return reached
    .filter((r): r is string => r !== undefined && resourcesOverlap(r, target))
    .map((r) => narrower(r, target));
}

// An object target: `arn:aws:s3:::<bucket>/<keys>`, the bucket named (a name or a symbol).
const OBJECTS = /^arn:aws:s3:::([^/*?]+)\//;

/** What an S3 pattern reaches of a bucket's objects, as `<bucket>/<keys>`; undefined for none. */
function objectPattern(pattern: string, bucket: string): string | undefined {
  const prefix = /^arn:[^:]+:s3:::/.exec(pattern)?.[0];
  if (prefix === undefined) return pattern; // `*`, a symbol, another service: compared as they are
  const rest = pattern.slice(prefix.length);
  const slash = rest.indexOf('/');
  const bucketPart = slash < 0 ? rest : rest.slice(0, slash);
  if (!globRegExp(bucketPart, false).test(bucket)) return undefined;
  if (slash >= 0) return `arn:aws:s3:::${bucket}/${rest.slice(slash + 1)}`;
  // No key part: only a trailing `*` runs on into the keys.
  return bucketPart.endsWith('*') ? `arn:aws:s3:::${bucket}/*` : undefined;
}

/**
 * Whether some of `scope` stays allowed after the unconditional denies among `statements` and the
 * permissions boundary (undefined: none), judged together: the boundary's allows narrow the scope
 * first, so a boundary on `<bucket>/public/*` and a deny on `<bucket>/public/*` leave nothing.
 */
export function survives(
  statements: Statement[],
  boundary: Statement[] | undefined,
  action: string,
  scope: string,
): boolean {
  const open = (within: string) =>
    !deniedOn(statements, action, within) && !(boundary && deniedOn(boundary, action, within));
  if (!boundary) return open(scope);
  return boundary.some(
    (b) => b.effect === 'Allow' && holdsAction(b, action) && scopesWithin(b, scope).some(open),
  );
}

// Keys whose value only grows: a request made, or a session issued, now or later is never earlier.
const CLOCK_KEYS = new Set(['aws:currenttime', 'aws:tokenissuetime']);

/**
 * Whether a condition can never hold from now on: it requires the request time or the session's
 * issue time to be before a date already past (`DateLessThan aws:TokenIssueTime 2020-01-01`). An
 * `IfExists` test holds where the key is absent (long-term credentials have no token), so it can.
 */
export function neverHolds(condition: Json, now = Date.now()): boolean {
  return Object.entries<Json>(condition ?? {}).some(
    ([operator, block]) =>
      /^DateLessThan(Equals)?$/.test(operator) &&
      Object.entries<Json>(block ?? {}).some(([key, value]) => {
        if (!CLOCK_KEYS.has(key.toLowerCase())) return false;
        const times = list(value).map((v) => Date.parse(String(v)));
        return times.length > 0 && times.every((t) => Number.isFinite(t) && t < now);
      }),
  );
}
