import { accountKnown, appTemplate } from './private/app-template';
import { GENERATED_BY, JUDGED_CALL, UNJUDGED } from './private/indirect-policies';
import { StackTemplate } from './stack-template';
import {
  Component,
  Capability,
  DataClass,
  GUARDED_DATA_CLASSES,
  REGISTRY_DATA_CLASSES,
  TAG_CAPABILITY,
  TAG_COMPONENT,
  TAG_DATA_CLASS,
} from '../capabilities/capability';
import {
  CATALOG,
  CatalogCompanion,
  CatalogCondition,
  CatalogEntry,
  ResourceContext,
} from '../capabilities/catalog';
import { actionPatternProblem } from '../capabilities/actions';
import { mergedPairs } from '../capabilities/merge';
import { GUARDED_INVOCATIONS, GUARDRAIL_KEY } from '../capabilities/private/guardrails';
import {
  BEARER_TOKEN_ACTIONS,
  SERVICE_CREDENTIAL_ACTIONS,
  SERVICE_CREDENTIALS_METADATA,
} from '../capabilities/private/api-keys';
import { actionResourceTypes, resourceArnPatterns } from '../capabilities/private/iam-data';
import { scalar } from '../private/intrinsics';
import { RECORD_PREFIXES } from '../capabilities/private/gate-machinery';
import { globRegExp } from '../private/glob';
import { LIBRARY_TAG_KEYS, LIBRARY_TAG_PREFIX } from '../capabilities/private/tags';
import { settableTagKeys, toldApart } from '../private/trust-conditions';
import { AnalysisProblem } from './problem';
import { PolicySources } from './private/policy-sources';
import { Principal, PrincipalIndex, PrincipalType } from './private/principals';
import {
  inPartition,
  mayNameResourceOf,
  narrower,
  resourcesOverlap,
  withDeployingAccount,
} from './private/resource-match';
import {
  actionEvidence,
  deniedOn,
  holdsAction,
  mayApplyTo,
  neverHolds,
  scopesWithin,
  Statement,
  survives,
} from './private/statements';
import { arnOf, canonicalResource } from './private/template-arns';
import { entrances } from './private/entrances';
import { escalationEdges, roleNamed } from './private/escalation';
import { resourcePolicyGrants } from './private/resource-policies';
import {
  labelledEdges,
  OutsideTrust,
  outsideTrust,
  reachable,
  reachedBy,
  roleTrusts,
  trustGraph,
} from './private/trust-graph';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Where a capability comes from: one action of one statement of one policy. */
export interface Evidence {
  /** The policy: `<logical id>` of a policy resource, `<principal>/<PolicyName>` inline, or an AWS-managed policy's name. */
  readonly policy: string;
  /** The statement's Sid, or its position (`#2`). */
  readonly statement: string;
  /** The action pattern that matched, as the statement wrote it (`NotAction` patterns are prefixed `not `). */
  readonly action: string;
  /** The statement's resources, as the template writes them (`NotResource` ones prefixed `not `). */
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
  /** Logical id; for a principal the template names but does not define, `role:<name>` (`user:`, `group:`). */
  readonly id: string;
  readonly type: PrincipalType;
  /** Named by the template (a role imported by name or ARN, a parameter, an import) but not defined in it. */
  readonly external: boolean;
  /** Its name: a literal, or the symbol the template names it by (`${RoleName}`, `${Import:Name}`). */
  readonly name: string;
  /** The logical id its findings are reported on: its own, or the first policy resource attached to it. */
  readonly reportedOn: string;
  /** The `model-access:capability` tag, when the principal declares one. */
  readonly declaredCapability?: string;
  /** Effective grants: after unconditional denies and the permissions boundary. */
  readonly grants: CapabilityGrant[];
  /** The capabilities of `grants`, sorted. */
  readonly capabilities: Capability[];
  /**
   * Set when the principal's only model-related permission is reading every S3 object (no
   * model-service action, no registry bucket named): it can read weights and training data
   * wherever they are stored. Those reads are then left out of `grants`, so they make no merge.
   */
  readonly readsEveryObject?: Evidence;
  /** Roles of the template this principal can assume, directly or through a chain. */
  readonly canAssume: string[];
  /**
   * Roles of the template this principal acts as, and how: by assuming them, by passing them to
   * compute it launches (`iam:PassRole` with `lambda:CreateFunction`...), or by changing compute
   * that runs as them (`lambda:UpdateFunctionCode`...), through chains of these.
   */
  readonly actsAs: RoleReach[];
  /** The policy resources that attach to it (`AWS::IAM::Policy`, `ManagedPolicy`, `RolePolicy`...), by logical id. */
  readonly attachedPolicies: string[];
}

/** A way in from outside the account to a model capability, opened by a resource policy. */
export interface WorldEntrance {
  /**
   * The resource whose policy opens it, by logical id: a function URL, a Lambda permission, a topic
   * or queue policy, a key, a model package group, an access point, a Bedrock resource policy.
   */
  readonly resource: string;
  /** Who may come in: `*` (anyone), `account 222222222222`, `any account's sns.amazonaws.com`. */
  readonly who: string;
  /** What they reach: `function Fn (role Tuner)`, or the actions the policy grants (`kms:CreateGrant`). */
  readonly reaches: string;
  /** The capabilities they hold that way. */
  readonly capabilities: Capability[];
}

/** A role a principal acts as, and the steps that get it there. */
export interface RoleReach {
  /** The role, by logical id. */
  readonly role: string;
  /**
   * Each step, as evidence writes it: `sts:AssumeRole(Tuner)`, `iam:PassRole(Tuner) +
   * lambda:CreateFunction + lambda:InvokeFunction`, `lambda:UpdateFunctionCode(TunerFunction)`.
   */
  readonly path: string[];
}

/**
 * One principal outside the template (an account, an identity provider, a role of another stack,
 * `*`) trusted by two roles whose capabilities must stay apart: whoever it lets in holds both.
 */
export interface SharedTrustMerge {
  /** The trusted principal, as the template writes it. */
  readonly principal: string;
  /** The two roles, by logical id: the role the merge is reported on, and one role it merges with. */
  readonly roles: string[];
  /** The two capabilities that merge. */
  readonly capabilities: Capability[];
}

/** Two capabilities one principal must not hold together, with a granting statement for each. */
export interface MergedIdentity {
  readonly principal: string;
  /** The two capabilities, in the order of `mergedPairs`. */
  readonly capabilities: Capability[];
  /** A granting statement for each of the two. */
  readonly evidence: Evidence[];
  /** The roles whose capabilities complete the merge (empty when the principal holds both itself). */
  readonly through: string[];
  /** How the principal reaches each role of `through`, in order: its steps joined with ` → `. */
  readonly paths: string[];
}

/** A principal's read or write of the objects of a guarded data class (the registry's, the inference logs), by its identity policies. */
export interface RegistryAccess {
  readonly principal: string;
  readonly dataClass: DataClass;
  /** `read` (s3:GetObject) or `write` (s3:PutObject). */
  readonly access: 'read' | 'write';
  readonly evidence: Evidence;
}

interface Effective {
  readonly statements: Statement[];
  readonly allows: Statement[];
  readonly boundary?: Statement[];
}

const REGISTRY_OBJECT_ACTIONS: [RegistryAccess['access'], string][] = [
  ['read', 's3:GetObject'],
  ['write', 's3:PutObject'],
];
// Stand-ins for "every role" and "every bucket": a role and a bucket nobody can name (a control
// character no pattern spells), so only a wildcard reaches them, and a deny on `*model*` does not.
const NOBODY = '\u0001';
const ANY_ROLE = `arn:aws:iam::\${AWS::AccountId}:role/${NOBODY}`;
const ANY_BUCKET = `arn:aws:s3:::${NOBODY}`;
const EVERY_OBJECT_READS = new Set(['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket']);

/** What else an analysis reads besides its template. */
export interface AnalysisOptions {
  /**
   * The other templates of the app or cloud assembly (with their `Outputs`), whose exports the
   * template may import. Their principals and resources are part of the analysis, their logical
   * ids qualified `other1/`, `other2/`...; to name them by their stacks, use `fromApp`.
   * @default - none: imports stay unresolved
   */
  readonly otherTemplates?: Json[];
}

/**
 * The effective model capabilities of every principal (role, user, group) of a CloudFormation
 * template, with evidence, and the merged identities among them. Works on plain template JSON, as
 * `stack.resolve()` or a cdk.out template gives it. Its parts: which principals exist
 * (`private/principals`), what each policy source gives them (`private/policy-sources`), how IAM
 * matches resources (`private/resource-match`), and who can assume what (`private/trust-graph`).
 */
export class AccessAnalysis {
  /**
   * Analyses one template. With the other templates of its app or cloud assembly, a grant on a
   * resource it imports from one of them (another stack's registry bucket, a pipeline's function)
   * is judged by what that resource is there.
   */
  public static fromTemplate(template: Json, options: AnalysisOptions = {}): AccessAnalysis {
    const others = (options.otherTemplates ?? []).map((t, i) => ({ name: `other${i + 1}`, template: t }));
    return AccessAnalysis.fromApp([{ name: '', template: template ?? {} }, ...others]);
  }

  /**
   * Analyses the templates of one app (one account) as a whole: a principal is one principal
   * whichever template defines it and whichever attaches policies to it, named by reference,
   * import (`Fn::ImportValue`), weak reference (`Fn::GetStackOutput`), literal name or ARN, or a
   * nested stack's parameter; trust chains cross stacks. Logical ids are qualified by the stack's
   * name (`Team/BackendRole`).
   */
  public static fromApp(stacks: StackTemplate[]): AccessAnalysis {
    return new AccessAnalysis(appTemplate(stacks));
  }

  public readonly principals: PrincipalAccess[];
  /** The template judged: for an app, its templates as one, logical ids qualified by stack (`Team/BackendRole`). */
  public readonly template: Json;
  public readonly problems: AnalysisProblem[] = [];
  /**
   * Who may read or write objects of each guarded data class (the registry's three and the
   * inference logs), after denies and boundaries.
   */
  public readonly registryAccess: RegistryAccess[] = [];

  private readonly resources: Record<string, Json>;
  private readonly idsByType = new Map<string, string[]>();
  private readonly registryBuckets = new Map<string, DataClass>();
  /** Every bucket tagged with a data class (registry or not: audit logs too), for scoped catalog entries. */
  private readonly dataBuckets = new Map<string, DataClass>();
  /** Log groups tagged with a data class (inference logs delivered to CloudWatch Logs). */
  private readonly dataLogGroups = new Map<string, DataClass>();
  private readonly scopeArns = {
    registryKey: [] as string[],
  };
  /** The ARNs of the resources tagged with each pipeline component. */
  private readonly componentArns = new Map<string, string[]>();
  /** The roles the pipelines' components run as (state machines, functions), by logical id. */
  private readonly gateRoles = new Set<string>();
  private readonly byId = new Map<string, PrincipalAccess>();
  private readonly effective = new Map<string, Effective>();
  private byReportedOn?: Map<string, PrincipalAccess[]>;
  private registryObjects?: Map<string, DataClass>;
  // One array, so the candidate index built for it is built once.
  private registryObjectTargets?: string[];
  private readonly targetCache = new Map<string, string[]>();
  private ownMerges?: MergedIdentity[];
  private trustMerges?: MergedIdentity[];
  private sharedMerges?: SharedTrustMerge[];
  private sharedByRole?: Map<string, SharedTrustMerge[]>;
  private readonly outside: Map<string, OutsideTrust[]>;
  /** Users with an AWS::IAM::AccessKey in the template. */
  private readonly keyedUsers = new Set<string>();
  private readonly credentialUsers = new Set<string>();
  private readonly index: PrincipalIndex;
  private mergesByPrincipal?: Map<string, MergedIdentity[]>;
  private entrancesByResource?: Map<string, WorldEntrance[]>;
  /** Callers outside the account that resource policies grant to, by the id their statements are kept under. */
  private readonly outsiders = new Map<string, { resource: string; who: string }>();
  /** Whether some role lets its callers set a session tag of this key (then a principal tag of it is theirs to choose). */
  private readonly callerSetsTag: (tagKey: string) => boolean;

  private constructor(template: Json) {
    this.template = template;
    this.resources = template.Resources ?? {};
    for (const [id, r] of Object.entries<Json>(this.resources)) {
      const ids = this.idsByType.get(r.Type) ?? [];
      ids.push(id);
      this.idsByType.set(r.Type, ids);
    }
    const idsOf = (type: string) => this.idsByType.get(type) ?? [];
    this.indexRegistry();
    this.indexPipelineComponents();
    const index = new PrincipalIndex(this.resources, idsOf, accountKnown(template));
    const sources = new PolicySources(this.resources, idsOf, index, (r) => this.canonical(r));
    const resourcePolicies = resourcePolicyGrants(
      this.resources,
      idsOf,
      index,
      (r) => this.canonical(r),
      (id) => this.arnOf(id),
    );
    // Callers outside the account a resource policy opens to, judged like principals of their own.
    resourcePolicies.outside.forEach(({ resource, who, statements }, i) => {
      const id = `\u0001outside${i}`;
      this.outsiders.set(id, { resource, who });
      this.effective.set(id, { statements, allows: statements.filter((st) => st.effect === 'Allow') });
    });
    for (const p of index.all()) {
      const statements = [
        ...sources.identityStatements(p.id),
        ...(resourcePolicies.byPrincipal.get(p.id) ?? []),
      ];
      this.effective.set(p.id, {
        statements,
        allows: statements.filter((s) => s.effect === 'Allow' && !neverHolds(s.condition)),
        boundary: sources.boundaryStatements(p.id),
      });
    }
    this.problems.push(...sources.problems);
    const trusts = roleTrusts(this.resources, index);
    // Session-tag keys some role lets its callers set: principal tags of those keys are theirs to choose.
    const settable = idsOf('AWS::IAM::Role').flatMap((id) =>
      [this.resources[id].Properties?.AssumeRolePolicyDocument?.Statement ?? []]
        .flat()
        .flatMap(settableTagKeys),
    );
    this.callerSetsTag = (key) => settable.some((pattern) => globRegExp(pattern, true).test(key));
    const edges = trustGraph(
      trusts,
      index,
      (r) => this.canonical(r),
      (caller, roleArn) =>
        this.effective.get(caller)!.allows.some((s) => this.grants(caller, s, 'sts:AssumeRole', [roleArn])),
      (caller, roleArn) => deniedOn(this.effective.get(caller)!.statements, 'sts:AssumeRole', roleArn),
      (caller) => assumeTargets(this.effective.get(caller)!.allows),
    );
    const escalations = escalationEdges(
      this.resources,
      idsOf,
      index,
      trusts,
      (r) => this.canonical(r),
      (id) => this.arnOf(id),
      {
        allows: (principal) => this.effective.get(principal)!.allows,
        grantsOn: (principal, s, action, targets) => this.grants(principal, s, action, targets) !== undefined,
        holdsAnywhere: (principal, action) => this.grantsAnywhere(principal, action),
      },
    );
    const steps = labelledEdges(edges, escalations, (id) => index.get(id)?.name ?? id);
    this.outside = outsideTrust(trusts, index, (r) => this.canonical(r));
    this.index = index;
    for (const id of idsOf('AWS::IAM::AccessKey')) {
      for (const user of index.named(this.resources[id].Properties?.UserName, 'AWS::IAM::User')) {
        this.keyedUsers.add(user);
      }
    }
    // An account read: the users' active API keys to models.
    for (const id of idsOf('AWS::IAM::User')) {
      const credentials = this.resources[id].Metadata?.[SERVICE_CREDENTIALS_METADATA];
      if ([credentials ?? []].flat().some((c: Json) => c?.status === 'Active')) this.credentialUsers.add(id);
    }
    this.principals = index
      .all()
      .map((p) =>
        this.access(p, sources.attachedBy.get(p.id) ?? [], reachable(p.id, edges), reachedBy(p.id, steps)),
      );
    this.principals.forEach((p) => this.byId.set(p.id, p));
  }

  /** The data class of a registry bucket (tagged model-artifacts, training-data or metadata), by logical id. */
  public registryDataClass(logicalId: string): DataClass | undefined {
    return this.registryBuckets.get(logicalId);
  }

  /**
   * The logical ids of the buckets of a guarded data class (a registry's, or the inference logs):
   * the template's own, and those of other templates it imports (`otherTemplates`).
   */
  public registryBucketIds(dataClass: DataClass): string[] {
    return this.guardedBuckets()
      .filter(([, c]) => c === dataClass)
      .map(([id]) => id);
  }

  /**
   * Why what a resource deploys is not judged, if it is not: a custom resource whose provider may
   * change IAM (its role holds PRIVILEGE_ADMIN) and whose call the analysis did not read, a call,
   * StackSet template or SAM policy template it cannot read.
   */
  public unjudged(logicalId: string): string | undefined {
    const resource = this.resources[logicalId];
    const why = resource?.Metadata?.[UNJUDGED];
    if (typeof why === 'string') return why;
    const custom =
      resource?.Type === 'AWS::CloudFormation::CustomResource' || /^Custom::/.test(resource?.Type ?? '');
    if (!custom || resource.Metadata?.[JUDGED_CALL]) return undefined;
    const provider = /^\$\{([^}]+)\.Arn\}$/.exec(scalar(resource.Properties?.ServiceToken ?? ''))?.[1];
    const role = /^\$\{([^}]+)\.Arn\}$/.exec(
      scalar(this.resources[provider ?? '']?.Properties?.Role ?? ''),
    )?.[1];
    const iamChange = (role === undefined ? [] : (this.byId.get(role)?.grants ?? [])).find(
      (g) => g.capability === Capability.PRIVILEGE_ADMIN && g.catalogAction.startsWith('iam:'),
    );
    return iamChange
      ? `its provider ${provider} may change IAM (its role ${role} holds ${iamChange.catalogAction}), and what it does is not judged`
      : undefined;
  }

  /**
   * The ways in from outside the account (a function URL with auth type NONE, a Lambda permission
   * for `*` or another account, a topic or queue anyone may write to) that run a function whose
   * role holds a model capability, by the resource that opens them.
   */
  public worldReachable(logicalId: string): WorldEntrance[] {
    if (!this.entrancesByResource) {
      const found: WorldEntrance[] = [];
      for (const e of entrances(this.resources, (type) => this.idsOf(type))) {
        const fn = this.resources[e.function].Properties?.Role;
        for (const role of fn === undefined ? [] : roleNamed(this.index, (r) => this.canonical(r), fn)) {
          const capabilities = this.byId.get(role)?.capabilities ?? [];
          const reaches = `function ${e.function} (role ${role})`;
          if (capabilities.length) found.push({ resource: e.resource, who: e.who, reaches, capabilities });
        }
      }
      for (const [id, { resource, who }] of this.outsiders) {
        const { grants } = this.effectiveGrants(id);
        if (grants.length === 0) continue;
        const reaches = [...new Set(grants.map((g) => g.catalogAction))].join(', ');
        const capabilities = [...new Set(grants.map((g) => g.capability))].sort();
        found.push({ resource, who, reaches, capabilities });
      }
      this.entrancesByResource = new Map();
      for (const e of found) {
        this.entrancesByResource.set(e.resource, [...(this.entrancesByResource.get(e.resource) ?? []), e]);
      }
    }
    return this.entrancesByResource.get(logicalId) ?? [];
  }

  /** One principal's access, by id. */
  public principal(id: string): PrincipalAccess | undefined {
    return this.byId.get(id);
  }

  /** The principals whose findings belong on a resource: itself, or the principals it alone brings in. */
  public principalsReportedOn(logicalId: string): PrincipalAccess[] {
    if (!this.byReportedOn) {
      this.byReportedOn = new Map();
      for (const p of this.principals)
        this.byReportedOn.set(p.reportedOn, [...(this.byReportedOn.get(p.reportedOn) ?? []), p]);
    }
    return this.byReportedOn.get(logicalId) ?? [];
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
        paths: [],
      })),
    );
    return this.ownMerges;
  }

  /** Principals that reach a merge only by assuming roles (each role alone may be clean). */
  public mergesThroughTrust(): MergedIdentity[] {
    const byId = this.byId;
    this.trustMerges ??= this.principals.flatMap((p) => {
      const own = new Set(mergedPairs(p.capabilities).map((pair) => pair.join()));
      const reachableRoles = [p, ...p.actsAs.map((r) => byId.get(r.role)!)];
      const all = reachableRoles.flatMap((r) => r.grants.map((g) => ({ holder: r.id, grant: g })));
      const pathTo = new Map(p.actsAs.map((r) => [r.role, r.path.join(' → ')]));
      return mergedPairs(all.map((a) => a.grant.capability))
        .filter((pair) => !own.has(pair.join()))
        .map((pair) => {
          const first = all.find((a) => a.grant.capability === pair[0])!;
          const second = all.find((a) => a.grant.capability === pair[1])!;
          const through = [...new Set([first.holder, second.holder].filter((h) => h !== p.id))];
          return {
            principal: p.id,
            capabilities: pair,
            evidence: [first.grant.evidence, second.grant.evidence] as [Evidence, Evidence],
            through,
            paths: through.map((role) => pathTo.get(role)!),
          };
        });
    });
    return this.trustMerges;
  }

  /**
   * How an IAM user holds long-lived credentials: an access key the template creates for it, or
   * an active API key to models that an account read found (a service-specific credential), or its
   * own permission to create an access key (iam:CreateAccessKey on itself) or to mint a
   * service-specific credential for itself (a Bedrock API key). Undefined for anyone else.
   */
  public longLivedCredentials(
    userId: string,
  ):
    | 'access-key'
    | 'service-specific-credential'
    | 'may-create-access-key'
    | 'may-create-service-specific-credential'
    | undefined {
    const user = this.byId.get(userId);
    if (user?.type !== 'AWS::IAM::User') return undefined;
    if (this.keyedUsers.has(userId)) return 'access-key';
    if (this.credentialUsers.has(userId)) return 'service-specific-credential';
    const { arns = [], name = '' } = this.index.get(userId) ?? {};
    // In a user's own policy, `${aws:username}` is the user's own name (IAM's self-service policies).
    const own = (s: Statement): Statement => ({
      ...s,
      resources: s.resources.map((r) => r.replace(/\$\{aws:username\}/gi, name)),
    });
    const mayOnItself = (action: string) =>
      arns.length > 0 &&
      this.effective.get(userId)!.allows.some((s) => this.grants(userId, own(s), action, arns));
    if (mayOnItself('iam:CreateAccessKey')) return 'may-create-access-key';
    // An API key for Bedrock (or any service-specific credential) is as long-lived as an access key.
    if (SERVICE_CREDENTIAL_ACTIONS.some(mayOnItself)) return 'may-create-service-specific-credential';
    return undefined;
  }

  /**
   * The Bedrock invocations (`bedrock:InvokeModel`, `InvokeModelWithResponseStream`: Converse
   * included) the principal may make without applying a guardrail: granted by a statement with no
   * condition on `bedrock:GuardrailIdentifier`, and denied by none that tests that key.
   */
  public unguardedInvocations(id: string): string[] {
    const effective = this.effective.get(id);
    if (!effective || this.guardrailEnforcedOnAccount()) return [];
    const testsGuardrail = (s: Statement) =>
      Object.values<Json>(s.condition ?? {}).some((block) =>
        Object.keys(block ?? {}).some((key) => key.toLowerCase() === GUARDRAIL_KEY.toLowerCase()),
      );
    const denies = [...effective.statements, ...(effective.boundary ?? [])].filter(
      (s) => s.effect === 'Deny' && testsGuardrail(s),
    );
    return GUARDED_INVOCATIONS.filter(
      (action) =>
        this.grantsAnywhere(id, action) &&
        !denies.some((d) => holdsAction(d, action)) &&
        effective.allows.some((s) => holdsAction(s, action) && !testsGuardrail(s)),
    );
  }

  /**
   * Whether the app enforces a guardrail on every Bedrock model of its account and region (an
   * `AWS::Bedrock::EnforcedGuardrailConfiguration` that names no models to include or exclude):
   * then every invocation applies it, whatever the caller's policies say.
   */
  private guardrailEnforcedOnAccount(): boolean {
    return this.idsOf('AWS::Bedrock::EnforcedGuardrailConfiguration').some((id) => {
      const props = this.resources[id].Properties;
      return props?.ModelEnforcement === undefined && props?.GuardrailIdentifier !== undefined;
    });
  }

  /**
   * The bearer-token actions (`bedrock:CallWithBearerToken`...) the principal may use, after its
   * denies and boundary: with any, a token it signs carries its rights to whoever holds the token.
   */
  public bearerTokens(id: string): string[] {
    if (!this.effective.has(id)) return [];
    return BEARER_TOKEN_ACTIONS.filter((action) => this.grantsAnywhere(id, action));
  }

  /**
   * The session tags a role's trust lets its callers choose that decide access: `any key` where
   * `sts:TagSession` has no `aws:TagKeys` limit, else each of the library's own keys
   * (`model-access:*`, which declare what a principal is) a limit lets through. Only statements
   * whose principal is an AWS principal or `*` count: a service or an identity provider sets its own tags.
   */
  public callerChosenSessionTags(roleId: string): string[] {
    const statements = [this.resources[roleId]?.Properties?.AssumeRolePolicyDocument?.Statement ?? []].flat();
    const found = new Set<string>();
    for (const statement of statements) {
      const principal = statement?.Principal;
      const callerChooses =
        principal === '*' || (principal && typeof principal === 'object' && 'AWS' in principal);
      if (!callerChooses) continue;
      for (const pattern of settableTagKeys(statement)) {
        if (pattern === '*') found.add('any key');
        else if (pattern.toLowerCase().startsWith(LIBRARY_TAG_PREFIX)) found.add(pattern);
        else for (const key of LIBRARY_TAG_KEYS) if (globRegExp(pattern, true).test(key)) found.add(key);
      }
    }
    return [...found];
  }

  /** Whether any principal in any account may assume the role: `*` trusted with no condition on the caller. */
  public assumableByAnyone(roleId: string): boolean {
    return (this.outside.get(roleId) ?? []).some((t) => t.anyone);
  }

  /**
   * Merges through a principal outside the template that two roles trust: one role or user
   * trusted by both always; an account, an identity provider or `*` unless the roles' conditions
   * exclude each other (`aws:PrincipalTag/job` = `chat` against `ml`; see `toldApart`).
   * A merge either role holds by itself is its own finding, not repeated here. Each role has one
   * merge per trusted principal and pair of capabilities, naming one role it merges with.
   */
  public sharedTrustMerges(): SharedTrustMerge[] {
    if (this.sharedMerges) return this.sharedMerges;
    // Only roles that hold a capability can merge: the rest (most roles of an app) are left out.
    // Under each trusted principal, roles alike (the same capabilities, trusted alike) are one
    // group: a role is compared with each group, not with every other role.
    const byPrincipal = new Map<string, Map<string, { role: PrincipalAccess; trust: OutsideTrust }[]>>();
    for (const [id, trusted] of this.outside) {
      const role = this.byId.get(id)!;
      if (role.capabilities.length === 0) continue;
      for (const trust of trusted) {
        const groups = byPrincipal.get(trust.principal) ?? new Map();
        const key = [role.capabilities.join(), trust.shared, trust.distinguishedBy].join('|');
        groups.set(key, [...(groups.get(key) ?? []), { role, trust }]);
        byPrincipal.set(trust.principal, groups);
      }
    }
    const merges: SharedTrustMerge[] = [];
    const seen = new Set<string>();
    for (const [principal, groups] of byPrincipal) {
      const all = [...groups.values()];
      for (const members of all) {
        for (const a of members) {
          for (const group of all) {
            const b = group.find((m) => m.role !== a.role);
            if (!b) continue;
            if (
              a.trust.shared &&
              toldApart(a.trust.distinguishedBy, b.trust.distinguishedBy, this.callerSetsTag)
            )
              continue;
            const own = new Set(
              [...mergedPairs(a.role.capabilities), ...mergedPairs(b.role.capabilities)].map((p) => p.join()),
            );
            for (const pair of mergedPairs([...a.role.capabilities, ...b.role.capabilities])) {
              const key = [principal, a.role.id, ...pair].join('|');
              if (own.has(pair.join()) || seen.has(key)) continue;
              seen.add(key);
              merges.push({ principal, roles: [a.role.id, b.role.id], capabilities: pair });
            }
          }
        }
      }
    }
    this.sharedMerges = merges;
    return merges;
  }

  /** The shared-trust merges a role is part of, each with the role first. */
  public sharedTrustMergesOf(roleId: string): SharedTrustMerge[] {
    if (!this.sharedByRole) {
      this.sharedByRole = new Map();
      for (const m of this.sharedTrustMerges()) {
        this.sharedByRole.set(m.roles[0], [...(this.sharedByRole.get(m.roles[0]) ?? []), m]);
      }
    }
    return this.sharedByRole.get(roleId) ?? [];
  }

  private access(
    p: Principal,
    attachedPolicies: string[],
    canAssume: string[],
    actsAs: RoleReach[],
  ): PrincipalAccess {
    const effective = this.effective.get(p.id)!;
    for (const s of effective.allows.filter((a) => !a.awsManaged)) {
      for (const pattern of [...(s.actions ?? []), ...(s.notActions ?? [])]) {
        const problem = actionPatternProblem(pattern);
        if (problem)
          this.problems.push({
            principal: p.id,
            subject: pattern,
            message: `${s.policy} ${s.sid}: ${problem}`,
          });
      }
    }
    this.collectRegistryAccess(p.id);
    const { grants, everyObject } = this.effectiveGrants(p.id);
    const modelGrants = grants.filter((g) => g.capability !== Capability.PRIVILEGE_ADMIN);
    const onlyEveryObject = modelGrants.length > 0 && modelGrants.every((g) => everyObject.has(g));
    const kept = onlyEveryObject ? grants.filter((g) => !everyObject.has(g)) : grants;
    this.collectLogGroupReads(p.id, kept);
    return {
      id: p.id,
      type: p.type,
      external: p.external,
      name: p.name,
      reportedOn: this.deployedBy(p.external ? (attachedPolicies[0] ?? p.id) : p.id),
      declaredCapability: p.external ? undefined : this.tag(p.id, TAG_CAPABILITY),
      grants: kept,
      capabilities: [...new Set(kept.map((g) => g.capability))].sort(),
      readsEveryObject: onlyEveryObject ? modelGrants[0].evidence : undefined,
      canAssume,
      actsAs,
      attachedPolicies,
    };
  }

  /** The resource of the template that deploys a resource: itself, or what the analysis wrote it out from (a SAM function, a StackSet, a custom resource). */
  private deployedBy(id: string): string {
    const by = this.resources[id]?.Metadata?.[GENERATED_BY];
    return typeof by === 'string' ? by : id;
  }

  private idsOf(type: string): string[] {
    return this.idsByType.get(type) ?? [];
  }

  private tag(id: string, key: string): string | undefined {
    const tags = this.resources[id].Properties?.Tags;
    const found = Array.isArray(tags) ? tags.find((t: Json) => t.Key === key) : undefined;
    return found ? scalar(found.Value) : undefined;
  }

  private arnOf(id: string): string | undefined {
    return arnOf(this.resources, id);
  }

  private canonical(resource: string): string {
    return canonicalResource(this.resources, resource);
  }

  private indexPipelineComponents() {
    const components = Object.values(Component) as string[];
    for (const [type, roleProperty] of [
      ['AWS::Lambda::Function', 'Role'],
      ['AWS::StepFunctions::StateMachine', 'RoleArn'],
      ['AWS::DynamoDB::Table', undefined],
      ['AWS::Events::Rule', undefined],
      ['AWS::SNS::Topic', undefined],
    ] as const) {
      for (const id of this.idsOf(type)) {
        const component = this.tag(id, TAG_COMPONENT);
        if (!component || !components.includes(component)) continue;
        const arn = this.arnOf(id);
        if (arn) this.componentArns.set(component, [...(this.componentArns.get(component) ?? []), arn]);
        const role = roleProperty && this.resources[id].Properties?.[roleProperty];
        const roleId = role === undefined ? undefined : /^\$\{([^}.]+)\.Arn\}$/.exec(scalar(role))?.[1];
        if (roleId) this.gateRoles.add(roleId);
      }
    }
  }

  private indexRegistry() {
    // The resource's data class, when its tag names one.
    const dataClassOf = (id: string) => {
      const tag = this.tag(id, TAG_DATA_CLASS);
      return (Object.values(DataClass) as string[]).includes(tag ?? '') ? (tag as DataClass) : undefined;
    };
    for (const id of this.idsOf('AWS::Logs::LogGroup')) {
      const dataClass = dataClassOf(id);
      if (dataClass) this.dataLogGroups.set(id, dataClass);
    }
    for (const id of this.idsOf('AWS::S3::Bucket')) {
      const dataClass = dataClassOf(id);
      if (dataClass) this.dataBuckets.set(id, dataClass);
      if (!dataClass || !REGISTRY_DATA_CLASSES.includes(dataClass)) continue;
      this.registryBuckets.set(id, dataClass);
      const rules = this.resources[id].Properties?.BucketEncryption?.ServerSideEncryptionConfiguration ?? [];
      for (const rule of rules) {
        const key = rule?.ServerSideEncryptionByDefault?.KMSMasterKeyID;
        const keyId = key === undefined ? undefined : /^\$\{([^}.]+)(\.Arn)?\}$/.exec(scalar(key))?.[1];
        if (keyId && this.resources[keyId]?.Type === 'AWS::KMS::Key') {
          const arn = this.arnOf(keyId)!;
          if (!this.scopeArns.registryKey.includes(arn)) this.scopeArns.registryKey.push(arn);
        }
      }
    }
  }

  /** The resources an action must reach to confer a capability scoped to `on`. */
  private targets(on: ResourceContext, action: string): string[] {
    const key = `${JSON.stringify(on)} ${action}`;
    let out = this.targetCache.get(key);
    if (out) return out;
    const objects = isObjectAction(action);
    // Objects as the whole object space of each bucket: a grant on part of it is judged on that part.
    const bucketTargets = (arn: string) => (objects ? `${arn}/${arn === ANY_BUCKET ? NOBODY : '*'}` : arn);
    out = [];
    if (action.startsWith('s3:')) {
      for (const [id, dataClass] of this.dataBuckets) {
        if (on.dataClasses?.includes(dataClass)) out.push(bucketTargets(this.arnOf(id)!));
      }
      if (on.dataClasses?.length) out.push(bucketTargets(ANY_BUCKET));
    }
    // A log group counts only where the template has one of the class: reading the account's
    // logs (`logs:*` beside a workload) is no capability by itself.
    if (action.startsWith('logs:')) {
      const streams = actionResourceTypes(action).includes('log-stream');
      for (const [id, dataClass] of this.dataLogGroups) {
        if (!on.dataClasses?.includes(dataClass)) continue;
        // CloudWatch Logs names a log group with and without the `:*` its GetAtt Arn ends in.
        const group = this.arnOf(id)!.replace(/:\*$/, '');
        out.push(...(streams ? [`${group}:log-stream:*`] : [group, `${group}:*`]));
      }
    }
    if (on.registryKey) out.push(...this.scopeArns.registryKey);
    const components = [
      ...(on.approvalEndpoint ? [Component.APPROVAL_ENDPOINT] : []),
      ...(on.decisionTable ? [Component.DECISION_TABLE] : []),
      ...(on.components ?? []),
    ];
    for (const component of new Set(components)) out.push(...(this.componentArns.get(component) ?? []));
    if (on.pipelineRecords && action.startsWith('s3:')) {
      for (const [id, dataClass] of this.dataBuckets) {
        if (dataClass !== DataClass.METADATA) continue;
        out.push(...RECORD_PREFIXES.map((prefix) => `${this.arnOf(id)!}/${prefix}*`));
      }
    }
    if (on.allResources) out.push(ANY_ROLE);
    this.targetCache.set(key, out);
    return out;
  }

  /** The first of `targets` on which statement `s` grants `action` to the principal, after its denies and boundary. */
  private grants(principal: string, s: Statement, action: string, targets: string[]): string | undefined {
    const { statements, boundary } = this.effective.get(principal)!;
    if (!holdsAction(s, action)) return undefined;
    return candidates(s, targets).find((t) =>
      scopesWithin(s, t).some((scope) => survives(statements, boundary, action, scope)),
    );
  }

  /**
   * What an unscoped grant may reach: each of the statement's resources that can name a resource of
   * the action's types; where it names everything (`*`, NotResource), the types themselves.
   */
  private ownTargets(s: Statement, action: string): string[] {
    const patterns = resourcePatterns(action);
    const types = patterns.length ? patterns : ['*'];
    if (s.notResource) return types.filter((t) => mayApplyTo(s, t));
    return s.resources.flatMap((r) => {
      if (r === '*') return types;
      if (!mayNameResourceOf(r, patterns)) return [];
      // In the account's own resources of the action's types: IAM acts on no other account's.
      const within = patterns.filter((p) => resourcesOverlap(r, p)).map((p) => narrower(r, p));
      return within.length ? within : [r];
    });
  }

  private grantsAnywhere(principal: string, action: string, on?: ResourceContext): boolean {
    return this.effective.get(principal)!.allows.some(
      // Only a statement with the action reaches anything: its targets are not worth working out otherwise.
      (s) =>
        holdsAction(s, action) &&
        Boolean(
          this.grants(principal, s, action, on ? this.targets(on, action) : this.ownTargets(s, action)),
        ),
    );
  }

  private effectiveGrants(id: string): { grants: CapabilityGrant[]; everyObject: Set<CapabilityGrant> } {
    const grants: CapabilityGrant[] = [];
    const everyObject = new Set<CapabilityGrant>();
    const companionHeld = (c: CatalogCompanion) => this.grantsAnywhere(id, c.action, c.on);
    for (const s of this.effective.get(id)!.allows) {
      for (const entry of catalogEntriesHeld(s)) {
        if (entry.withAnyOf && !entry.withAnyOf.some(companionHeld)) continue;
        if (entry.gateWork && this.gateRoles.has(id)) continue;
        if (entry.exceptWhere && pinsCondition(s, entry.exceptWhere)) continue;
        const target = this.grants(
          id,
          s,
          entry.action,
          entry.on ? this.targets(entry.on, entry.action) : this.ownTargets(s, entry.action),
        );
        if (target === undefined) continue;
        const grant = {
          capability: entry.capability,
          catalogAction: entry.action,
          evidence: evidenceOf(s, entry.action),
        };
        grants.push(grant);
        if (target.startsWith(ANY_BUCKET) && EVERY_OBJECT_READS.has(entry.action)) everyObject.add(grant);
      }
    }
    return { grants, everyObject };
  }

  /** The buckets of the guarded data classes, whose readers and writers `registryAccess` lists. */
  private guardedBuckets(): [string, DataClass][] {
    return [...this.dataBuckets].filter(([, c]) => GUARDED_DATA_CLASSES.includes(c));
  }

  /** Readers of inference logs delivered to a log group of the template, beside the bucket's. */
  private collectLogGroupReads(id: string, grants: CapabilityGrant[]) {
    const read = grants.find(
      (g) => g.capability === Capability.INFERENCE_LOG_ACCESS && g.catalogAction.startsWith('logs:'),
    );
    if (!read) return;
    const listed = this.registryAccess.some(
      (a) => a.principal === id && a.dataClass === DataClass.INFERENCE_LOGS && a.access === 'read',
    );
    if (!listed) {
      this.registryAccess.push({
        principal: id,
        dataClass: DataClass.INFERENCE_LOGS,
        access: 'read',
        evidence: read.evidence,
      });
    }
  }

  private collectRegistryAccess(id: string) {
    const seen = new Set<string>();
    this.registryObjects ??= new Map(
      this.guardedBuckets().map(([bucket, dataClass]) => [`${this.arnOf(bucket)}/*`, dataClass]),
    );
    const byTarget = this.registryObjects;
    this.registryObjectTargets ??= [...byTarget.keys()];
    const all = this.registryObjectTargets;
    for (const s of this.effective.get(id)!.allows) {
      const held = REGISTRY_OBJECT_ACTIONS.filter(([, action]) => holdsAction(s, action));
      if (held.length === 0) continue;
      const targets = candidates(s, all);
      for (const [access, action] of held) {
        for (const target of targets) {
          const dataClass = byTarget.get(target)!;
          if (seen.has(`${dataClass} ${access}`) || !this.grants(id, s, action, [target])) continue;
          seen.add(`${dataClass} ${access}`);
          this.registryAccess.push({ principal: id, dataClass, access, evidence: evidenceOf(s, action) });
        }
      }
    }
  }
}

/**
 * The targets a statement may reach, without comparing it with every one: a statement whose
 * resources each name one bucket (no wildcard in the name) can reach only that bucket's objects.
 */
const heldByActions = new Map<string, CatalogEntry[]>();

/**
 * The role ARNs a principal's allows name for sts:AssumeRole, canonical; `any` where one may name
 * roles it does not spell out (a wildcard, a symbol, NotResource).
 */
function assumeTargets(allows: Statement[]): string[] | 'any' {
  const out: string[] = [];
  for (const s of allows) {
    if (!holdsAction(s, 'sts:AssumeRole')) continue;
    if (s.notResource) return 'any';
    for (const r of s.resources) {
      if (/[*?]/.test(r) || !r.startsWith('arn:')) return 'any';
      out.push(inPartition(r), withDeployingAccount(r));
    }
  }
  return out;
}

/** Whether a statement's condition requires `key` to be exactly `value` (Bool or StringEquals). */
function pinsCondition(s: Statement, { key, value }: CatalogCondition): boolean {
  for (const operator of ['Bool', 'StringEquals']) {
    const block = s.condition?.[operator];
    if (typeof block !== 'object' || block === null) continue;
    const found = Object.keys(block).find((k) => k.toLowerCase() === key.toLowerCase());
    const values = found === undefined ? [] : [block[found]].flat();
    if (values.length > 0 && values.every((v) => String(scalar(v)).toLowerCase() === value.toLowerCase()))
      return true;
  }
  return false;
}

/** The catalog entries a statement's Action or NotAction covers, computed once per distinct list. */
function catalogEntriesHeld(s: Statement): CatalogEntry[] {
  const key = s.actions ? `+${s.actions.join(',')}` : `-${(s.notActions ?? []).join(',')}`;
  let held = heldByActions.get(key);
  if (!held) {
    held = CATALOG.filter((e) => holdsAction(s, e.action));
    heldByActions.set(key, held);
  }
  return held;
}

const targetIndexes = new WeakMap<string[], { others: string[]; byBucket: Map<string, string[]> }>();

function candidates(s: Statement, targets: string[]): string[] {
  if (targets.length < 8 || s.notResource) return targets;
  let index = targetIndexes.get(targets);
  if (!index) {
    index = { others: [], byBucket: new Map() };
    for (const t of targets) {
      const bucket = /^arn:aws:s3:::([^/]+)/.exec(t)?.[1];
      if (bucket === undefined) index.others.push(t);
      else index.byBucket.set(bucket, [...(index.byBucket.get(bucket) ?? []), t]);
    }
    targetIndexes.set(targets, index);
  }
  const out = [...index.others];
  for (const r of s.resources) {
    const bucket = /^arn:aws:s3:::([^/*?]+)(\/|$)/.exec(r)?.[1];
    if (bucket === undefined) {
      if (/^arn:aws:s3:/.test(r) || !/^arn:/.test(r)) return targets;
      continue; // an ARN of another service reaches no bucket, only the other targets
    }
    out.push(...(index.byBucket.get(bucket) ?? []));
  }
  return out;
}

const patternsOf = new Map<string, string[]>();

/** The ARN patterns of an action's resource types, in the principal's own account (IAM acts on no other's). */
function resourcePatterns(action: string): string[] {
  let patterns = patternsOf.get(action);
  if (!patterns) {
    patterns = resourceArnPatterns(action).map((p) =>
      p.replace(/^(arn:[^:]*:[^:]*:[^:]*:)\*:/, '$1${AWS::AccountId}:'),
    );
    patternsOf.set(action, patterns);
  }
  return patterns;
}

const objectActions = new Map<string, boolean>();

/** An S3 action on objects (GetObject), not on buckets (ListBucket, PutBucketPolicy). */
function isObjectAction(action: string): boolean {
  let result = objectActions.get(action);
  if (result === undefined) {
    const types = action.startsWith('s3:') ? actionResourceTypes(action) : [];
    result = types.includes('object') && !types.includes('bucket');
    objectActions.set(action, result);
  }
  return result;
}

function evidenceOf(s: Statement, action: string): Evidence {
  const resources = s.written.join(', ');
  return {
    policy: s.policy,
    statement: s.sid,
    action: actionEvidence(s, action),
    resource: s.notResource ? `not ${resources}` : resources,
  };
}

function evidenceFor(grants: CapabilityGrant[], capability: Capability): Evidence {
  return grants.find((g) => g.capability === capability)!.evidence;
}
