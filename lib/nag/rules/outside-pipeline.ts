import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { Capability } from '../../capabilities/capability';
import { IModelAccessRule, RuleContext } from '../rule';

/**
 * An advisory rule: a principal holds `capability` but is not part of a pipeline (tagged
 * `pipeline`, or `service` for the roles a pipeline passes), so it can act without approval.
 */
function outsidePipeline(capability: Capability, id: string, what: string, why: string): IModelAccessRule {
  return {
    id,
    level: NagMessageLevel.WARN,
    info: `The principal can ${what} without going through an approval pipeline (advisory).`,
    explanation: `${why} Principals tagged pipeline or service are the pipelines and the roles they pass.`,
    check(_node: CfnResource, { principal }: RuleContext) {
      if (!principal || !principal.capabilities.includes(capability)) return NagRuleCompliance.NOT_APPLICABLE;
      return ['pipeline', 'service'].includes(principal.declaredCapability ?? '')
        ? NagRuleCompliance.COMPLIANT
        : NagRuleCompliance.NON_COMPLIANT;
    },
  };
}

export const CustomizationOutsidePipeline = outsidePipeline(
  Capability.CUSTOMIZATION,
  'CustomizationOutsidePipeline',
  'customize models',
  'Customization is high-risk administrative power: route it through an approval-gated pipeline with a two-person rule.',
);

export const DeploymentOutsidePipeline = outsidePipeline(
  Capability.DEPLOYMENT,
  'DeploymentOutsidePipeline',
  'change what production serves (deploy models)',
  'A model should reach production only with two people other than its requester approving it: route deployment through an approval-gated pipeline.',
);
