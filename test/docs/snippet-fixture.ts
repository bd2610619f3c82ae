/**
 * What a documentation snippet that is not a whole program may use without declaring it: the
 * names the pages' prose introduces (`stack`, `registry`, `titan`, the people's principals...).
 * test/docs/docs.test.ts compiles each such snippet in place of the marker below; a snippet with
 * imports of its own is compiled as the whole program it is.
 */
/* eslint-disable @typescript-eslint/no-unused-vars */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import {
  CustomizationPipeline,
  DeploymentPipeline,
  DeploymentTarget,
  Hyperparameter,
  ModelAccessChecks,
  ModelAccessControl,
  ModelAuditTrail,
  ModelCustomizationRole,
  ModelInferenceRole,
  ModelInvocationAlarms,
  ModelInvocationLogging,
  ModelNetworkAccess,
  ModelReadRole,
  ModelRegistry,
  ModelRuntime,
  ModelTarget,
} from 'cdk-model-access';

declare const app: App;
declare const stack: Stack;
declare const registry: ModelRegistry;
declare const pipeline: CustomizationPipeline;
declare const titan: ModelTarget;
declare const haiku: ModelTarget;
declare const vpc: ec2.IVpc;
declare const assumedBy: iam.IPrincipal;
declare const requesters: iam.IPrincipal;
declare const approvers: iam.IPrincipal;
declare const securityTeam: iam.IPrincipal;
declare const mlEngineers: iam.IPrincipal;
declare const mlLeads: iam.IPrincipal;
declare const sres: iam.IPrincipal;
declare const incidentResponder: iam.IRole;
declare const evaluationRole: iam.IRole;
declare const servingRole: iam.IRole;
declare const complianceRole: iam.IRole;
declare const executionRole: iam.IRole;
declare const handWrittenRole: iam.IRole;
declare const chatService: ec2.IConnectable;
declare const inferenceRole: ModelInferenceRole;
declare const modelArtifactsBucketName: string;
declare const trainingDataBucketName: string;
declare const metadataBucketName: string;
declare const encryptionKeyArn: string;
/** The platform team's stack of examples/platform-and-app-team. */
declare class ModelPlatformStack extends Stack {
  readonly control: ModelAccessControl;
}

/** A snippet runs where a construct's constructor would: `this` is a scope. */
export class Snippet extends Construct {
  constructor(scope: Construct) {
    super(scope, 'Snippet');
    /// snippet
  }
}

/** Every name above is there for a snippet, used or not. */
export type Available = [
  typeof Duration,
  typeof s3,
  typeof logs,
  typeof sagemaker,
  typeof Hyperparameter,
  typeof ModelAccessChecks,
  typeof ModelAuditTrail,
  typeof ModelCustomizationRole,
  typeof ModelInvocationAlarms,
  typeof ModelInvocationLogging,
  typeof ModelNetworkAccess,
  typeof ModelReadRole,
  typeof ModelRuntime,
  typeof DeploymentPipeline,
  typeof DeploymentTarget,
];
