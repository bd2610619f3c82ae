import {
  Component,
  Capability,
  DataClass,
  REGISTRY_DATA_CLASSES,
  TAG_CAPABILITY,
  TAG_COMPONENT,
  TAG_DATA_CLASS,
} from '../capabilities/capability';
import { ANY_RESOURCE, CATALOG, CatalogCompanion, ResourceContext } from '../capabilities/catalog';
import { actionPatternProblem, entryApplies, matchesAction } from '../capabilities/actions';
import { mergedPairs } from '../capabilities/merge';
import { awsManagedPolicy, isAwsManagedPolicyArn } from './aws-managed-policies';
import { list, resourceMatches, scalar } from './private/symbols';

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

/** A principal's read or write of a registry data class's objects, by its identity policies. */
export interface RegistryAccess {
  readonly principal: string;
  readonly dataClass: DataClass;
  /** `read` (s3:GetObject) or `write` (s3:PutObject). */
  readonly access: 'read' | 'write';
  readonly evidence: Evidence;
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
const REGISTRY_OBJECT_ACTIONS: [RegistryAccess['access'], string][] = [
  ['read', 's3:GetObject'],
  ['write', 's3:PutObject'],
];
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
  /** Who may read or write objects of each registry data class, after denies and boundaries. */
  public readonly registryAccess: RegistryAccess[] = [];

  private readonly resources: Record<string, Json>;
  private readonly registryBuckets = new Map<string, DataClass>();
  private readonly registryKeys = new Set<string>();
  private readonly registryArns = new Map<string, DataClass>();
  private readonly registryKeyArns = new Set<string>();
  private readonly approvalEndpoints = new Set<string>();
  private readonly approvalEndpointArns = new Set<string>();
  private readonly decisionTables = new Set<string>();
  private readonly decisionTableArns = new Set<string>();
  // Indexes built once, so the analysis grows linearly with the template.
  private readonly byId = new Map<string, PrincipalAccess>();
  private readonly idsByType = new Map<string, string[]>();
  private readonly idByName = new Map<string, string>();
  private readonly idByArn = new Map<string, string>();
  private readonly attached = new Map<string, Statement[]>();
  private readonly groupsOfUser = new Map<string, Set<string>>();
  private readonly managedCache = new Map<string, Statement[] | undefined>();
  private ownMerges?: MergedIdentity[];
  private trustMerges?: MergedIdentity[];
  private mergesByPrincipal?: Map<string, MergedIdentity[]>;

  private constructor(template: Json) {
    this.resources = template.Resources ?? {};
    for (const [id, r] of Object.entries<Json>(this.resources)) {
      const ids = this.idsByType.get(r.Type) ?? [];
      ids.push(id);
      this.idsByType.set(r.Type, ids);
    }
    this.indexNames();
    this.indexRegistry();
    this.indexPipelineComponents();
    this.indexAttachments();
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
    this.principals.forEach((p) => this.byId.set(p.id, p));
  }

  /** The data class of a registry bucket (tagged model-artifacts, training-data or metadata), by logical id. */
  public registryDataClass(logicalId: string): DataClass | undefined {
    return this.registryBuckets.get(logicalId);
  }

  /** One principal's access, by logical id. */
  public principal(id: string): PrincipalAccess | undefined {
    return this.byId.get(id);
  }

  /** The merges of one principal: by its own policies, then through the roles it can assume. */
  public mergesOf(id: string): MergedIdentity[] {
    if (!this.mergesByPrincipal) {
      this.mergesByPrincipal = new Map();
      for (const m of [...this.mergedIdentities(), ...this.mergesThroughTrust()]) {
        this.mergesByPrincipal.set(m.principal, [...(this.mergesByPrincipal.get(m.principal) ?? []), m]);
      }
    }
    return this.mergesByPrincipal.get(id) ?? [];
  }

  /** Principals that hold two capabilities that must stay apart, by their own policies. */
  public mergedIdentities(): MergedIdentity[] {
    this.ownMerges ??= this.principals.flatMap((p) =>
      mergedPairs(p.capabilities).map((pair) => ({
        principal: p.id,
        capabilities: pair,
        evidence: [evidenceFor(p.grants, pair[0]), evidenceFor(p.grants, pair[1])] as [Evidence, Evidence],
        through: [],
      })),
    );
    return this.ownMerges;
  }

  /** Principals that reach a merge only by assuming roles (each role alone may be clean). */
  public mergesThroughTrust(): MergedIdentity[] {
    const byId = this.byId;
    this.trustMerges ??= this.principals.flatMap((p) => {
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
    return this.trustMerges;
  }

  private idsOf(...types: string[]): string[] {
    return types.flatMap((t) => this.idsByType.get(t) ?? []);
  }

  /** Principals by the names a policy's Roles/Users/Groups list or a trust policy may use. */
  private indexNames() {
    for (const type of PRINCIPAL_TYPES) {
      const nameProp =
        type === 'AWS::IAM::Role' ? 'RoleName' : type === 'AWS::IAM::User' ? 'UserName' : 'GroupName';
      for (const id of this.idsOf(type)) {
        this.idByName.set(`${type}|\${${id}}`, id);
        const name = this.resources[id].Properties?.[nameProp];
        if (typeof name === 'string') this.idByName.set(`${type}|${name}`, id);
        if (type !== 'AWS::IAM::Group') this.arnsOf(id).forEach((arn) => this.idByArn.set(arn, id));
      }
    }
  }

  /** Statements of AWS::IAM::Policy and ManagedPolicy resources by the principal they attach to; group members. */
  private indexAttachments() {
    const lists = { Roles: 'AWS::IAM::Role', Users: 'AWS::IAM::User', Groups: 'AWS::IAM::Group' };
    for (const policyId of this.idsOf('AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy')) {
      const policy = this.resources[policyId].Properties ?? {};
      const statements = this.statements(policy.PolicyDocument, policyId);
      for (const [prop, type] of Object.entries(lists)) {
        for (const id of this.named(policy[prop], type))
          this.attached.set(id, [...(this.attached.get(id) ?? []), ...statements]);
      }
    }
    for (const user of this.idsOf('AWS::IAM::User')) {
      this.groupsOfUser.set(
        user,
        new Set(this.named(this.resources[user].Properties?.Groups, 'AWS::IAM::Group')),
      );
    }
    for (const addition of this.idsOf('AWS::IAM::UserToGroupAddition')) {
      const a = this.resources[addition].Properties ?? {};
      const groups = this.named(a.GroupName, 'AWS::IAM::Group');
      for (const user of this.named(a.Users, 'AWS::IAM::User'))
        groups.forEach((g) => this.groupsOfUser.get(user)?.add(g));
    }
  }

  private tag(id: string, key: string): string | undefined {
    const tags = this.resources[id].Properties?.Tags;
    const found = Array.isArray(tags) ? tags.find((t: Json) => t.Key === key) : undefined;
    return found ? scalar(found.Value) : undefined;
  }

  /** The symbolic ARNs a template resource can be named by. */
  private arnsOf(id: string): string[] {
    const props = this.resources[id].Properties ?? {};
    switch (this.resources[id].Type) {
      case 'AWS::S3::Bucket': {
        const names = [`\${${id}}`, ...(typeof props.BucketName === 'string' ? [props.BucketName] : [])];
        return [`\${${id}.Arn}`, ...names.map((n) => `arn:aws:s3:::${n}`)];
      }
      case 'AWS::DynamoDB::Table':
        return [`\${${id}.Arn}`, `arn:aws:dynamodb:\${AWS::Region}:\${AWS::AccountId}:table/\${${id}}`];
      case 'AWS::Lambda::Function':
        return [`\${${id}.Arn}`, `arn:aws:lambda:\${AWS::Region}:\${AWS::AccountId}:function:\${${id}}`];
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

  private indexPipelineComponents() {
    const index = (type: string, component: Component, ids: Set<string>, arns: Set<string>) => {
      for (const id of this.idsOf(type)) {
        if (this.tag(id, TAG_COMPONENT) !== component) continue;
        ids.add(id);
        this.arnsOf(id).forEach((arn) => arns.add(arn));
      }
    };
    index(
      'AWS::Lambda::Function',
      Component.APPROVAL_ENDPOINT,
      this.approvalEndpoints,
      this.approvalEndpointArns,
    );
    index('AWS::DynamoDB::Table', Component.DECISION_TABLE, this.decisionTables, this.decisionTableArns);
  }

  private indexRegistry() {
    const keyBySymbol = new Map(
      this.idsOf('AWS::KMS::Key').flatMap((k) => this.arnsOf(k).map((arn) => [arn, k] as const)),
    );
    for (const id of this.idsOf('AWS::S3::Bucket')) {
      const dataClass = this.tag(id, TAG_DATA_CLASS);
      if (!dataClass || !(REGISTRY_DATA_CLASSES as string[]).includes(dataClass)) continue;
      this.registryBuckets.set(id, dataClass as DataClass);
      this.arnsOf(id).forEach((arn) => this.registryArns.set(arn, dataClass as DataClass));
      const rules = this.resources[id].Properties?.BucketEncryption?.ServerSideEncryptionConfiguration ?? [];
      for (const rule of rules) {
        const key = rule?.ServerSideEncryptionByDefault?.KMSMasterKeyID;
        if (key === undefined) continue;
        const keyId = keyBySymbol.get(scalar(key));
        if (keyId) {
          this.registryKeys.add(keyId);
          this.arnsOf(keyId).forEach((arn) => this.registryKeyArns.add(arn));
        }
      }
    }
  }

  /** Ids of the principals a policy's Roles/Users/Groups list names. */
  private named(refs: Json, type: string): string[] {
    const ids = list(refs).map((symbol) => this.idByName.get(`${type}|${symbol}`));
    return [...new Set(ids.filter((id): id is string => id !== undefined))];
  }

  private statements(document: Json, policy: string): Statement[] {
    const raw = document?.Statement;
    return (Array.isArray(raw) ? raw : raw ? [raw] : []).map((s: Json, i: number) => ({
      effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
      actions: s.Action !== undefined ? list(s.Action) : undefined,
      notActions: s.NotAction !== undefined ? list(s.NotAction) : undefined,
      resources: s.Resource !== undefined ? list(s.Resource) : list(s.NotResource),
      notResource: s.Resource === undefined && s.NotResource !== undefined,
      conditional: s.Condition !== undefined && Object.keys(s.Condition).length > 0,
      policy,
      sid: typeof s.Sid === 'string' ? s.Sid : `#${i + 1}`,
      principal: s.Principal,
    }));
  }

  /** Statements of a managed policy reference: in the template, AWS-managed, or unknown (reported). */
  private managed(arn: Json, principal: string): Statement[] | undefined {
    const symbol = scalar(arn);
    const local = /^\$\{([^}.]+)\}$/.exec(symbol)?.[1];
    if (local && this.resources[local]?.Type === 'AWS::IAM::ManagedPolicy') {
      if (!this.managedCache.has(local)) {
        this.managedCache.set(
          local,
          this.statements(this.resources[local].Properties?.PolicyDocument, local),
        );
      }
      return this.managedCache.get(local);
    }
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
    const props = this.resources[id].Properties ?? {};
    const out: Statement[] = [];
    for (const p of props.Policies ?? []) {
      out.push(...this.statements(p.PolicyDocument, `${id}/${scalar(p.PolicyName)}`));
    }
    for (const arn of list(props.ManagedPolicyArns)) out.push(...(this.managed(arn, id) ?? []));
    out.push(...(this.attached.get(id) ?? []));
    for (const group of this.groupsOfUser.get(id) ?? []) out.push(...this.identityStatements(group));
    return out;
  }

  private boundaryStatements(id: string): Statement[] | undefined {
    const boundary = this.resources[id].Properties?.PermissionsBoundary;
    return boundary === undefined ? undefined : this.managed(boundary, id);
  }

  /** What a statement's resources cover, in the catalog's terms. */
  private resourceContext(s: Statement): ResourceContext {
    if (s.notResource || s.resources.includes('*')) return ANY_RESOURCE;
    const dataClasses = new Set<DataClass>();
    let registryKey = false;
    let approvalEndpoint = false;
    let decisionTable = false;
    for (const r of s.resources) {
      // The bucket (or key) a resource names: the pattern up to its object key.
      const base = r
        .replace(/^(arn:[^:]+:s3:::[^/]+|\$\{[^}]+\})\/.*$/, '$1')
        .replace(/^arn:[^:]+:/, 'arn:aws:');
      if (!/[*?]/.test(base)) {
        const dataClass = this.registryArns.get(base);
        if (dataClass) dataClasses.add(dataClass);
        registryKey ||= this.registryKeyArns.has(base);
        approvalEndpoint ||= this.approvalEndpointArns.has(base);
        decisionTable ||= this.decisionTableArns.has(base);
      } else {
        // A wildcard in the bucket name itself: compare with every registry bucket and key.
        const covers = (arn: string) => resourceMatches(r, arn) || resourceMatches(r, `${arn}/k`);
        for (const [bucket, dataClass] of this.registryBuckets)
          if (this.arnsOf(bucket).some(covers)) dataClasses.add(dataClass);
        registryKey ||= [...this.registryKeys].some((k) => this.arnsOf(k).some(covers));
        approvalEndpoint ||= [...this.approvalEndpoints].some((f) => this.arnsOf(f).some(covers));
        decisionTable ||= [...this.decisionTables].some((t) => this.arnsOf(t).some(covers));
      }
    }
    return {
      dataClasses: [...dataClasses],
      registryKey,
      approvalEndpoint,
      decisionTable,
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
    const contextOf = new Map(allows.map((s) => [s, this.resourceContext(s)]));
    const companionHeld = (c: CatalogCompanion) =>
      allows.some((s) => holds(s, c.action) && entryApplies(c, contextOf.get(s)!));
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
      const context = contextOf.get(s)!;
      for (const dataClass of (context.dataClasses ?? []).filter((d) => REGISTRY_DATA_CLASSES.includes(d))) {
        for (const [access, objectAction] of REGISTRY_OBJECT_ACTIONS) {
          if (!holds(s, objectAction) || denied(statements, objectAction, s.resources)) continue;
          if (!withinBoundary(objectAction, s.resources)) continue;
          const action = s.actions?.find((p) => matchesAction(p, objectAction)) ?? `not ${s.notActions}`;
          this.registryAccess.push({
            principal: id,
            dataClass,
            access,
            evidence: { policy: s.policy, statement: s.sid, action, resource: s.resources.join(', ') },
          });
        }
      }
      for (const entry of CATALOG) {
        if (
          !holds(s, entry.action) ||
          !entryApplies(entry, context) ||
          (entry.withAnyOf && !entry.withAnyOf.some(companionHeld))
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
    // The account trusts its identities' own policies: whoever is allowed sts:AssumeRole on the role.
    const assumers = [...statementsOf].flatMap(([id, statements]) => {
      const resources = statements
        .filter(
          (st) => st.effect === 'Allow' && (st.actions ?? []).some((a) => matchesAction(a, 'sts:AssumeRole')),
        )
        .flatMap((st) => st.resources);
      return resources.length ? [{ id, resources }] : [];
    });
    for (const role of this.idsOf('AWS::IAM::Role')) {
      const roleArns = this.arnsOf(role);
      for (const s of this.statements(
        this.resources[role].Properties?.AssumeRolePolicyDocument,
        `${role}/trust`,
      )) {
        if (s.effect !== 'Allow') continue;
        for (const p of list(s.principal === '*' ? '*' : s.principal?.AWS)) {
          const direct = this.idByArn.get(p);
          if (direct) {
            add(direct, role);
          } else if (p === '*' || /:root$/.test(p) || /^(\d{12}|\$\{AWS::AccountId\})$/.test(p)) {
            for (const a of assumers) {
              if (a.id !== role && a.resources.some((r) => roleArns.some((arn) => resourceMatches(r, arn))))
                add(a.id, role);
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
