import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { Capability } from '../../capabilities/capability';
import { mergedPairs } from '../../capabilities/merge';
import { IModelAccessRule, RuleContext } from '../rule';

const EXCLUSIVE = [
  Capability.INFERENCE,
  Capability.CUSTOMIZATION,
  Capability.DEPLOYMENT,
  Capability.APPROVAL,
];

export const MergedCapabilities: IModelAccessRule = {
  id: 'MergedCapabilities',
  level: NagMessageLevel.ERROR,
  mergedIdentity: true,
  info: 'The principal can do two of inference, customization, deployment and approval.',
  explanation:
    'The right to call a model is not the right to change it, to put it in production, nor to approve either. Give each capability its own role (ModelInferenceRole, ModelCustomizationRole, a deployment role) and remove the actions of the others from this principal.',
  check(_node: CfnResource, { principal }: RuleContext) {
    if (!principal) return NagRuleCompliance.NOT_APPLICABLE;
    const pairs = mergedPairs(principal.capabilities).filter(
      ([a, b]) => EXCLUSIVE.includes(a) && EXCLUSIVE.includes(b),
    );
    return pairs.length ? pairs.map((p) => p.join('+')) : NagRuleCompliance.COMPLIANT;
  },
};
