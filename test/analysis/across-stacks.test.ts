import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AccessAnalysis, Capability, ModelAccessChecks, ModelRegistry } from '../../lib';
import type { Report } from '../../lib/cli/report';
import { run } from '../cli/run';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const TITAN = 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1';

/**
 * A platform stack's registry, and an app team's role that invokes a model and is granted the
 * platform's weights from its own stack: one identity holding both, split across two templates.
 */
function twoStacks(outdir?: string) {
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
  const platform = new Stack(app, 'Platform');
  const registry = new ModelRegistry(platform, 'Registry');
  const team = new Stack(app, 'Team');
  const role = new iam.Role(team, 'Backend', {
    roleName: 'team-backend',
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: [TITAN] }));
  return { app, platform, team, role, registry };
}

describe('a merge split across two stacks', () => {
  const { app, platform, team, role, registry } = twoStacks();
  registry.grantReadWeights(role);
  const assembly = app.synth();
  const templates = [platform, team].map((s) => assembly.getStackByName(s.stackName).template);
  const roleId = team.getLogicalId(role.node.defaultChild as iam.CfnRole);

  test('is seen when the analysis reads the other templates, and not from the team template alone', () => {
    const alone = AccessAnalysis.fromTemplate(templates[1]);
    expect(alone.principal(roleId)!.capabilities).toEqual([Capability.INFERENCE]);
    const together = AccessAnalysis.fromTemplate(templates[1], { otherTemplates: [templates[0]] });
    expect(together.principal(roleId)!.capabilities).toEqual([
      Capability.INFERENCE,
      Capability.WEIGHTS_ACCESS,
    ]);
    expect(together.mergedIdentities()).toEqual([
      expect.objectContaining({
        principal: roleId,
        capabilities: [Capability.INFERENCE, Capability.WEIGHTS_ACCESS],
      }),
    ]);
  });

  test("judges the platform's bucket by its own data class, qualified by the other template", () => {
    const together = AccessAnalysis.fromTemplate(templates[1], { otherTemplates: [templates[0]] });
    expect(together.principals.map((p) => p.id)).toEqual([roleId]);
    const bucketId = platform.getLogicalId(registry.modelArtifactsBucket.node.defaultChild as never);
    expect(together.registryDataClass(`other1/${bucketId}`)).toBe('model-artifacts');
  });

  test('an import of an export no template has stays as it is', () => {
    const lone = AccessAnalysis.fromTemplate(templates[1], { otherTemplates: [{ Resources: {} }] });
    expect(lone.principal(roleId)!.capabilities).toEqual([Capability.INFERENCE]);
  });
});

test('ModelAccessChecks fails synth on the merge, on the role in its own stack', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'across-'));
  const { app, role, registry } = twoStacks(outdir);
  Validations.of(app).addPlugins(new ModelAccessChecks(app));
  registry.grantReadWeights(role);
  const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    expect(() => app.synth()).toThrow();
  } finally {
    log.mockRestore();
  }
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
  const violations = report.pluginReports.flatMap((r: Json) => r.violations);
  expect(violations).toContainEqual(
    expect.objectContaining({
      ruleName: 'ModelAccess-WeightsAccessMerge[inference+weights-access]',
      severity: 'fatal',
      violatingConstructs: [expect.objectContaining({ constructPath: 'Team/Backend/Resource' })],
    }),
  );
});

test('model-access report over the cloud assembly exits 1 and names the role', async () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'across-'));
  const { app, role, registry } = twoStacks(outdir);
  registry.grantReadWeights(role);
  app.synth();
  const { code, stdout } = await run('report', outdir, '--format', 'json');
  expect(code).toBe(1);
  const report = JSON.parse(stdout) as Report;
  const team = report.stacks.find((s) => s.name === 'Team')!;
  expect(team.principals[0]).toMatchObject({ name: 'team-backend' });
  expect(team.findings).toContainEqual(
    expect.objectContaining({
      rule: 'ModelAccess-WeightsAccessMerge[inference+weights-access]',
      merged: true,
    }),
  );
});
