import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ModelAccessChecks, ModelAccessChecksProps, ModelAccessControl, ModelTarget } from '../../lib';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** An app with a role that both invokes and customizes models, written by hand. */
function mergedApp(pack?: ModelAccessChecksProps | false, acknowledge?: (role: iam.Role) => void) {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-')) });
  if (pack !== false) Validations.of(app).addPlugins(new ModelAccessChecks(app, pack ?? {}));
  const stack = new Stack(app, 'Merged');
  const role = new iam.Role(stack, 'MlRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['bedrock:InvokeModel', 'bedrock:CreateModelCustomizationJob'],
      resources: ['*'],
    }),
  );
  acknowledge?.(role);
  return app;
}

function report(app: App): Json {
  return JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8'));
}

const quiet = () => {
  const spies = [jest.spyOn(console, 'error'), jest.spyOn(console, 'warn'), jest.spyOn(console, 'log')].map(
    (s) => s.mockImplementation(() => undefined),
  );
  return () => spies.forEach((s) => s.mockRestore());
};
let restore: () => void;
beforeEach(() => (restore = quiet()));
afterEach(() => restore());

test('with the pack registered, synth fails on a merged design', () => {
  const app = mergedApp();
  expect(() => app.synth()).toThrow(
    /FATAL Merged\/MlRole\/Resource: holds inference and customization: inference from bedrock:InvokeModel/,
  );
  const violations = report(app).pluginReports[0].violations;
  expect(violations).toContainEqual(
    expect.objectContaining({
      ruleName: 'ModelAccess-MergedCapabilities[inference+customization]',
      severity: 'fatal',
    }),
  );
});

test('without the pack, the same design synthesizes (the test above depends on the pack)', () => {
  expect(() => mergedApp(false).synth()).not.toThrow();
});

test('an advisory finding can be acknowledged with a reason', () => {
  const app = mergedApp({}, (role) =>
    Validations.of(role).acknowledge({
      id: 'ModelAccess::ModelAccess-CustomizationOutsidePipeline',
      reason: 'The training team runs jobs from this role until the pipeline lands (TICKET-42).',
    }),
  );
  expect(() => app.synth()).toThrow();
  const names = report(app).pluginReports[0].violations.map((v: Json) => v.ruleName);
  expect(names).not.toContain('ModelAccess-CustomizationOutsidePipeline');
});

test('a merged-identity finding cannot be acknowledged', () => {
  const app = mergedApp({}, (role) =>
    Validations.of(role).acknowledge({
      id: 'ModelAccess::ModelAccess-MergedCapabilities[inference+customization]',
      reason: 'trust me',
    }),
  );
  expect(() => app.synth()).toThrow(
    /FATAL Merged\/MlRole\/Resource: holds inference and customization: inference from bedrock:InvokeModel/,
  );
  expect(report(app).pluginReports[0].violations.map((v: Json) => v.ruleName)).toContain(
    'ModelAccess-MergedCapabilities[inference+customization]',
  );
});

test('with the explicit opt-in it can, and stays visible in the validation report', () => {
  const app = mergedApp({ allowAcknowledgingMergedIdentities: true }, (role) => {
    Validations.of(role).acknowledge({
      id: 'ModelAccess::ModelAccess-MergedCapabilities[inference+customization]',
      reason: 'Legacy batch role, split in Q3 (TICKET-7).',
    });
    Validations.of(role).acknowledge({
      id: 'ModelAccess::ModelAccess-CustomizationOutsidePipeline',
      reason: 'Same legacy role (TICKET-7).',
    });
  });
  expect(() => app.synth()).not.toThrow();
  expect(JSON.stringify(report(app))).toMatch(
    /ModelAccess-MergedCapabilities\[inference\+customization\][\s\S]*Legacy batch role, split in Q3/,
  );
});

describe('ModelAccessControl with one principal for two capabilities', () => {
  test('the account trusted, untold apart, by the inference role and the approvers: the pack fails synth', () => {
    const app = new App({
      outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-')),
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const stack = new Stack(app, 'Shared');
    const titan = ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1');
    const everyone = new iam.AccountRootPrincipal();
    new ModelAccessControl(stack, 'C', {
      models: [titan],
      invokers: everyone,
      customizationRequesters: everyone.withConditions({ StringEquals: { 'aws:PrincipalTag/job': 'ml' } }),
      approvers: everyone,
      baseModels: [titan],
    });
    const violations = new ModelAccessChecks(app).validateScope(app).violations;
    expect(violations.map((v) => [v.ruleName, v.severity])).toContainEqual([
      'ModelAccess-SharedTrust[arn:${AWS::Partition}:iam::${AWS::AccountId}:root:inference+approval]',
      'fatal',
    ]);
  });

  test('anyone as invokers is refused at synth', () => {
    const stack = new Stack(new App(), 'Anyone');
    const titan = ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1');
    expect(
      () => new ModelAccessControl(stack, 'C', { models: [titan], invokers: new iam.AnyPrincipal() }),
    ).toThrow(/assumedBy is '\*', so any principal in any AWS account could assume the role/);
  });
});
