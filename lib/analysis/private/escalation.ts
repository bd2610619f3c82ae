import { globRegExp } from '../../private/glob';
import { list, referenceOf, scalar } from '../../private/intrinsics';
import { resourceArnPatterns } from '../../capabilities/private/iam-data';
import { LAUNCH_PATHS, TAKEOVER_PATHS } from './escalation-paths';
import { PrincipalIndex } from './principals';
import { resourcesOverlap } from './resource-match';
import { holdsAction, Statement } from './statements';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One way a principal acts as a role other than by assuming it: the role, and the path, as evidence writes it. */
export interface EscalationEdge {
  readonly from: string;
  readonly to: string;
  /** `iam:PassRole(TunerRole) + lambda:CreateFunction + lambda:InvokeFunction`, `lambda:UpdateFunctionCode(TunerFunction)`. */
  readonly path: string;
}

/** What the analysis answers about one principal's effective permissions. */
export interface Permissions {
  /** Its allow statements. */
  allows(principal: string): Statement[];
  /** Whether statement `s` grants `action` on one of `targets`, after the principal's denies and boundary. */
  grantsOn(principal: string, s: Statement, action: string, targets: string[]): boolean;
  /** Whether the principal may perform `action` on some resource. */
  holdsAnywhere(principal: string, action: string): boolean;
}

/**
 * The escalation edges of a template (see `escalation-paths`): a principal that may pass a role to
 * compute it launches (`iam:PassRole` on the role, to the path's service, which the role trusts,
 * and every action of the path), or change compute of the template that runs as a role (every
 * action of the path, on that compute), acts as the role. Groups act through their users.
 */
export function escalationEdges(
  resources: Record<string, Json>,
  idsOf: (type: string) => string[],
  principals: PrincipalIndex,
  trusts: Map<string, Statement[]>,
  canonical: (resource: string) => string,
  arnOf: (id: string) => string | undefined,
  permissions: Permissions,
): EscalationEdge[] {
  const edges: EscalationEdge[] = [];
  const callers = principals.all().filter((p) => p.type !== 'AWS::IAM::Group');
  // Whether a caller's allows name an action at all: most principals hold none of the paths'.
  const mentions = new Map<string, boolean>();
  const mayHold = (caller: string, action: string) => {
    const key = `${caller}|${action}`;
    let held = mentions.get(key);
    if (held === undefined) {
      held = permissions.allows(caller).some((s) => holdsAction(s, action));
      mentions.set(key, held);
    }
    return held;
  };
  const holds = (caller: string, action: string) =>
    mayHold(caller, action) && permissions.holdsAnywhere(caller, action);

  const roles = principals.all().filter((p) => p.type === 'AWS::IAM::Role' && p.arns.length > 0);
  for (const caller of callers) {
    if (!mayHold(caller.id, 'iam:PassRole')) continue;
    const passes = permissions.allows(caller.id).filter((s) => holdsAction(s, 'iam:PassRole'));
    for (const role of roles) {
      if (role.id === caller.id) continue;
      const path = LAUNCH_PATHS.find(
        (p) =>
          trustsService(trusts.get(role.id), p.trustedBy ?? [p.service]) &&
          passes.some(
            (s) => passesTo(s, p.service) && permissions.grantsOn(caller.id, s, 'iam:PassRole', role.arns),
          ) &&
          p.actions.every((a) => holds(caller.id, a)),
      );
      if (path) {
        edges.push({
          from: caller.id,
          to: role.id,
          path: [`iam:PassRole(${role.name})`, ...path.actions].join(' + '),
        });
      }
    }
  }

  for (const path of TAKEOVER_PATHS) {
    for (const id of idsOf(path.type)) {
      const value = path.role.reduce<Json>((v, k) => v?.[k], resources[id].Properties);
      if (value === undefined) continue;
      const runsAs =
        path.role[path.role.length - 1] === 'IamInstanceProfile'
          ? profileRoles(resources, idsOf, principals, value)
          : roleNamed(principals, canonical, value);
      if (runsAs.length === 0) continue;
      const arn = arnOf(id);
      // The compute's ARN where the action names it (an instance for ssm:SendCommand); otherwise
      // the action acts on what the compute makes (ecs:ExecuteCommand on its tasks): anywhere.
      const target = (action: string) =>
        arn !== undefined && resourceArnPatterns(action).some((p) => resourcesOverlap(p, arn))
          ? arn
          : undefined;
      for (const caller of callers) {
        if (!path.actions.every((a) => mayHold(caller.id, a))) continue;
        const reaches = path.actions.every((a) => {
          const on = target(a);
          return on === undefined
            ? permissions.holdsAnywhere(caller.id, a)
            : permissions.allows(caller.id).some((s) => permissions.grantsOn(caller.id, s, a, [on]));
        });
        if (!reaches) continue;
        for (const role of runsAs) {
          if (role !== caller.id)
            edges.push({ from: caller.id, to: role, path: `${path.actions.join(' + ')}(${id})` });
        }
      }
    }
  }
  return edges;
}

/** The roles a role property names (`${Role.Arn}`, an ARN, a name). */
export function roleNamed(
  principals: PrincipalIndex,
  canonical: (resource: string) => string,
  value: Json,
): string[] {
  const written = scalar(value);
  const byArn = principals.byPrincipalArn(canonical(written));
  if (byArn) return [byArn.id];
  const ref = referenceOf(value);
  const id = ref && (ref.attribute ?? 'Arn') === 'Arn' ? ref.id : undefined;
  if (id !== undefined && principals.get(id)?.type === 'AWS::IAM::Role') return [id];
  return principals.named(written, 'AWS::IAM::Role');
}

/**
 * The roles of the instance profile an EC2 instance names (by `Ref` or by name), or a launch
 * template (`{ Name }` or `{ Arn }`, by reference or literally).
 */
function profileRoles(
  resources: Record<string, Json>,
  idsOf: (type: string) => string[],
  principals: PrincipalIndex,
  value: Json,
): string[] {
  const named = value?.Name ?? value?.Arn ?? value;
  // A literal ARN ends in the profile's name, after its path.
  const written = scalar(named).replace(/^arn:[^:]*:iam::[^:]*:instance-profile\/(?:.*\/)?/, '');
  const ref = referenceOf(named);
  const profile = idsOf('AWS::IAM::InstanceProfile').find(
    (id) =>
      (ref?.id === id && (ref.attribute === undefined || ref.attribute === 'Arn')) ||
      scalar(resources[id].Properties?.InstanceProfileName ?? '') === written,
  );
  return profile === undefined
    ? []
    : principals.named(resources[profile].Properties?.Roles, 'AWS::IAM::Role');
}

/** Whether a role trusts one of the services to assume it; a role the template only names may trust any. */
function trustsService(trust: Statement[] | undefined, services: string[]): boolean {
  if (trust === undefined) return true;
  return trust.some(
    (s) =>
      s.effect === 'Allow' &&
      holdsAction(s, 'sts:AssumeRole') &&
      list(s.principal?.Service)
        .map((p) => p.replace('${AWS::URLSuffix}', 'amazonaws.com'))
        .some((p) => services.includes(p)),
  );
}

/**
 * Whether a PassRole statement lets the role go to `service`: its `iam:PassedToService` condition
 * (StringEquals, StringLike and their negations, `IfExists` and `ForAnyValue:` forms) admits it, or
 * it has none.
 */
export function passesTo(s: Statement, service: string): boolean {
  for (const [operator, block] of Object.entries<Json>(s.condition ?? {})) {
    if (typeof block !== 'object' || block === null) continue;
    const key = Object.keys(block).find((k) => k.toLowerCase() === 'iam:passedtoservice');
    if (key === undefined) continue;
    const op = operator.replace(/^For(Any|All)Value:/, '').replace(/IfExists$/, '');
    const values = list(block[key]).map(String);
    const like = /Like$/.test(op);
    const matched = values.some((v) =>
      like ? globRegExp(v, false).test(service) : v.toLowerCase() === service.toLowerCase(),
    );
    if (/^String(Equals|EqualsIgnoreCase|Like)$/.test(op) && !matched) return false;
    if (/^StringNot(Equals|EqualsIgnoreCase|Like)$/.test(op) && matched) return false;
  }
  return true;
}
