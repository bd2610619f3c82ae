// Every export TypeScript users have must be reachable from the jsii assembly: as a type of its
// own, or as a static of the class named here (jsii cannot carry free functions and constants).
const fs = require('fs');
const path = require('path');

const assembly = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const types = new Map(Object.values(assembly.types).map((t) => [t.name, t]));
const STATICS = {
  CATALOG: 'CapabilityCatalog.ENTRIES',
  ANY_RESOURCE: 'CapabilityCatalog.ANY_RESOURCE',
  MODEL_CAPABILITIES: 'CapabilityCatalog.MODEL_CAPABILITIES',
  REGISTRY_DATA_CLASSES: 'CapabilityCatalog.REGISTRY_DATA_CLASSES',
  GUARDED_DATA_CLASSES: 'CapabilityCatalog.GUARDED_DATA_CLASSES',
  MERGED_PAIRS: 'CapabilityCatalog.MERGED_PAIRS',
  mergedPairs: 'CapabilityCatalog.mergedPairs',
  classifyActions: 'CapabilityCatalog.classifyActions',
  expandActions: 'CapabilityCatalog.expandActions',
  catalogActions: 'CapabilityCatalog.catalogActions',
  matchesAction: 'CapabilityCatalog.matchesAction',
  coversAction: 'CapabilityCatalog.coversAction',
  actionPatternProblem: 'CapabilityCatalog.actionPatternProblem',
  entryApplies: 'CapabilityCatalog.entryApplies',
  TAG_CAPABILITY: 'ModelAccessTags.CAPABILITY',
  TAG_DATA_CLASS: 'ModelAccessTags.DATA_CLASS',
  TAG_COMPONENT: 'ModelAccessTags.COMPONENT',
  TAG_DEPLOYMENT_TARGET: 'ModelAccessTags.DEPLOYMENT_TARGET',
  awsManagedPolicy: 'AwsManagedPolicies.of',
  isAwsManagedPolicyArn: 'AwsManagedPolicies.isAwsManagedPolicyArn',
  MODEL_ACCESS_RULES: 'ModelAccessChecks.RULES',
};

/** Whether the assembly's class has the static member. */
function hasStatic(ref) {
  const [cls, member] = ref.split('.');
  const t = types.get(cls);
  return !!t && [...(t.properties ?? []), ...(t.methods ?? [])].some((m) => m.name === member && m.static);
}

const exported = Object.keys(require(path.join(__dirname, '..', 'dist', 'lib')));
const missing = exported.filter((name) => !types.has(name) && !(STATICS[name] && hasStatic(STATICS[name])));
if (missing.length) {
  throw new Error(
    `exports that jsii languages cannot reach: ${missing.join(', ')}; add a static and list it here`,
  );
}
console.log(
  `jsii: ${types.size} types; all ${exported.length} TypeScript exports reachable (${Object.keys(STATICS).length} through statics)`,
);
