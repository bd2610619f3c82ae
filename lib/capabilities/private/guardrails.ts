/** The condition key Bedrock sets to the guardrail a request applies (`<guardrail ARN>:<version>`). */
export const GUARDRAIL_KEY = 'bedrock:GuardrailIdentifier';

/**
 * The Bedrock invocations whose guardrail IAM can see (`bedrock:GuardrailIdentifier`): Converse and
 * ConverseStream are authorized as these two.
 */
export const GUARDED_INVOCATIONS: readonly string[] = [
  'bedrock:InvokeModel',
  'bedrock:InvokeModelWithResponseStream',
];

/**
 * The calls that loosen what Bedrock's guardrails screen: changing or deleting a guardrail, or the
 * account's enforcement of one. Each changes what every inference role may send and receive.
 */
export const GUARDRAIL_CHANGE_ACTIONS: readonly string[] = [
  'bedrock:UpdateGuardrail',
  'bedrock:DeleteGuardrail',
  'bedrock:PutEnforcedGuardrailConfiguration',
  'bedrock:DeleteEnforcedGuardrailConfiguration',
];
