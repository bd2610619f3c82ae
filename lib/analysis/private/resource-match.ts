/**
 * Resource matching as IAM does it (IAM User Guide, "IAM JSON policy elements: Resource"), on the
 * symbolic ARNs of `lib/private/intrinsics`: an ARN is matched segment by segment (partition,
 * service, region, account, resource); `*` matches any run of characters within its segment, `?`
 * exactly one; a pattern with fewer segments has the missing ones as `*`, so a `*` ending one runs
 * past the colons; the resource segment is matched whole. All partitions count as one (an account
 * lives in one, so `arn:*:` is `arn:aws:`). Whether a pattern covers a resource (a deny's reach, a
 * NotResource's exclusion) never takes a literal 12-digit account for the deploying one
 * (`${AWS::AccountId}`): the app's own account is written as the symbol where the app fixes it, so a
 * literal one is another account, and where it does not, a deny on a literal account removes
 * nothing it might not. Whether two patterns may overlap (a grant's reach) takes the deploying
 * account or region as any; a literal region may be `${AWS::Region}`.
 */

import { globRegExp } from '../../private/glob';

// ARNs are case-sensitive.
const glob = (pattern: string) => globRegExp(pattern, false);

// Colons inside a symbol (`${AWS::AccountId}`, `${Import:Name}`) do not separate ARN segments.
const COLON_IN_SYMBOL = '\u0000';
const ACCOUNT_SYMBOL = '${AWS\u0000\u0000AccountId}';
const REGION_SYMBOL = '${AWS\u0000\u0000Region}';
const parsedCache = new Map<string, string[] | string>();

/** An ARN's six segments, or the value itself when it is not an ARN (a symbol, `*`). */
function parse(value: string): string[] | string {
  let parsed = parsedCache.get(value);
  if (parsed === undefined) {
    const text = value
      .replace(/\$\{AWS::Partition\}/g, 'aws')
      .replace(/\$\{[^}]*\}/g, (symbol) => symbol.replace(/:/g, COLON_IN_SYMBOL));
    if (!text.startsWith('arn:')) {
      parsed = text;
    } else {
      const parts = text.split(':');
      const segments = [...parts.slice(0, 5), ...(parts.length > 5 ? [parts.slice(5).join(':')] : [])];
      while (segments.length < 6) segments.push('*');
      if (segments[1].startsWith('aws') || segments[1] === '*') segments[1] = 'aws';
      parsed = segments;
    }
    parsedCache.set(value, parsed);
  }
  return parsed;
}

const isRegion = (a: string, b: string) => a === REGION_SYMBOL && /^[a-z]{2}(-[a-z]+)+-\d$/.test(b);

function segmentMatches(index: number, pattern: string, value: string): boolean {
  if (glob(pattern).test(value)) return true;
  // A literal region in one and the deploying one in the other may be the same.
  if (index === 3) return isRegion(pattern, value) || isRegion(value, pattern);
  return false;
}

const unparse = (segments: string[]) => segments.join(':').split(COLON_IN_SYMBOL).join(':');

/**
 * Where two overlapping patterns meet, segment by segment: in each, the one the other covers (a
 * grant on `<bucket>/models/*` within the target `<bucket>/*` is `<bucket>/models/*`; one on
 * `arn:aws:iam::*:role/x` within the account's roles is the account's `role/x`). Where neither
 * covers the other, `b`'s segment.
 */
export function narrower(a: string, b: string): string {
  if (a === '*') return b;
  if (b === '*') return a;
  const p = parse(a);
  const r = parse(b);
  if (typeof p === 'string' || typeof r === 'string') {
    return typeof p === 'string' && typeof r === 'string' && glob(r).test(p) ? a : b;
  }
  return unparse(
    r.map((segment, i) =>
      segmentMatches(i, segment, p[i]) && !segmentMatches(i, p[i], segment) ? p[i] : segment,
    ),
  );
}

/**
 * Whether a policy's resource pattern matches a resource. The resource may itself be a pattern (a
 * statement's resource): then a match means the pattern covers everything it names, reading the
 * resource's wildcards as plain characters.
 */
export function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  const p = parse(pattern);
  const r = parse(resource);
  if (typeof p === 'string' || typeof r === 'string') {
    return typeof p === 'string' && typeof r === 'string' && glob(p).test(r);
  }
  return p.every((segment, i) => segmentMatches(i, segment, r[i]));
}

const intersections = new Map<string, boolean>();

/** Whether two globs (`*`, `?`) match some string in common. */
function globsIntersect(a: string, b: string): boolean {
  const key = `${a}\u0001${b}`;
  let result = intersections.get(key);
  if (result === undefined) {
    const memo = new Map<number, boolean>();
    const go = (i: number, j: number): boolean => {
      const k = i * (b.length + 1) + j;
      let r = memo.get(k);
      if (r !== undefined) return r;
      if (i === a.length && j === b.length) r = true;
      else if (a[i] === '*') r = go(i + 1, j) || (j < b.length && go(i, j + 1));
      else if (b[j] === '*') r = go(i, j + 1) || (i < a.length && go(i + 1, j));
      else if (i === a.length || j === b.length) r = false;
      else r = (a[i] === '?' || b[j] === '?' || a[i] === b[j]) && go(i + 1, j + 1);
      memo.set(k, r);
      return r;
    };
    result = go(0, 0);
    intersections.set(key, result);
  }
  return result;
}

// For overlap, the deploying account or region may be any, but never none (a foundation model's
// ARN, with no account, is no resource of the account).
const anyWhereDeploying = (segment: string) =>
  segment === ACCOUNT_SYMBOL || segment === REGION_SYMBOL ? '?*' : segment;

// Another account than the deploying one: one the app names beside its own (`${Account:<number>}`),
// or AWS's own (`aws`, the account of AWS-managed policies), which is nobody's.
const OTHER_ACCOUNT = new RegExp(`^(\\$\\{Account${COLON_IN_SYMBOL}\\d{12}\\}|aws)$`);
const apart = (a: string, b: string) =>
  (a === ACCOUNT_SYMBOL && OTHER_ACCOUNT.test(b)) || (b === ACCOUNT_SYMBOL && OTHER_ACCOUNT.test(a));

/** Whether two patterns may name a resource in common. */
export function resourcesOverlap(a: string, b: string): boolean {
  if (a === '*' || b === '*') return true;
  const p = parse(a);
  const r = parse(b);
  if (typeof p === 'string' || typeof r === 'string') {
    return typeof p === 'string' && typeof r === 'string' && globsIntersect(p, r);
  }
  return p.every(
    (segment, i) =>
      !(i === 4 && apart(segment, r[i])) &&
      globsIntersect(anyWhereDeploying(segment), anyWhereDeploying(r[i])),
  );
}

/**
 * Whether a statement's resource may name a resource of one of these ARN patterns (an action's
 * resource types); with none, the action is authorized only against `*`. A symbol the template
 * cannot resolve may name anything.
 */
export function mayNameResourceOf(resource: string, patterns: string[]): boolean {
  if (resource === '*') return true;
  if (patterns.length === 0) return false;
  return typeof parse(resource) === 'string' || patterns.some((p) => resourcesOverlap(resource, p));
}

/** An ARN with its partition written `aws`, as matching compares them (all partitions count as one). */
export function inPartition(arn: string): string {
  return arn.replace(/\$\{AWS::Partition\}/g, 'aws').replace(/^arn:[^:]+:/, 'arn:aws:');
}

/** The deploying account's symbol in place of a literal 12-digit account, for looking up an ARN. */
export function withDeployingAccount(arn: string): string {
  return inPartition(arn).replace(/^(arn:aws:[^:]*:[^:]*:)\d{12}:/, '$1${AWS::AccountId}:');
}
