import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, Stage } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { registerChecks, unacknowledgedFindings } from '../bin/app';
import {
  DeploymentApproverRole,
  DeploymentPipeline,
  DeploymentRequesterRole,
  DeploymentTarget,
  ModelAuditTrail,
  ModelInvocationAlarms,
  ModelInvocationLogging,
  ModelRegistry,
  ModelTarget,
} from '../lib';

// What this round added, as a team deploys it: in a Stage, in eu-west-1, the platform (registry,
// deployment pipeline, trail, invocation logging, alarms) in one stack and the people's roles in
// another, checked by all six packs.
test('the deployment pipeline, invocation logging and alarms in a Stage outside us-east-1, people in another stack, pass every pack', () => {
  const app = new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'stage-')),
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  registerChecks(app);
  const stage = new Stage(app, 'Prod', { env: { account: '111122223333', region: 'eu-west-1' } });
  const platform = new Stack(stage, 'Platform');
  const registry = new ModelRegistry(platform, 'Registry', {
    metadataObjectLockRetention: s3.ObjectLockRetention.governance(Duration.days(365)),
  });
  const pipeline = new DeploymentPipeline(platform, 'Deployment', {
    registry,
    targets: [
      DeploymentTarget.sageMakerEndpoint('churn', {
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.LARGE),
      }),
    ],
  });
  const people = (job: string) =>
    new iam.AccountRootPrincipal().withConditions({ StringEquals: { 'aws:PrincipalTag/job': job } });
  const team = new Stack(stage, 'Team');
  const mfa = { requireMfa: true };
  const deployers = new DeploymentRequesterRole(team, 'Deployers', {
    assumedBy: people('ml-engineer'),
    pipeline,
    conditions: mfa,
    roleName: 'churn-deployers',
  });
  new DeploymentApproverRole(team, 'Sres', {
    assumedBy: people('sre'),
    pipeline,
    conditions: mfa,
    roleName: 'churn-sres',
  });
  const logging = new ModelInvocationLogging(platform, 'InvocationLogging');
  new ModelInvocationAlarms(platform, 'InvocationAlarms', {
    models: [ModelTarget.bedrockInferenceProfile('eu.anthropic.claude-3-haiku-20240307-v1:0')],
    maxInputTokensPerHour: 1_000_000,
    maxOutputTokensPerHour: 250_000,
  });
  new ModelAuditTrail(platform, 'Audit', {
    registries: [registry],
    pipelines: [pipeline],
    invocationLogging: [logging],
    roles: [deployers],
  });
  const assembly = app.synth();
  // The validation report is the app's, at the root of the cloud assembly.
  expect(fs.existsSync(path.join(assembly.directory, 'validation-report.json'))).toBe(true);
  expect(unacknowledgedFindings(assembly.directory)).toEqual([]);
  const stack = assembly.getNestedAssembly('assembly-Prod').getStackByName('Prod-Platform');
  const template = stack.template;
  // Nothing of the platform names another region: its ARNs take the stack's.
  expect(JSON.stringify(template)).not.toContain('us-east-1');
  expect(JSON.stringify(template)).toMatch(
    /":sagemaker:",\{"Ref":"AWS::Region"\},":",\{"Ref":"AWS::AccountId"\},":endpoint\/churn"/,
  );
});

test("a pipeline made in another stack than its registry's is refused, saying where to make it", () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const registry = new ModelRegistry(new Stack(app, 'Platform'), 'Registry', {
    metadataObjectLockRetention: s3.ObjectLockRetention.governance(Duration.days(365)),
  });
  const target = DeploymentTarget.sageMakerEndpoint('churn', {
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.LARGE),
  });
  expect(
    () => new DeploymentPipeline(new Stack(app, 'Serving'), 'Deployment', { registry, targets: [target] }),
  ).toThrow(
    "DeploymentPipeline: the registry Platform/Registry is in the stack Platform, not Serving; its policies name the pipeline's own roles, so make the pipeline in the registry's stack",
  );
});
