import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { MODEL_CAPABILITIES } from '../../capabilities/capability';
import { IModelAccessRule, RuleContext } from '../rule';

export const BearerTokenCapability: IModelAccessRule = {
  id: 'BearerTokenCapability',
  level: NagMessageLevel.ERROR,
  info: 'A principal that holds a model capability may call with bearer tokens (bedrock:CallWithBearerToken and its bedrock-mantle, Claude on AWS and SageMaker counterparts): a short-term API key it signs carries its capability to whoever holds the key, for up to twelve hours, without its conditions on network or MFA being asked again.',
  explanation:
    "An API key is a bearer token: it is pasted into tools, chats and CI variables, and anyone holding it acts as the principal. Remove CallWithBearerToken from the principal (capability roles' boundaries deny it), or, for inference that must use API keys, give ModelInferenceRole allowBearerTokens: true and keep that role to inference alone.",
  check(_node: CfnResource, { principal, analysis }: RuleContext) {
    if (!principal || !principal.capabilities.some((c) => MODEL_CAPABILITIES.includes(c)))
      return NagRuleCompliance.NOT_APPLICABLE;
    const actions = analysis.bearerTokens(principal.id);
    return actions.length ? [actions.join('+')] : NagRuleCompliance.COMPLIANT;
  },
};
