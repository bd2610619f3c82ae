import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { Capability } from '../../capabilities/capability';
import { IModelAccessRule, RuleContext } from '../rule';

const { READ, INFERENCE, CUSTOMIZATION, DEPLOYMENT, WEIGHTS_ACCESS, APPROVAL, INFERENCE_LOG_ACCESS } =
  Capability;

/** What each declared `model-access:capability` may hold (docs/architecture.md's contract). */
export const DECLARED_CAPABILITIES: Record<string, Capability[]> = {
  read: [READ],
  inference: [INFERENCE],
  customization: [CUSTOMIZATION, WEIGHTS_ACCESS],
  deployment: [DEPLOYMENT],
  approval: [APPROVAL],
  // The pipelines' execution roles start and watch jobs or deployments, check the datasets a job
  // will read, and (the approval handler alone) resume an approved request. Merges among them are
  // still merges.
  pipeline: [CUSTOMIZATION, DEPLOYMENT, READ, WEIGHTS_ACCESS, APPROVAL],
  // Roles Bedrock or SageMaker assume: read training data, write artifacts.
  service: [CUSTOMIZATION, WEIGHTS_ACCESS],
  // Auditors read the audit logs (no model capability) and, where granted, the inference logs.
  auditor: [INFERENCE_LOG_ACCESS],
  // People who ask a pipeline for something: they hold no model capability of their own.
  requester: [],
};

export const CapabilityExceedsTag: IModelAccessRule = {
  id: 'CapabilityExceedsTag',
  level: NagMessageLevel.ERROR,
  info: "The principal's effective permissions exceed the capability its model-access:capability tag declares.",
  explanation:
    'Tags declare intent; permissions decide. Remove the permissions beyond the declared capability, or correct the tag if the role really is something else.',
  check(_node: CfnResource, { principal }: RuleContext) {
    const declared = principal?.declaredCapability;
    if (!principal || declared === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    const allowed = DECLARED_CAPABILITIES[declared];
    if (!allowed) return [`unknown-tag-${declared}`];
    const excess = principal.capabilities.filter((c) => !allowed.includes(c));
    return excess.length ? excess : NagRuleCompliance.COMPLIANT;
  },
};
