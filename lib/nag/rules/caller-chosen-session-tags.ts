import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { IModelAccessRule, RuleContext } from '../rule';

export const CallerChosenSessionTags: IModelAccessRule = {
  id: 'CallerChosenSessionTags',
  level: NagMessageLevel.ERROR,
  info: "A role that holds a model capability lets its callers tag their own sessions with any key (sts:TagSession with no aws:TagKeys limit), or with one of the library's own keys (model-access:*).",
  explanation:
    "A session tag becomes a principal tag: the caller would pass conditions on aws:PrincipalTag (ABAC, a classification, another role's trust) and declare itself what the library's tags say a principal is (the inference endpoints admit by model-access:capability). Limit sts:TagSession with ForAllValues:StringEquals on aws:TagKeys to keys of your own, or drop it; tag the people instead.",
  check(node: CfnResource, { logicalId, principal, analysis }: RuleContext) {
    if (node.cfnResourceType !== 'AWS::IAM::Role' || !principal || principal.id !== logicalId)
      return NagRuleCompliance.NOT_APPLICABLE;
    if (principal.capabilities.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
    const keys = analysis.callerChosenSessionTags(logicalId);
    return keys.length ? keys : NagRuleCompliance.COMPLIANT;
  },
};
