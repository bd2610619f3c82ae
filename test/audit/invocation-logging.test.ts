import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import {
  BedrockClient,
  DeleteModelInvocationLoggingConfigurationCommand,
  PutModelInvocationLoggingConfigurationCommand,
} from '@aws-sdk/client-bedrock';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { registerChecks, unacknowledgedFindings } from '../../bin/app';
import { handler } from '../../lib/audit/handlers/invocation-logging';
import {
  AccessAnalysis,
  Capability,
  ModelAuditTrail,
  ModelInvocationLogging,
  ModelInvocationLoggingProps,
} from '../../lib';
import { check } from '../nag/include';
import { identityPoliciesOf, simulate } from '../support/simulate';
import { ACCOUNT, REGION, ResolvedTemplate } from '../support/template';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function build(app: App, props: ModelInvocationLoggingProps = {}) {
  const stack = new Stack(app, 'Logging');
  const logging = new ModelInvocationLogging(stack, 'InvocationLogging', {
    retention: Duration.days(7 * 365),
    ...props,
  });
  const person = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
  const compliance = person('Compliance');
  logging.grantReadLogs(compliance);
  const admin = person('Admin');
  admin.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess'));
  return { stack, logging, compliance, admin };
}

const f = build(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
const json = Template.fromStack(f.stack).toJSON();
const t = new ResolvedTemplate(json);
const id = (c: { node: { defaultChild?: unknown } }) => f.stack.getLogicalId(c.node.defaultChild as never);
const bucketId = id(f.logging.bucket);
const bucketName = t.resolve({ Ref: bucketId });
/** The policy of the bucket of logs (not of its access logs). */
const policyOf = (template: Json, bucket: string) =>
  Object.values<Json>(template.Resources).find(
    (r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === bucket,
  ).Properties.PolicyDocument;
const policy = t.resolve(policyOf(json, bucketId));
const LOG = `arn:aws:s3:::${bucketName}/bedrock/AWSLogs/${ACCOUNT}/BedrockModelInvocationLogs/${REGION}/2026/12/02/log.json.gz`;
const ADMINISTRATOR_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

describe('ModelInvocationLogging store', () => {
  test('a KMS-encrypted, versioned, object-locked bucket tagged inference-logs, kept seven years', () => {
    const bucket = json.Resources[bucketId].Properties;
    expect(bucket.ObjectLockEnabled).toBe(true);
    expect(bucket.ObjectLockConfiguration.Rule.DefaultRetention).toEqual({ Mode: 'GOVERNANCE', Days: 2555 });
    expect(bucket.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(2556);
    expect(bucket.VersioningConfiguration.Status).toBe('Enabled');
    expect(
      bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm,
    ).toBe('aws:kms');
    expect(bucket.Tags).toEqual(
      expect.arrayContaining([{ Key: 'model-access:data-class', Value: 'inference-logs' }]),
    );
  });

  const bedrockPuts = (sourceAccount: string) =>
    simulate({
      principal: 'bedrock.amazonaws.com',
      action: 's3:PutObject',
      // Our own log path either way: another account's Bedrock may not write into it for its caller.
      resource: LOG,
      resourcePolicy: policy,
      context: {
        'aws:PrincipalArn': 'bedrock.amazonaws.com',
        'aws:PrincipalServiceName': 'bedrock.amazonaws.com',
        'aws:SourceAccount': sourceAccount,
        'aws:SourceArn': `arn:aws:bedrock:${REGION}:${sourceAccount}:*`,
      },
    });

  test('Bedrock delivers the logs for this account only', async () => {
    expect(await bedrockPuts(ACCOUNT)).toBe('Allowed');
    expect(await bedrockPuts('222222222222')).not.toBe('Allowed');
  });

  test("the key encrypts Bedrock's deliveries for this account only", async () => {
    const keyId = id(f.logging.encryptionKey as never);
    const encrypts = (sourceAccount: string) =>
      simulate({
        principal: 'bedrock.amazonaws.com',
        action: 'kms:GenerateDataKey',
        resource: t.arn(keyId),
        resourcePolicy: t.props(keyId).KeyPolicy,
        context: {
          'aws:PrincipalArn': 'bedrock.amazonaws.com',
          'aws:PrincipalServiceName': 'bedrock.amazonaws.com',
          'aws:SourceAccount': sourceAccount,
          'aws:SourceArn': `arn:aws:bedrock:${REGION}:${sourceAccount}:*`,
        },
      });
    expect(await encrypts(ACCOUNT)).toBe('Allowed');
    expect(await encrypts('222222222222')).not.toBe('Allowed');
  });

  const reads = (who: { node: { defaultChild?: unknown } }, admin = false) =>
    simulate({
      principal: t.arn(id(who)),
      action: 's3:GetObject',
      resource: LOG,
      resourcePolicy: policy,
      identityPolicies: admin ? [ADMINISTRATOR_ACCESS] : identityPoliciesOf(t, id(who)),
    });

  test('the granted reader reads the logs; an administrator of the account does not', async () => {
    expect(await reads(f.compliance)).toBe('Allowed');
    expect(await reads(f.admin, true)).toBe('ExplicitlyDenied');
  });

  test('with no reader granted, nobody reads', async () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Unread');
    const logging = new ModelInvocationLogging(stack, 'Logs');
    const template = Template.fromStack(stack).toJSON();
    const deny = policyOf(
      template,
      stack.getLogicalId(logging.bucket.node.defaultChild as never),
    ).Statement.find((s: Json) => s.Sid === 'DenyReadsToPrincipalsNotGranted');
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' } });
    expect(deny.Condition).toBeUndefined();
  });

  test('the custom resource asks for text (and only what was asked) into the bucket', () => {
    const cr = Object.values<Json>(json.Resources).find((r) => r.Type === 'Custom::ModelInvocationLogging');
    expect(t.resolve(cr.Properties)).toMatchObject({
      BucketName: bucketName,
      KeyPrefix: 'bedrock',
      Text: 'true',
      Image: 'false',
      Embedding: 'false',
      Video: 'false',
    });
    expect(cr.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/Policy/)]));
  });

  test('passes all six packs with no finding to acknowledge', () => {
    const app = new App({
      outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'logging-')),
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    registerChecks(app);
    const stack = new Stack(app, 'Logging');
    new ModelInvocationLogging(stack, 'InvocationLogging');
    expect(unacknowledgedFindings(app.synth().directory)).toEqual([]);
  });

  test('reading the logs is a capability of its own: a caller granted it is a merged identity, an auditor is not', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Merged');
    const logging = new ModelInvocationLogging(stack, 'InvocationLogging');
    const caller = new iam.Role(stack, 'ChatBackend', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    caller.addToPolicy(new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: ['*'] }));
    logging.grantReadLogs(caller);
    const trail = new ModelAuditTrail(stack, 'Audit', { auditors: new iam.AccountRootPrincipal() });
    logging.grantReadLogs(trail.auditorRole!);
    const template = Template.fromStack(stack).toJSON();
    const analysis = AccessAnalysis.fromTemplate(template);
    const callerId = stack.getLogicalId(caller.node.defaultChild as never);
    const auditorId = stack.getLogicalId(trail.auditorRole!.node.defaultChild as never);
    expect(analysis.principal(callerId)!.capabilities).toEqual([
      Capability.INFERENCE,
      Capability.INFERENCE_LOG_ACCESS,
    ]);
    expect(analysis.principal(auditorId)!.capabilities).toEqual([Capability.INFERENCE_LOG_ACCESS]);
    const violations = check(template).violations;
    const on = (logicalId: string) =>
      violations
        .filter((v) => v.violatingResources.some((r) => r.resourceLogicalId === logicalId))
        .map((v) => `${v.ruleName} ${v.severity}`);
    expect(on(callerId)).toContain(
      'ModelAccess-InferenceLogAccessMerge[inference+inference-log-access] fatal',
    );
    expect(on(auditorId)).toEqual([]);
    // Who reads the inference logs, as the report's data-class table lists them.
    expect(
      analysis.registryAccess.filter((a) => a.dataClass === 'inference-logs').map((a) => a.principal),
    ).toEqual([callerId, auditorId]);
  });

  describe('with cloudWatchLogsRetention, also into a log group', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const g = build(app, { cloudWatchLogsRetention: logs.RetentionDays.TWO_YEARS });
    const gj = Template.fromStack(g.stack).toJSON();
    const gt = new ResolvedTemplate(gj);
    const gid = (c: { node: { defaultChild?: unknown } }) =>
      g.stack.getLogicalId(c.node.defaultChild as never);
    const logGroupId = gid(g.logging.logGroup!);
    const deliveryId = gt.ofType('AWS::IAM::Role').find((r) => /DeliveryRole/.test(r))!;
    const groupArn = gt.arn(logGroupId);

    test("encrypted with the store's key, tagged inference-logs, kept its own retention, retained", () => {
      expect(gj.Resources[logGroupId]).toMatchObject({
        DeletionPolicy: 'Retain',
        Properties: {
          RetentionInDays: 731,
          KmsKeyId: { 'Fn::GetAtt': [gid(g.logging.encryptionKey as never), 'Arn'] },
          Tags: [{ Key: 'model-access:data-class', Value: 'inference-logs' }],
        },
      });
      const cr = Object.values<Json>(gj.Resources).find((r) => r.Type === 'Custom::ModelInvocationLogging');
      expect(gt.resolve(cr.Properties)).toMatchObject({
        LogGroupName: gt.resolve({ Ref: logGroupId }),
        LogsRoleArn: gt.arn(deliveryId),
      });
    });

    test('Bedrock delivers as a role only Bedrock of this account may assume, which only the custom resource may pass, to Bedrock', async () => {
      const trust = gt.props(deliveryId).AssumeRolePolicyDocument;
      const assume = (account: string) =>
        simulate({
          principal: 'bedrock.amazonaws.com',
          action: 'sts:AssumeRole',
          resource: gt.arn(deliveryId),
          resourcePolicy: trust,
          context: {
            'aws:PrincipalServiceName': 'bedrock.amazonaws.com',
            'aws:SourceAccount': account,
            'aws:SourceArn': `arn:aws:bedrock:${REGION}:${account}:*`,
          },
        });
      expect(await assume(ACCOUNT)).toBe('Allowed');
      expect(await assume('222222222222')).not.toBe('Allowed');
      const fnRole = gid(g.logging.configurationRole);
      const pass = (service: string) =>
        simulate({
          principal: gt.arn(fnRole),
          action: 'iam:PassRole',
          resource: gt.arn(deliveryId),
          identityPolicies: identityPoliciesOf(gt, fnRole),
          context: { 'iam:PassedToService': service },
        });
      expect(await pass('bedrock.amazonaws.com')).toBe('Allowed');
      expect(await pass('lambda.amazonaws.com')).not.toBe('Allowed');
      // The delivery role writes to the log group and nothing else.
      const write = (resource: string) =>
        simulate({
          principal: gt.arn(deliveryId),
          action: 'logs:PutLogEvents',
          resource,
          identityPolicies: identityPoliciesOf(gt, deliveryId),
        });
      expect(await write(`${groupArn.replace(/:\*$/, '')}:log-stream:aws/bedrock/modelinvocations`)).toBe(
        'Allowed',
      );
      expect(
        await write(
          `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:other:log-stream:aws/bedrock/modelinvocations`,
        ),
      ).not.toBe('Allowed');
    });

    test('the granted reader reads the log group too, and the report lists who reads', () => {
      const analysis = AccessAnalysis.fromTemplate(gj);
      const compliance = analysis.principal(gid(g.compliance))!;
      expect(compliance.grants.map((x) => x.catalogAction)).toEqual(
        expect.arrayContaining(['logs:FilterLogEvents', 'logs:StartQuery', 's3:GetObject']),
      );
      // By identity policies: the administrator too (the bucket's deny is not the analysis's to weigh).
      expect(
        analysis.registryAccess
          .filter((a) => a.dataClass === 'inference-logs' && a.access === 'read')
          .map((a) => a.principal),
      ).toEqual([gid(g.compliance), gid(g.admin)]);
    });

    test('logs:* beside inference reads the prompts where the app delivers them to a log group, and is nothing elsewhere', () => {
      const withWorker = (props: ModelInvocationLoggingProps) => {
        const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Worker');
        new ModelInvocationLogging(stack, 'InvocationLogging', props);
        const worker = new iam.Role(stack, 'Worker', {
          assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        });
        worker.addToPolicy(
          new iam.PolicyStatement({ actions: ['bedrock:InvokeModel', 'logs:*'], resources: ['*'] }),
        );
        const analysis = AccessAnalysis.fromTemplate(Template.fromStack(stack).toJSON());
        return analysis.principal(stack.getLogicalId(worker.node.defaultChild as never))!.capabilities;
      };
      expect(withWorker({})).toEqual([Capability.INFERENCE]);
      expect(withWorker({ cloudWatchLogsRetention: logs.RetentionDays.ONE_YEAR })).toEqual([
        Capability.INFERENCE,
        Capability.INFERENCE_LOG_ACCESS,
      ]);
    });

    test('passes all six packs with no finding to acknowledge', () => {
      const packed = new App({
        outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'logging-cwl-')),
        context: { 'aws:cdk:bundling-stacks': [] },
      });
      registerChecks(packed);
      const stack = new Stack(packed, 'Logging');
      const store = new ModelInvocationLogging(stack, 'InvocationLogging', {
        cloudWatchLogsRetention: logs.RetentionDays.ONE_YEAR,
      });
      store.grantReadLogs(
        new ModelAuditTrail(stack, 'Audit', { auditors: new iam.AccountRootPrincipal() }).auditorRole!,
      );
      expect(unacknowledgedFindings(packed.synth().directory)).toEqual([]);
    });
  });

  test('a SageMaker endpoint configured by hand captures into the store, as its execution role', async () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Endpoint');
    const logging = new ModelInvocationLogging(stack, 'InvocationLogging');
    const execution = new iam.Role(stack, 'Execution', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    });
    new sagemaker.CfnEndpointConfig(stack, 'Config', {
      productionVariants: [
        { variantName: 'AllTraffic', modelName: 'm', initialInstanceCount: 1, instanceType: 'ml.m5.large' },
      ],
      dataCaptureConfig: logging.sageMakerDataCaptureConfig(execution, 25),
    });
    const et = new ResolvedTemplate(Template.fromStack(stack).toJSON());
    const config = et.props(et.ofType('AWS::SageMaker::EndpointConfig')[0]).DataCaptureConfig;
    const bucketName = et.resolve({ Ref: stack.getLogicalId(logging.bucket.node.defaultChild as never) });
    expect(config).toEqual({
      EnableCapture: true,
      InitialSamplingPercentage: 25,
      DestinationS3Uri: `s3://${bucketName}/sagemaker/`,
      KmsKeyId: expect.stringMatching(/^arn:aws:kms:/),
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
    });
    const role = stack.getLogicalId(execution.node.defaultChild as never);
    const put = await simulate({
      principal: et.arn(role),
      action: 's3:PutObject',
      resource: `arn:aws:s3:::${bucketName}/sagemaker/e/AllTraffic/2026/12/02/10/c.jsonl`,
      identityPolicies: identityPoliciesOf(et, role),
    });
    expect(put).toBe('Allowed');
    expect(() => logging.sageMakerDataCaptureConfig(execution, 101)).toThrow(
      'samplingPercentage must be a whole number from 1 to 100, got 101',
    );
  });

  test('a retention that is not whole days is refused', () => {
    expect(() => build(new App(), { retention: Duration.hours(36) })).toThrow(
      'ModelInvocationLogging: retention must be a whole number of days',
    );
  });
});

describe('the custom resource handler', () => {
  const bedrock = mockClient(BedrockClient);
  let server: http.Server;
  let answers: Json[] = [];
  let url = '';
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        answers.push({ method: req.method, body: JSON.parse(body) });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/response`;
  });
  afterAll(() => server.close());
  beforeEach(() => {
    bedrock.reset();
    answers = [];
  });
  const event = (RequestType: string, props: Json = {}) =>
    ({
      RequestType,
      ResponseURL: url,
      StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/Logging/1',
      RequestId: 'r1',
      LogicalResourceId: 'InvocationLogging',
      ResourceType: 'Custom::ModelInvocationLogging',
      ServiceToken: 'arn:fn',
      PhysicalResourceId: 'model-invocation-logging',
      ResourceProperties: {
        ServiceToken: 'arn:fn',
        BucketName: 'logs',
        KeyPrefix: 'bedrock',
        Text: 'true',
        Image: 'false',
        Embedding: 'true',
        Video: 'false',
        LogGroupName: '',
        LogsRoleArn: '',
        ...props,
      },
      OldResourceProperties: {},
    }) as unknown as CloudFormationCustomResourceEvent;

  test.each(['Create', 'Update'])('%s turns logging on into the bucket and reports success', async (type) => {
    await handler(event(type));
    expect(bedrock.commandCalls(PutModelInvocationLoggingConfigurationCommand)[0].args[0].input).toEqual({
      loggingConfig: {
        s3Config: { bucketName: 'logs', keyPrefix: 'bedrock' },
        textDataDeliveryEnabled: true,
        imageDataDeliveryEnabled: false,
        embeddingDataDeliveryEnabled: true,
        videoDataDeliveryEnabled: false,
      },
    });
    expect(answers).toEqual([
      {
        method: 'PUT',
        body: expect.objectContaining({
          Status: 'SUCCESS',
          PhysicalResourceId: 'model-invocation-logging',
          RequestId: 'r1',
          LogicalResourceId: 'InvocationLogging',
        }),
      },
    ]);
  });

  test('with a log group, delivers there too, bodies over 100 KB to the bucket', async () => {
    await handler(
      event('Create', {
        LogGroupName: 'invocations',
        LogsRoleArn: 'arn:aws:iam::111111111111:role/delivery',
      }),
    );
    expect(
      bedrock.commandCalls(PutModelInvocationLoggingConfigurationCommand)[0].args[0].input.loggingConfig
        ?.cloudWatchConfig,
    ).toEqual({
      logGroupName: 'invocations',
      roleArn: 'arn:aws:iam::111111111111:role/delivery',
      largeDataDeliveryS3Config: { bucketName: 'logs', keyPrefix: 'bedrock' },
    });
  });

  test('Delete turns logging off', async () => {
    await handler(event('Delete'));
    expect(bedrock.commandCalls(DeleteModelInvocationLoggingConfigurationCommand)).toHaveLength(1);
    expect(bedrock.commandCalls(PutModelInvocationLoggingConfigurationCommand)).toHaveLength(0);
    expect(answers[0].body.Status).toBe('SUCCESS');
  });

  test("a failure is reported to CloudFormation with Bedrock's reason, not left to time out", async () => {
    bedrock
      .on(PutModelInvocationLoggingConfigurationCommand)
      .rejects(
        Object.assign(new Error('Bedrock cannot write to the bucket'), { name: 'ValidationException' }),
      );
    await handler(event('Create'));
    expect(answers[0].body).toMatchObject({
      Status: 'FAILED',
      Reason: 'ValidationException: Bedrock cannot write to the bucket',
    });
  });
});
