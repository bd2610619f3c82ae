import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { Capability } from '../../capabilities/capability';
import { mergedPairs } from '../../capabilities/merge';
import { IModelAccessRule, RuleContext } from '../rule';

export const InferenceLogAccessMerge: IModelAccessRule = {
  id: 'InferenceLogAccessMerge',
  level: NagMessageLevel.ERROR,
  mergedIdentity: true,
  info: 'A principal that invokes, customizes or deploys models can also read the inference logs: every prompt and response.',
  explanation:
    'Whoever reads what was asked of models and what they answered (the inference-logs bucket, or its log group) must not also call, change or deploy them: a caller could read the prompts of everyone else, and the readers of the record are its check on the callers. Remove the reads of the inference logs from this principal, and grant them to auditors through ModelInvocationLogging.grantReadLogs.',
  check(_node: CfnResource, { principal }: RuleContext) {
    if (!principal || !principal.capabilities.includes(Capability.INFERENCE_LOG_ACCESS))
      return NagRuleCompliance.NOT_APPLICABLE;
    // Privilege administration with it is PrivilegeAdminMerge's finding.
    const pairs = mergedPairs(principal.capabilities).filter(
      (pair) => pair[1] === Capability.INFERENCE_LOG_ACCESS,
    );
    return pairs.length ? pairs.map((p) => p.join('+')) : NagRuleCompliance.COMPLIANT;
  },
};
