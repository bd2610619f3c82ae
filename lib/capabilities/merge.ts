import { Capability, MODEL_CAPABILITIES } from './capability';

const {
  READ,
  INFERENCE,
  CUSTOMIZATION,
  DEPLOYMENT,
  WEIGHTS_ACCESS,
  APPROVAL,
  INFERENCE_LOG_ACCESS,
  PRIVILEGE_ADMIN,
} = Capability;

/**
 * The pairs of capabilities that one principal must never hold together (DESIGN.md): two of
 * INFERENCE, CUSTOMIZATION, DEPLOYMENT, APPROVAL; INFERENCE or READ with WEIGHTS_ACCESS; INFERENCE,
 * CUSTOMIZATION or DEPLOYMENT with INFERENCE_LOG_ACCESS; any model capability with PRIVILEGE_ADMIN.
 * READ with INFERENCE, and CUSTOMIZATION with WEIGHTS_ACCESS, are not merges.
 */
export const MERGED_PAIRS: ReadonlyArray<readonly [Capability, Capability]> = [
  [INFERENCE, CUSTOMIZATION],
  [INFERENCE, DEPLOYMENT],
  [INFERENCE, APPROVAL],
  [CUSTOMIZATION, DEPLOYMENT],
  [CUSTOMIZATION, APPROVAL],
  [DEPLOYMENT, APPROVAL],
  [INFERENCE, WEIGHTS_ACCESS],
  [READ, WEIGHTS_ACCESS],
  [INFERENCE, INFERENCE_LOG_ACCESS],
  [CUSTOMIZATION, INFERENCE_LOG_ACCESS],
  [DEPLOYMENT, INFERENCE_LOG_ACCESS],
  ...MODEL_CAPABILITIES.map((c) => [c, PRIVILEGE_ADMIN] as const),
];

/** The merged pairs among a set of capabilities; empty when they are separate. */
export function mergedPairs(capabilities: Iterable<Capability>): [Capability, Capability][] {
  const held = new Set(capabilities);
  return MERGED_PAIRS.filter(([a, b]) => held.has(a) && held.has(b)).map(([a, b]) => [a, b]);
}
