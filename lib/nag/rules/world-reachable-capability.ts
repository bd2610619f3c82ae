import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { IModelAccessRule, RuleContext } from '../rule';

export const WorldReachableCapability: IModelAccessRule = {
  id: 'WorldReachableCapability',
  level: NagMessageLevel.ERROR,
  info: 'A resource policy lets callers outside the account run a function whose role holds a model capability: a function URL with auth type NONE, a Lambda permission for * or another account (or a service with no source account or ARN), or a topic or queue anyone may write to in front of the function.',
  explanation:
    "Whoever can run the function uses its role's capability with the input they choose. Use AWS_IAM auth for function URLs, give Lambda permissions a SourceAccount or SourceArn, and limit topic and queue policies to the principals that publish (or condition them on aws:SourceAccount, aws:SourceArn, aws:PrincipalOrgID).",
  check(_node: CfnResource, { logicalId, analysis }: RuleContext) {
    const found = analysis.worldReachable(logicalId);
    return found.length
      ? found.map((e) => `${e.function} (${e.role}: ${e.capabilities.join('+')}) by ${e.who}`)
      : NagRuleCompliance.NOT_APPLICABLE;
  },
};
