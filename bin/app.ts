#!/usr/bin/env node
import * as fs from 'fs';
import * as path from 'path';
import { App, CfnOutput, Duration, Stack, StackProps, Token, Validations } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NIST80053R5Checks,
  PCIDSS321Checks,
  ServerlessChecks,
} from 'cdk-nag';
import { Construct } from 'constructs';
import {
  DeploymentTarget,
  Hyperparameter,
  ModelAccessChecks,
  ModelAccessControl,
  ModelAuditTrail,
  ModelTarget,
} from '../lib';

/** Callers from this account, told apart by the `job` tag their identity carries. */
function accountCallers(job: string): iam.IPrincipal {
  return new iam.AccountRootPrincipal().withConditions({ StringEquals: { 'aws:PrincipalTag/job': job } });
}

/** The reference app: what `npx cdk synth` builds, and what CI lints. */
export class ReferenceStack extends Stack {
  public readonly control: ModelAccessControl;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const titan = ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1');
    const haiku = ModelTarget.bedrockFoundationModel('anthropic.claude-3-haiku-20240307-v1:0');
    const churn = DeploymentTarget.sageMakerEndpoint('churn-predictor', {
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.LARGE),
    });

    // What the invokers send and receive is screened: every Bedrock call must apply this guardrail's
    // published version.
    const guardrail = new bedrock.CfnGuardrail(this, 'Guardrail', {
      name: 'model-access-reference',
      blockedInputMessaging: 'This request was blocked by the guardrail.',
      blockedOutputsMessaging: 'This response was blocked by the guardrail.',
      contentPolicyConfig: {
        filtersConfig: ['HATE', 'INSULTS', 'SEXUAL', 'VIOLENCE', 'MISCONDUCT'].map((type) => ({
          type,
          inputStrength: 'HIGH',
          outputStrength: 'HIGH',
        })),
      },
    });
    const published = new bedrock.CfnGuardrailVersion(this, 'GuardrailVersion', {
      guardrailIdentifier: guardrail.attrGuardrailId,
    });

    this.control = new ModelAccessControl(this, 'ModelAccess', {
      models: [titan, haiku, churn.model],
      readers: accountCallers('ml-analyst'),
      invokers: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inferenceConditions: { sourceVpcEndpoints: ['vpce-0a1b2c3d4e5f60718'] },
      guardrail: { guardrailArn: guardrail.attrGuardrailArn, version: published.attrVersion },
      // Customization only through the pipeline: engineers request, two leads approve.
      customizationRequesters: accountCallers('ml-engineer'),
      approvers: accountCallers('ml-lead'),
      baseModels: [titan],
      hyperParameters: [
        Hyperparameter.integer('epochCount', 1, 5),
        Hyperparameter.number('learningRate', 1e-6, 1e-4),
      ],
      // A model reaches the endpoint only through the deployment pipeline: engineers ask, two SREs
      // approve, and never whoever asked for the model's training.
      deployers: accountCallers('ml-engineer'),
      deploymentApprovers: accountCallers('sre'),
      deploymentTargets: [churn],
      // Its packages are registered here, and only the pipeline's approval step may set one Approved.
      deploymentModelPackageGroups: ['churn-predictor'],
      auditors: accountCallers('security-auditor'),
      registry: { accessLogsExpiration: Duration.days(400) },
      // Alerts from every region an account has without asking, where the stack's region is known.
      auditTrail: Token.isUnresolved(this.region)
        ? undefined
        : { alertRegions: ModelAuditTrail.defaultRegionsBesides(this.region) },
    });
    const pipeline = this.control.pipeline!;
    new CfnOutput(this, 'CustomizationRequestUrl', { value: pipeline.requestUrl.url });
    new CfnOutput(this, 'CustomizationApprovalUrl', { value: pipeline.approvalUrl.url });
    const deployment = this.control.deploymentPipeline!;
    new CfnOutput(this, 'DeploymentRequestUrl', { value: deployment.requestUrl.url });
    new CfnOutput(this, 'DeploymentApprovalUrl', { value: deployment.approvalUrl.url });
    new CfnOutput(this, 'AlertTopic', { value: this.control.auditTrail.alertTopic.topicArn });
    // Prompts and responses (Bedrock's logs, the endpoint's data capture), and the alarms on volume.
    new CfnOutput(this, 'InvocationLogsBucket', { value: this.control.invocationLogging!.bucket.bucketName });
    new CfnOutput(this, 'InvocationAlarmTopic', { value: this.control.invocationAlarms!.topic.topicArn });
  }
}

/**
 * Registers every check the reference app and the examples must pass: cdk-nag's AwsSolutions,
 * NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1 and Serverless packs, and ModelAccessChecks
 * unless the app registers it itself.
 */
export function registerChecks(app: App, options: { modelAccess?: boolean } = {}): void {
  if (options.modelAccess ?? true) Validations.of(app).addPlugins(new ModelAccessChecks(app));
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new PCIDSS321Checks(app),
    new ServerlessChecks(app),
  );
}

/** Every finding no acknowledgement covers, of every plugin (warnings too), in a cloud assembly. */
export function unacknowledgedFindings(assemblyDir: string): string[] {
  const reportFile = path.join(assemblyDir, 'validation-report.json');
  if (!fs.existsSync(reportFile)) return [];
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as {
    pluginReports: {
      pluginName: string;
      violations: {
        ruleName: string;
        description: string;
        violatingConstructs?: { constructPath: string }[];
      }[];
    }[];
  };
  return report.pluginReports.flatMap((r) =>
    r.violations.map(
      (v) =>
        `${r.pluginName} ${v.ruleName} at ${(v.violatingConstructs ?? []).map((c) => c.constructPath).join(', ')}: ${v.description}`,
    ),
  );
}

if (require.main === module) {
  const app = new App();
  registerChecks(app);
  // A fixed region, so synth is the same everywhere; its trail alerts on calls in every other region.
  new ReferenceStack(app, 'ModelAccessReference', { env: { region: 'us-east-1' } });
  const assembly = app.synth();
  // Plugins fail synth only on errors; an unacknowledged warning fails this app too.
  const findings = unacknowledgedFindings(assembly.directory);
  if (findings.length > 0) {
    console.error(`${findings.length} unacknowledged finding(s):\n${findings.join('\n')}`);
    process.exitCode = 1;
  }
}
