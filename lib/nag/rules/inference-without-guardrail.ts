import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { IModelAccessRule, RuleContext } from '../rule';

export const InferenceWithoutGuardrail: IModelAccessRule = {
  id: 'InferenceWithoutGuardrail',
  level: NagMessageLevel.WARN,
  info: 'The principal can invoke Bedrock models (InvokeModel, Converse) without applying a guardrail: no statement that grants it, nor any deny, tests bedrock:GuardrailIdentifier (advisory).',
  explanation:
    'A guardrail screens prompts and responses only when the caller names it, so a role that may invoke without one decides for itself whether anything is screened. Give ModelInferenceRole (or ModelAccessControl) a guardrail, which denies invocations that do not apply it; on a hand-written role, deny bedrock:InvokeModel and bedrock:InvokeModelWithResponseStream with StringNotEquals on bedrock:GuardrailIdentifier; enforce one on the whole account (ModelAccessControl enforceGuardrailOnAccount, or an AWS::Bedrock::EnforcedGuardrailConfiguration on every model in the app, which silences this rule); or acknowledge it where another app enforces one.',
  check(_node: CfnResource, { principal, analysis }: RuleContext) {
    if (!principal) return NagRuleCompliance.NOT_APPLICABLE;
    const unguarded = analysis.unguardedInvocations(principal.id);
    return unguarded.length ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
  },
};
