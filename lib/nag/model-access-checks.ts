import {
  CfnOutput,
  CfnParameter,
  CfnResource,
  NestedStack,
  PolicyValidationPluginReport,
  PolicyViolation,
  Stack,
  Token,
} from 'aws-cdk-lib';
import { NagPack, NagPackProps } from 'cdk-nag/lib/nag-pack';
import { IConstruct } from 'constructs';
import { AccessAnalysis, MergedIdentity, PrincipalAccess } from '../analysis/access-analysis';
import { qualifiedId } from '../analysis/private/qualified-ids';
import { StackTemplate } from '../analysis/stack-template';
import { logsInvocations } from '../private/invocation-logging-resource';
import { isAnalysedType } from './private/analysed-types';
import { GIVEN_TEMPLATES } from './private/given-templates';
import { IModelAccessRule, RuleContext } from './rule';
import { MODEL_ACCESS_RULES } from './rules';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ModelAccessChecksProps extends NagPackProps {
  /**
   * Lets merged-identity findings be acknowledged. Off, they are reported as `fatal`, which no
   * acknowledgement removes. On, they are errors that `Validations.of(scope).acknowledge()` with a
   * reason moves to the validation report's acknowledged findings, where they stay visible.
   * @default false
   */
  readonly allowAcknowledgingMergedIdentities?: boolean;
}

/** The analysis a stack is judged by: its app's (its account's stacks, as one), and its name there. */
interface StackAnalysis {
  /** How the analysis qualifies the stack's logical ids ('' in an app of one stack). */
  readonly name: string;
  readonly analysis: AccessAnalysis;
  readonly bucketPolicyStatements: Record<string, Json[]>;
}

/**
 * A cdk-nag v3 pack that fails `cdk synth` when a design merges model-access identities, whether
 * the roles came from this library, were written by hand, or were imported from a template. It
 * judges the app as one: a principal is one principal whichever stack defines it and whichever
 * attaches policies to it (by reference, import, weak reference, name or ARN, nested-stack
 * parameter). One analysis per account per run: linear in the size of the app.
 *
 * `Validations.of(app).addPlugins(new ModelAccessChecks(app))`
 */
export class ModelAccessChecks extends NagPack {
  /** Every rule of the pack, in the order of the rules reference, docs/rules.md (`MODEL_ACCESS_RULES`). */
  public static readonly RULES: IModelAccessRule[] = [...MODEL_ACCESS_RULES];

  public readonly name = 'ModelAccess';
  public readonly ruleIds?: string[] = MODEL_ACCESS_RULES.map((r) => `ModelAccess-${r.id}`);

  private readonly allowAcknowledgingMerges: boolean;
  private stacks = new Map<Stack, StackAnalysis>();
  private appHasValidatedTrail = false;
  private appLogsInvocations = false;
  private merged = new Map<string, PolicyViolation>();

  constructor(scope?: IConstruct, props: ModelAccessChecksProps = {}) {
    super(scope, props);
    this.packName = 'ModelAccess';
    this.allowAcknowledgingMerges = props.allowAcknowledgingMergedIdentities ?? false;
  }

  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    this.merged = new Map();
    const stacks = scope.node.root.node.findAll().filter((c): c is Stack => Stack.isStack(c));
    this.stacks = analyseApp(stacks);
    const templates = [...new Set([...this.stacks.values()].map((e) => e.analysis))].map((a) => a.template);
    this.appHasValidatedTrail = templates.some((t) =>
      Object.values<Json>(t.Resources ?? {}).some(
        (r) => r.Type === 'AWS::CloudTrail::Trail' && r.Properties?.EnableLogFileValidation === true,
      ),
    );
    this.appLogsInvocations = templates.some((t) =>
      Object.values<Json>(t.Resources ?? {}).some(logsInvocations),
    );
    const report = super.validateScope(scope);
    const violations = [...report.violations, ...this.merged.values()];
    // Advisory rules (warnings) never fail synth on their own.
    return { success: !violations.some((v) => v.severity === 'error' || v.severity === 'fatal'), violations };
  }

  /**
   * The analysis a stack was judged by in the last `validateScope`, and the stack's name in it.
   * @internal
   */
  public _analysisOf(stack: Stack): { readonly name: string; readonly analysis: AccessAnalysis } | undefined {
    return this.stacks.get(stack);
  }

  protected checkResource(node: CfnResource): void {
    // No rule judges another type: each would answer NOT_APPLICABLE.
    if (!isAnalysedType(node.cfnResourceType)) return;
    const stack = Stack.of(node);
    const entry = this.stacks.get(stack) ?? analyseApp([stack]).get(stack)!;
    const { analysis, bucketPolicyStatements } = entry;
    const local = stack.resolve(node.logicalId) as string;
    const logicalId = qualifiedId(entry.name, local);
    // A principal the template only names (an imported role) is judged on the first policy attached to it.
    const principals = analysis.principalsReportedOn(logicalId);
    for (const principal of principals.length ? principals : [undefined]) {
      const context: RuleContext = {
        logicalId,
        template: analysis.template,
        analysis,
        principal,
        bucketPolicyStatements,
        appHasValidatedTrail: this.appHasValidatedTrail,
        appLogsInvocations: this.appLogsInvocations,
      };
      for (const rule of MODEL_ACCESS_RULES) {
        if (rule.mergedIdentity) {
          this.reportMerge(rule, node, local, context);
        } else {
          this.applyRule({
            ruleSuffixOverride: rule.id,
            info: principal?.external ? `${principalLabel(principal)}: ${rule.info}` : rule.info,
            explanation: rule.explanation,
            level: rule.level,
            node,
            rule: (n: CfnResource) => rule.check(n, context),
          });
        }
      }
    }
  }

  /** Merged-identity findings bypass cdk-nag's acknowledgements: see allowAcknowledgingMergedIdentities. */
  private reportMerge(rule: IModelAccessRule, node: CfnResource, logicalId: string, context: RuleContext) {
    const result = rule.check(node, context);
    if (!Array.isArray(result) || !context.principal) return;
    const merges = context.analysis.mergesOf(context.principal.id);
    for (const finding of result) {
      const ruleName = `ModelAccess-${rule.id}[${finding}]`;
      const merge = merges.find((m) => finding.startsWith(m.capabilities.join('+')));
      const who = context.principal.external ? ` (${principalLabel(context.principal)})` : '';
      const description = `${node.node.path}${who}: ${merge ? describe(merge) : rule.info} ${rule.explanation}`;
      const resource = {
        constructPath: node.node.path,
        resourceLogicalId: logicalId,
        templatePath: Stack.of(node).templateFile,
        locations: ['Properties'],
      };
      // One violation per principal, so each carries its own evidence.
      this.merged.set(`${ruleName}|${node.node.path}|${context.principal.id}`, {
        ruleName,
        description,
        severity: this.allowAcknowledgingMerges ? 'error' : 'fatal',
        violatingResources: [resource],
      });
    }
  }
}

/**
 * One analysis per account the stacks deploy to (stacks of no fixed account count as the app's one
 * account, or as an account of their own when the app names several), each stack named in it by
 * its stack name (its path where names repeat or are not literal, as a nested stack's).
 */
function analyseApp(stacks: Stack[]): Map<Stack, StackAnalysis> {
  const literal = (s: string) => (Token.isUnresolved(s) ? undefined : s);
  const stackNames = stacks.map((s) => literal(s.stackName));
  const nameOf = new Map(
    stacks.map((s, i) => {
      const name = stackNames[i];
      const unique = name !== undefined && stackNames.indexOf(name) === stackNames.lastIndexOf(name);
      const given = GIVEN_TEMPLATES.get(s)?.name;
      return [s, stacks.length === 1 ? '' : (given ?? (unique && !s.nested ? name : s.node.path))];
    }),
  );
  const accountOf = (s: Stack) =>
    GIVEN_TEMPLATES.has(s) ? GIVEN_TEMPLATES.get(s)!.account : literal(s.account);
  const accounts = [...new Set(stacks.map(accountOf).filter((a) => a !== undefined))];
  const groups = new Map<string, StackTemplate[]>();
  const groupOf = new Map<Stack, string>();
  for (const stack of stacks) {
    // A nested stack deploys where its parent does.
    let top = stack;
    while (top.nested && top.nestedStackParent) top = top.nestedStackParent;
    const given = GIVEN_TEMPLATES.get(stack);
    const account = accountOf(top) ?? (accounts.length === 1 ? accounts[0] : '');
    const parent = stack.nestedStackParent;
    const resource = (stack as NestedStack).nestedStackResource;
    const template: StackTemplate = given
      ? { ...given, name: nameOf.get(stack)!, nestedIn: stacks.length === 1 ? undefined : given.nestedIn }
      : {
          name: nameOf.get(stack)!,
          stackName: stackNames[stacks.indexOf(stack)],
          region: literal(top.region),
          template: analysedTemplate(stack),
          nestedIn:
            parent && resource && nameOf.has(parent)
              ? { stack: nameOf.get(parent)!, resource: parent.resolve(resource.logicalId) }
              : undefined,
        };
    groups.set(account, [...(groups.get(account) ?? []), template]);
    groupOf.set(stack, account);
  }
  const byGroup = new Map<string, Pick<StackAnalysis, 'analysis' | 'bucketPolicyStatements'>>();
  for (const [account, group] of groups) {
    const analysis = AccessAnalysis.fromApp(group);
    const bucketPolicyStatements: Record<string, Json[]> = {};
    for (const r of Object.values<Json>(analysis.template.Resources ?? {})) {
      const bucket = r.Type === 'AWS::S3::BucketPolicy' ? r.Properties?.Bucket?.Ref : undefined;
      if (bucket) {
        const statements = [r.Properties.PolicyDocument?.Statement ?? []].flat();
        bucketPolicyStatements[bucket] = [...(bucketPolicyStatements[bucket] ?? []), ...statements];
      }
    }
    byGroup.set(account, { analysis, bucketPolicyStatements });
  }
  return new Map(stacks.map((s) => [s, { name: nameOf.get(s)!, ...byGroup.get(groupOf.get(s)!)! }]));
}

/**
 * The stack's template as synthesis writes it, limited to the resource types the pack reads, with
 * its outputs and parameters, through which other stacks' references reach it.
 */
function analysedTemplate(stack: Stack): Json {
  const resources: Record<string, Json> = {};
  const outputs: Record<string, Json> = {};
  const parameters: Record<string, Json> = {};
  for (const c of stack.node.findAll()) {
    if (Stack.of(c) !== stack) continue;
    if (CfnResource.isCfnResource(c) && isAnalysedType(c.cfnResourceType)) {
      Object.assign(resources, stack.resolve(c._toCloudFormation()).Resources);
    } else if (c instanceof CfnOutput) {
      Object.assign(outputs, stack.resolve(c._toCloudFormation()).Outputs);
    } else if (c instanceof CfnParameter) {
      Object.assign(parameters, stack.resolve(c._toCloudFormation()).Parameters);
    }
  }
  return { Resources: resources, Outputs: outputs, Parameters: parameters };
}

/** How a finding names a principal the template does not define: `imported role ${RoleName}`. */
function principalLabel(p: PrincipalAccess): string {
  return `imported ${p.type.replace('AWS::IAM::', '').toLowerCase()} ${p.name}`;
}

function describe(m: MergedIdentity): string {
  const [a, b] = m.capabilities;
  const [ea, eb] = m.evidence;
  const via = m.through.length
    ? ` by acting as ${m.through.map((role, i) => `${role} (${m.paths[i]})`).join(', ')}`
    : '';
  const grant = (e: typeof ea) => `${e.action} in ${e.policy} (${e.statement}) on ${e.resource}`;
  return `holds ${a} and ${b}${via}: ${a} from ${grant(ea)}; ${b} from ${grant(eb)}.`;
}
