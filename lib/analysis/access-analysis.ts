import { Capability, DataClass, TAG_CAPABILITY, TAG_DATA_CLASS } from '../capabilities/capability';
import { ANY_RESOURCE, CATALOG, ResourceContext } from '../capabilities/catalog';
import { actionPatternProblem, entryApplies, matchesAction } from '../capabilities/actions';
import { mergedPairs } from '../capabilities/merge';
import { awsManagedPolicy, isAwsManagedPolicyArn } from './aws-managed-policies';
import { list, resourceMatches, scalar, SymbolTable } from './private/symbols';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Where a capability comes from: one action of one statement of one policy. */
export interface Evidence {
  /** The policy: `<logical id>` of a policy resource, `<principal>/<PolicyName>` inline, or an AWS-managed policy's name. */
  readonly policy: string;
  /** The statement's Sid, or its position (`#2`). */
  readonly statement: string;
  /** The action pattern that matched, as the statement wrote it (`NotAction` patterns are prefixed `not `). */
  readonly action: string;
  /** The statement's resources. */
  readonly resource: string;
}

export interface CapabilityGrant {
  readonly capability: Capability;
  /** The catalog action the grant covers. */
  readonly catalogAction: string;
  readonly evidence: Evidence;
}

/** What one principal of the template may do. */
export interface PrincipalAccess {
  /** Logical id. */
  readonly id: string;
  readonly type: 'AWS::IAM::Role' | 'AWS::IAM::User' | 'AWS::IAM::Group';
  /** The `model-access:capability` tag, when the principal declares one. */
  readonly declaredCapability?: string;
  /** Effective grants: after unconditional denies and the permissions boundary. */
  readonly grants: CapabilityGrant[];
  /** The capabilities of `grants`, sorted. */
  readonly capabilities: Capability[];
  /** Roles of the template this principal can assume, directly or through a chain. */
  readonly canAssume: string[];
}

/** Two capabilities one principal must not hold together, with a granting statement for each. */
export interface MergedIdentity {
  readonly principal: string;
  readonly capabilities: [Capability, Capability];
  readonly evidence: [Evidence, Evidence];
  /** The roles whose capabilities complete the merge (empty when the principal holds both itself). */
  readonly through: string[];
}

/** Something the analysis could not judge: an unknown action or AWS-managed policy. */
export interface AnalysisProblem {
  readonly principal: string;
  readonly message: string;
}

interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions?: string[];
  readonly notActions?: string[];
  readonly resources: string[];
  readonly notResource: boolean;
  readonly conditional: boolean;
  readonly policy: string;
  readonly sid: string;
  /** The `Principal` element, in trust and resource policies. */
  readonly principal?: Json;
}

const PRINCIPAL_TYPES = ['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group'] as const;
const REGISTRY_CLASSES: string[] = [DataClass.MODEL_ARTIFACTS, DataClass.TRAINING_DATA, DataClass.METADATA];
// Probes for "every role": a pattern that matches a role nobody named covers them all.
const ANY_ROLE_PROBES = [
  'arn:aws:iam::000000000000:role/any-role',
  'arn:aws:iam::${AWS::AccountId}:role/any-role',
];

/**
 * The effective model capabilities of every principal (role, user, group) of a CloudFormation
 * template, with evidence, and the merged identities among them. Works on plain template JSON, as
 * `stack.resolve()` or a cdk.out template gives it.
 */
export class AccessAnalysis {
  /** Analyses one template. */
  public static fromTemplate(template: Json): AccessAnalysis {
    return new AccessAnalysis(template ?? {});
  }

  public readonly principals: PrincipalAccess[];
  public readonly problems: AnalysisProblem[] = [];

  private readonly resources: Record<string, Json>;
  private readonly table: SymbolTable;
  private readonly registryBuckets = new Map<string, DataClass>();
  private readonly registryKeys = new Set<string>();

  private constructor(template: Json) {
    this.resources = template.Resources ?? {};
    this.table = {
      resourceTypes: Object.fromEntries(
        Object.entries(this.resources).map(([id, r]) => [id, (r as Json).Type]),
      ),
    };
    this.indexRegistry();
    const statementsOf = new Map<string, Statement[]>();
    const boundaryOf = new Map<string, Statement[] | undefined>();
    for (const id of this.idsOf(...PRINCIPAL_TYPES)) {
      statementsOf.set(id, this.identityStatements(id));
      boundaryOf.set(id, this.boundaryStatements(id));
    }
    const grantsOf = new Map<string, CapabilityGrant[]>();
    for (const [id, statements] of statementsOf)
      grantsOf.set(id, this.effectiveGrants(id, statements, boundaryOf.get(id)));
    const assumes = this.trustGraph(statementsOf);
    this.principals = [...statementsOf.keys()].map((id) => {
      const grants = grantsOf.get(id)!;
      return {
        id,
        type: this.resources[id].Type,
        declaredCapability: this.tag(id, TAG_CAPABILITY),
        grants,
        capabilities: [...new Set(grants.map((g) => g.capability))].sort(),
        canAssume: closure(id, assumes),
      };
    });
  }

  /** One principal's access, by logical id. */
  public principal(id: string): PrincipalAccess | undefined {
    return this.principals.find((p) => p.id === id);
  }

  /** Principals that hold two capabilities that must stay apart, by their own policies. */
  public mergedIdentities(): MergedIdentity[] {
    return this.principals.flatMap((p) =>
      mergedPairs(p.capabilities).map((pair) => ({
        principal: p.id,
        capabilities: pair,
        evidence: [evidenceFor(p.grants, pair[0]), evidenceFor(p.grants, pair[1])] as [Evidence, Evidence],
        through: [],
      })),
    );
  }

  /** Principals that reach a merge only by assuming roles (each role alone may be clean). */
  public mergesThroughTrust(): MergedIdentity[] {
    const byId = new Map(this.principals.map((p) => [p.id, p]));
    return this.principals.flatMap((p) => {
      const own = new Set(mergedPairs(p.capabilities).map((pair) => pair.join()));
      const reachable = [p, ...p.canAssume.map((id) => byId.get(id)!)];
      const all = reachable.flatMap((r) => r.grants.map((g) => ({ holder: r.id, grant: g })));
      return mergedPairs(all.map((a) => a.grant.capability))
        .filter((pair) => !own.has(pair.join()))
        .map((pair) => {
          const first = all.find((a) => a.grant.capability === pair[0])!;
          const second = all.find((a) => a.grant.capability === pair[1])!;
          return {
            principal: p.id,
            capabilities: pair,
            evidence: [first.grant.evidence, second.grant.evidence] as [Evidence, Evidence],
            through: [...new Set([first.holder, second.holder].filter((h) => h !== p.id))],
          };
        });
    });
  }

  private idsOf(...types: string[]): string[] {
    return Object.keys(this.resources).filter((id) => types.includes(this.resources[id].Type));
  }

  private tag(id: string, key: string): string | undefined {
    const tags = this.resources[id].Properties?.Tags;
    const found = Array.isArray(tags) ? tags.find((t: Json) => t.Key === key) : undefined;
    return found ? scalar(found.Value, this.table) : undefined;
  }

  /** The symbolic ARNs a template resource can be named by. */
  private arnsOf(id: string): string[] {
    const props = this.resources[id].Properties ?? {};
    switch (this.resources[id].Type) {
      case 'AWS::S3::Bucket': {
        const names = [`\${${id}}`, ...(typeof props.BucketName === 'string' ? [props.BucketName] : [])];
        return [`\${${id}.Arn}`, ...names.map((n) => `arn:aws:s3:::${n}`)];
      }
      case 'AWS::KMS::Key':
        return [`\${${id}.Arn}`, `\${${id}}`, `arn:aws:kms:\${AWS::Region}:\${AWS::AccountId}:key/\${${id}}`];
      case 'AWS::IAM::Role':
      case 'AWS::IAM::User': {
        const kind = this.resources[id].Type === 'AWS::IAM::Role' ? 'role' : 'user';
        const path = typeof props.Path === 'string' ? props.Path : '/';
        const name = props.RoleName ?? props.UserName;
        const names = [`\${${id}}`, ...(typeof name === 'string' ? [name] : [])];
        return [`\${${id}.Arn}`, ...names.map((n) => `arn:aws:iam::\${AWS::AccountId}:${kind}${path}${n}`)];
      }
      default:
        return [`\${${id}.Arn}`, `\${${id}}`];
    }
  }

  private indexRegistry() {
    for (const id of this.idsOf('AWS::S3::Bucket')) {
      const dataClass = this.tag(id, TAG_DATA_CLASS);
      if (!dataClass || !REGISTRY_CLASSES.includes(dataClass)) continue;
      this.registryBuckets.set(id, dataClass as DataClass);
      const rules = this.resources[id].Properties?.BucketEncryption?.ServerSideEncryptionConfiguration ?? [];
      for (const rule of rules) {
        const key = rule?.ServerSideEncryptionByDefault?.KMSMasterKeyID;
        if (key === undefined) continue;
        const symbol = scalar(key, this.table);
        for (const keyId of this.idsOf('AWS::KMS::Key')) {
          if (this.arnsOf(keyId).includes(symbol)) this.registryKeys.add(keyId);
        }
      }
    }
  }

  /** Ids of the principals a policy's Roles/Users/Groups list names. */
  private named(refs: Json, type: string): string[] {
    const symbols = list(refs, this.table);
    const nameProp =
      type === 'AWS::IAM::Role' ? 'RoleName' : type === 'AWS::IAM::User' ? 'UserName' : 'GroupName';
    return this.idsOf(type).filter(
      (id) => symbols.includes(`\${${id}}`) || symbols.includes(this.resources[id].Properties?.[nameProp]),
    );
  }

  private statements(document: Json, policy: string): Statement[] {
    const raw = document?.Statement;
    return (Array.isArray(raw) ? raw : raw ? [raw] : []).map((s: Json, i: number) => ({
      effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
      actions: s.Action !== undefined ? list(s.Action, this.table) : undefined,
      notActions: s.NotAction !== undefined ? list(s.NotAction, this.table) : undefined,
      resources: s.Resource !== undefined ? list(s.Resource, this.table) : list(s.NotResource, this.table),
      notResource: s.Resource === undefined && s.NotResource !== undefined,
      conditional: s.Condition !== undefined && Object.keys(s.Condition).length > 0,
      policy,
      sid: typeof s.Sid === 'string' ? s.Sid : `#${i + 1}`,
      principal: s.Principal,
    }));
  }

  /** Statements of a managed policy reference: in the template, AWS-managed, or unknown (reported). */
  private managed(arn: Json, principal: string): Statement[] | undefined {
    const symbol = scalar(arn, this.table);
    const local = this.idsOf('AWS::IAM::ManagedPolicy').find((id) => symbol === `\${${id}}`);
    if (local) return this.statements(this.resources[local].Properties?.PolicyDocument, local);
    const known = awsManagedPolicy(symbol);
    if (known) return this.statements({ Statement: known.statements }, known.name);
    if (isAwsManagedPolicyArn(symbol)) {
      this.problems.push({
        principal,
        message: `AWS-managed policy ${symbol} is not in the analysis's table; its permissions are unknown, not assumed harmless.`,
      });
    }
    return undefined;
  }

  private identityStatements(id: string): Statement[] {
    const type = this.resources[id].Type;
    const props = this.resources[id].Properties ?? {};
    const out: Statement[] = [];
    for (const p of props.Policies ?? [])
      out.push(...this.statements(p.PolicyDocument, `${id}/${scalar(p.PolicyName, this.table)}`));
    for (const arn of list(props.ManagedPolicyArns, this.table)) out.push(...(this.managed(arn, id) ?? []));
    const listProp = type === 'AWS::IAM::Role' ? 'Roles' : type === 'AWS::IAM::User' ? 'Users' : 'Groups';
    for (const policyId of this.idsOf('AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy')) {
      const policy = this.resources[policyId].Properties ?? {};
      if (this.named(policy[listProp], type).includes(id))
        out.push(...this.statements(policy.PolicyDocument, policyId));
    }
    if (type === 'AWS::IAM::User') {
      const groups = new Set(this.named(props.Groups, 'AWS::IAM::Group'));
      for (const addition of this.idsOf('AWS::IAM::UserToGroupAddition')) {
        const a = this.resources[addition].Properties ?? {};
        if (this.named(a.Users, 'AWS::IAM::User').includes(id))
          this.named(a.GroupName, 'AWS::IAM::Group').forEach((g) => groups.add(g));
      }
      for (const group of groups) out.push(...this.identityStatements(group));
    }
    return out;
  }

  private boundaryStatements(id: string): Statement[] | undefined {
    const boundary = this.resources[id].Properties?.PermissionsBoundary;
    return boundary === undefined ? undefined : this.managed(boundary, id);
  }

  /** What a statement's resources cover, in the catalog's terms. */
  private resourceContext(s: Statement): ResourceContext {
    if (s.notResource || s.resources.includes('*')) return ANY_RESOURCE;
    const covers = (arn: string) =>
      s.resources.some(
        (r) => resourceMatches(r, arn) || resourceMatches(r, `${arn}/k`) || r.startsWith(`${arn}/`),
      );
    const dataClasses = [...this.registryBuckets]
      .filter(([b]) => this.arnsOf(b).some(covers))
      .map(([, c]) => c);
    return {
      dataClasses,
      registryKey: [...this.registryKeys].some((k) => this.arnsOf(k).some(covers)),
      allResources: s.resources.some((r) => ANY_ROLE_PROBES.some((probe) => resourceMatches(r, probe))),
    };
  }

  private effectiveGrants(
    id: string,
    statements: Statement[],
    boundary: Statement[] | undefined,
  ): CapabilityGrant[] {
    const allows = statements.filter((s) => s.effect === 'Allow');
    for (const s of allows) {
      for (const pattern of [...(s.actions ?? []), ...(s.notActions ?? [])]) {
        const problem = actionPatternProblem(pattern);
        if (problem) this.problems.push({ principal: id, message: `${s.policy} ${s.sid}: ${problem}` });
      }
    }
    const holds = (s: Statement, action: string) =>
      s.actions
        ? s.actions.some((p) => matchesAction(p, action))
        : !(s.notActions ?? []).some((p) => matchesAction(p, action));
    const heldAnywhere = (action: string) => allows.some((s) => holds(s, action));
    // An unconditional deny removes an action where it covers the grant's resources; a conditional one does not.
    const denied = (deny: Statement[], action: string, resources: string[]) =>
      deny.some(
        (d) =>
          d.effect === 'Deny' &&
          !d.conditional &&
          !d.notResource &&
          holds(d, action) &&
          (d.resources.includes('*') ||
            resources.every((r) => d.resources.some((p) => resourceMatches(p, r)))),
      );
    const withinBoundary = (action: string, resources: string[]) =>
      !boundary ||
      (boundary.some((b) => b.effect === 'Allow' && holds(b, action)) &&
        !denied(boundary, action, resources));

    const grants: CapabilityGrant[] = [];
    for (const s of allows) {
      const context = this.resourceContext(s);
      for (const entry of CATALOG) {
        if (
          !holds(s, entry.action) ||
          !entryApplies(entry, context) ||
          (entry.withAnyOf && !entry.withAnyOf.some(heldAnywhere))
        )
          continue;
        if (denied(statements, entry.action, s.resources) || !withinBoundary(entry.action, s.resources))
          continue;
        const action = s.actions
          ? s.actions.find((p) => matchesAction(p, entry.action))!
          : `not ${(s.notActions ?? []).join(',')}`;
        grants.push({
          capability: entry.capability,
          catalogAction: entry.action,
          evidence: { policy: s.policy, statement: s.sid, action, resource: s.resources.join(', ') },
        });
      }
    }
    return grants;
  }

  /** Edges principal -> role it may assume. */
  private trustGraph(statementsOf: Map<string, Statement[]>): Map<string, string[]> {
    const edges = new Map<string, string[]>();
    const add = (from: string, to: string) => edges.set(from, [...new Set([...(edges.get(from) ?? []), to])]);
    for (const role of this.idsOf('AWS::IAM::Role')) {
      const trust = this.resources[role].Properties?.AssumeRolePolicyDocument;
      const roleArns = this.arnsOf(role);
      for (const s of this.statements(trust, `${role}/trust`)) {
        if (s.effect !== 'Allow') continue;
        const principals = list(s.principal === '*' ? '*' : s.principal?.AWS, this.table);
        for (const p of principals) {
          const direct = this.idsOf('AWS::IAM::Role', 'AWS::IAM::User').find((id) =>
            this.arnsOf(id).includes(p),
          );
          if (direct) {
            add(direct, role);
          } else if (p === '*' || /:root$/.test(p) || /^(\d{12}|\$\{AWS::AccountId\})$/.test(p)) {
            // The account trusts its identities' own policies: whoever is allowed sts:AssumeRole on the role.
            for (const [id, statements] of statementsOf) {
              const allowed = statements.some(
                (st) =>
                  st.effect === 'Allow' &&
                  (st.actions ?? []).some((a) => matchesAction(a, 'sts:AssumeRole')) &&
                  st.resources.some((r) => roleArns.some((arn) => resourceMatches(r, arn))),
              );
              if (allowed && id !== role) add(id, role);
            }
          }
        }
      }
    }
    return edges;
  }
}

function evidenceFor(grants: CapabilityGrant[], capability: Capability): Evidence {
  return grants.find((g) => g.capability === capability)!.evidence;
}

function closure(start: string, edges: Map<string, string[]>): string[] {
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
