import { globRegExp } from './glob';

/**
 * Condition keys in trust policies, shared by the construct-time trust separation check and the
 * template analysis, so both tell callers apart the same way.
 */

/** Keys that tell callers from one account or identity provider apart (two roles trusting one account). */
export const DISTINGUISHING_KEY =
  /^(aws:PrincipalTag\/|aws:PrincipalArn$|aws:userid$|sts:ExternalId$|saml:|sts:RoleSessionName$)/i;

/** Keys that narrow `*` to callers of known accounts, organizations or identities. */
const CALLER_KEY =
  /^(aws:PrincipalOrgID|aws:PrincipalOrgPaths|aws:PrincipalAccount|aws:PrincipalArn|aws:userid|aws:username|aws:SourceAccount|aws:SourceArn|aws:SourceOrgID|aws:SourceOrgPaths|aws:SourceOwner)$/i;

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Whether a statement (resolved JSON) covers `action`, by its Action or, the complement, its NotAction. */
export function statementCovers(statement: Json, action: string): boolean {
  const matches = (pattern: unknown) => typeof pattern === 'string' && globRegExp(pattern, true).test(action);
  if (statement.Action !== undefined) return [statement.Action].flat().some(matches);
  if (statement.NotAction !== undefined) return ![statement.NotAction].flat().some(matches);
  return false;
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
