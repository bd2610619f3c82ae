#!/usr/bin/env node
import * as fs from 'fs';
import * as path from 'path';
import { App, CfnOutput, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  CustomizationPipeline,
  Hyperparameter,
  ModelAccessChecks,
  ModelInferenceRole,
  ModelReadRole,
  ModelRegistry,
  ModelTarget,
} from '../lib';

/** Callers from this account, told apart by the `job` tag their identity carries. */
function accountCallers(job: string): iam.IPrincipal {
  return new iam.AccountRootPrincipal().withConditions({ StringEquals: { 'aws:PrincipalTag/job': job } });
}

/** The reference app: what `npx cdk synth` builds, and what CI lints. */
export class ReferenceStack extends Stack {
  public readonly registry: ModelRegistry;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.registry = new ModelRegistry(this, 'Registry', {
      metadataObjectLockRetention: s3.ObjectLockRetention.governance(Duration.days(365)),
      accessLogsExpiration: Duration.days(400),
    });

    const titan = ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1');
    const haiku = ModelTarget.bedrockFoundationModel('anthropic.claude-3-haiku-20240307-v1:0');

    new ModelReadRole(this, 'ModelReader', {
      assumedBy: accountCallers('ml-analyst'),
      targets: [titan, haiku],
      registry: this.registry,
      conditions: { requireMfa: true },
    });
    new ModelInferenceRole(this, 'ModelInvoker', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      targets: [haiku, ModelTarget.sagemakerEndpoint('churn-predictor')],
      conditions: { sourceVpcEndpoints: ['vpce-0a1b2c3d4e5f60718'] },
    });
    // Customization only through the pipeline: engineers request, two leads approve.
    const pipeline = new CustomizationPipeline(this, 'FineTuning', {
      registry: this.registry,
      baseModels: [titan],
      hyperParameters: [
        Hyperparameter.integer('epochCount', 1, 5),
        Hyperparameter.number('learningRate', 1e-6, 1e-4),
      ],
    });
    const requesters = new iam.Role(this, 'CustomizationRequesters', {
      assumedBy: accountCallers('ml-engineer'),
    });
    const approvers = new iam.Role(this, 'CustomizationApprovers', { assumedBy: accountCallers('ml-lead') });
    pipeline.grantRequest(requesters);
    pipeline.grantReadStatus(requesters);
    pipeline.grantApprove(approvers);
    this.registry.grantWriteTrainingData(requesters);
    new CfnOutput(this, 'CustomizationRequestUrl', { value: pipeline.requestUrl.url });
    new CfnOutput(this, 'CustomizationApprovalUrl', { value: pipeline.approvalUrl.url });
  }
}

/** The findings of aws-cdk-lib's built-in CloudFormation validator in a cloud assembly. */
export function validationFindings(assemblyDir: string): string[] {
  const reportFile = path.join(assemblyDir, 'validation-report.json');
  if (!fs.existsSync(reportFile)) return [];
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as {
    pluginReports: { pluginName: string; violations: { ruleName: string; description: string }[] }[];
  };
  return report.pluginReports
    .filter((r) => r.pluginName === 'CloudFormation Validate')
    .flatMap((r) => r.violations.map((v) => `${r.pluginName} ${v.ruleName}: ${v.description}`));
}

if (require.main === module) {
  const app = new App();
  // The pack fails synth on any merged identity; its advisory findings are printed, not fatal.
  Validations.of(app).addPlugins(new ModelAccessChecks(app));
  new ReferenceStack(app, 'ModelAccessReference');
  const assembly = app.synth();
  // The built-in validator makes only its errors fatal; its warnings fail this app too.
  const findings = validationFindings(assembly.directory);
  if (findings.length > 0) {
    console.error(`${findings.length} validation finding(s):\n${findings.join('\n')}`);
    process.exitCode = 1;
  }
}
