import * as fs from 'fs';
import * as path from 'path';
import { LAUNCH_PATHS, TAKEOVER_PATHS } from '../../lib/analysis/private/escalation-paths';
import { canonicalAction } from '../../lib/capabilities/private/iam-data';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The escalation table is checked against its sources: every action is one the Service
 * Authorization Reference lists (spelt as it spells it), and every compute type and role property
 * is one CloudFormation has (aws-cdk-lib's L1 class for the type renders the property).
 */

const actions = [...new Set([...LAUNCH_PATHS, ...TAKEOVER_PATHS].flatMap((p) => p.actions))];

test.each(actions)('%s is an IAM action', (action) => {
  const [service, name] = action.split(':');
  expect(canonicalAction(service, name)).toBe(action);
});

test.each(LAUNCH_PATHS.map((p) => [p.service, p] as const))('%s is a service principal', (service, path) => {
  for (const s of [service, ...(path.trustedBy ?? [])]) expect(s).toMatch(/^[a-z0-9.-]+\.amazonaws\.com$/);
});

/** The L1 class of a CloudFormation type, from the aws-cdk-lib module of its service. */
function l1Class(type: string): Json {
  const service = type.split('::')[1].toLowerCase();
  const module = require(`aws-cdk-lib/aws-${service}`); // eslint-disable-line @typescript-eslint/no-require-imports
  return Object.values(module).find((v: Json) => v?.CFN_RESOURCE_TYPE_NAME === type);
}

/** The generated source of the aws-cdk-lib module of a type's service. */
function moduleSource(type: string): string {
  const service = type.split('::')[1].toLowerCase();
  const dir = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), `aws-${service}`, 'lib');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.generated.js'))
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

const camel = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

test.each(TAKEOVER_PATHS.map((p) => [`${p.type} ${p.role.join('.')}`, p] as const))(
  '%s is a CloudFormation property',
  (_, path) => {
    const Cls = l1Class(path.type);
    expect(Cls).toBeDefined();
    // The L1 class's own properties hold the first; the module's property names hold the nested one.
    const own = Object.keys(Object.getOwnPropertyDescriptors(Cls.prototype));
    expect(own).toContain(camel(path.role[0]));
    const last = path.role[path.role.length - 1];
    // The module renders it (`InstanceRoleArn:cdk().stringToCloudFormation(...)`; a launch
    // template's instance profile is an object: `IamInstanceProfile:convertCfn...ToCloudFormation(...)`).
    expect(moduleSource(path.type)).toMatch(
      new RegExp(`[{,]${last}:(cdk\\(\\)\\.stringToCloudFormation|convertCfn\\w+ToCloudFormation)\\(`),
    );
  },
);
