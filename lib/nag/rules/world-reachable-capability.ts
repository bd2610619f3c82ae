import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { IModelAccessRule, RuleContext } from '../rule';

export const WorldReachableCapability: IModelAccessRule = {
  id: 'WorldReachableCapability',
  level: NagMessageLevel.ERROR,
  info: 'A resource policy lets callers outside the account use a model capability: a function URL with auth type NONE, a Lambda permission for * or another account (or a service with no source account or ARN), or a topic or queue anyone may write to, in front of a function whose role holds one; or a key, model package group, access point or Bedrock resource policy that grants one to * or another account with no condition on the caller.',
  explanation:
    "Whoever can run the function uses its role's capability with the input they choose, and whoever a resource policy names holds what it grants. Use AWS_IAM auth for function URLs, give Lambda permissions a SourceAccount or SourceArn, name the principals a resource policy grants to (or condition it on aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceAccount), and keep key-policy changes, grants and package approval with their own roles.",
  check(_node: CfnResource, { logicalId, analysis }: RuleContext) {
    const found = analysis.worldReachable(logicalId);
    return found.length
      ? found.map((e) => `${e.reaches}: ${e.capabilities.join('+')} by ${e.who}`)
      : NagRuleCompliance.NOT_APPLICABLE;
  },
};
