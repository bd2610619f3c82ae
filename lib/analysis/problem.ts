/** Something the analysis could not judge: an unknown action, an unknown AWS-managed policy, a policy outside the template. */
export interface AnalysisProblem {
  readonly principal: string;
  /** What it is about: the action pattern, or the policy's name or ARN. */
  readonly subject: string;
  readonly message: string;
}
