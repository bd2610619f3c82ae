import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { Capability } from '../../capabilities/capability';
import { ModelAccessRule, RuleContext } from '../rule';

export const CustomizationOutsidePipeline: ModelAccessRule = {
  id: 'CustomizationOutsidePipeline',
  level: NagMessageLevel.WARN,
  info: 'The principal can customize models without going through the approval pipeline (advisory).',
  explanation:
    'Customization is high-risk administrative power: route it through an approval-gated pipeline with a two-person rule. Principals tagged pipeline or service are the pipeline and the roles it passes.',
  check(_node: CfnResource, { principal }: RuleContext) {
    if (!principal || !principal.capabilities.includes(Capability.CUSTOMIZATION))
      return NagRuleCompliance.NOT_APPLICABLE;
    return ['pipeline', 'service'].includes(principal.declaredCapability ?? '')
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  },
};
