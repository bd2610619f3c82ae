/**
 * What a customization request must satisfy. The construct writes these rules into the request
 * handler's environment; the handler refuses any request that breaks one, saying which.
 */
export interface RequestRules {
  /** Names of the allowlisted base models (`ModelTarget.name`). */
  readonly baseModels: string[];
  /** Declared hyperparameters; no other may be set. */
  readonly hyperParameters: HyperparameterRule[];
  /** The pattern a custom model name must match, and what it means, for the message. */
  readonly modelName: { pattern: string; maxLength: number; description: string };
}

export interface HyperparameterRule {
  readonly name: string;
  readonly integer: boolean;
  readonly min: number;
  readonly max: number;
}

/** A dataset as the request names it: an object of the registry's training-data bucket at one version. */
export interface DatasetRef {
  readonly key: string;
  readonly versionId: string;
  /** SHA-256 as S3 reports it (`ChecksumSHA256`, base64). */
  readonly sha256: string;
}

/** A request that passed every rule, normalized. */
export interface CustomizationRequest {
  readonly baseModel: string;
  readonly customModelName: string;
  readonly trainingData: DatasetRef;
  readonly validationData: DatasetRef;
  /** Values as strings, as Bedrock and SageMaker take them. */
  readonly hyperParameters: Record<string, string>;
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;
const FIELDS = ['baseModel', 'customModelName', 'trainingData', 'validationData', 'hyperParameters'];

/** The request, normalized, or every rule it breaks. */
export function checkRequest(
  body: unknown,
  rules: RequestRules,
): { request: CustomizationRequest } | { errors: string[] } {
  const read = fieldsOf(body, FIELDS);
  if ('refusal' in read) return { errors: [read.refusal] };
  const { b, errors } = read;

  if (typeof b.baseModel !== 'string' || !rules.baseModels.includes(b.baseModel)) {
    errors.push(`baseModel must be one of the allowlisted models: ${rules.baseModels.join(', ')}`);
  }
  const name = b.customModelName;
  const namePattern = new RegExp(rules.modelName.pattern);
  if (typeof name !== 'string' || name.length > rules.modelName.maxLength || !namePattern.test(name)) {
    errors.push(`customModelName must be ${rules.modelName.description}`);
  }
  const trainingData = checkDataset('trainingData', b.trainingData, errors);
  const validationData = checkDataset('validationData', b.validationData, errors);
  const hyperParameters = checkHyperparameters(b.hyperParameters ?? {}, rules.hyperParameters, errors);

  if (errors.length > 0 || !trainingData || !validationData || !hyperParameters) return { errors };
  return {
    request: {
      baseModel: b.baseModel as string,
      customModelName: name as string,
      trainingData,
      validationData,
      hyperParameters,
    },
  };
}

/** A request body's fields, with an error for each field that is not one of `fields`. */
export function fieldsOf(
  body: unknown,
  fields: string[],
): { b: Record<string, unknown>; errors: string[] } | { refusal: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { refusal: 'the body must be a JSON object' };
  }
  const b = body as Record<string, unknown>;
  const errors = Object.keys(b)
    .filter((k) => !fields.includes(k))
    .map((k) => `unknown field '${k}' (expected ${fields.join(', ')})`);
  return { b, errors };
}

function checkDataset(field: string, value: unknown, errors: string[]): DatasetRef | undefined {
  if (typeof value !== 'object' || value === null) {
    errors.push(`${field} must be an object with key, versionId and sha256`);
    return undefined;
  }
  const { key, versionId, sha256 } = value as Record<string, unknown>;
  const before = errors.length;
  if (typeof key !== 'string' || key.length === 0 || Buffer.byteLength(key) > 1024 || key.startsWith('/')) {
    errors.push(
      `${field}.key must be an object key of the training-data bucket (1-1024 bytes, no leading '/')`,
    );
  }
  if (
    typeof versionId !== 'string' ||
    versionId.length === 0 ||
    versionId === 'null' ||
    versionId.length > 1024
  ) {
    errors.push(`${field}.versionId must name one version of the object`);
  }
  if (typeof sha256 !== 'string' || !(HEX_SHA256.test(sha256) || BASE64_SHA256.test(sha256))) {
    errors.push(
      `${field}.sha256 must be the object's SHA-256, as 64 hex digits or S3's base64 ChecksumSHA256`,
    );
  }
  if (errors.length > before) return undefined;
  const s = sha256 as string;
  return {
    key: key as string,
    versionId: versionId as string,
    sha256: HEX_SHA256.test(s) ? Buffer.from(s, 'hex').toString('base64') : s,
  };
}

function checkHyperparameters(
  value: unknown,
  declared: HyperparameterRule[],
  errors: string[],
): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    errors.push('hyperParameters must be an object of name to value');
    return undefined;
  }
  const out: Record<string, string> = {};
  const before = errors.length;
  for (const [name, raw] of Object.entries(value)) {
    const rule = declared.find((r) => r.name === name);
    if (!rule) {
      const names = declared.map((r) => r.name).join(', ') || 'none';
      errors.push(`hyperparameter '${name}' is not declared (declared: ${names})`);
      continue;
    }
    const n =
      typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (!Number.isFinite(n) || (rule.integer && !Number.isInteger(n)) || n < rule.min || n > rule.max) {
      const kind = rule.integer ? 'an integer' : 'a number';
      errors.push(
        `hyperparameter '${name}' must be ${kind} from ${rule.min} to ${rule.max}, got ${JSON.stringify(raw)}`,
      );
      continue;
    }
    out[name] = String(n);
  }
  return errors.length > before ? undefined : out;
}
