type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A nested stack's place in its parent. */
export interface NestedStackOrigin {
  /** The `name` of the parent stack, as given to `fromApp`. */
  readonly stack: string;
  /** The logical id of the parent's `AWS::CloudFormation::Stack` resource. */
  readonly resource: string;
}

/** One template of an app, for `AccessAnalysis.fromApp`. */
export interface StackTemplate {
  /**
   * How the analysis qualifies the stack's logical ids: `Team` names the role `BackendRole` of the
   * stack `Team/BackendRole`. Unique in the app; the empty string leaves ids unqualified.
   */
  readonly name: string;
  /** The stack name CloudFormation deploys it as: what `Fn::GetStackOutput` names. @default - none */
  readonly stackName?: string;
  /** Its region, where literal. @default - any */
  readonly region?: string;
  /**
   * Its account, where literal: an ARN naming it by its number is the stack's own account's, and a
   * literal account that is not it is another account's.
   * @default - any: a literal account may be the deploying one
   */
  readonly account?: string;
  /** The template: `Resources`, `Outputs`, `Parameters`. */
  readonly template: Json;
  /** Where a nested stack sits in its parent, whose resource binds its parameters. @default - a top-level stack */
  readonly nestedIn?: NestedStackOrigin;
}
