import { App, CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  CustomizationPipeline,
  Hyperparameter,
  ModelAccessChecks,
  ModelReadRole,
  ModelRegistry,
  ModelTarget,
} from 'cdk-model-access';

/**
 * Fine-tuning on Bedrock through the approval pipeline: ML engineers request, two leads (never
 * the requester) approve, and the pipeline alone runs the job and records its provenance.
 */
export function buildApp(app = new App()): App {
  Validations.of(app).addPlugins(new ModelAccessChecks(app));
  const stack = new Stack(app, 'BedrockFineTuningExample');

  const registry = new ModelRegistry(stack, 'Registry', {
    // Provenance manifests go to the metadata bucket; object lock keeps them as written.
    metadataObjectLockRetention: s3.ObjectLockRetention.governance(Duration.days(365)),
  });
  const titan = ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1');

  const pipeline = new CustomizationPipeline(stack, 'FineTuning', {
    registry,
    baseModels: [titan, ModelTarget.bedrockFoundationModel('meta.llama3-1-8b-instruct-v1:0')],
    hyperParameters: [
      Hyperparameter.integer('epochCount', 1, 5),
      Hyperparameter.integer('batchSize', 1, 64),
      Hyperparameter.number('learningRate', 0.000001, 0.0001),
    ],
    approvalTimeout: Duration.days(2),
  });

  // Approvals compare people by session name: each person's session must carry their own name.
  const people = (job: string) =>
    new iam.AccountRootPrincipal().withConditions({
      StringEquals: { 'aws:PrincipalTag/job': job, 'sts:RoleSessionName': '${aws:username}' },
      Bool: { 'aws:MultiFactorAuthPresent': 'true' },
    });
  const requesters = new iam.Role(stack, 'Requesters', {
    assumedBy: people('ml-engineer'),
    maxSessionDuration: Duration.hours(1),
  });
  const approvers = new iam.Role(stack, 'Approvers', {
    assumedBy: people('ml-lead'),
    maxSessionDuration: Duration.hours(1),
  });
  pipeline.grantRequest(requesters);
  pipeline.grantApprove(approvers);
  pipeline.grantReadStatus(requesters);
  pipeline.grantReadStatus(approvers);
  // Uploading datasets is not customizing: engineers write training data, the job reads it.
  registry.grantWriteTrainingData(requesters);

  // Analysts see models and the provenance manifests.
  new ModelReadRole(stack, 'Analysts', { assumedBy: people('analyst'), targets: [titan], registry });

  new CfnOutput(stack, 'RequestUrl', { value: pipeline.requestUrl.url });
  new CfnOutput(stack, 'ApprovalUrl', { value: pipeline.approvalUrl.url });
  return app;
}

if (require.main === module) buildApp().synth();
