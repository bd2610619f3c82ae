import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { IModelAccessRule, RuleContext } from '../rule';

export const WorldAssumableRole: IModelAccessRule = {
  id: 'WorldAssumableRole',
  level: NagMessageLevel.ERROR,
  info: "A role that holds a model capability trusts '*' with no condition on who the caller is: any principal in any AWS account may assume it.",
  explanation:
    'Name the accounts, roles or identity providers that may assume the role, or narrow "*" with a condition on the caller (aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn).',
  check(node: CfnResource, { logicalId, principal, analysis }: RuleContext) {
    if (node.cfnResourceType !== 'AWS::IAM::Role' || !principal || principal.id !== logicalId)
      return NagRuleCompliance.NOT_APPLICABLE;
    if (principal.capabilities.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
    return analysis.assumableByAnyone(logicalId)
      ? NagRuleCompliance.NON_COMPLIANT
      : NagRuleCompliance.COMPLIANT;
  },
};
