import { ModelTarget } from '../../capabilities/model-target';

/**
 * The `ModelId` Bedrock's metrics carry for the target: a foundation model's or a system-defined
 * inference profile's id. Undefined for anything else (custom models, endpoints, tag selections).
 */
export function bedrockModelId(target: ModelTarget): string | undefined {
  const types = target.resources.map((r) => r.resourceType);
  return types.includes('inference-profile') || (types.length === 1 && types[0] === 'foundation-model')
    ? target.name
    : undefined;
}
