import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, Stage, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AccessAnalysis,
  Capability,
  ModelAccessChecks,
  ModelAccessControl,
  ModelAuditTrail,
  ModelRegistry,
  ModelTarget,
  TAG_DATA_CLASS,
} from '../../lib';
import {
  BUCKETS_PER_RULE,
  KEYS_PER_RULE,
  MAX_PATTERN_LENGTH,
  policyChangePattern,
  registryPolicyPattern,
  POLICIES_PER_RULE,
  roleChangePattern,
  ROLES_PER_RULE,
} from '../../lib/audit/private/alert-patterns';
import { boundaryOf, identityPoliciesOf, simulate } from '../support/simulate';
import { ACCOUNT, ResolvedTemplate } from '../support/template';
import { controlFixture, ENDPOINT } from './fixture';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const f = controlFixture();
const template = Template.fromJSON(f.json);
const audit = f.control.auditTrail;
const trailProps = () => f.template.props(f.id(audit.trail!));

describe('the trail', () => {
  test('is multi-region, records global service events, validates log files, and is KMS-encrypted', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      KMSKeyId: { 'Fn::GetAtt': [f.id(audit.encryptionKey), 'Arn'] },
      CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [f.id(audit.logGroup!), 'Arn'] },
    });
  });

  test('delivers to a KMS-encrypted log group kept a year, retained with the stack gone', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { KmsKeyId: { 'Fn::GetAtt': [f.id(audit.encryptionKey), 'Arn'] }, RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
  });

  test('records every management event, read and write (Bedrock InvokeModel and Converse among them)', () => {
    expect(trailProps().AdvancedEventSelectors[0]).toEqual({
      Name: 'Management events',
      FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
    });
  });

  test('records object-level events on the three registry buckets and no other', () => {
    const registry = f.control.registry;
    const objects = trailProps().AdvancedEventSelectors.find(
      (s: Json) => s.Name === 'Model registry objects',
    );
    const arnOf = (b: s3.IBucket) => `${f.template.arn(f.id(b))}/`;
    expect(objects.FieldSelectors).toEqual([
      { Field: 'eventCategory', Equals: ['Data'] },
      { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
      {
        Field: 'resources.ARN',
        StartsWith: [registry.modelArtifactsBucket, registry.trainingDataBucket, registry.metadataBucket].map(
          arnOf,
        ),
      },
    ]);
  });

  test('records invocations of the named SageMaker endpoints only', () => {
    const endpoints = trailProps().AdvancedEventSelectors.find(
      (s: Json) => s.Name === 'Model endpoint invocations',
    );
    expect(endpoints.FieldSelectors).toEqual([
      { Field: 'eventCategory', Equals: ['Data'] },
      { Field: 'resources.type', Equals: ['AWS::SageMaker::Endpoint'] },
      {
        Field: 'resources.ARN',
        Equals: [f.template.resolve(Stack.of(f.stack).resolve(ENDPOINT.resources[0].arn))],
      },
    ]);
  });

  test('records every endpoint when a model is selected by tag, and none without SageMaker models', () => {
    const tagged = controlFixture({ models: [ModelTarget.tagged('team', 'fraud')] });
    const selectors = tagged.template.props(
      tagged.id(tagged.control.auditTrail.trail!),
    ).AdvancedEventSelectors;
    expect(selectors.find((s: Json) => s.Name === 'Model endpoint invocations').FieldSelectors).toHaveLength(
      2,
    );
    const bedrockOnly = controlFixture({
      models: [ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1')],
    });
    const names = bedrockOnly.template
      .props(bedrockOnly.id(bedrockOnly.control.auditTrail.trail!))
      .AdvancedEventSelectors.map((s: Json) => s.Name);
    expect(names).toEqual(['Management events', 'Model registry objects', 'Inference log reads']);
  });

  test("records who reads the inference logs: object reads of their bucket only, not Bedrock's writes", () => {
    const selector = trailProps().AdvancedEventSelectors.find((s: Json) => s.Name === 'Inference log reads');
    expect(selector.FieldSelectors).toEqual([
      { Field: 'eventCategory', Equals: ['Data'] },
      { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
      { Field: 'readOnly', Equals: ['true'] },
      {
        Field: 'resources.ARN',
        StartsWith: [`${f.template.arn(f.id(f.control.invocationLogging!.bucket))}/`],
      },
    ]);
  });
});

describe('the log bucket', () => {
  const bucket = () => template.toJSON().Resources[f.id(audit.logBucket!)];

  test('has object lock in governance mode for 365 days by default, versioning, and the trail key', () => {
    expect(bucket().Properties).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } },
      },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [f.id(audit.encryptionKey), 'Arn'] },
            },
          },
        ],
      },
    });
    expect(bucket().DeletionPolicy).toBe('Retain');
  });

  test('is tagged audit-logs, blocks public access, logs its access, and refuses plain HTTP', () => {
    expect(bucket().Properties.Tags).toContainEqual({ Key: TAG_DATA_CLASS, Value: 'audit-logs' });
    expect(bucket().Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket().Properties.LoggingConfiguration.LogFilePrefix).toBe('audit-logs/');
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: f.id(audit.logBucket!) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('takes compliance mode and another retention as an option', () => {
    const c = controlFixture({
      auditTrail: { logRetention: s3.ObjectLockRetention.compliance(Duration.days(2555)) },
    });
    Template.fromJSON(c.json).hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2555 } } },
    });
  });
});

describe('the alerts', () => {
  test('go to a KMS-encrypted topic that refuses plain HTTP, with a KMS-encrypted dead-letter queue', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [f.id(audit.encryptionKey), 'Arn'] },
    });
    const rules = template.findResources('AWS::Events::Rule');
    // Two pipelines' roles fill a second role-change rule, and their boundaries a second policy rule;
    // each pipeline's machinery has two rules, the task-token keys fill a second key rule, and the
    // alert topic and the alert rules have their own.
    expect(Object.keys(rules)).toHaveLength(19);
    for (const rule of Object.values<Json>(rules)) {
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: { Ref: f.id(audit.alertTopic) },
          DeadLetterConfig: expect.anything(),
        }),
      ]);
    }
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [f.id(audit.encryptionKey), 'Arn'] },
    });
  });

  test('the key lets CloudTrail, CloudWatch Logs and EventBridge use it for this account only', () => {
    const statements = f.template.props(f.id(audit.encryptionKey)).KeyPolicy.Statement;
    const by = (service: string) => statements.find((s: Json) => s.Principal?.Service === service);
    expect(by('cloudtrail.amazonaws.com').Condition.StringEquals['aws:SourceAccount']).toBe(ACCOUNT);
    expect(by('events.amazonaws.com').Condition.StringEquals['aws:SourceAccount']).toBe(ACCOUNT);
    expect(
      by('logs.us-east-1.amazonaws.com').Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'],
    ).toMatch(new RegExp(`^arn:aws:logs:us-east-1:${ACCOUNT}:log-group:\\*$`));
  });
});

describe('the auditor role', () => {
  const auditor = () => f.id(audit.auditorRole!);
  const auditorArn = () => f.template.arn(auditor());
  const ADMINISTRATOR_ACCESS = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  };
  const can = (action: string, resource: string, extra: Json[] = []) =>
    simulate({
      principal: auditorArn(),
      action,
      resource,
      identityPolicies: [...identityPoliciesOf(f.template, auditor()), ...extra],
      permissionBoundary: boundaryOf(f.template, auditor()),
    });
  const logObject = () =>
    `${f.template.arn(f.id(audit.logBucket!))}/AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/log.json.gz`;

  test('is tagged auditor and can read log files and query the log group', async () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      Tags: [{ Key: 'model-access:capability', Value: 'auditor' }],
    });
    expect(await can('s3:GetObject', logObject())).toBe('Allowed');
    expect(await can('logs:StartQuery', f.template.arn(f.id(audit.logGroup!)))).toBe('Allowed');
  });

  test('cannot change, delete or write the logs, nor read weights or call models', async () => {
    expect(await can('s3:DeleteObject', logObject())).not.toBe('Allowed');
    expect(await can('s3:PutObject', logObject())).not.toBe('Allowed');
    const weights = `${f.template.arn(f.id(f.control.registry.modelArtifactsBucket))}/m1/model.safetensors`;
    expect(await can('s3:GetObject', weights)).not.toBe('Allowed');
    expect(
      await can(
        'bedrock:InvokeModel',
        'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1',
      ),
    ).not.toBe('Allowed');
  });

  test('with AdministratorAccess attached later, its boundary still holds it to reading', async () => {
    expect(await can('s3:DeleteObject', logObject(), [ADMINISTRATOR_ACCESS])).not.toBe('Allowed');
    expect(
      await can('cloudtrail:StopLogging', f.template.arn(f.id(audit.trail!)), [ADMINISTRATOR_ACCESS]),
    ).not.toBe('Allowed');
    expect(await can('iam:PutRolePolicy', auditorArn(), [ADMINISTRATOR_ACCESS])).not.toBe('Allowed');
    expect(await can('s3:GetObject', logObject(), [ADMINISTRATOR_ACCESS])).toBe('Allowed');
  });

  test('holds no model capability by the analysis, only reading the inference logs (the pack finds nothing to flag)', () => {
    const principal = AccessAnalysis.fromTemplate(f.json).principal(auditor())!;
    expect(principal.declaredCapability).toBe('auditor');
    expect(principal.capabilities).toEqual([Capability.INFERENCE_LOG_ACCESS]);
  });
});

describe('with an organization trail', () => {
  const ORG_TRAIL = 'arn:aws:cloudtrail:us-east-1:999988887777:trail/organization-trail';

  test('creates no trail, log bucket or log group, and keeps every alert', () => {
    const o = controlFixture({ auditors: undefined, auditTrail: { organizationTrailArn: ORG_TRAIL } });
    const t = Template.fromJSON(o.json);
    t.resourceCountIs('AWS::CloudTrail::Trail', 0);
    t.resourceCountIs('AWS::Logs::LogGroup', 15); // the two pipelines' own (6 and 8), invocation logging's function's
    expect(Object.keys(t.findResources('AWS::S3::Bucket'))).toHaveLength(5); // the registry's, the inference logs
    // Without the auditor, one policy-change rule holds every boundary; two pipelines' machinery adds
    // four rules, the task-token keys a second key rule, the alert topic and the alert rules one each.
    t.resourceCountIs('AWS::Events::Rule', 18);
    expect(o.control.auditTrail.organizationTrailArn).toBe(ORG_TRAIL);
  });

  test("acknowledges the pack's missing-trail warning on the registry buckets, naming the organization trail", () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'org-')) });
    Validations.of(app).addPlugins(new ModelAccessChecks(app));
    const stack = new Stack(app, 'Org');
    const registry = new ModelRegistry(stack, 'Registry');
    new ModelAuditTrail(stack, 'Audit', { registries: [registry], organizationTrailArn: ORG_TRAIL });
    app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8'));
    const modelAccess = report.pluginReports.find((r: Json) => r.pluginName === 'ModelAccess');
    expect(modelAccess.violations).toEqual([]);
    expect(modelAccess.suppressedViolations.map((v: Json) => v.reason)).toContain(
      `The organization trail ${ORG_TRAIL} records this account (ModelAuditTrail organizationTrailArn).`,
    );
  });

  test('without the option, the same registry raises the warning (the test above depends on it)', () => {
    const app = new App();
    const stack = new Stack(app, 'NoTrail');
    new ModelRegistry(stack, 'Registry');
    app.synth();
    expect(new ModelAccessChecks(app).validateScope(app).violations.map((v) => v.ruleName)).toContain(
      'ModelAccess-RegistryWithoutTrail',
    );
  });

  test('refuses a malformed ARN, and settings of a trail of its own', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => new ModelAuditTrail(stack, 'A', { organizationTrailArn: 'organization-trail' })).toThrow(
      /organizationTrailArn 'organization-trail' is not a trail ARN/,
    );
    expect(
      () =>
        new ModelAuditTrail(stack, 'B', {
          organizationTrailArn: ORG_TRAIL,
          auditors: new iam.AccountRootPrincipal(),
        }),
    ).toThrow(/auditors configure a trail of this construct's own/);
  });
});

describe('role-change alerts and the region', () => {
  test('a stack outside us-east-1 gets a forwarder stack there, in the same stage, and keeps its role alerts', () => {
    const app = new App();
    const stage = new Stage(app, 'Prod', { env: { account: '111111111111', region: 'eu-west-1' } });
    const stack = new Stack(stage, 'Platform');
    const trail = new ModelAuditTrail(stack, 'Audit');
    const forwarder = trail.iamEventForwarder!;
    expect([forwarder.region, forwarder.account, Stage.of(forwarder)]).toEqual([
      'us-east-1',
      '111111111111',
      stage,
    ]);
    expect(stack.dependencies).toContain(forwarder);
    const home = Template.fromStack(stack);
    expect(
      Object.values<Json>(home.findResources('AWS::Events::Rule')).map((r) => r.Properties.Description),
    ).toContain("A change to a model-access role's policies, boundary or trust");

    const t = new ResolvedTemplate(Template.fromStack(forwarder).toJSON());
    const [rule] = t.ofType('AWS::Events::Rule').map((id) => t.props(id));
    expect(rule.EventPattern.source).toEqual(['aws.iam']);
    expect(rule.Targets).toEqual([
      expect.objectContaining({
        Arn: 'arn:aws:events:eu-west-1:111111111111:event-bus/default',
        DeadLetterConfig: expect.anything(),
      }),
    ]);
  });

  test("the forwarder's role may put events on the home region's default bus, and do nothing else", async () => {
    const app = new App();
    const stack = new Stack(app, 'Eu', { env: { account: '111111111111', region: 'eu-west-1' } });
    const forwarder = new ModelAuditTrail(stack, 'Audit').iamEventForwarder!;
    const t = new ResolvedTemplate(Template.fromStack(forwarder).toJSON());
    const roleId = t.ofType('AWS::IAM::Role')[0];
    const can = (action: string, resource: string) =>
      simulate({
        principal: t.arn(roleId),
        action,
        resource,
        identityPolicies: identityPoliciesOf(t, roleId),
      });
    expect(await can('events:PutEvents', 'arn:aws:events:eu-west-1:111111111111:event-bus/default')).toBe(
      'Allowed',
    );
    expect(await can('events:PutEvents', 'arn:aws:events:us-west-2:111111111111:event-bus/default')).not.toBe(
      'Allowed',
    );
    expect(await can('iam:PutRolePolicy', 'arn:aws:iam::111111111111:role/x')).not.toBe('Allowed');
    const trust = t.props(roleId).AssumeRolePolicyDocument.Statement[0];
    expect(trust.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '111111111111' },
      ArnLike: { 'aws:SourceArn': 'arn:aws:events:us-east-1:111111111111:rule/*' },
    });
  });

  test('there, alertOnRoleChanges: false keeps the other alerts, and adds no forwarder', () => {
    const stack = new Stack(new App(), 'Eu', { env: { region: 'eu-west-1' } });
    expect(
      new ModelAuditTrail(stack, 'Audit', { alertOnRoleChanges: false }).iamEventForwarder,
    ).toBeUndefined();
    const rules = Object.values<Json>(Template.fromStack(stack).findResources('AWS::Events::Rule'));
    expect(rules.map((r) => r.Properties.Description)).toEqual([
      'A model customization call by anyone but a pipeline acting on an approved request',
      'A model deployment call (endpoints, provisioned throughput, custom model deployments) by anyone but a deployment pipeline',
      "A SageMaker model package created or set Approved by anyone but a deployment pipeline's approval step",
      'A CloudTrail trail stopped, deleted or reconfigured',
      "A Bedrock guardrail changed or deleted, or the account's enforcement of one",
      'An alert rule disabled, deleted, rewritten or retargeted (this one included)',
      "A change to the alert topic's policy, subscriptions or protection, or its deletion",
      "Bedrock model invocation logging changed or switched off by anyone but its stack's custom resource",
      "A change to a model registry's bucket policy, or to the policy or state of one of the platform's keys",
    ]);
  });

  test('us-east-1, cn-north-1 and an environment-agnostic stack need no forwarder', () => {
    for (const region of ['us-east-1', 'cn-north-1', undefined]) {
      const stack = new Stack(new App(), 'S', { env: region ? { region } : undefined });
      expect(new ModelAuditTrail(stack, 'Audit').iamEventForwarder).toBeUndefined();
    }
  });
});

describe('model calls in other regions (alertRegions)', () => {
  const platform = (alertRegions?: string[], region = 'eu-west-1') => {
    const stack = new Stack(new App(), 'Platform', { env: { account: '111111111111', region } });
    return { stack, trail: new ModelAuditTrail(stack, 'Audit', { alertRegions }) };
  };

  test('each region gets a forwarder stack of the calls the rules judge, which the trail stack depends on', () => {
    const { stack, trail } = platform(['us-west-2', 'us-east-1']);
    const [west, east] = trail.regionalEventForwarders;
    expect([west.region, east.region]).toEqual(['us-west-2', 'us-east-1']);
    // IAM's region has one forwarder stack for both.
    expect(east).toBe(trail.iamEventForwarder);
    expect(stack.dependencies).toEqual(expect.arrayContaining([west, east]));
    const rules = (s: Stack) =>
      Object.values<Json>(Template.fromStack(s).findResources('AWS::Events::Rule')).map((r) => ({
        sources: r.Properties.EventPattern.source,
        target: r.Properties.Targets[0].Arn,
      }));
    const home = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':events:eu-west-1:',
          { Ref: 'AWS::AccountId' },
          ':event-bus/default',
        ],
      ],
    };
    expect(rules(west)).toEqual([
      { sources: ['aws.bedrock', 'aws.bedrock-mantle', 'aws.sagemaker'], target: home },
      { sources: expect.arrayContaining(['aws.sagemaker', 'aws.bedrock']), target: home },
      { sources: ['aws.bedrock'], target: home },
      { sources: ['aws.bedrock'], target: home },
      { sources: ['aws.sagemaker'], target: home },
    ]);
    expect(rules(east).map((r) => r.sources[0])).toEqual([
      'aws.iam',
      'aws.bedrock',
      expect.anything(),
      'aws.bedrock',
      'aws.bedrock',
      'aws.sagemaker',
    ]);
  });

  test('none by default: the trail still records every region', () => {
    const { trail } = platform();
    expect(trail.regionalEventForwarders).toEqual([]);
  });

  test.each<[string[], string, string]>([
    [['eu-west-1'], 'eu-west-1', "names eu-west-1, this stack's own region, whose calls alert already"],
    [['us-west-2', 'us-west-2'], 'eu-west-1', 'names us-west-2 twice'],
    [
      ['us-west-2a'],
      'eu-west-1',
      'includes us-west-2a: us-west-2a is an availability zone; the region is us-west-2',
    ],
    [['Frankfurt'], 'eu-west-1', 'includes Frankfurt: Frankfurt is not an AWS region'],
    [['cn-north-1'], 'eu-west-1', 'names cn-north-1, of another partition than eu-west-1'],
  ])('%j for a stack in %s is refused: %s', (regions, region, message) => {
    expect(() => platform(regions, region)).toThrow(`ModelAuditTrail: alertRegions ${message}`);
  });

  test('an environment-agnostic stack cannot say where to forward', () => {
    const stack = new Stack(new App(), 'Agnostic');
    expect(() => new ModelAuditTrail(stack, 'Audit', { alertRegions: ['us-west-2'] })).toThrow(
      'ModelAuditTrail: alertRegions needs a stack of a known region (env: { region })',
    );
  });

  test("defaultRegionsBesides lists the partition's regions enabled by default, but the one given", () => {
    const commercial = ModelAuditTrail.defaultRegionsBesides('eu-west-1');
    expect(commercial).toEqual(expect.arrayContaining(['us-east-1', 'us-west-2', 'ap-northeast-1']));
    expect(commercial).not.toContain('eu-west-1');
    // Opt-in regions are the account's to enable, and to add.
    expect(commercial).not.toContain('af-south-1');
    expect(commercial).not.toContain('ap-east-1');
    expect(ModelAuditTrail.defaultRegionsBesides('cn-north-1')).toEqual(['cn-northwest-1']);
    expect(() => ModelAuditTrail.defaultRegionsBesides('eu-west-1a')).toThrow(
      'ModelAuditTrail.defaultRegionsBesides: eu-west-1a is an availability zone; the region is eu-west-1.',
    );
    // With all of them, a trail forwards from each; IAM's region's forwarder is one stack for both.
    const { trail } = platform(commercial);
    expect(trail.regionalEventForwarders.map((f) => f.region).sort()).toEqual([...commercial].sort());
    expect(trail.regionalEventForwarders).toContain(trail.iamEventForwarder);
  });

  test('ModelAccessControl passes them to its trail', () => {
    const stack = new Stack(new App(), 'Platform', { env: { account: '111111111111', region: 'eu-west-1' } });
    const control = new ModelAccessControl(stack, 'Control', {
      models: [ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1')],
      invokers: new iam.ServicePrincipal('lambda.amazonaws.com'),
      auditTrail: { alertRegions: ['us-west-2'] },
    });
    expect(control.auditTrail.regionalEventForwarders.map((s) => s.region)).toEqual(['us-west-2']);
  });
});

describe("the alert patterns fit EventBridge's 2,048 characters", () => {
  test('a full rule of the longest role names, and of the longest policy ARNs, fits', () => {
    const roleNames = Array.from({ length: ROLES_PER_RULE }, (_, i) => `${i}`.padEnd(64, 'r'));
    const policyArns = Array.from(
      { length: POLICIES_PER_RULE },
      (_, i) => `arn:aws-us-gov:iam::123456789012:policy/${`${i}`.padEnd(128, 'p')}`,
    );
    expect(JSON.stringify(roleChangePattern(roleNames)).length).toBeLessThanOrEqual(MAX_PATTERN_LENGTH);
    expect(JSON.stringify(policyChangePattern(policyArns)).length).toBeLessThanOrEqual(MAX_PATTERN_LENGTH);
  });

  test('a full registry rule, of the longest bucket names and key ARNs, fits', () => {
    const buckets = Array.from({ length: BUCKETS_PER_RULE }, (_, i) => `${i}`.padEnd(63, 'b'));
    const keys = Array.from({ length: KEYS_PER_RULE }, (_, i) => {
      const id = `${i}`.padEnd(36, 'k');
      return [id, `arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/${id}`];
    }).flat();
    expect(JSON.stringify(registryPolicyPattern(buckets, keys)).length).toBeLessThanOrEqual(
      MAX_PATTERN_LENGTH,
    );
  });

  test('watching more registries and keys than a rule holds starts other rules; no list is ever empty', () => {
    const stack = new Stack(new App(), 'Many');
    const trail = new ModelAuditTrail(stack, 'Audit');
    for (let i = 0; i < 7; i++) trail.watchRegistry(new ModelRegistry(stack, `Registry${i}`));
    const patterns = Object.values<Json>(Template.fromStack(stack).findResources('AWS::Events::Rule'))
      .map((r) => r.Properties.EventPattern)
      .filter((p) => p.source?.includes('aws.kms'));
    const count = (p: Json, key: 'bucketName' | 'keyId') =>
      [p.detail, ...(p.detail.$or ?? [])].reduce((n, b) => n + (b.requestParameters?.[key]?.length ?? 0), 0);
    // The trail's key and seven registries' keys (each by id and ARN); seven registries' 21 buckets.
    expect(patterns.map((p) => count(p, 'keyId'))).toEqual([12, 4, 0]);
    expect(patterns.map((p) => count(p, 'bucketName'))).toEqual([9, 9, 3]);
    for (const p of patterns) expect(JSON.stringify(p)).not.toContain('[]');
  });

  test('a trail watching keys and no registry names no bucket list', () => {
    const stack = new Stack(new App(), 'Alone');
    new ModelAuditTrail(stack, 'Audit');
    const [pattern] = Object.values<Json>(Template.fromStack(stack).findResources('AWS::Events::Rule'))
      .map((r) => r.Properties.EventPattern)
      .filter((p) => p.source?.includes('aws.kms'));
    expect(pattern.detail.$or).toBeUndefined();
    expect(pattern.detail.requestParameters.bucketName).toBeUndefined();
    expect(pattern.detail.requestParameters.keyId).toHaveLength(2);
  });

  test('watching more roles than a rule holds starts another rule, each with its share', () => {
    const stack = new Stack(new App(), 'Many');
    const trail = new ModelAuditTrail(stack, 'Audit');
    for (let i = 0; i < ROLES_PER_RULE + 3; i++)
      trail.watchRole(new iam.Role(stack, `Role${i}`, { assumedBy: new iam.AccountRootPrincipal() }));
    const rules = Object.values<Json>(Template.fromStack(stack).findResources('AWS::Events::Rule'))
      .map((r) => r.Properties.EventPattern)
      .filter((p) => p.detail.requestParameters?.roleName);
    // The trail's own delivery role is watched too: 24 roles in all.
    expect(rules.map((p) => p.detail.requestParameters.roleName.length)).toEqual([ROLES_PER_RULE, 4]);
  });
});
