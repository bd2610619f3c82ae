import { list } from '../../private/intrinsics';
import { ASSUME_ACTIONS, distinguishingConditions, narrowsCallers } from '../../private/trust-conditions';
import { PrincipalIndex } from './principals';
import { holdsAction, parseStatements, Statement } from './statements';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const ASSUME = 'sts:AssumeRole';
/** An account as a trust policy names it: its root ARN or its id. */
const ACCOUNT = /:root$|^(\d{12}|\$\{AWS::AccountId\}|\$\{Account:\d{12}\})$/;
/** An account the analysis knows is not the deploying one, whose principals none of the app's are. */
const OTHER_ACCOUNT = /\$\{Account:\d{12}\}/;

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
 * sts:AssumeRole count; an unconditional deny in the trust policy, or the caller's own explicit
 * deny of sts:AssumeRole on the role (`deniedAssuming`), removes the edge. Edges run from the
 * caller to the role.
 */
export function trustGraph(
  trusts: Map<string, Statement[]>,
  principals: PrincipalIndex,
  canonical: (arn: string) => string,
  mayAssume: (principal: string, roleArn: string) => boolean,
  deniedAssuming: (principal: string, roleArn: string) => boolean,
  assumeTargets: (principal: string) => string[] | 'any',
): Map<string, string[]> {
  const edges = new Map<string, Set<string>>();
  const add = (from: string, to: string) => {
    if (from !== to) edges.set(from, (edges.get(from) ?? new Set()).add(to));
  };
  // Roles that trust the account (or `*`), which a principal reaches by its own sts:AssumeRole:
  // found by the ARNs its statements name, so the work grows with the grants, not principals x roles.
  const open: { id: string; arns: string[]; admit: (caller: string) => void }[] = [];
  for (const [id, trust] of trusts) {
    const role = principals.get(id)!;
    // An unconditional deny in the trust policy shuts out whom it names (`*`: everyone).
    const shut = new Set<string>();
    let everyoneShut = false;
    for (const s of trust) {
      if (s.effect !== 'Deny' || s.conditional || !holdsAction(s, ASSUME)) continue;
      for (const p of list(s.principal === '*' ? '*' : s.principal?.AWS)) {
        if (p === '*') everyoneShut = true;
        const named = principals.byPrincipalArn(canonical(p));
        if (named) shut.add(named.id);
      }
    }
    if (everyoneShut) continue;
    const admit = (caller: string) => {
      if (!shut.has(caller) && !role.arns.some((arn) => deniedAssuming(caller, arn))) add(caller, role.id);
    };
    let trustsAccount = false;
    for (const s of trust) {
      if (s.effect !== 'Allow' || !holdsAction(s, ASSUME)) continue;
      for (const p of list(s.principal === '*' ? '*' : s.principal?.AWS)) {
        const direct = principals.byPrincipalArn(canonical(p));
        if (direct) admit(direct.id);
        else if (p === '*' || (ACCOUNT.test(p) && !OTHER_ACCOUNT.test(p))) trustsAccount = true;
      }
    }
    if (trustsAccount) open.push({ id, arns: role.arns, admit });
  }
  if (open.length === 0) return new Map([...edges].map(([from, to]) => [from, [...to]]));
  const byArn = new Map<string, typeof open>();
  for (const o of open) for (const arn of o.arns) byArn.set(arn, [...(byArn.get(arn) ?? []), o]);
  for (const caller of principals.all()) {
    if (caller.type === 'AWS::IAM::Group') continue;
    const targets = assumeTargets(caller.id);
    const candidates = targets === 'any' ? open : [...new Set(targets.flatMap((t) => byArn.get(t) ?? []))];
    for (const o of candidates) {
      if (o.arns.some((arn) => mayAssume(caller.id, arn))) o.admit(caller.id);
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

/**
 * The trust edges and the escalation edges as one graph, each edge labelled with its step:
 * `sts:AssumeRole(<role name>)`, or the escalation path. Where both lead to a role, assuming it.
 */
export function labelledEdges(
  trust: Map<string, string[]>,
  escalations: { from: string; to: string; path: string }[],
  nameOf: (id: string) => string,
): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  const add = (from: string, to: string, step: string) => {
    const next = out.get(from) ?? new Map<string, string>();
    if (!next.has(to)) next.set(to, step);
    out.set(from, next);
  };
  for (const [from, tos] of trust) for (const to of tos) add(from, to, `sts:AssumeRole(${nameOf(to)})`);
  for (const e of escalations) add(e.from, e.to, e.path);
  return out;
}

/** Every role reachable from `start` through labelled edges, with the steps of a shortest way there. */
export function reachedBy(
  start: string,
  edges: Map<string, Map<string, string>>,
): { role: string; path: string[] }[] {
  const paths = new Map<string, string[]>([[start, []]]);
  const queue = [start];
  const out: { role: string; path: string[] }[] = [];
  while (queue.length) {
    const from = queue.shift()!;
    for (const [to, step] of edges.get(from) ?? []) {
      if (paths.has(to)) continue;
      const path = [...paths.get(from)!, step];
      paths.set(to, path);
      out.push({ role: to, path });
      queue.push(to);
    }
  }
  return out;
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
