import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { Capability } from '../../capabilities/capability';
import { IModelAccessRule, RuleContext } from '../rule';

export const InferenceWithoutInvocationLogging: IModelAccessRule = {
  id: 'InferenceWithoutInvocationLogging',
  level: NagMessageLevel.WARN,
  info: 'The principal can invoke Bedrock models, and the app configures no Bedrock model invocation logging (advisory).',
  explanation:
    'CloudTrail records who invoked a model, not what was asked and answered: without invocation logs, extraction through model queries or a stolen credential leaves no trace of what it took. Add ModelInvocationLogging (ModelAccessControl turns it on), or acknowledge this when the account logs invocations outside this app (InvocationLogging.configuredOutside does so with its reason).',
  check(_node: CfnResource, { principal, appLogsInvocations }: RuleContext) {
    // Invocation logging records calls through bedrock-runtime (and the agents that make them).
    const bedrock = principal?.grants.some(
      (g) => g.capability === Capability.INFERENCE && g.catalogAction.startsWith('bedrock:'),
    );
    if (!bedrock) return NagRuleCompliance.NOT_APPLICABLE;
    return appLogsInvocations ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
