import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { IModelAccessRule, RuleContext } from '../rule';

export const UnknownPermissions: IModelAccessRule = {
  id: 'UnknownPermissions',
  level: NagMessageLevel.WARN,
  info: 'The principal has permissions the analysis cannot judge: an unknown action, an AWS-managed policy newer than its data, or a managed policy or boundary the template names by an ARN it does not define (advisory).',
  explanation:
    'An unknown action is usually a typo; a policy the analysis cannot read may grant model capabilities the checks cannot see. Fix the action or the policy name, define the policy in the template, or acknowledge the finding once you have reviewed the policy.',
  check(_node: CfnResource, { principal, analysis }: RuleContext) {
    if (!principal) return NagRuleCompliance.NOT_APPLICABLE;
    const subjects = analysis.problems.filter((p) => p.principal === principal.id).map((p) => p.subject);
    return subjects.length ? [...new Set(subjects)] : NagRuleCompliance.COMPLIANT;
  },
};
