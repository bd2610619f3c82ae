import { App, CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  GovernanceDashboard,
  Hyperparameter,
  ModelAccessChecks,
  ModelAccessControl,
  ModelTarget,
} from 'cdk-model-access';

/**
 * The whole platform for Bedrock: analysts read, a chat service invokes, ML engineers request
 * fine-tuning, two leads (never the requester) approve, the pipeline alone runs the job and
 * records its provenance, and the audit trail watches all of it.
 */
export function buildApp(app = new App()): App {
  Validations.of(app).addPlugins(new ModelAccessChecks(app));
  const stack = new Stack(app, 'BedrockFineTuningExample');

  // People in this account, told apart by their `job` tag. Approvals compare people by session
  // name, so each person's session must carry their own user name.
  const people = (job: string) =>
    new iam.AccountRootPrincipal().withConditions({
      StringEquals: { 'aws:PrincipalTag/job': job, 'sts:RoleSessionName': '${aws:username}' },
    });
  const titan = ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1');
  const llama = ModelTarget.bedrockFoundationModel('meta.llama3-1-8b-instruct-v1:0');

  // The chat service's prompts and answers are screened: every invocation must apply this
  // guardrail's published version.
  const guardrail = new bedrock.CfnGuardrail(stack, 'ChatGuardrail', {
    name: 'chat-service',
    blockedInputMessaging: 'Sorry, I cannot help with that.',
    blockedOutputsMessaging: 'Sorry, I cannot answer that.',
    contentPolicyConfig: {
      filtersConfig: [{ type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'NONE' }],
    },
    sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'EMAIL', action: 'ANONYMIZE' }] },
  });
  const published = new bedrock.CfnGuardrailVersion(stack, 'ChatGuardrailVersion', {
    guardrailIdentifier: guardrail.attrGuardrailId,
  });

  const control = new ModelAccessControl(stack, 'ModelAccess', {
    models: [titan, llama],
    readers: people('analyst'),
    invokers: new iam.ServicePrincipal('lambda.amazonaws.com'),
    inferenceConditions: { sourceVpcEndpoints: ['vpce-0a1b2c3d4e5f60718'] },
    guardrail: { guardrailArn: guardrail.attrGuardrailArn, version: published.attrVersion },
    customizationRequesters: people('ml-engineer'),
    approvers: people('ml-lead'),
    baseModels: [titan, llama],
    hyperParameters: [
      Hyperparameter.integer('epochCount', 1, 5),
      Hyperparameter.integer('batchSize', 1, 64),
      Hyperparameter.number('learningRate', 0.000001, 0.0001),
    ],
    approvalTimeout: Duration.days(2),
    // People's roles need MFA (the default), and expire when the pilot ends.
    conditions: { requireMfa: true, notAfter: new Date('2027-12-31T23:59:59Z') },
    auditors: people('security-auditor'),
  });

  new CfnOutput(stack, 'RequestUrl', { value: control.pipeline!.requestUrl.url });
  new CfnOutput(stack, 'ApprovalUrl', { value: control.pipeline!.approvalUrl.url });
  new CfnOutput(stack, 'AlertTopic', { value: control.auditTrail.alertTopic.topicArn });
  // Requests, decisions, outcomes and the share approved, for the people who govern the models.
  new GovernanceDashboard(stack, 'Governance', { pipelines: [control.pipeline!] });
  return app;
}

if (require.main === module) buildApp().synth();
