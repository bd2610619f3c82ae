import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { IModelAccessRule, RuleContext } from '../rule';

const WILDCARDS = ['*', 'bedrock:*', 'sagemaker:*'];

export const WildcardModelActions: IModelAccessRule = {
  id: 'WildcardModelActions',
  level: NagMessageLevel.ERROR,
  info: 'A principal with a model capability holds it through a wildcard over model services (*, bedrock:*, sagemaker:*, or NotAction).',
  explanation:
    'A wildcard grows with every action AWS adds: today InvokeModel, tomorrow a new way to change or export a model. List the actions (the capability catalog has them) or use a capability role.',
  check(_node: CfnResource, { principal }: RuleContext) {
    if (!principal || principal.grants.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
    const wild = principal.grants
      .map((g) => g.evidence.action)
      .filter((a) => WILDCARDS.includes(a.toLowerCase()) || a.startsWith('not '));
    return wild.length
      ? [...new Set(wild.map((a) => (a.startsWith('not ') ? 'NotAction' : a)))]
      : NagRuleCompliance.COMPLIANT;
  },
};
