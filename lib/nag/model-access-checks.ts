import { CfnOutput, CfnResource, PolicyValidationPluginReport, PolicyViolation, Stack } from 'aws-cdk-lib';
import { NagPack, NagPackProps } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { AccessAnalysis, MergedIdentity, PrincipalAccess } from '../analysis/access-analysis';
import { logsInvocations } from '../private/invocation-logging-resource';
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

interface StackAnalysis {
  readonly template: Json;
  readonly analysis: AccessAnalysis;
  readonly bucketPolicyStatements: Record<string, Json[]>;
}

/**
 * A cdk-nag v3 pack that fails `cdk synth` when a design merges model-access identities, whether
 * the roles came from this library, were written by hand, or were imported from a template. It
 * analyses each stack once per run: linear in the size of the app.
 *
 * `Validations.of(app).addPlugins(new ModelAccessChecks(app))`
 */
export class ModelAccessChecks extends NagPack {
  /** Every rule of the pack, in the order of the README's rules table (`MODEL_ACCESS_RULES`). */
  public static readonly RULES: IModelAccessRule[] = [...MODEL_ACCESS_RULES];

  public readonly name = 'ModelAccess';
  public readonly ruleIds?: string[] = MODEL_ACCESS_RULES.map((r) => `ModelAccess-${r.id}`);

  private readonly allowAcknowledgingMerges: boolean;
  private stacks = new Map<Stack, StackAnalysis>();
  private templates = new Map<Stack, Json>();
  private appHasValidatedTrail = false;
  private appLogsInvocations = false;
  private merged = new Map<string, PolicyViolation>();

  constructor(scope?: IConstruct, props: ModelAccessChecksProps = {}) {
    super(scope, props);
    this.packName = 'ModelAccess';
    this.allowAcknowledgingMerges = props.allowAcknowledgingMergedIdentities ?? false;
  }

  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    this.stacks = new Map();
    this.merged = new Map();
    this.templates = new Map(
      scope.node.root.node
        .findAll()
        .filter((c): c is Stack => Stack.isStack(c))
        .map((s) => [s, analysedTemplate(s)]),
    );
    const templates = [...this.templates.values()];
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

  protected checkResource(node: CfnResource): void {
    const stack = Stack.of(node);
    const { template, analysis, bucketPolicyStatements } = this.stackAnalysis(stack);
    const logicalId = stack.resolve(node.logicalId) as string;
    // A principal the template only names (an imported role) is judged on the first policy attached to it.
    const principals = analysis.principalsReportedOn(logicalId);
    for (const principal of principals.length ? principals : [undefined]) {
      const context: RuleContext = {
        logicalId,
        template,
        analysis,
        principal,
        bucketPolicyStatements,
        appHasValidatedTrail: this.appHasValidatedTrail,
        appLogsInvocations: this.appLogsInvocations,
      };
      for (const rule of MODEL_ACCESS_RULES) {
        if (rule.mergedIdentity) {
          this.reportMerge(rule, node, context);
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

  private stackAnalysis(stack: Stack): StackAnalysis {
    let entry = this.stacks.get(stack);
    if (!entry) {
      const template = this.templates.get(stack) ?? analysedTemplate(stack);
      const bucketPolicyStatements: Record<string, Json[]> = {};
      for (const r of Object.values<Json>(template.Resources ?? {})) {
        const bucket = r.Type === 'AWS::S3::BucketPolicy' ? r.Properties?.Bucket?.Ref : undefined;
        if (bucket) {
          const statements = [r.Properties.PolicyDocument?.Statement ?? []].flat();
          bucketPolicyStatements[bucket] = [...(bucketPolicyStatements[bucket] ?? []), ...statements];
        }
      }
      // Another stack's exports: a grant on its registry bucket is judged by the bucket's data class.
      const otherTemplates = [...this.templates].filter(([s]) => s !== stack).map(([, t]) => t);
      entry = {
        template,
        analysis: AccessAnalysis.fromTemplate(template, { otherTemplates }),
        bucketPolicyStatements,
      };
      this.stacks.set(stack, entry);
    }
    return entry;
  }

  /** Merged-identity findings bypass cdk-nag's acknowledgements: see allowAcknowledgingMergedIdentities. */
  private reportMerge(rule: IModelAccessRule, node: CfnResource, context: RuleContext) {
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
        resourceLogicalId: context.logicalId,
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

// What the rules and the analysis read; resolving the rest of a stack would only cost time.
const ANALYSED_TYPES =
  /^(AWS::(IAM::|S3::Bucket$|S3::BucketPolicy$|KMS::Key$|Lambda::Function$|StepFunctions::StateMachine$|Events::Rule$|SNS::Topic$|DynamoDB::Table$|CloudTrail::Trail$|Logs::LogGroup$|CloudFormation::CustomResource$)|Custom::)/;

/**
 * The stack's template as synthesis writes it, limited to the resource types the pack reads, and
 * its exports, which other stacks' analyses read.
 */
function analysedTemplate(stack: Stack): Json {
  const resources: Record<string, Json> = {};
  const outputs: Record<string, Json> = {};
  for (const c of stack.node.findAll()) {
    if (Stack.of(c) !== stack) continue;
    if (CfnResource.isCfnResource(c) && ANALYSED_TYPES.test(c.cfnResourceType)) {
      Object.assign(resources, stack.resolve(c._toCloudFormation()).Resources);
    } else if (c instanceof CfnOutput && c.exportName !== undefined) {
      Object.assign(outputs, stack.resolve(c._toCloudFormation()).Outputs);
    }
  }
  return { Resources: resources, Outputs: outputs };
}

/** How a finding names a principal the template does not define: `imported role ${RoleName}`. */
function principalLabel(p: PrincipalAccess): string {
  return `imported ${p.type.replace('AWS::IAM::', '').toLowerCase()} ${p.name}`;
}

function describe(m: MergedIdentity): string {
  const [a, b] = m.capabilities;
  const [ea, eb] = m.evidence;
  const via = m.through.length ? ` by assuming ${m.through.join(', ')}` : '';
  const grant = (e: typeof ea) => `${e.action} in ${e.policy} (${e.statement}) on ${e.resource}`;
  return `holds ${a} and ${b}${via}: ${a} from ${grant(ea)}; ${b} from ${grant(eb)}.`;
}
