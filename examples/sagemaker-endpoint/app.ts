import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  DeploymentApproverRole,
  DeploymentPipeline,
  DeploymentRequesterRole,
  DeploymentTarget,
  GovernanceDashboard,
  ModelAccessChecks,
  ModelAccessControl,
} from 'cdk-model-access';

/** People of this account, told apart by the `job` tag their identity carries. */
const people = (job: string) =>
  new iam.AccountRootPrincipal().withConditions({ StringEquals: { 'aws:PrincipalTag/job': job } });

/**
 * Serving SageMaker endpoints: a service calls two production endpoints, and nothing else. A model
 * reaches them only through deployment pipelines: ML engineers deploy to staging with one ML
 * lead's approval; production needs two SREs, never the engineer who asked nor whoever asked for
 * the model's training, and only models the platform's customization pipeline produced. The audit
 * trail records every invocation of the production endpoints and alerts on any deployment or
 * customization outside the pipelines.
 */
export function buildApp(app = new App()): App {
  Validations.of(app).addPlugins(new ModelAccessChecks(app));
  const stack = new Stack(app, 'SageMakerEndpointExample');
  const instanceType = ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.LARGE);
  const fraud = DeploymentTarget.sageMakerEndpoint('fraud-detector', {
    instanceType,
    initialInstanceCount: 2,
  });
  const churn = DeploymentTarget.sageMakerEndpoint('churn-predictor', { instanceType });

  // Production: the platform with its deployment pipeline, deployers and approvers.
  const control = new ModelAccessControl(stack, 'ModelAccess', {
    models: [fraud.model, churn.model],
    invokers: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    inferenceConditions: { sourceVpcEndpoints: ['vpce-0f1e2d3c4b5a69788'] },
    deployers: people('ml-engineer'),
    deploymentApprovers: people('sre'),
    deploymentTargets: [fraud, churn],
    // The endpoints' requests and responses are captured into the platform's invocation logs,
    // which the security auditors alone read.
    auditors: people('security-auditor'),
  });

  // Staging: its own pipeline, endpoints, and approvers; one approval suffices there.
  const staging = new DeploymentPipeline(stack, 'Staging', {
    registry: control.registry,
    environment: 'staging',
    targets: [
      DeploymentTarget.sageMakerEndpoint('fraud-detector-staging', { instanceType }),
      DeploymentTarget.sageMakerEndpoint('churn-predictor-staging', { instanceType }),
    ],
    requiredApprovals: 1,
    allowSingleApprover: true,
    // A tenth of staging traffic, into the same store.
    dataCapture: control.invocationLogging,
    dataCapturePercentage: 10,
  });
  const stagingRoles = [
    new DeploymentRequesterRole(stack, 'StagingDeployers', {
      assumedBy: people('ml-engineer'),
      pipeline: staging,
      conditions: { requireMfa: true },
    }),
    new DeploymentApproverRole(stack, 'StagingApprovers', {
      assumedBy: people('ml-lead'),
      pipeline: staging,
      conditions: { requireMfa: true },
    }),
  ];
  control.auditTrail.watchPipeline(staging);
  for (const role of stagingRoles) control.auditTrail.watchRole(role);
  new GovernanceDashboard(stack, 'Deployments', { pipelines: [staging, control.deploymentPipeline!] });

  // The team that publishes the endpoints uploads their model cards.
  const publishers = new iam.Role(stack, 'ModelPublishers', { assumedBy: people('ml-platform') });
  control.registry.grantWriteMetadata(publishers);
  control.auditTrail.watchRole(publishers);
  // A hand-written role keeps its grants in an inline policy: say why, where the finding is raised.
  for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
    Validations.of(publishers).acknowledge({
      id: `${pack}::${pack}-IAMNoInlinePolicy`,
      reason:
        'The publishers role holds one grant, writing model cards to the registry metadata bucket; inline, it can be attached to no one else.',
    });
  }
  return app;
}

if (require.main === module) buildApp().synth();
