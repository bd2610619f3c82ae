import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ReferenceStack, registerChecks, unacknowledgedFindings } from '../bin/app';
import {
  AccessAnalysis,
  Capability,
  CustomizationPipeline,
  ModelAccessControl,
  ModelAuditTrail,
  ModelRegistry,
} from '../lib';
import { buildApp as bedrockFineTuning } from '../examples/bedrock-fine-tuning/app';
import { buildApp as bringYourOwn } from '../examples/bring-your-own/app';
import { buildApp as platformAndAppTeam } from '../examples/platform-and-app-team/app';
import { buildApp as sagemakerEndpoint } from '../examples/sagemaker-endpoint/app';
import { ResolvedTemplate } from './support/template';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The apps that must pass every check: the reference app and each example, as users run them. */
const APPS: Record<string, { stack: string; build: (app: App) => void; ownPack: boolean }> = {
  'the reference app': {
    stack: 'Reference',
    build: (app) => new ReferenceStack(app, 'Reference'),
    ownPack: false,
  },
  'examples/bedrock-fine-tuning': {
    stack: 'BedrockFineTuningExample',
    build: bedrockFineTuning,
    ownPack: true,
  },
  'examples/sagemaker-endpoint': {
    stack: 'SageMakerEndpointExample',
    build: sagemakerEndpoint,
    ownPack: true,
  },
  'examples/bring-your-own': { stack: 'BringYourOwnExample', build: bringYourOwn, ownPack: true },
  'examples/platform-and-app-team': { stack: 'ChatbotTeam', build: platformAndAppTeam, ownPack: true },
  // The whole platform where a team in Europe deploys it, role-change alerts on: IAM's events come
  // through the forwarder stack the audit trail adds in us-east-1.
  'the reference app in eu-west-1': {
    stack: 'ReferenceEu',
    build: (app) =>
      new ReferenceStack(app, 'ReferenceEu', { env: { account: '111122223333', region: 'eu-west-1' } }),
    ownPack: false,
  },
};

interface Checked {
  readonly app: App;
  readonly findings: string[];
  readonly acknowledged: { rule: string; reason: string; at: string; ackAt: string }[];
}

const checked = new Map<string, Checked>();
function check(name: string): Checked {
  let result = checked.get(name);
  if (!result) {
    const { build, ownPack } = APPS[name];
    const app = new App({
      outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'checks-')),
      // Handlers are bundled by `cdk synth` in CI; here their code does not matter.
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    registerChecks(app, { modelAccess: !ownPack });
    build(app);
    const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      app.synth();
    } catch {
      // A failing plugin throws here; its findings are in the report, read below.
    } finally {
      log.mockRestore();
    }
    const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8'));
    const acknowledged = report.pluginReports.flatMap((r: Json) =>
      (r.suppressedViolations ?? []).flatMap((v: Json) =>
        v.violatingConstructs.map((c: Json) => ({
          rule: v.ruleName,
          reason: v.reason,
          at: c.constructPath,
          ackAt: v.acknowledgedAt,
        })),
      ),
    );
    result = { app, findings: unacknowledgedFindings(app.outdir), acknowledged };
    checked.set(name, result);
  }
  return result;
}

describe.each(Object.keys(APPS))('%s', (name) => {
  test('passes ModelAccessChecks and the five cdk-nag packs with no unacknowledged finding', () => {
    expect(check(name).findings).toEqual([]);
  });

  test('acknowledges findings only where they are raised, never on a stack or a whole part', () => {
    const { app, acknowledged } = check(name);
    expect(acknowledged.length).toBeGreaterThan(0);
    const byPath = new Map(app.node.findAll().map((c) => [c.node.path, c]));
    const wholes = [ModelAccessControl, ModelRegistry, CustomizationPipeline, ModelAuditTrail];
    for (const { ackAt } of acknowledged) {
      const where = byPath.get(ackAt);
      expect(where).toBeDefined();
      expect(Stack.isStack(where) || wholes.some((w) => where instanceof w)).toBe(false);
    }
  });
});

/**
 * The size of a policy document as IAM counts it (no white space), each ARN of the longest
 * partition (`aws-iso-b`, six characters more than `aws`).
 */
function policySize(doc: Json): number {
  const text = JSON.stringify(doc);
  return text.replace(/\s/g, '').length + 6 * (text.match(/arn:aws:/g) ?? []).length;
}

describe.each(Object.keys(APPS))('%s', (name) => {
  test("every IAM policy it writes fits IAM's size quotas, in the longest partition", () => {
    const { app } = check(name);
    const over: string[] = [];
    const files = fs.readdirSync(app.outdir).filter((f) => f.endsWith('.template.json'));
    const read = (f: string) => JSON.parse(fs.readFileSync(path.join(app.outdir, f), 'utf8'));
    // Each template resolved with the others' exports, for a stack that imports from another.
    const exporters = files.map((f) => new ResolvedTemplate(read(f)));
    for (const file of files) {
      const t = new ResolvedTemplate(read(file), exporters);
      const check = (what: string, size: number, quota: number) => {
        if (size > quota) over.push(`${file} ${what}: ${size} > ${quota}`);
      };
      // A managed policy: 6,144 characters.
      for (const id of t.ofType('AWS::IAM::ManagedPolicy'))
        check(id, policySize(t.props(id).PolicyDocument), 6144);
      // Inline policies, added up per principal: a role's 10,240, a user's 2,048, a group's 5,120; a
      // trust policy, 2,048 unless the account raised it.
      const inline = new Map<string, number>();
      const add = (principal: string, size: number) =>
        inline.set(principal, (inline.get(principal) ?? 0) + size);
      for (const type of ['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']) {
        for (const id of t.ofType(type)) {
          const props = t.props(id);
          for (const p of props.Policies ?? []) add(id, policySize(p.PolicyDocument));
          if (type === 'AWS::IAM::Role')
            check(`${id} trust`, policySize(props.AssumeRolePolicyDocument), 2048);
        }
      }
      for (const id of t.ofType('AWS::IAM::Policy')) {
        const raw = read(file).Resources[id].Properties;
        const size = policySize(t.props(id).PolicyDocument);
        for (const key of ['Roles', 'Users', 'Groups']) {
          for (const named of raw[key] ?? []) if (typeof named?.Ref === 'string') add(named.Ref, size);
        }
      }
      const quota: Record<string, number> = {
        'AWS::IAM::Role': 10240,
        'AWS::IAM::User': 2048,
        'AWS::IAM::Group': 5120,
      };
      for (const [id, size] of inline) {
        const type = t.ofType('AWS::IAM::Role').includes(id)
          ? 'AWS::IAM::Role'
          : t.ofType('AWS::IAM::User').includes(id)
            ? 'AWS::IAM::User'
            : 'AWS::IAM::Group';
        check(`${id} inline policies`, size, quota[type]);
      }
    }
    expect(over).toEqual([]);
  });
});

test('the reference app logs invocations into an inference-logs bucket, with the alarms and the alert, unacknowledged', () => {
  const { app, acknowledged } = check('the reference app');
  const stack = app.node.findChild('Reference') as Stack;
  const t = Template.fromStack(stack);
  t.resourceCountIs('Custom::ModelInvocationLogging', 1);
  const logs = Object.values<Json>(t.findResources('AWS::S3::Bucket')).filter((b) =>
    (b.Properties.Tags ?? []).some((tag: Json) => tag.Value === 'inference-logs'),
  );
  expect(logs).toHaveLength(1);
  // Titan and Haiku: four alarms each, to the alarms' topic.
  const bedrockAlarms = Object.values<Json>(t.findResources('AWS::CloudWatch::Alarm')).filter((a) =>
    JSON.stringify(a.Properties).includes('AWS/Bedrock'),
  );
  expect(bedrockAlarms).toHaveLength(8);
  const rules = Object.values<Json>(t.findResources('AWS::Events::Rule')).map(
    (r) => r.Properties.Description,
  );
  expect(rules).toContainEqual(expect.stringMatching(/^Bedrock model invocation logging changed/));
  // Logging is on, so the pack's advice on Bedrock inference has nothing to say, even acknowledged.
  expect(acknowledged.map((a) => a.rule)).not.toContain('ModelAccess-InferenceWithoutInvocationLogging');
});

test('no alert rule of any app has an empty list in its event pattern, which EventBridge refuses', () => {
  const emptyLists = (value: Json, at: string): string[] =>
    Array.isArray(value)
      ? value.length === 0
        ? [at]
        : value.flatMap((v, i) => emptyLists(v, `${at}[${i}]`))
      : value && typeof value === 'object'
        ? Object.entries(value).flatMap(([k, v]) => emptyLists(v, `${at}.${k}`))
        : [];
  let rules = 0;
  for (const name of Object.keys(APPS)) {
    for (const stack of check(name)
      .app.node.findAll()
      .filter((c): c is Stack => Stack.isStack(c))) {
      for (const [id, rule] of Object.entries<Json>(
        Template.fromStack(stack).findResources('AWS::Events::Rule'),
      )) {
        rules++;
        expect(emptyLists(rule.Properties.EventPattern, `${stack.stackName}/${id}`)).toEqual([]);
      }
    }
  }
  expect(rules).toBeGreaterThan(20);
});

test('the acknowledgements across all apps come down to a short list of distinct reasons', () => {
  const reasons = new Set(
    Object.keys(APPS).flatMap((name) =>
      check(name).acknowledged.map(
        (a) => `${a.rule.replace(/^[A-Za-z.0-9]+-/, '').replace(/\[.*$/, '')}: ${a.reason}`,
      ),
    ),
  );
  // Every reason names what it excuses; a generic one ("false positive", "by design") is not a reason.
  for (const reason of reasons)
    expect(reason).not.toMatch(/false positive|by design|not applicable|^[^:]+: .{0,40}$/i);
  // Invocation logging brought six (its custom resource's function, its bucket, the endpoints'
  // data capture); one reason for reading every object of a data-class bucket and one for not
  // replicating the registry took six.
  expect(reasons.size).toBeLessThanOrEqual(44);
});

test('examples/bedrock-fine-tuning composes everything: pipeline, roles, trail, alerts', () => {
  const { app } = check('examples/bedrock-fine-tuning');
  const template = Template.fromStack(app.node.findChild('BedrockFineTuningExample') as Stack);
  template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  template.resourceCountIs('AWS::CloudTrail::Trail', 1);
  // Ten, the pipeline's two on its machinery (state machine and table; functions), and the alert
  // topic's and rules'.
  template.resourceCountIs('AWS::Events::Rule', 14);
  template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
});

test('examples/sagemaker-endpoint deploys only through its two pipelines, and records the invocations of its two endpoints', () => {
  const { app } = check('examples/sagemaker-endpoint');
  const stack = app.node.findChild('SageMakerEndpointExample') as Stack;
  const template = Template.fromStack(stack);
  const pipelines = template.findResources('AWS::StepFunctions::StateMachine');
  expect(
    Object.values<Json>(pipelines).map(
      (p) => p.Properties.Tags.find((t: Json) => t.Key === 'model-access:component').Value,
    ),
  ).toEqual(['deployment-pipeline', 'deployment-pipeline']);
  // Staging takes one approval; production keeps two.
  const required = Object.entries(template.findResources('AWS::Lambda::Function'))
    .filter(([id]) => id.includes('RequestHandler'))
    .map(([, f]) => (f as Json).Properties.Environment.Variables.REQUIRED_APPROVALS)
    .sort();
  expect(required).toEqual(['1', '2']);
  const trail = Object.values(template.findResources('AWS::CloudTrail::Trail'))[0] as Json;
  expect(JSON.stringify(trail.Properties.AdvancedEventSelectors)).toMatch(
    /AWS::SageMaker::Endpoint.*endpoint\/fraud-detector.*endpoint\/churn-predictor/,
  );
  // Nobody but the pipelines' state machines may change an endpoint.
  const deployers = AccessAnalysis.fromTemplate(template.toJSON())
    .principals.filter((p) => p.capabilities.includes(Capability.DEPLOYMENT))
    .map((p) => p.declaredCapability);
  expect(deployers).toEqual(['pipeline', 'pipeline']);
});

test('examples/bring-your-own creates no trail and no registry key, and keeps the alerts', () => {
  const { app } = check('examples/bring-your-own');
  const template = Template.fromStack(app.node.findChild('BringYourOwnExample') as Stack);
  template.resourceCountIs('AWS::CloudTrail::Trail', 0);
  expect(Object.keys(template.findResources('AWS::KMS::Key')).filter((k) => k.includes('Registry'))).toEqual(
    [],
  );
  // Ten, the pipeline's two on its machinery (state machine and table; functions), and the alert
  // topic's and rules'.
  template.resourceCountIs('AWS::Events::Rule', 14);
});
