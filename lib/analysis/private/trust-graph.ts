import { list } from '../../private/intrinsics';
import { PrincipalIndex } from './principals';
import { holdsAction, parseStatements } from './statements';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const ASSUME = 'sts:AssumeRole';

/**
 * Who may assume each role of the template: a principal its trust policy names by ARN, or, where
 * it trusts the account (`*`, `:root`, the account id), any principal whose own effective
 * permissions allow sts:AssumeRole on the role (`mayAssume`, which reads NotAction and NotResource,
 * denies and boundaries like any grant). Only trust statements whose action covers
 * sts:AssumeRole count. Edges run from the caller to the role.
 */
export function trustGraph(
  resources: Record<string, Json>,
  principals: PrincipalIndex,
  canonical: (arn: string) => string,
  mayAssume: (principal: string, roleArn: string) => boolean,
): Map<string, string[]> {
  const edges = new Map<string, Set<string>>();
  const add = (from: string, to: string) => {
    if (from !== to) edges.set(from, (edges.get(from) ?? new Set()).add(to));
  };
  const everyone = principals.all().filter((p) => p.type !== 'AWS::IAM::Group');
  for (const role of principals.all().filter((p) => p.type === 'AWS::IAM::Role' && !p.external)) {
    const trust = parseStatements(
      resources[role.id].Properties?.AssumeRolePolicyDocument,
      `${role.id}/trust`,
      (r) => r,
    );
    for (const s of trust) {
      if (s.effect !== 'Allow' || !holdsAction(s, ASSUME)) continue;
      for (const p of list(s.principal === '*' ? '*' : s.principal?.AWS)) {
        const direct = principals.byPrincipalArn(canonical(p));
        if (direct) {
          add(direct.id, role.id);
        } else if (p === '*' || /:root$/.test(p) || /^(\d{12}|\$\{AWS::AccountId\})$/.test(p)) {
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
