import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { IModelAccessRule, RuleContext } from '../rule';

export const MergeThroughTrust: IModelAccessRule = {
  id: 'MergeThroughTrust',
  level: NagMessageLevel.ERROR,
  mergedIdentity: true,
  info: 'The principal can assume roles (directly or through a chain) that together hold capabilities that must stay apart.',
  explanation:
    'Separate roles are one identity if one caller can assume them all. Trust each capability role from a different principal, or tell callers apart with a condition (aws:PrincipalTag, sts:ExternalId), and do not allow sts:AssumeRole across capabilities.',
  check(_node: CfnResource, { principal, analysis }: RuleContext) {
    if (!principal || principal.canAssume.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
    const merges = analysis.mergesOf(principal.id).filter((m) => m.through.length > 0);
    return merges.length
      ? merges.map((m) => `${m.capabilities.join('+')}:${m.through.join(',')}`)
      : NagRuleCompliance.COMPLIANT;
  },
};
