import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { ModelAccessRule, RuleContext } from '../rule';

export const UnknownPermissions: ModelAccessRule = {
  id: 'UnknownPermissions',
  level: NagMessageLevel.WARN,
  info: 'The principal has permissions the analysis cannot judge: an unknown action or an AWS-managed policy not in its table (advisory).',
  explanation:
    'An unknown action is usually a typo; an unknown AWS-managed policy may grant model capabilities the checks cannot see. Fix the action, or replace the managed policy with one that lists its actions.',
  check(_node: CfnResource, { principal, analysis }: RuleContext) {
    if (!principal) return NagRuleCompliance.NOT_APPLICABLE;
    return analysis.problems.some((p) => p.principal === principal.id)
      ? NagRuleCompliance.NON_COMPLIANT
      : NagRuleCompliance.COMPLIANT;
  },
};
