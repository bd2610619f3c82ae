import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AccessAnalysis, Evidence, PrincipalAccess } from '../analysis/access-analysis';
import { NestedStackOrigin } from '../analysis/stack-template';
import { AwsManagedPolicies } from '../analysis/aws-managed-policies';
import { Capability, GUARDED_DATA_CLASSES, MODEL_CAPABILITIES } from '../capabilities/capability';
import { ModelAccessChecks } from '../nag/model-access-checks';
import { isAnalysedType } from '../nag/private/analysed-types';
import { GIVEN_TEMPLATES } from '../nag/private/given-templates';
import { unknownTypeProblem } from '../analysis/private/resource-types';
import { MODEL_ACCESS_RULES } from '../nag/rules';
import { list, nagName } from '../private/intrinsics';
import { SERVICE_CREDENTIALS_METADATA } from '../capabilities/private/api-keys';
import { unqualifier } from '../analysis/private/qualified-ids';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One stack to report on: its template, and the findings its app acknowledged. */
export interface StackInput {
  /** How the report names it (a cloud assembly's display name, a file's base name); unique. */
  readonly name: string;
  /** The stack name it deploys as, which weak references (`Fn::GetStackOutput`) name. @default - none */
  readonly stackName?: string;
  /** Its account and region, where the assembly fixes them. @default - any */
  readonly account?: string;
  readonly region?: string;
  /** A nested stack's parent (by `name`) and resource there. @default - a top-level stack */
  readonly nestedIn?: NestedStackOrigin;
  readonly template: Json;
  /** The template file it was read from, as the command was given it. @default - none (an account read) */
  readonly templateFile?: string;
  /** Acknowledged findings of ModelAccessChecks, by rule id (granular) and logical id. */
  readonly acknowledged?: { readonly rule: string; readonly logicalId: string; readonly reason: string }[];
  /** What the reader could not make of the input, for the report's "not judged" section. */
  readonly notes?: string[];
  /** A stack with no resources: reported as empty, judged as nothing. @default false */
  readonly empty?: boolean;
  /**
   * Judge the principals only: the template knows buckets by their tags alone (an account read
   * from IAM), so rules on a bucket's own configuration would judge what was never read.
   * @default false
   */
  readonly principalsOnly?: boolean;
}

export interface PrincipalRow {
  /** Logical id; for a principal the template only names, `role:<name>`. */
  readonly id: string;
  /** The name people search the console by: the role, user or group name, where it is known. */
  readonly name?: string;
  /** Where the CDK app defines it (`aws:cdk:path`, without the trailing `/Resource`). */
  readonly constructPath?: string;
  /** Its ARN, where it is known (read from an account). */
  readonly arn?: string;
  readonly type: string;
  readonly declared?: string;
  /** For each capability held: the grants that confer it. */
  readonly cells: Partial<Record<Capability, string[]>>;
  /** Who the trust policy names (roles only). */
  readonly trustedBy: string[];
  /** Roles of the stack it can assume, directly or through a chain. */
  readonly canAssume: string[];
  /**
   * Roles it acts as other than by assuming them, with the path: passing them to compute it
   * launches, or changing compute that runs as them (`Tuner via iam:PassRole(tuner) + lambda:CreateFunction + lambda:InvokeFunction`).
   */
  readonly actsAs: string[];
  /**
   * Its API keys to models, as an account read found them (service-specific credentials):
   * `bedrock.amazonaws.com ACCA... Active, created 2026-11-02, expires 2027-02-01`. Empty from templates.
   */
  readonly apiKeys: string[];
  /** Whether a finding names this principal. */
  readonly flagged: boolean;
  /**
   * Policies of other stacks that attach to it, joined to it because they name it (by reference,
   * import, weak reference, name or ARN): `Team/BackendPolicy names it team-backend`.
   */
  readonly joined: string[];
  /** The resource its findings are reported on: itself, or the first policy attached to it. */
  readonly reportedOn: string;
}

export interface DataClassRow {
  readonly dataClass: string;
  readonly buckets: string[];
  readonly readers: string[];
  readonly writers: string[];
}

export interface Finding {
  readonly rule: string;
  readonly severity: string;
  /** Logical id of the resource the finding is on. */
  readonly resource: string;
  /** The principal's name, when the finding is on a principal that has one. */
  readonly resourceName?: string;
  readonly message: string;
  /** A merged-identity finding. */
  readonly merged: boolean;
}

export interface AcknowledgedFinding {
  readonly rule: string;
  readonly resource: string;
  readonly reason: string;
}

export interface StackReport {
  readonly name: string;
  /** The template file it was read from, relative to where the command ran. */
  readonly templateFile?: string;
  /** The stack has no resources. */
  readonly empty: boolean;
  readonly principals: PrincipalRow[];
  readonly dataClasses: DataClassRow[];
  readonly findings: Finding[];
  readonly acknowledged: AcknowledgedFinding[];
  /** What the analysis could not judge (unknown actions, AWS-managed policies outside its table). */
  readonly problems: string[];
}

/** What a report holds, in numbers, for its first lines. */
export interface ReportSummary {
  readonly stacks: number;
  readonly emptyStacks: number;
  readonly principals: number;
  /** Principals named by a merged-identity finding. */
  readonly mergedPrincipals: number;
  /** Unacknowledged findings by severity (`fatal`, `error`, `warning`). */
  readonly findings: Record<string, number>;
  readonly acknowledged: number;
}

/** The version of the JSON report's shape; it grows when a field changes meaning or goes. */
export const REPORT_SCHEMA_VERSION = 1;

export interface Report {
  /** The shape of this report (`REPORT_SCHEMA_VERSION`). */
  readonly schemaVersion: number;
  /** What was read: template files, or an account and region. */
  readonly source: string;
  readonly summary: ReportSummary;
  readonly capabilities: Capability[];
  /** The day of the AWS-managed policy data the analysis judged with (YYYY-MM-DD). */
  readonly awsManagedPolicyData: string;
  readonly stacks: StackReport[];
}

/** Where an account read keeps each principal's ARN in its template (see account.ts). */
export const ARN_METADATA = 'model-access:arn';
const NAME_PROPERTY: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
};

const MERGE_RULES = new Set(
  MODEL_ACCESS_RULES.filter((r) => r.mergedIdentity).map((r) => `ModelAccess-${r.id}`),
);

/**
 * The report on some stacks: ModelAccessChecks itself judges them as one app (its findings, and
 * the analysis the matrix shows), each stack's rows being the principals it defines or alone names.
 */
export function buildReport(source: string, stacks: StackInput[]): Report {
  const { checked, analyses } = checkedFindings(stacks);
  const reports = stacks.map((s, i) => stackReport(s, checked[i], analyses[i].analysis, analyses[i].name));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    source,
    summary: summarize(reports),
    capabilities: [...MODEL_CAPABILITIES],
    awsManagedPolicyData: AwsManagedPolicies.dataDate(),
    stacks: reports,
  };
}

function summarize(stacks: StackReport[]): ReportSummary {
  const findings: Record<string, number> = {};
  for (const f of stacks.flatMap((s) => s.findings)) findings[f.severity] = (findings[f.severity] ?? 0) + 1;
  return {
    stacks: stacks.length,
    emptyStacks: stacks.filter((s) => s.empty).length,
    principals: stacks.reduce((n, s) => n + s.principals.length, 0),
    mergedPrincipals: stacks.reduce(
      (n, s) =>
        n +
        s.principals.filter((p) => s.findings.some((f) => f.merged && f.resource === p.reportedOn)).length,
      0,
    ),
    findings,
    acknowledged: stacks.reduce((n, s) => n + s.acknowledged.length, 0),
  };
}

/** Whether the report fails under `--fail-on`. */
export function fails(report: Report, failOn: 'merged' | 'error' | 'never'): boolean {
  const findings = report.stacks.flatMap((s) => s.findings);
  if (failOn === 'merged') return findings.some((f) => f.merged);
  if (failOn === 'error') return findings.some((f) => f.severity === 'error' || f.severity === 'fatal');
  return false;
}

/** The stack an id of the app's analysis belongs to: what precedes its logical id. */
function homeOf(id: string): string {
  const slash = id.lastIndexOf('/');
  return slash < 0 ? '' : id.slice(0, slash);
}

/** What an app's analysis holds, by the stack each item belongs to: grouped once, not per stack. */
interface ByStack {
  readonly principals: Map<string, PrincipalAccess[]>;
  readonly buckets: Map<string, Map<string, string[]>>;
  readonly access: Map<string, AccessAnalysis['registryAccess']>;
  readonly problems: Map<string, AccessAnalysis['problems']>;
}
const byStack = new WeakMap<AccessAnalysis, ByStack>();

function grouped(analysis: AccessAnalysis): ByStack {
  let found = byStack.get(analysis);
  if (found) return found;
  const push = <T>(map: Map<string, T[]>, key: string, item: T) =>
    map.set(key, [...(map.get(key) ?? []), item]);
  found = { principals: new Map(), buckets: new Map(), access: new Map(), problems: new Map() };
  const homeOfPrincipal = new Map<string, string>();
  for (const p of analysis.principals) {
    push(found.principals, homeOf(p.reportedOn), p);
    homeOfPrincipal.set(p.id, homeOf(p.reportedOn));
  }
  for (const dataClass of GUARDED_DATA_CLASSES) {
    for (const id of analysis.registryBucketIds(dataClass)) {
      const home = found.buckets.get(homeOf(id)) ?? new Map<string, string[]>();
      push(home, dataClass, id);
      found.buckets.set(homeOf(id), home);
    }
  }
  for (const a of analysis.registryAccess) push(found.access, homeOfPrincipal.get(a.principal) ?? '', a);
  for (const p of analysis.problems) push(found.problems, homeOfPrincipal.get(p.principal) ?? '', p);
  byStack.set(analysis, found);
  return found;
}

/** One stack's report, from the analysis of its app, where its ids are qualified by `name`. */
function stackReport(
  input: StackInput,
  checked: Checked,
  analysis: AccessAnalysis,
  name: string,
): StackReport {
  const resources: Record<string, Json> = analysis.template.Resources ?? {};
  // The stack's own ids unqualified; another stack's keep its name.
  const local = unqualifier(name);
  const mine = grouped(analysis).principals.get(name) ?? [];
  const principalIds = new Set(mine.map((p) => local(p.id)));
  const findings = input.principalsOnly
    ? checked.findings.filter((f) => principalIds.has(f.resource))
    : checked.findings;
  const { acknowledged } = checked;
  const flagged = new Set(findings.map((f) => f.resource));
  const principals = mine.map((p): PrincipalRow => {
    const cells: Partial<Record<Capability, string[]>> = {};
    for (const c of new Set(p.grants.map((g) => g.capability)))
      cells[c] = describe(p.grants.filter((g) => g.capability === c).map((g) => g.evidence)).map(local);
    const defined = p.external ? undefined : resources[p.id];
    const path = defined?.Metadata?.['aws:cdk:path'];
    const physical = defined?.Properties?.[NAME_PROPERTY[p.type]];
    return {
      id: local(p.id),
      name: p.external ? p.name : typeof physical === 'string' ? physical : undefined,
      constructPath: typeof path === 'string' ? path.replace(/\/Resource$/, '') : undefined,
      arn: typeof defined?.Metadata?.[ARN_METADATA] === 'string' ? defined.Metadata[ARN_METADATA] : undefined,
      type: p.type,
      declared: p.declaredCapability,
      cells,
      trustedBy:
        p.type === 'AWS::IAM::Role' && !p.external
          ? trustedBy(resources[p.id].Properties?.AssumeRolePolicyDocument).map(local)
          : [],
      canAssume: p.canAssume.map(local),
      actsAs: p.actsAs
        .filter((r) => r.path.some((step) => !step.startsWith('sts:AssumeRole(')))
        .map((r) => `${local(r.role)} via ${r.path.join(' → ')}`),
      apiKeys: [defined?.Metadata?.[SERVICE_CREDENTIALS_METADATA] ?? []].flat().map(describeApiKey),
      flagged: flagged.has(local(p.reportedOn)),
      reportedOn: local(p.reportedOn),
      joined: joinedPolicies(p, resources),
    };
  });
  const nameOf = new Map(principals.filter((p) => p.name).map((p) => [p.reportedOn, p.name!]));
  const named = findings.map((f) =>
    nameOf.has(f.resource) ? { ...f, resourceName: nameOf.get(f.resource) } : f,
  );
  // Principals by the names people know them by.
  const principalName = new Map(mine.map((p, i) => [p.id, principals[i].name ?? principals[i].id]));
  const dataClasses = GUARDED_DATA_CLASSES.map((dataClass): DataClassRow => {
    const who = (access: 'read' | 'write') => [
      ...new Set(
        (grouped(analysis).access.get(name) ?? [])
          .filter((a) => a.dataClass === dataClass && a.access === access && principalName.has(a.principal))
          .map((a) => principalName.get(a.principal)!),
      ),
    ];
    return {
      dataClass,
      buckets: (grouped(analysis).buckets.get(name)?.get(dataClass) ?? []).map(local),
      readers: who('read'),
      writers: who('write'),
    };
  });
  return {
    name: input.name,
    templateFile: input.templateFile,
    empty: input.empty ?? false,
    principals,
    dataClasses,
    findings: named,
    acknowledged,
    problems: [
      ...(input.notes ?? []),
      ...Object.entries((input.template.Resources ?? {}) as Record<string, Json>).flatMap(([id, r]) => {
        const problem = unknownTypeProblem(r?.Type);
        return problem ? [`${id}: ${problem}`] : [];
      }),
      ...(grouped(analysis).problems.get(name) ?? []).map((p) => `${local(p.principal)}: ${p.message}`),
    ],
  };
}

/** One API key, as a reviewer reads it. */
function describeApiKey(c: Json): string {
  const day = (iso: unknown) => (typeof iso === 'string' ? iso.slice(0, 10) : 'unknown');
  const expiry = c?.expires ? `expires ${day(c.expires)}` : 'never expires';
  return `${c?.service} ${c?.id} ${c?.status}, created ${day(c?.created)}, ${expiry}`;
}

/** The policies of other stacks that name a principal, and how each names it. */
function joinedPolicies(p: PrincipalAccess, resources: Record<string, Json>): string[] {
  const home = homeOf(p.reportedOn);
  return p.attachedPolicies
    .filter((policy) => homeOf(policy) !== home)
    .map((policy) => {
      const props = resources[policy]?.Properties ?? {};
      const names = ['Roles', 'Users', 'Groups', 'RoleName', 'UserName', 'GroupName']
        .filter((k) => props[k] !== undefined)
        .flatMap((k) => list(props[k]));
      return `${policy} names it ${names.join(', ')}`;
    });
}

interface Checked {
  readonly findings: Finding[];
  readonly acknowledged: AcknowledgedFinding[];
}

/**
 * The pack's findings on the templates, judged as one app exactly as in `cdk synth` (app-wide
 * rules, like the trail check, across all the stacks; principals joined across templates), with
 * the analysis each stack was judged by; those the app acknowledged are set apart with their
 * reasons. Each template is given to the pack as it was read, so no intrinsic is lost.
 */
function checkedFindings(inputs: StackInput[]): {
  checked: Checked[];
  analyses: { name: string; analysis: AccessAnalysis }[];
} {
  // No creation stack traces or logical-id metadata for the constructs: the report never shows them.
  const app = new App({
    context: {
      [cxapi.DISABLE_CREATION_STACK_TRACES]: true,
      [cxapi.DISABLE_LOGICAL_ID_METADATA]: true,
    },
  });
  const stacks = inputs.map((input, i) => {
    const stack = new Stack(app, `Stack${i}`);
    // A bare resource for each the rules may report on; the analysis reads the template itself.
    for (const [id, resource] of Object.entries<Json>(input.template.Resources ?? {})) {
      if (isAnalysedType(resource.Type))
        new CfnResource(stack, id, { type: resource.Type }).overrideLogicalId(id);
    }
    GIVEN_TEMPLATES.set(stack, {
      name: input.name,
      stackName: input.stackName,
      account: input.account,
      region: input.region,
      template: input.template,
      nestedIn: input.nestedIn,
    });
    return stack;
  });
  const pack = new ModelAccessChecks(app, { allowAcknowledgingMergedIdentities: false });
  const report = pack.validateScope(app);
  const checked: Checked[] = inputs.map(() => ({ findings: [], acknowledged: [] }));
  for (const v of report.violations) {
    for (const r of v.violatingResources) {
      const [stackId, logicalId] = (r.constructPath ?? '').split('/');
      const index = Number(stackId.replace(/^Stack/, ''));
      const input = inputs[index];
      const resource = r.resourceLogicalId ?? logicalId ?? '';
      const ack = input.acknowledged?.find((a) => a.rule === v.ruleName && a.logicalId === resource);
      const base = v.ruleName.replace(/\[.*$/, '');
      if (ack && !MERGE_RULES.has(base)) {
        checked[index].acknowledged.push({ rule: v.ruleName, resource, reason: ack.reason });
      } else {
        checked[index].findings.push({
          rule: v.ruleName,
          severity: v.severity ?? 'error',
          resource,
          // Merge descriptions start with the construct path inside this report's own app.
          message: v.description.replace(/^Stack\d+\/[^:]+: /, ''),
          merged: MERGE_RULES.has(base),
        });
      }
    }
  }
  return { checked, analyses: stacks.map((s) => pack._analysisOf(s)!) };
}

/** Evidence by statement: `s3:GetObject, s3:GetObjectVersion in Policy (#1) on <Bucket.Arn>/*`. */
function describe(evidence: Evidence[]): string[] {
  const byStatement = new Map<string, Set<string>>();
  for (const e of evidence) {
    const where = `${e.policy} (${e.statement}) on ${nagName(e.resource)}`;
    byStatement.set(where, (byStatement.get(where) ?? new Set()).add(e.action));
  }
  return [...byStatement].map(([where, actions]) => `${[...actions].join(', ')} in ${where}`);
}

/** The principals a trust policy allows to assume the role, written as they read. */
function trustedBy(document: Json): string[] {
  const out: string[] = [];
  for (const s of [document?.Statement ?? []].flat()) {
    if (s.Effect !== 'Allow') continue;
    const principal = s.Principal === '*' ? { AWS: '*' } : (s.Principal ?? {});
    const conditional = s.Condition ? ' (with conditions)' : '';
    for (const [kind, values] of Object.entries<Json>(principal)) {
      for (const v of [values].flat())
        out.push(`${kind === 'AWS' ? '' : `${kind}: `}${nagName(v)}${conditional}`);
    }
  }
  return [...new Set(out)];
}
