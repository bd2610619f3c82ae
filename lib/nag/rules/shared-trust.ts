import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { IModelAccessRule, RuleContext } from '../rule';

export const SharedTrust: IModelAccessRule = {
  id: 'SharedTrust',
  level: NagMessageLevel.ERROR,
  mergedIdentity: true,
  info: 'A principal outside the template (an account, an identity provider, another stack\'s role, "*") is trusted by this role and by a role of a capability that must stay apart from it.',
  explanation:
    'Whoever that principal lets in can assume both roles, so they are one identity. Trust each capability from a different principal, or tell callers apart with conditions that exclude each other: the same key with different values on each role (aws:PrincipalTag/job, a SAML attribute, sts:ExternalId). A session-name pin tells nobody apart.',
  check(node: CfnResource, { logicalId, analysis }: RuleContext) {
    if (node.cfnResourceType !== 'AWS::IAM::Role') return NagRuleCompliance.NOT_APPLICABLE;
    const merges = analysis.sharedTrustMergesOf(logicalId);
    return merges.length
      ? merges.map((m) => `${m.principal}:${m.capabilities.join('+')}`)
      : NagRuleCompliance.COMPLIANT;
  },
};
