type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

// What a stack refers to in another stack that the analysis must see as it is there: a registry
// bucket (its data-class tag, its policy), a pipeline's function (its component tag), a key, a
// table, a state machine. Never a principal: each is judged in the template that defines it.
const BROUGHT_IN =
  /^AWS::(S3::Bucket|S3::BucketPolicy|Lambda::Function|KMS::Key|DynamoDB::Table|StepFunctions::StateMachine)$/;

/**
 * The template with each `Fn::ImportValue` of another template's export replaced by the exported
 * value, and the resources that value names copied in from the exporting template (a bucket with
 * its bucket policy), so that a grant on another stack's registry bucket is judged by that bucket's
 * data class. Imports of unknown exports, and resources whose logical id the template already
 * uses, stay as they are.
 */
export function withImports(template: Json, others: readonly Json[]): Json {
  const exported = new Map<string, { value: Json; from: Json }>();
  for (const other of others) {
    for (const output of Object.values<Json>(other?.Outputs ?? {})) {
      const name = output?.Export?.Name;
      if (typeof name === 'string') exported.set(name, { value: output.Value, from: other });
    }
  }
  if (exported.size === 0) return template;
  const own: Record<string, Json> = template.Resources ?? {};
  const added: Record<string, Json> = {};
  const bringIn = (from: Json, id: string): boolean => {
    const resource = from.Resources?.[id];
    if (!resource || !BROUGHT_IN.test(resource.Type)) return false;
    if (own[id] !== undefined) return own[id] === resource;
    if (added[id] === undefined) {
      added[id] = resource;
      if (resource.Type === 'AWS::S3::Bucket') {
        for (const [policyId, policy] of Object.entries<Json>(from.Resources)) {
          if (
            policy.Type === 'AWS::S3::BucketPolicy' &&
            policy.Properties?.Bucket?.Ref === id &&
            !own[policyId]
          ) {
            added[policyId] = policy;
          }
        }
      }
    }
    return true;
  };
  const replace = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(replace);
    if (!value || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'Fn::ImportValue' && typeof value['Fn::ImportValue'] === 'string') {
      const found = exported.get(value['Fn::ImportValue']);
      if (found && referencedIds(found.value).every((id) => bringIn(found.from, id))) return found.value;
      return value;
    }
    return Object.fromEntries(keys.map((k) => [k, replace(value[k])]));
  };
  const resources = replace(own);
  return { ...template, Resources: { ...added, ...resources } };
}

/** The logical ids a value refers to by `Ref`, `Fn::GetAtt` or `Fn::Sub`; pseudo parameters aside. */
function referencedIds(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (!value || typeof value !== 'object') return [];
  const ids: string[] = [];
  for (const [key, arg] of Object.entries<Json>(value)) {
    if (key === 'Ref' && typeof arg === 'string' && !arg.startsWith('AWS::')) ids.push(arg);
    else if (key === 'Fn::GetAtt') ids.push(Array.isArray(arg) ? arg[0] : String(arg).split('.')[0]);
    else if (key === 'Fn::Sub') {
      const text = Array.isArray(arg) ? arg[0] : arg;
      for (const [, name] of String(text).matchAll(/\$\{([^}.!]+)[^}]*\}/g))
        if (!name.startsWith('AWS::')) ids.push(name);
      if (Array.isArray(arg)) ids.push(...referencedIds(arg[1]));
    } else ids.push(...referencedIds(arg));
  }
  return ids;
}
