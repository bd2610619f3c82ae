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
