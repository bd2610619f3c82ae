import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { Capability } from '../../capabilities/capability';
import { mergedPairs } from '../../capabilities/merge';
import { ModelAccessRule, RuleContext } from '../rule';

const EXCLUSIVE = [Capability.INFERENCE, Capability.CUSTOMIZATION, Capability.APPROVAL];

export const MergedCapabilities: ModelAccessRule = {
  id: 'MergedCapabilities',
  level: NagMessageLevel.ERROR,
  mergedIdentity: true,
  info: 'The principal can do two of inference, customization and approval.',
  explanation:
    'The right to call a model is not the right to change it, nor to approve changing it. Give each capability its own role (ModelInferenceRole, ModelCustomizationRole) and remove the actions of the other from this principal.',
  check(_node: CfnResource, { principal }: RuleContext) {
    if (!principal) return NagRuleCompliance.NOT_APPLICABLE;
    const pairs = mergedPairs(principal.capabilities).filter(
      ([a, b]) => EXCLUSIVE.includes(a) && EXCLUSIVE.includes(b),
    );
    return pairs.length ? pairs.map((p) => p.join('+')) : NagRuleCompliance.COMPLIANT;
  },
};
