import { CfnResource } from 'aws-cdk-lib';
// cdk-nag's modules, not its index: the index loads every pack of cdk-nag (half a second), which
// loading this library must not cost.
import { NagMessageLevel, NagRuleResult } from 'cdk-nag/lib/nag-rules';
import { AccessAnalysis, PrincipalAccess } from '../analysis/access-analysis';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What a rule may look at besides the resource: built once per stack per validation run. */
export interface RuleContext {
  /** The resource's logical id. */
  readonly logicalId: string;
  /** The resolved template of the resource's stack. */
  readonly template: Json;
  /** The access analysis of that template. */
  readonly analysis: AccessAnalysis;
  /** The principal the resource is, when it is a role, user or group. */
  readonly principal?: PrincipalAccess;
  /** Statements of the bucket policies of each bucket of the stack, by the bucket's logical id. */
  readonly bucketPolicyStatements: { readonly [bucketLogicalId: string]: Json[] };
  /** Whether any stack of the app has a CloudTrail trail with log file validation. */
  readonly appHasValidatedTrail: boolean;
  /** Whether any stack of the app turns on Bedrock model invocation logging. */
  readonly appLogsInvocations: boolean;
}

/** One rule of the pack: its id is stable public API. */
export interface IModelAccessRule {
  /** Suffix of the rule id: `ModelAccess-<id>`. */
  readonly id: string;
  readonly level: NagMessageLevel;
  /** A merged-identity rule: its findings can be acknowledged only with the pack's explicit opt-in. */
  readonly mergedIdentity?: boolean;
  /** Why the rule was triggered. */
  readonly info: string;
  /** Why the rule exists, and how to fix a finding. */
  readonly explanation: string;
  /** NOT_APPLICABLE for resources the rule does not judge; granular findings as strings. */
  check(node: CfnResource, context: RuleContext): NagRuleResult;
}

/** @deprecated Renamed `IModelAccessRule` (jsii names interfaces with behaviour I...). */
export type ModelAccessRule = IModelAccessRule;
