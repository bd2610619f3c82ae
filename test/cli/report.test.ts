import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ReferenceStack } from '../../bin/app';
import { buildApp as bringYourOwn } from '../../examples/bring-your-own/app';
import { AwsManagedPolicies, ModelAccessChecks } from '../../lib';
import { Report, REPORT_SCHEMA_VERSION } from '../../lib/cli/report';
import { allow, bucket, doc, jobTrust, role, template } from '../analysis/designs';
import { run } from './run';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
const write = (dir: string, name: string, body: Json) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
  return file;
};
const userOf = (policies: Json[]) => ({
  Type: 'AWS::IAM::User',
  Properties: { Policies: policies.map((PolicyDocument, i) => ({ PolicyName: `u${i}`, PolicyDocument })) },
});

/** The app turns on Bedrock invocation logging, as ModelInvocationLogging does. */
const LOGGING = {
  InvocationLogging: {
    Type: 'Custom::ModelInvocationLogging',
    Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:logging' },
  },
};

/** A chat role that also customizes, a clean invoker, and a user who reaches an inference role through a customizer. */
/** Invoking Bedrock only with a guardrail applied, as ModelInferenceRole's guardrail requires. */
const guardedInvoke = allow('bedrock:InvokeModel', '*', {
  Condition: {
    StringEquals: { 'bedrock:GuardrailIdentifier': 'arn:aws:bedrock:us-east-1:123456789012:guardrail/g1:1' },
  },
});
const MERGED = template({
  ...LOGGING,
  ChatBackend: role([doc(allow(['bedrock:InvokeModel', 'bedrock:CreateModelCustomizationJob']))]),
  Invoker: role([doc(guardedInvoke)], { AssumeRolePolicyDocument: jobTrust('chat') }),
  // The account trusts its identities' own policies: the analyst may assume the customizer.
  Tuner: role(
    [
      doc(
        allow('bedrock:CreateModelCustomizationJob'),
        allow('sts:AssumeRole', { 'Fn::GetAtt': ['Invoker', 'Arn'] }),
      ),
    ],
    { AssumeRolePolicyDocument: jobTrust('ml') },
  ),
  Analyst: userOf([doc(allow('sts:AssumeRole', { 'Fn::GetAtt': ['Tuner', 'Arn'] }))]),
});
const CLEAN = template({ ...LOGGING, Invoker: role([doc(allow('bedrock:InvokeModel'))]) });

async function jsonReport(...args: string[]): Promise<{ code: number; report: Report }> {
  const { code, stdout } = await run('report', ...args, '--format', 'json');
  return { code, report: JSON.parse(stdout) };
}

describe('model-access report on templates', () => {
  const dir = tmp();
  const merged = write(dir, 'Merged.template.json', MERGED);
  const clean = write(dir, 'Clean.json', CLEAN);

  test('the matrix gives each held capability with its evidence, and flags the merged principal', async () => {
    const { report } = await jsonReport(merged);
    const chat = report.stacks[0].principals.find((p) => p.id === 'ChatBackend')!;
    expect(Object.keys(chat.cells).sort()).toEqual(['customization', 'inference']);
    expect(chat.cells.inference).toEqual(['bedrock:InvokeModel in ChatBackend/p0 (#1) on *']);
    expect(chat.flagged).toBe(true);
    expect(report.stacks[0].principals.find((p) => p.id === 'Invoker')!.flagged).toBe(false);
  });

  test('the report says how current its AWS-managed policy data is', async () => {
    const { report } = await jsonReport(merged);
    expect(report.awsManagedPolicyData).toBe(AwsManagedPolicies.dataDate());
    const md = await run('report', merged);
    expect(md.stdout).toContain(
      `AWS-managed policies judged as AWS published them by ${AwsManagedPolicies.dataDate()}.`,
    );
  });

  test('an imported role is a principal of the report, flagged when merged', async () => {
    const file = write(
      dir,
      'Imported.json',
      template({
        A: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            PolicyName: 'a',
            Roles: ['team-role'],
            PolicyDocument: doc(allow('bedrock:InvokeModel')),
          },
        },
        B: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            PolicyName: 'b',
            Roles: ['team-role'],
            PolicyDocument: doc(allow('bedrock:CreateModelCustomizationJob')),
          },
        },
      }),
    );
    const { report } = await jsonReport(file);
    const team = report.stacks[0].principals.find((p) => p.id === 'role:team-role')!;
    expect(Object.keys(team.cells).sort()).toEqual(['customization', 'inference']);
    expect(team.flagged).toBe(true);
  });

  test('who can assume what follows chains: the user reaches the inference role through the customizer', async () => {
    const { report } = await jsonReport(merged);
    const analyst = report.stacks[0].principals.find((p) => p.id === 'Analyst')!;
    expect(analyst.canAssume.sort()).toEqual(['Invoker', 'Tuner']);
    const tuner = report.stacks[0].principals.find((p) => p.id === 'Tuner')!;
    expect(tuner.trustedBy).toEqual(['arn:<AWS::Partition>:iam::<AWS::AccountId>:root (with conditions)']);
    expect(report.stacks[0].findings).toContainEqual(
      expect.objectContaining({
        rule: 'ModelAccess-MergeThroughTrust[inference+customization:Invoker,Tuner]',
        resource: 'Analyst',
        merged: true,
      }),
    );
  });

  test('who acts as a role without assuming it: the path, in JSON, Markdown and HTML', async () => {
    const escalating = write(
      tmp(),
      'Escalating.template.json',
      template({
        ...LOGGING,
        Tuner: role([doc(allow('bedrock:CreateModelCustomizationJob'))], { RoleName: 'tuner' }),
        Builder: role([
          doc(
            allow('bedrock:InvokeModel'),
            allow('iam:PassRole', { 'Fn::GetAtt': ['Tuner', 'Arn'] }),
            allow(['lambda:CreateFunction', 'lambda:InvokeFunction']),
          ),
        ]),
      }),
    );
    const path = 'Tuner via iam:PassRole(tuner) + lambda:CreateFunction + lambda:InvokeFunction';
    const { report } = await jsonReport(escalating);
    expect(report.stacks[0].principals.find((p) => p.id === 'Builder')!.actsAs).toEqual([path]);
    const markdown = (await run('report', escalating, '--fail-on', 'never')).stdout;
    expect(markdown).toContain('### Who acts as a role without assuming it');
    expect(markdown).toContain(`| Builder | ${path} |`);
    const html = (await run('report', escalating, '--format', 'html', '--fail-on', 'never')).stdout;
    expect(html).toContain('<h3>Who acts as a role without assuming it</h3>');
    // A report with no such path leaves the section out.
    expect((await run('report', clean)).stdout).not.toContain('without assuming it');
  });

  test("findings are the pack's own, with rule ids; the exit code follows --fail-on", async () => {
    expect((await run('report', merged)).code).toBe(1);
    expect((await run('report', merged, '--fail-on', 'never')).code).toBe(0);
    expect((await run('report', clean)).code).toBe(0);
    // An advisory finding fails only --fail-on error... and a clean design passes it too.
    expect((await run('report', clean, '--fail-on', 'error')).code).toBe(0);
    expect((await run('report', merged, '--fail-on=error')).code).toBe(1);
  });

  test('Markdown lists each section, with the merged principal in bold', async () => {
    const { stdout } = await run('report', merged, '--fail-on', 'never');
    for (const heading of [
      '### Who can do what',
      '### Who can assume what',
      '### Registry data',
      '### Findings',
      '### Acknowledged findings',
    ])
      expect(stdout).toContain(heading);
    expect(stdout).toMatch(/\| \*\*ChatBackend\*\* \|/);
    expect(stdout).toContain(
      '| ModelAccess-MergedCapabilities[inference+customization] | fatal | ChatBackend |',
    );
  });

  test('--out writes the whole report to a file and prints nothing', async () => {
    const out = path.join(tmp(), 'report.html');
    const { code, stdout } = await run(
      'report',
      merged,
      '--format',
      'html',
      '--out',
      out,
      '--fail-on',
      'never',
    );
    expect([code, stdout]).toEqual([0, '']);
    const html = fs.readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<(link|script)\b|src=|url\(/); // self-contained
    expect(html).toContain('<tr data-principal="ChatBackend" class="flagged">');
  });
});

test('a resource type CloudFormation does not have is said, by resource, with the near spelling; others are not', async () => {
  const dir = tmp();
  const file = write(dir, 'Typo.template.json', {
    Resources: {
      ...LOGGING,
      Invoker: role([doc(allow('bedrock:InvokeModel'))]),
      Grant: { Type: 'AWS::IAM::policy', Properties: {} },
      Made: { Type: 'AWS::Bedrock::Guardrails', Properties: {} },
      Sam: { Type: 'AWS::Serverless::Function', Properties: {} },
      Vendor: { Type: 'Acme::Models::Registry', Properties: {} },
      Custom: {
        Type: 'Custom::Thing',
        Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:x' },
      },
    },
  });
  const { code, stdout } = await run('report', file, '--format', 'json');
  expect(code).toBe(0);
  const problems = (JSON.parse(stdout) as Report).stacks[0].problems;
  expect(problems).toEqual([
    expect.stringMatching(
      /^Grant: AWS::IAM::policy is not a CloudFormation resource type \(of the \d+ aws-cdk-lib [\d.]+ knows\); did you mean AWS::IAM::Policy\?: not judged$/,
    ),
    expect.stringMatching(
      /^Made: AWS::Bedrock::Guardrails is not a CloudFormation resource type .*: not judged$/,
    ),
  ]);
  const md = await run('report', file);
  expect(md.stdout).toContain('Grant: AWS::IAM::policy is not a CloudFormation resource type');
});

test('app-wide rules judge all the stacks given together: a trail in one stack covers the registry in another', async () => {
  const dir = tmp();
  const registry = write(dir, 'Registry.template.json', template({ Weights: bucket('model-artifacts') }));
  const audit = write(
    dir,
    'Audit.template.json',
    template({
      Trail: {
        Type: 'AWS::CloudTrail::Trail',
        Properties: { IsLogging: true, S3BucketName: 'audit-logs', EnableLogFileValidation: true },
      },
    }),
  );
  const rules = (r: Report) => r.stacks.flatMap((st) => st.findings.map((f) => f.rule.replace(/\[.*$/, '')));
  expect(rules((await jsonReport(registry)).report)).toContain('ModelAccess-RegistryWithoutTrail');
  expect(rules((await jsonReport(registry, audit)).report)).not.toContain('ModelAccess-RegistryWithoutTrail');
});

describe('model-access report on a cdk.out directory', () => {
  const synth = (build: (app: App) => void) => {
    const outdir = tmp();
    // As the cdk CLI synthesizes: with each resource's construct path in the template.
    const app = new App({
      outdir,
      context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true },
    });
    build(app);
    app.synth();
    return outdir;
  };

  test('the reference app: each registry data class with who reads and writes it, and no finding', async () => {
    const { code, report } = await jsonReport(synth((app) => new ReferenceStack(app, 'Reference')));
    expect(code).toBe(0);
    const stack = report.stacks[0];
    expect(stack.findings).toEqual([]);
    const byClass = Object.fromEntries(stack.dataClasses.map((d) => [d.dataClass, d]));
    expect(byClass.metadata.readers.sort()).toEqual([
      expect.stringMatching(/^ModelAccessDeploymentProvenanceCheckRole/),
      expect.stringMatching(/^ModelAccessReaders/),
    ]);
    expect(byClass['training-data'].writers).toEqual([expect.stringMatching(/^ModelAccessRequesters/)]);
    expect(byClass['training-data'].readers.sort()).toEqual([
      expect.stringMatching(/^ModelAccessCustomizationDatasetInspectorRole/),
      expect.stringMatching(/^ModelAccessCustomizationServiceRole/),
    ]);
    // SageMaker serves the deployed models as the deployment pipeline's hosting role.
    expect(byClass['model-artifacts'].readers).toEqual([
      expect.stringMatching(/^ModelAccessDeploymentHostingRole/),
    ]);
    expect(byClass['model-artifacts'].buckets).toEqual([
      expect.stringMatching(/^ModelAccessRegistryModelArtifacts/),
    ]);
    // The prompts and responses: the auditors alone read them; besides Bedrock, only the endpoints'
    // hosting role writes them, under sagemaker/ (data capture), which a grant on that prefix reaches.
    expect(byClass['inference-logs']).toEqual({
      dataClass: 'inference-logs',
      buckets: [expect.stringMatching(/^ModelAccessInvocationLoggingLogs/)],
      readers: [expect.stringMatching(/^ModelAccessAuditAuditor/)],
      writers: [expect.stringMatching(/^ModelAccessDeploymentHostingRole/)],
    });
  });

  test("findings the app acknowledged are listed apart, with the app's reasons", async () => {
    const outdir = synth((app) => bringYourOwn(app));
    const { report } = await jsonReport(outdir);
    const stack = report.stacks[0];
    expect(stack.findings).toEqual([]);
    expect(stack.acknowledged).toHaveLength(3);
    expect(stack.acknowledged[0]).toEqual({
      rule: 'ModelAccess-RegistryWithoutTrail',
      resource: expect.stringMatching(/^ModelAccessRegistry/),
      reason: expect.stringMatching(/^The organization trail arn:aws:cloudtrail:.* records this account/),
    });
  });
});

describe('model-access report on a cloud assembly with stages', () => {
  // The CDK Pipelines layout: the stacks live in a Stage, in a nested assembly of their own.
  const outdir = tmp();
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
  const prod = new Stage(app, 'Prod', { env: { account: '111111111111', region: 'eu-west-1' } });
  const merged = new iam.Role(new Stack(prod, 'Backend'), 'ChatBackend', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  merged.addToPolicy(
    new iam.PolicyStatement({
      actions: ['bedrock:InvokeModel', 'bedrock:CreateModelCustomizationJob'],
      resources: ['*'],
    }),
  );
  new Stack(prod, 'Empty');
  new Stack(app, 'TopLevel').templateOptions.description = 'a stack beside the stage';
  app.synth();

  test('judges the stacks of a nested stage, exits 1 and names the merged role', async () => {
    const { code, report } = await jsonReport(outdir);
    expect(code).toBe(1);
    expect(report.stacks.map((s) => [s.name, s.empty])).toEqual([
      ['TopLevel', true],
      ['Prod/Backend (Prod-Backend)', false],
      ['Prod/Empty (Prod-Empty)', true],
    ]);
    const backend = report.stacks.find((s) => s.name.startsWith('Prod/Backend'))!;
    expect(backend.principals[0]).toMatchObject({
      id: expect.stringMatching(/^ChatBackend/),
      constructPath: 'Prod/Backend/ChatBackend',
    });
    expect(report.summary).toEqual({
      stacks: 3,
      emptyStacks: 2,
      principals: 1,
      mergedPrincipals: 1,
      // Advisory: customization outside a pipeline, Bedrock inference with no invocation logging nor guardrail.
      findings: { fatal: 1, warning: 3 },
      acknowledged: 0,
    });
    expect(backend.findings).toContainEqual(
      expect.objectContaining({
        rule: 'ModelAccess-MergedCapabilities[inference+customization]',
        resource: expect.stringMatching(/^ChatBackend/),
      }),
    );
  });

  test('says which stacks it read, and that the empty ones are empty, in Markdown', async () => {
    const { code, stdout } = await run('report', outdir);
    expect(code).toBe(1);
    expect(stdout).toContain(
      [
        '## Summary',
        '',
        '- 3 stack(s) read (2 empty): TopLevel (empty), Prod/Backend (Prod-Backend), Prod/Empty (Prod-Empty) (empty)',
        '- 1 principal(s), 1 of them merged identities',
        '- findings: 1 fatal, 0 error, 3 warning; 0 acknowledged',
      ].join('\n'),
    );
    expect(stdout).toMatch(/## Prod\/Backend \(Prod-Backend\)\n\n### Who can do what/);
    expect(stdout).toMatch(/## Prod\/Empty \(Prod-Empty\)\n\nEmpty: the stack has no resources\./);
  });
});

test('a merged identity stays a finding even where the app acknowledged it: reviewers always see merges', async () => {
  const outdir = tmp();
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
  Validations.of(app).addPlugins(new ModelAccessChecks(app, { allowAcknowledgingMergedIdentities: true }));
  const stack = new Stack(app, 'Legacy');
  const legacy = new iam.Role(stack, 'LegacyBatch', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  legacy.addToPolicy(
    new iam.PolicyStatement({
      actions: ['bedrock:InvokeModel', 'bedrock:CreateModelCustomizationJob'],
      resources: ['*'],
    }),
  );
  for (const id of [
    'ModelAccess-MergedCapabilities[inference+customization]',
    'ModelAccess-CustomizationOutsidePipeline',
    'ModelAccess-InferenceWithoutInvocationLogging',
    'ModelAccess-InferenceWithoutGuardrail',
  ])
    Validations.of(legacy).acknowledge({
      id: `ModelAccess::${id}`,
      reason: 'Legacy batch role, split in Q3 (TICKET-7).',
    });
  app.synth();
  const { code, report } = await jsonReport(outdir);
  expect(code).toBe(1);
  expect(report.stacks[0].findings).toEqual([
    expect.objectContaining({
      rule: 'ModelAccess-MergedCapabilities[inference+customization]',
      merged: true,
    }),
  ]);
  expect(report.stacks[0].acknowledged.map((a) => [a.rule, a.reason])).toEqual([
    ['ModelAccess-CustomizationOutsidePipeline', 'Legacy batch role, split in Q3 (TICKET-7).'],
    ['ModelAccess-InferenceWithoutInvocationLogging', 'Legacy batch role, split in Q3 (TICKET-7).'],
    ['ModelAccess-InferenceWithoutGuardrail', 'Legacy batch role, split in Q3 (TICKET-7).'],
  ]);
});

test('acknowledgements that cannot be placed (no construct paths in the template) are said, not dropped', async () => {
  const outdir = tmp();
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  bringYourOwn(app);
  app.synth();
  const { report } = await jsonReport(outdir);
  expect(report.stacks[0].acknowledged).toEqual([]);
  expect(report.stacks[0].findings.map((f) => f.rule)).toContain('ModelAccess-RegistryWithoutTrail');
  expect(report.stacks[0].problems[0]).toMatch(
    /has acknowledgements in its metadata, but the template has no aws:cdk:path metadata/,
  );
});

describe('conventions', () => {
  const version = JSON.parse(
    fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'),
  ).version;

  test.each([['--version'], ['-v'], ['report', '--version']])(
    '%s prints the version, exit 0',
    async (...argv) => {
      expect(await run(...argv)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    },
  );

  test('short flags work as the long ones: -f json -o FILE', async () => {
    const dir = tmp();
    const input = write(dir, 'Clean.json', CLEAN);
    const out = path.join(dir, 'report.json');
    const { code } = await run('report', input, '-f', 'json', '-o', out);
    expect(code).toBe(0);
    const report = JSON.parse(fs.readFileSync(out, 'utf8'));
    // The JSON report says which shape it has, for tools that read it.
    expect(report.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(Object.keys(report)[0]).toBe('schemaVersion');
    expect(report.stacks[0].templateFile).toBe(input);
  });
});

describe('bad arguments and input: one line, exit 2', () => {
  const dir = tmp();
  /** A cloud assembly directory with this manifest (and no template). */
  const assemblyWith = (manifest: Json) => {
    const at = tmp();
    write(at, 'manifest.json', { version: '48.0.0', ...manifest });
    return at;
  };
  const stackArtifact = (templateFile: string) => ({
    type: 'aws:cloudformation:stack',
    environment: 'aws://unknown-account/unknown-region',
    properties: { templateFile },
  });
  const cases: [string, string[], RegExp][] = [
    [
      'an unknown command',
      ['reprot'],
      /^model-access: unknown command 'reprot'; see 'model-access --help'\.\n$/,
    ],
    ['an unknown option', ['report', '--colour', 'red'], /^model-access: report has no option --colour/],
    ['an option without its value', ['report', '--format'], /^model-access: --format needs a value\.\n$/],
    [
      'a bad format',
      ['report', '--format', 'pdf'],
      /^model-access: --format must be one of md, html, json, sarif, got 'pdf'\.\n$/,
    ],
    [
      'a bad --fail-on',
      ['report', '--fail-on', 'warning'],
      /^model-access: --fail-on must be one of merged, error, never/,
    ],
    [
      'a path that does not exist',
      ['report', path.join(dir, 'nope')],
      /^model-access: cannot read .*nope: ENOENT\n$/,
    ],
    [
      'a file that is not JSON',
      ['report', write(dir, 'x.json', 'not json')],
      /is not JSON; give a CloudFormation template/,
    ],
    [
      'JSON that is not a template',
      ['report', write(dir, 'y.json', { a: 1 })],
      /is not a CloudFormation template: it has no Resources\.\n$/,
    ],
    [
      'a directory that is no cloud assembly',
      ['report', tmp()],
      /is not a cloud assembly \(it has no manifest\.json\): run cdk synth first, or name template files\.\n$/,
    ],
    ['audit without --region', ['audit'], /^model-access: audit needs --region/],
    [
      'audit with an argument',
      ['audit', 'cdk.out', '--region', 'us-east-1'],
      /^model-access: audit takes no arguments/,
    ],
    ['an option twice', ['report', '--format', 'md', '--format', 'json'], /--format is given twice/],
    ['an option twice, short and long', ['report', '-f', 'md', '--format=json'], /--format is given twice/],
    ['an unknown short option', ['report', '-z'], /^model-access: report has no option -z/],
    ['a short option without its value', ['report', '-o'], /^model-access: --out needs a value\.\n$/],
    [
      'an option of the other command',
      ['report', '--region', 'eu-west-1'],
      /^model-access: report has no option --region/,
    ],
    [
      'a cloud assembly whose manifest names a template that is gone',
      ['report', assemblyWith({ artifacts: { S: stackArtifact('S.template.json') } })],
      /^model-access: the cloud assembly .* names .*S\.template\.json for stack S, which cannot be read \(ENOENT\): run cdk synth again\.\n$/,
    ],
    [
      'a cloud assembly whose manifest is not one',
      ['report', assemblyWith({ version: 'not a version' })],
      /^model-access: cannot read the cloud assembly .*; run cdk synth again \(with the same aws-cdk-lib\), or name template files\.\n$/,
    ],
    [
      'a region that does not exist',
      ['audit', '--region', 'mars-east-1'],
      /^model-access: --region mars-east-1 is not an AWS region \(a region is written like us-east-1; aws-cdk-lib knows \d+\)\.\n$/,
    ],
    [
      'an availability zone for a region',
      ['audit', '--region', 'us-east-1a'],
      /^model-access: --region us-east-1a is an availability zone; the region is us-east-1\.\n$/,
    ],
    [
      'a region in capitals',
      ['audit', '--region', 'US-EAST-1'],
      /^model-access: --region US-EAST-1 is not a region: regions are written in lower case, us-east-1\.\n$/,
    ],
    [
      'an endpoint URL without its scheme',
      ['audit', '--region', 'us-east-1', '--endpoint-url', 'localhost:5000'],
      /^model-access: --endpoint-url localhost:5000 is not an http\(s\) URL; write it with its scheme, like http:\/\/localhost:5000\.\n$/,
    ],
    [
      'a pipeline command with a region that does not exist',
      ['approve', 'https://example.lambda-url.us-east-1.on.aws/', 'r-1', '--region', 'Virginia'],
      /^model-access: --region Virginia is not an AWS region/,
    ],
  ];
  test.each(cases)('%s', async (_name, argv, message) => {
    const { code, stdout, stderr } = await run(...argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  test('a template saved with a byte-order mark is read as the JSON it is', async () => {
    const file = write(dir, 'bom.template.json', `\uFEFF${JSON.stringify(CLEAN)}`);
    const { code, stderr } = await run('report', file);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  test('an --out that cannot be written leaves no file behind', async () => {
    const file = write(dir, 'ok.template.json', CLEAN);
    const out = path.join(dir, 'missing-dir', 'report.md');
    const { code, stderr } = await run('report', file, '--out', out);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^model-access: cannot write .*report\.md: ENOENT\n$/);
    expect(fs.existsSync(path.dirname(out))).toBe(false);
  });
});

describe('help', () => {
  test.each([[[]], [['--help']], [['help']]])('model-access %p prints the commands', async (argv) => {
    const { code, stdout } = await run(...(argv as string[]));
    expect(code).toBe(0);
    expect(stdout).toMatch(/model-access report \[cdk\.out \| template\.json \.\.\.\]/);
    expect(stdout).toMatch(/model-access audit --region REGION/);
  });

  test.each(['report', 'audit'])('%s --help prints its options and exit codes', async (command) => {
    const { code, stdout } = await run(command, '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: model-access ${command}`));
    expect(stdout).toMatch(/--fail-on merged\|error\|never/);
    expect(stdout).toMatch(/Exit codes: 0 .* 1 .* 2 bad arguments or input/);
  });
});

describe('the report never writes over what it read, and reads each input once', () => {
  test('-o naming the template it reads is refused, and the template is kept', async () => {
    const dir = tmp();
    const file = write(dir, 't.json', CLEAN);
    const before = fs.readFileSync(file, 'utf8');
    const { code, stderr, stdout } = await run('report', file, '-o', file);
    expect(stderr).toBe(
      `model-access: --out ${file} would write over ${file}, which the report read; write it elsewhere.\n`,
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  test("-o naming a cdk.out's template or manifest is refused; a new file in cdk.out is written", async () => {
    const outdir = tmp();
    const app = new App({ outdir });
    new Stack(app, 'Clean');
    app.synth();
    for (const target of ['Clean.template.json', 'manifest.json']) {
      const { code, stderr } = await run('report', outdir, '-o', path.join(outdir, target));
      expect(stderr).toMatch(/would write over .*, which the report read; write it elsewhere\.\n$/);
      expect(code).toBe(2);
    }
    const report = path.join(outdir, 'model-access-report.md');
    expect((await run('report', outdir, '-o', report)).code).toBe(0);
    expect(fs.readFileSync(report, 'utf8')).toContain('## Summary');
  });

  test('the same input named twice, in any spelling, is refused instead of counted twice', async () => {
    const dir = tmp();
    const file = write(dir, 't.json', CLEAN);
    const { code, stderr } = await run('report', file, path.join(dir, '.', 't.json'));
    expect(stderr).toBe(
      `model-access: ${path.join(dir, '.', 't.json')} is ${file} again: name each cdk.out or template once.\n`,
    );
    expect(code).toBe(2);
  });

  test('two templates of one name in different folders are refused, not judged as one stack', async () => {
    const first = write(tmp(), 't.json', CLEAN);
    const second = write(tmp(), 't.json', CLEAN);
    const { code, stderr } = await run('report', first, second);
    expect(stderr).toBe(
      `model-access: two stacks are named t (${first}, ${second}): the report judges its inputs as one app, where each stack needs its own name; rename one, or report them apart.\n`,
    );
    expect(code).toBe(2);
  });
});
