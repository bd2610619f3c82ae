import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { fileURLToPath } from 'url';
import '@microsoft/jest-sarif';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ModelAccessChecks } from '../../lib';
import { renderSarif, resourceLines } from '../../lib/cli/render-sarif';
import { Report } from '../../lib/cli/report';
import { allow, doc, role } from '../analysis/designs';
import { run } from './run';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toBeValidSarifLog(): R;
    }
  }
}

/** A synthesized app: a merged role, and a role whose advisory finding the app acknowledged. */
function assembly(): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'sarif-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
  Validations.of(app).addPlugins(new ModelAccessChecks(app, { allowAcknowledgingMergedIdentities: true }));
  const stack = new Stack(app, 'Team');
  const merged = new iam.Role(stack, 'ChatBackend', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  merged.addToPolicy(
    new iam.PolicyStatement({
      actions: ['bedrock:InvokeModel', 'bedrock:CreateModelCustomizationJob'],
      resources: ['*'],
    }),
  );
  const batch = new iam.Role(stack, 'Batch', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  batch.addToPolicy(new iam.PolicyStatement({ actions: ['sagemaker:CreateTrainingJob'], resources: ['*'] }));
  Validations.of(batch).acknowledge({
    id: 'ModelAccess::ModelAccess-CustomizationOutsidePipeline',
    reason: 'The nightly retraining job, reviewed in TICKET-9.',
  });
  const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    app.synth();
  } catch {
    // The merged role fails validation; the assembly is written all the same.
  } finally {
    log.mockRestore();
  }
  return outdir;
}

const outdir = assembly();
let log: Json;
let code: number;
beforeAll(async () => {
  const result = await run('report', outdir, '--format', 'sarif');
  code = result.code;
  log = JSON.parse(result.stdout);
});
const results = () => log.runs[0].results as Json[];

test('report --format sarif writes a SARIF 2.1.0 log that the schema accepts', () => {
  expect(code).toBe(1); // the merged role still fails the default --fail-on merged
  expect(log).toBeValidSarifLog();
  expect(log.version).toBe('2.1.0');
  const driver = log.runs[0].tool.driver;
  expect(driver.name).toBe('cdk-model-access');
  expect(driver.version).toMatch(/^\d+\.\d+\.\d+/);
  expect(driver.rules.map((r: Json) => r.id)).toContain('ModelAccess-MergedCapabilities');
});

test('one result per finding: its rule, its level, and the template line of its resource', () => {
  const merge = results().find((r) => r.ruleId === 'ModelAccess-MergedCapabilities')!;
  expect(merge).toMatchObject({
    level: 'error',
    properties: { finding: 'ModelAccess-MergedCapabilities[inference+customization]', stack: 'Team' },
  });
  expect(log.runs[0].tool.driver.rules[merge.ruleIndex].id).toBe('ModelAccess-MergedCapabilities');
  const location = merge.locations[0];
  // The assembly is outside the directory the report ran in: named by its file URL.
  const file = fileURLToPath(location.physicalLocation.artifactLocation.uri);
  expect(file).toBe(path.join(outdir, 'Team.template.json'));
  const logicalId = location.logicalLocations[0].name;
  expect(logicalId).toMatch(/^ChatBackend/);
  const line = fs.readFileSync(file, 'utf8').split('\n')[location.physicalLocation.region.startLine - 1];
  expect(line.trim()).toBe(`"${logicalId}": {`);
  // Advisory findings are warnings.
  expect(
    results().find((r) => r.ruleId === 'ModelAccess-InferenceWithoutInvocationLogging' && !r.suppressions)
      ?.level,
  ).toBe('warning');
});

test('an acknowledged finding is a suppressed result carrying its reason', () => {
  const acknowledged = results().filter((r) => r.suppressions);
  expect(acknowledged).toEqual([
    expect.objectContaining({
      ruleId: 'ModelAccess-CustomizationOutsidePipeline',
      suppressions: [
        {
          kind: 'inSource',
          status: 'accepted',
          justification: 'The nightly retraining job, reviewed in TICKET-9.',
        },
      ],
    }),
  ]);
  // Merged identities are never suppressed: reviewers always see them.
  expect(results().filter((r) => r.ruleId === 'ModelAccess-MergedCapabilities' && r.suppressions)).toEqual(
    [],
  );
});

test('a resource is found on its line among the Resources, not where its name recurs deeper', () => {
  const text = '{\n "Resources": {\n  "A": {\n   "Properties": { "B": 1 }\n  },\n  "B": {}\n }\n}';
  expect(resourceLines(text)).toEqual(
    new Map([
      ['A', 3],
      ['B', 6],
    ]),
  );
});

test("template files under the report's directory are relative URIs against %SRCROOT%, segments encoded", () => {
  const report = {
    source: 'x',
    awsManagedPolicyData: 'y',
    stacks: [
      {
        name: 'Team',
        templateFile: path.join('cdk out', 'Team #1.template.json'),
        findings: [
          {
            rule: 'ModelAccess-MergedCapabilities[inference+customization]',
            resource: 'R',
            severity: 'fatal',
            message: 'm',
          },
        ],
        acknowledged: [],
      },
    ],
  };
  const sarif = JSON.parse(renderSarif(report as unknown as Report, '1.0.0', () => 3, '/work/app'));
  expect(sarif.runs[0].originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///work/app/' } });
  expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({
    uri: 'cdk%20out/Team%20%231.template.json',
    uriBaseId: '%SRCROOT%',
  });
});

test("the SARIF Multitool's validation finds nothing to report, for the log of an assembly and of a minified template", () => {
  // npm leaves the tool's postinstall (chmod u+x) to be approved: make it executable here.
  const tool = path.join(
    path.dirname(require.resolve('@microsoft/sarif-multitool-linux/package.json')),
    'Sarif.Multitool',
  );
  fs.chmodSync(tool, 0o755);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'multitool-'));
  const minified = path.join(dir, 'Merged.template.json');
  fs.writeFileSync(
    minified,
    JSON.stringify({
      Resources: { R: role([doc(allow(['bedrock:InvokeModel', 'bedrock:CreateModelCustomizationJob']))]) },
    }),
  );
  const logs: Record<string, string> = { assembly: JSON.stringify(log) };
  return run('report', minified, '--format', 'sarif', '--fail-on', 'never').then(({ stdout }) => {
    logs.minified = stdout;
    for (const [name, text] of Object.entries(logs)) {
      const input = path.join(dir, `${name}.sarif`);
      const output = path.join(dir, `${name}.validation.sarif`);
      fs.writeFileSync(input, text);
      execFileSync(tool, ['validate', input, '-o', output], { stdio: 'ignore' });
      const found = JSON.parse(fs.readFileSync(output, 'utf8')).runs[0].results;
      expect({ name, found }).toEqual({ name, found: [] });
    }
  });
});
