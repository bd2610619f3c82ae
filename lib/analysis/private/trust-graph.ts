import { list } from '../../private/intrinsics';
import { ASSUME_ACTIONS, distinguishingConditions, narrowsCallers } from '../../private/trust-conditions';
import { PrincipalIndex } from './principals';
import { holdsAction, parseStatements, Statement } from './statements';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const ASSUME = 'sts:AssumeRole';
/** An account as a trust policy names it: its root ARN or its id. */
const ACCOUNT = /:root$|^(\d{12}|\$\{AWS::AccountId\})$/;

/** The trust policy statements of each role the template defines, parsed once for both views below. */
export function roleTrusts(
  resources: Record<string, Json>,
  principals: PrincipalIndex,
): Map<string, Statement[]> {
  return new Map(
    principals
      .all()
      .filter((p) => p.type === 'AWS::IAM::Role' && !p.external)
      .map((role) => [
        role.id,
        parseStatements(
          resources[role.id].Properties?.AssumeRolePolicyDocument,
          `${role.id}/trust`,
          (r) => r,
        ),
      ]),
  );
}

/**
 * Who may assume each role of the template: a principal its trust policy names by ARN, or, where
 * it trusts the account (`*`, `:root`, the account id), any principal whose own effective
 * permissions allow sts:AssumeRole on the role (`mayAssume`, which reads NotAction and NotResource,
 * denies and boundaries like any grant). Only trust statements whose action covers
 * sts:AssumeRole count. Edges run from the caller to the role.
 */
export function trustGraph(
  trusts: Map<string, Statement[]>,
  principals: PrincipalIndex,
  canonical: (arn: string) => string,
  mayAssume: (principal: string, roleArn: string) => boolean,
): Map<string, string[]> {
  const edges = new Map<string, Set<string>>();
  const add = (from: string, to: string) => {
    if (from !== to) edges.set(from, (edges.get(from) ?? new Set()).add(to));
  };
  const everyone = principals.all().filter((p) => p.type !== 'AWS::IAM::Group');
  for (const [id, trust] of trusts) {
    const role = principals.get(id)!;
    for (const s of trust) {
      if (s.effect !== 'Allow' || !holdsAction(s, ASSUME)) continue;
      for (const p of list(s.principal === '*' ? '*' : s.principal?.AWS)) {
        const direct = principals.byPrincipalArn(canonical(p));
        if (direct) {
          add(direct.id, role.id);
        } else if (p === '*' || ACCOUNT.test(p)) {
          for (const caller of everyone) {
            if (role.arns.some((arn) => mayAssume(caller.id, arn))) add(caller.id, role.id);
          }
        }
      }
    }
  }
  return new Map([...edges].map(([from, to]) => [from, [...to]]));
}

/** Every role reachable from `start` through the edges, `start` excluded. */
export function reachable(start: string, edges: Map<string, string[]>): string[] {
  const seen = new Set<string>();
  const queue = [...(edges.get(start) ?? [])];
  while (queue.length) {
    const next = queue.shift()!;
    if (next === start || seen.has(next)) continue;
    seen.add(next);
    queue.push(...(edges.get(next) ?? []));
  }
  return [...seen];
}

/** A principal outside the template's own principals that a role's trust policy names. */
export interface OutsideTrust {
  /** The principal as the template writes it (symbolic): `*`, an ARN, an identity provider. */
  readonly principal: string;
  /** `*` with no condition on who the caller is: any principal in any account. */
  readonly anyone: boolean;
  /** An account, an identity provider or `*`, whose callers conditions can tell apart; not one role or user. */
  readonly shared: boolean;
  /** The statement's distinguishing conditions, as JSON ('' when none). */
  readonly distinguishedBy: string;
}

/**
 * The principals each role of the template trusts that are not principals of the template (so
 * the trust graph cannot follow them): other accounts, identity providers, roles and users
 * outside, and `*`. Services are left out: a service acts for the resource configured with a role.
 */
export function outsideTrust(
  trusts: Map<string, Statement[]>,
  principals: PrincipalIndex,
  canonical: (arn: string) => string,
): Map<string, OutsideTrust[]> {
  const result = new Map<string, OutsideTrust[]>();
  for (const [id, trust] of trusts) {
    const trusted: OutsideTrust[] = [];
    for (const s of trust) {
      if (s.effect !== 'Allow' || !ASSUME_ACTIONS.some((a) => holdsAction(s, a))) continue;
      const condition = s.condition;
      const distinguishedBy = distinguishingConditions(condition);
      const named =
        s.principal === '*' ? ['*'] : [...list(s.principal?.AWS), ...list(s.principal?.Federated)];
      for (const p of named) {
        if (p !== '*' && principals.byPrincipalArn(canonical(p))) continue;
        const anyone = p === '*' && !narrowsCallers(condition);
        const shared = p === '*' || ACCOUNT.test(p) || list(s.principal?.Federated).includes(p);
        trusted.push({ principal: p, anyone, shared, distinguishedBy });
      }
    }
    if (trusted.length) result.set(id, trusted);
  }
  return result;
}
