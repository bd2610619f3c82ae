import { coversAction } from '../capabilities/actions';

/**
 * Condition keys in trust policies, shared by the construct-time trust separation check and the
 * template analysis, so both tell callers apart the same way.
 */

/**
 * Keys that tell callers from one account or identity provider apart (two roles trusting one
 * account). Not `sts:RoleSessionName`: the caller chooses its session name in the request.
 */
export const DISTINGUISHING_KEY =
  /^(aws:PrincipalTag\/|aws:PrincipalArn$|aws:userid$|sts:ExternalId$|saml:)/i;

/** Keys that narrow `*` to callers of known accounts, organizations or identities. */
const CALLER_KEY =
  /^(aws:PrincipalOrgID|aws:PrincipalOrgPaths|aws:PrincipalAccount|aws:PrincipalArn|aws:userid|aws:username|aws:SourceAccount|aws:SourceArn|aws:SourceOrgID|aws:SourceOrgPaths|aws:SourceOwner)$/i;

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The actions that let a principal assume a role, as trust policies allow them. */
export const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'];

/** Whether a statement (resolved JSON) covers `action`, by its Action or, the complement, its NotAction. */
export function statementCovers(statement: Json, action: string): boolean {
  if (statement.Action === undefined && statement.NotAction === undefined) return false;
  const patterns = (value: Json) =>
    value === undefined ? undefined : [value].flat().filter((p): p is string => typeof p === 'string');
  return coversAction(patterns(statement.Action), patterns(statement.NotAction), action);
}

/** Whether a statement's conditions narrow its principal to known callers (a positive test of who they are). */
export function narrowsCallers(condition: Json): boolean {
  return Object.entries<Json>(condition ?? {}).some(
    ([operator, keys]) =>
      !/Not|^Null$/.test(operator) && Object.keys(keys ?? {}).some((k) => CALLER_KEY.test(k)),
  );
}

/** The statement's distinguishing conditions, as JSON ('' when it has none). */
export function distinguishingConditions(condition: Json): string {
  const distinguishing: Json = {};
  for (const [operator, keys] of Object.entries<Json>(condition ?? {})) {
    for (const [key, value] of Object.entries<Json>(keys ?? {})) {
      if (DISTINGUISHING_KEY.test(key)) distinguishing[`${operator}:${key}`] = value;
    }
  }
  return Object.keys(distinguishing).length ? JSON.stringify(distinguishing) : '';
}

/** Operators whose values a caller's key must equal exactly: two of them with no value in common exclude each other. */
const EXACT = /^(StringEquals|StringEqualsIgnoreCase|ArnEquals)$/;

/**
 * Whether two trust statements' distinguishing conditions (as `distinguishingConditions` writes
 * them) let no caller satisfy both: they test one key exactly, each with literal values, and no
 * value is common (`aws:PrincipalTag/job` = `chat` against `ml`). A condition only one statement
 * has, or a policy variable (`sts:RoleSessionName` = `${aws:username}`, which every IAM user meets
 * in its own name), tells nobody apart; nor does a principal tag whose key `callerSets` (a role that
 * lets its callers pass it as a session tag makes its sessions carry whatever they choose).
 */
export function toldApart(
  a: string,
  b: string,
  callerSets: (tagKey: string) => boolean = () => false,
): boolean {
  if (!a || !b) return false;
  const [ca, cb] = [JSON.parse(a) as Record<string, Json>, JSON.parse(b) as Record<string, Json>];
  return Object.keys(ca).some((k) => {
    const [operator] = k.split(':');
    if (!EXACT.test(operator) || !(k in cb)) return false;
    // A principal tag a caller sets as a session tag tells nobody apart: it says what they choose.
    const tag = /^[^:]+:aws:PrincipalTag\/(.+)$/i.exec(k)?.[1];
    if (tag !== undefined && callerSets(tag)) return false;
    const values = (v: Json) => [v].flat().map((x: Json) => (typeof x === 'string' ? x : JSON.stringify(x)));
    const [va, vb] = [values(ca[k]), values(cb[k])];
    if ([...va, ...vb].some((v) => v.includes('${'))) return false;
    const norm = (v: string) => (operator === 'StringEqualsIgnoreCase' ? v.toLowerCase() : v);
    return !va.some((v) => vb.map(norm).includes(norm(v)));
  });
}

/**
 * The session-tag keys a role's trust lets its callers set (`sts:TagSession`): `*` where no
 * `aws:TagKeys` condition limits them, else the keys (or patterns) it allows. None for a deny or a
 * statement without sts:TagSession.
 */
export function settableTagKeys(statement: Json): string[] {
  if (statement.Effect === 'Deny' || !statementCovers(statement, 'sts:TagSession')) return [];
  const limits = Object.entries<Json>(statement.Condition ?? {}).flatMap(([operator, keys]) =>
    /^ForAllValues:String(Equals|Like)(IgnoreCase)?$/.test(operator)
      ? Object.entries<Json>(keys ?? {})
          .filter(([key]) => key.toLowerCase() === 'aws:tagkeys')
          .map(([, values]) => [values].flat().map(String))
      : [],
  );
  return limits.length ? limits[0] : ['*'];
}
