import { AccessAnalysis, Capability } from '../../lib';
import { ACCOUNT } from '../support/template';
import { allow, doc, role } from './designs';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * pathfinding.cloud's catalogue of privilege-escalation paths (DataDog/pathfinding.cloud,
 * `data/paths/`, Apache-2.0), translated by hand into templates: for each path of Lambda, EC2,
 * SageMaker, CodeBuild, Glue, ECS, CloudFormation, SSM, App Runner, Data Pipeline and Bedrock
 * AgentCore, the permissions the catalogue lists as required, and what the escalation runs as: a
 * role passed to a service (`new-passrole`) or compute the template already runs as a role
 * (`existing-passrole`). Written from the catalogue, not from lib/: a path the pack misses fails
 * here. The catalogue lists no Step Functions path; its own are in escalation.test.ts.
 *
 * Positive: a caller that invokes models and holds exactly the required permissions acts as a
 * deployment role, a merged identity (deployment, since some paths' own actions customize). Negative: with any one required permission removed, it
 * does not, except where `notNeeded` says why the pack does without it (a shorter path reaches the
 * same role, so it is never less safe).
 */
interface CataloguePath {
  readonly id: string;
  readonly required: string[];
  /** new-passrole: the service the passed role trusts. */
  readonly passedTo?: string;
  /** existing-passrole: compute of the template running as the role. */
  readonly compute?: string;
  /** Required permissions the pack does without, and why. */
  readonly notNeeded?: Record<string, string>;
}

const OVERRIDE = 'the role can be overridden when the task is run or started (ecs-008, ecs-009)';
const ANY_TRIGGER = 'the function runs the new code whenever its own trigger calls it';

const CATALOGUE: CataloguePath[] = [
  // Lambda
  {
    id: 'lambda-001',
    required: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'],
    passedTo: 'lambda.amazonaws.com',
  },
  {
    id: 'lambda-002',
    required: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping'],
    passedTo: 'lambda.amazonaws.com',
  },
  {
    id: 'lambda-003',
    required: ['lambda:UpdateFunctionCode', 'lambda:InvokeFunction'],
    compute: 'Function',
    notNeeded: { 'lambda:InvokeFunction': ANY_TRIGGER },
  },
  {
    id: 'lambda-004',
    required: ['lambda:UpdateFunctionCode', 'lambda:InvokeFunction'],
    compute: 'Function',
    notNeeded: { 'lambda:InvokeFunction': ANY_TRIGGER },
  },
  {
    id: 'lambda-005',
    required: ['lambda:UpdateFunctionCode', 'lambda:AddPermission', 'lambda:InvokeFunction'],
    compute: 'Function',
    notNeeded: { 'lambda:AddPermission': ANY_TRIGGER, 'lambda:InvokeFunction': ANY_TRIGGER },
  },
  {
    id: 'lambda-006',
    required: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:AddPermission', 'lambda:InvokeFunction'],
    passedTo: 'lambda.amazonaws.com',
    notNeeded: {
      'lambda:AddPermission': 'invoking the function needs no permission on it (lambda-001)',
      'lambda:InvokeFunction': 'the permission added lets another principal or service invoke it',
    },
  },
  // EC2
  { id: 'ec2-001', required: ['iam:PassRole', 'ec2:RunInstances'], passedTo: 'ec2.amazonaws.com' },
  {
    id: 'ec2-002',
    required: ['ec2:ModifyInstanceAttribute', 'ec2:StopInstances', 'ec2:StartInstances'],
    compute: 'Instance',
  },
  { id: 'ec2-003', required: ['ec2-instance-connect:SendSSHPublicKey'], compute: 'Instance' },
  { id: 'ec2-004', required: ['iam:PassRole', 'ec2:RequestSpotInstances'], passedTo: 'ec2.amazonaws.com' },
  {
    id: 'ec2-005',
    required: ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'],
    compute: 'LaunchTemplate',
  },
  // SageMaker
  {
    id: 'sagemaker-001',
    required: ['iam:PassRole', 'sagemaker:CreateNotebookInstance'],
    passedTo: 'sagemaker.amazonaws.com',
  },
  {
    id: 'sagemaker-002',
    required: ['iam:PassRole', 'sagemaker:CreateTrainingJob', 's3:PutObject', 's3:GetObject'],
    passedTo: 'sagemaker.amazonaws.com',
    notNeeded: {
      's3:PutObject': "the job's code can come from any bucket the passed role reads, or from its image",
      's3:GetObject': "the job's code can come from any bucket the passed role reads, or from its image",
    },
  },
  {
    id: 'sagemaker-003',
    required: ['iam:PassRole', 'sagemaker:CreateProcessingJob', 's3:PutObject', 's3:GetObject'],
    passedTo: 'sagemaker.amazonaws.com',
    notNeeded: {
      's3:PutObject': "the job's code can come from any bucket the passed role reads, or from its image",
      's3:GetObject': "the job's code can come from any bucket the passed role reads, or from its image",
    },
  },
  { id: 'sagemaker-004', required: ['sagemaker:CreatePresignedNotebookInstanceUrl'], compute: 'Notebook' },
  {
    id: 'sagemaker-005',
    required: [
      'sagemaker:CreateNotebookInstanceLifecycleConfig',
      'sagemaker:StopNotebookInstance',
      'sagemaker:UpdateNotebookInstance',
      'sagemaker:StartNotebookInstance',
    ],
    compute: 'Notebook',
    notNeeded: {
      'sagemaker:StopNotebookInstance':
        "the configuration runs at the notebook's next start, whoever stops and starts it",
      'sagemaker:StartNotebookInstance':
        "the configuration runs at the notebook's next start, whoever stops and starts it",
    },
  },
  // CodeBuild
  {
    id: 'codebuild-001',
    required: ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuild'],
    passedTo: 'codebuild.amazonaws.com',
  },
  { id: 'codebuild-002', required: ['codebuild:StartBuild'], compute: 'Project' },
  { id: 'codebuild-003', required: ['codebuild:StartBuildBatch'], compute: 'Project' },
  {
    id: 'codebuild-004',
    required: ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuildBatch'],
    passedTo: 'codebuild.amazonaws.com',
  },
  // Glue
  { id: 'glue-001', required: ['iam:PassRole', 'glue:CreateDevEndpoint'], passedTo: 'glue.amazonaws.com' },
  { id: 'glue-002', required: ['glue:UpdateDevEndpoint'], compute: 'DevEndpoint' },
  {
    id: 'glue-003',
    required: ['iam:PassRole', 'glue:CreateJob', 'glue:StartJobRun'],
    passedTo: 'glue.amazonaws.com',
  },
  {
    id: 'glue-004',
    required: ['iam:PassRole', 'glue:CreateJob', 'glue:CreateTrigger'],
    passedTo: 'glue.amazonaws.com',
  },
  {
    id: 'glue-005',
    required: ['iam:PassRole', 'glue:UpdateJob', 'glue:StartJobRun'],
    passedTo: 'glue.amazonaws.com',
  },
  {
    id: 'glue-006',
    required: ['iam:PassRole', 'glue:UpdateJob', 'glue:CreateTrigger'],
    passedTo: 'glue.amazonaws.com',
  },
  {
    id: 'glue-007',
    required: ['iam:PassRole', 'glue:CreateSession', 'glue:RunStatement'],
    passedTo: 'glue.amazonaws.com',
  },
  // ECS
  {
    id: 'ecs-001',
    required: ['ecs:CreateCluster', 'iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:CreateService'],
    passedTo: 'ecs-tasks.amazonaws.com',
    notNeeded: { 'ecs:CreateCluster': 'any cluster of the account runs the service' },
  },
  {
    id: 'ecs-002',
    required: ['ecs:CreateCluster', 'iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:RunTask'],
    passedTo: 'ecs-tasks.amazonaws.com',
    notNeeded: {
      'ecs:CreateCluster': 'any cluster of the account runs the task',
      'ecs:RegisterTaskDefinition': OVERRIDE,
    },
  },
  {
    id: 'ecs-003',
    required: ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:CreateService'],
    passedTo: 'ecs-tasks.amazonaws.com',
  },
  {
    id: 'ecs-004',
    required: ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:RunTask'],
    passedTo: 'ecs-tasks.amazonaws.com',
    notNeeded: { 'ecs:RegisterTaskDefinition': OVERRIDE },
  },
  {
    id: 'ecs-005',
    required: ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:StartTask'],
    passedTo: 'ecs-tasks.amazonaws.com',
    notNeeded: { 'ecs:RegisterTaskDefinition': OVERRIDE },
  },
  {
    id: 'ecs-006',
    required: ['ecs:ExecuteCommand', 'ecs:DescribeTasks'],
    compute: 'TaskDefinition',
    notNeeded: { 'ecs:DescribeTasks': 'it finds the task to enter, whose id can be known otherwise' },
  },
  {
    id: 'ecs-007',
    required: [
      'ecs:RegisterContainerInstance',
      'ecs:StartTask',
      'iam:PassRole',
      'ecs:DeregisterContainerInstance',
    ],
    passedTo: 'ecs-tasks.amazonaws.com',
    notNeeded: {
      'ecs:RegisterContainerInstance': 'any container instance already in a cluster runs the task (ecs-009)',
      'ecs:DeregisterContainerInstance':
        'any container instance already in a cluster runs the task (ecs-009)',
    },
  },
  { id: 'ecs-008', required: ['iam:PassRole', 'ecs:RunTask'], passedTo: 'ecs-tasks.amazonaws.com' },
  { id: 'ecs-009', required: ['iam:PassRole', 'ecs:StartTask'], passedTo: 'ecs-tasks.amazonaws.com' },
  // CloudFormation (cloudformation-002 and -005 act as the service role of a stack already
  // deployed, which a stack is given when it is deployed and no template names: not judged here.)
  {
    id: 'cloudformation-001',
    required: ['iam:PassRole', 'cloudformation:CreateStack'],
    passedTo: 'cloudformation.amazonaws.com',
  },
  {
    id: 'cloudformation-003',
    required: ['iam:PassRole', 'cloudformation:CreateStackSet', 'cloudformation:CreateStackInstances'],
    passedTo: 'cloudformation.amazonaws.com',
  },
  {
    id: 'cloudformation-004',
    required: ['iam:PassRole', 'cloudformation:UpdateStackSet'],
    passedTo: 'cloudformation.amazonaws.com',
  },
  // SSM
  { id: 'ssm-001', required: ['ssm:StartSession'], compute: 'Instance' },
  { id: 'ssm-002', required: ['ssm:SendCommand'], compute: 'Instance' },
  {
    id: 'ssm-003',
    required: ['iam:PassRole', 'ssm:CreateDocument', 'ssm:StartAutomationExecution'],
    passedTo: 'ssm.amazonaws.com',
    notNeeded: {
      'ssm:CreateDocument': 'an existing automation document (AWS owns many) runs as the role it is passed',
    },
  },
  // App Runner
  {
    id: 'apprunner-001',
    required: ['apprunner:CreateService', 'iam:PassRole', 'iam:CreateServiceLinkedRole'],
    passedTo: 'tasks.apprunner.amazonaws.com',
    notNeeded: {
      'iam:CreateServiceLinkedRole':
        "App Runner's service-linked role exists once the account has had one service",
    },
  },
  { id: 'apprunner-002', required: ['apprunner:UpdateService'], compute: 'AppRunnerService' },
  // Data Pipeline
  {
    id: 'datapipeline-001',
    required: [
      'iam:PassRole',
      'datapipeline:CreatePipeline',
      'datapipeline:PutPipelineDefinition',
      'datapipeline:ActivatePipeline',
    ],
    passedTo: 'datapipeline.amazonaws.com',
  },
  // Bedrock AgentCore
  {
    id: 'bedrock-001',
    required: [
      'iam:PassRole',
      'bedrock-agentcore:CreateCodeInterpreter',
      'bedrock-agentcore:StartCodeInterpreterSession',
      'bedrock-agentcore:InvokeCodeInterpreter',
    ],
    passedTo: 'bedrock-agentcore.amazonaws.com',
  },
  {
    id: 'bedrock-002',
    required: ['bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter'],
    compute: 'CodeInterpreter',
  },
  {
    id: 'bedrock-003',
    required: [
      'iam:PassRole',
      'bedrock-agentcore:CreateAgentRuntime',
      'bedrock-agentcore:CreateAgentRuntimeEndpoint',
      'bedrock-agentcore:CreateWorkloadIdentity',
      'bedrock-agentcore:InvokeAgentRuntimeCommand',
    ],
    passedTo: 'bedrock-agentcore.amazonaws.com',
  },
  { id: 'bedrock-004', required: ['bedrock-agentcore:InvokeAgentRuntimeCommand'], compute: 'Runtime' },
  {
    id: 'bedrock-005',
    required: [
      'iam:PassRole',
      'bedrock-agentcore:CreateHarness',
      'bedrock-agentcore:CreateAgentRuntime',
      'bedrock-agentcore:CreateAgentRuntimeEndpoint',
      'bedrock-agentcore:CreateWorkloadIdentity',
      'bedrock-agentcore:GetAgentRuntime',
      'bedrock-agentcore:GetHarness',
      'bedrock-agentcore:InvokeAgentRuntimeCommand',
    ],
    passedTo: 'bedrock-agentcore.amazonaws.com',
    notNeeded: {
      'bedrock-agentcore:CreateHarness':
        'a harness is a runtime with an agent on top: the runtime alone is bedrock-003',
      'bedrock-agentcore:GetAgentRuntime': 'it waits for the runtime to be ready, which time does too',
      'bedrock-agentcore:GetHarness': 'it waits for the harness to be ready, which time does too',
    },
  },
  {
    id: 'bedrock-006',
    required: [
      'iam:PassRole',
      'bedrock-agentcore:CreateBrowser',
      'bedrock-agentcore:StartBrowserSession',
      'bedrock-agentcore:ConnectBrowserAutomationStream',
    ],
    passedTo: 'bedrock-agentcore.amazonaws.com',
  },
  {
    id: 'bedrock-007',
    required: ['bedrock-agentcore:StartBrowserSession', 'bedrock-agentcore:ConnectBrowserAutomationStream'],
    compute: 'Browser',
  },
];

const targetArn = { 'Fn::GetAtt': ['Target', 'Arn'] };
const profile = { Type: 'AWS::IAM::InstanceProfile', Properties: { Roles: [{ Ref: 'Target' }] } };

/** Compute of the template running as the Target role, as CloudFormation writes each. */
const COMPUTE: Record<string, Json> = {
  Function: { Compute: { Type: 'AWS::Lambda::Function', Properties: { Role: targetArn } } },
  Instance: {
    Compute: { Type: 'AWS::EC2::Instance', Properties: { IamInstanceProfile: { Ref: 'Profile' } } },
    Profile: profile,
  },
  LaunchTemplate: {
    Compute: {
      Type: 'AWS::EC2::LaunchTemplate',
      Properties: { LaunchTemplateData: { IamInstanceProfile: { Name: { Ref: 'Profile' } } } },
    },
    Profile: profile,
  },
  Notebook: { Compute: { Type: 'AWS::SageMaker::NotebookInstance', Properties: { RoleArn: targetArn } } },
  Project: { Compute: { Type: 'AWS::CodeBuild::Project', Properties: { ServiceRole: targetArn } } },
  DevEndpoint: { Compute: { Type: 'AWS::Glue::DevEndpoint', Properties: { RoleArn: targetArn } } },
  TaskDefinition: { Compute: { Type: 'AWS::ECS::TaskDefinition', Properties: { TaskRoleArn: targetArn } } },
  AppRunnerService: {
    Compute: {
      Type: 'AWS::AppRunner::Service',
      Properties: { InstanceConfiguration: { InstanceRoleArn: targetArn } },
    },
  },
  CodeInterpreter: {
    Compute: {
      Type: 'AWS::BedrockAgentCore::CodeInterpreterCustom',
      Properties: { ExecutionRoleArn: targetArn },
    },
  },
  Runtime: { Compute: { Type: 'AWS::BedrockAgentCore::Runtime', Properties: { RoleArn: targetArn } } },
  Browser: {
    Compute: { Type: 'AWS::BedrockAgentCore::BrowserCustom', Properties: { ExecutionRoleArn: targetArn } },
  },
};

/**
 * The app: a caller that invokes and holds `permissions` (on everything, but its S3 permissions on
 * the bucket it puts a job's code in), and a role that deploys.
 */
function app(path: CataloguePath, permissions: string[]): Json {
  const services = path.passedTo ? [path.passedTo] : ['lambda.amazonaws.com'];
  const s3 = permissions.filter((p) => p.startsWith('s3:'));
  const others = permissions.filter((p) => !p.startsWith('s3:'));
  return {
    Caller: role([
      doc(
        allow('bedrock:InvokeModel'),
        ...(others.length ? [allow(others)] : []),
        ...(s3.length ? [allow(s3, 'arn:aws:s3:::job-code/*')] : []),
      ),
    ]),
    Target: role([doc(allow('bedrock:CreateProvisionedModelThroughput'))], {
      RoleName: 'deployer',
      AssumeRolePolicyDocument: doc({
        Effect: 'Allow',
        Principal: { Service: services },
        Action: 'sts:AssumeRole',
      }),
    }),
    ...(path.compute ? COMPUTE[path.compute] : {}),
  };
}

/** The roles whose capabilities the caller holds by acting as them. */
function actsAs(resources: Json): string[] {
  const analysis = AccessAnalysis.fromApp([
    { name: '', account: ACCOUNT, template: { Resources: resources } },
  ]);
  return analysis
    .mergesOf('Caller')
    .filter((m) => m.capabilities.join('+') === [Capability.INFERENCE, Capability.DEPLOYMENT].join('+'))
    .flatMap((m) => m.through);
}

test('the translation covers each catalogued path of the services once, new or existing', () => {
  const ids = CATALOGUE.map((p) => p.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids).toHaveLength(52);
  for (const p of CATALOGUE) {
    expect([p.id, Boolean(p.passedTo) !== Boolean(p.compute)]).toEqual([p.id, true]);
    expect([p.id, p.required.includes('iam:PassRole')]).toEqual([p.id, Boolean(p.passedTo)]);
    for (const permission of Object.keys(p.notNeeded ?? {})) expect(p.required).toContain(permission);
  }
});

describe('each catalogued path confers the role it reaches', () => {
  test.each(CATALOGUE.map((p) => [`${p.id}: ${p.required.join(' + ')}`, p] as const))('%s', (_, path) => {
    expect(actsAs(app(path, path.required))).toEqual(['Target']);
  });
});

describe('without one of its required permissions, it does not', () => {
  const cases = CATALOGUE.flatMap((p) =>
    p.required
      .filter((r) => !p.notNeeded?.[r])
      .map((missing) => [`${p.id} without ${missing}`, p, missing] as const),
  );
  test.each(cases)('%s', (_, path, missing) => {
    expect(
      actsAs(
        app(
          path,
          path.required.filter((r) => r !== missing),
        ),
      ),
    ).toEqual([]);
  });
});

describe('the permissions the pack does without', () => {
  const cases = CATALOGUE.flatMap((p) =>
    Object.entries(p.notNeeded ?? {}).map(
      ([permission, why]) => [`${p.id} without ${permission} (${why})`, p, permission] as const,
    ),
  );
  test.each(cases)('%s still escalates', (_, path, permission) => {
    expect(
      actsAs(
        app(
          path,
          path.required.filter((r) => r !== permission),
        ),
      ),
    ).toEqual(['Target']);
  });
});
