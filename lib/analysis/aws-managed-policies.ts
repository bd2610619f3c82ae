/**
 * AWS-managed policies that matter for model access, summarized to the statements that bear on
 * the capability catalog (statements granting nothing in it are left out). Source: the AWS Managed
 * Policy Reference (docs.aws.amazon.com/aws-managed-policy/latest/reference/<name>.html).
 * An AWS-managed policy not listed here is reported by the analysis, never assumed harmless.
 */
export interface AwsManagedPolicy {
  /** The policy's name, with its path (`service-role/AWSLambdaBasicExecutionRole`). */
  readonly name: string;
  /** The statements that bear on the catalog, in IAM's JSON form. */
  readonly statements: ReadonlyArray<Record<string, unknown>>;
  /** Why it matters here. */
  readonly note: string;
}

/** When the table was last checked against the reference. */
export const AWS_MANAGED_POLICIES_REVIEWED = '2026-11-23';

const allow = (
  actions: string[],
  resource: string | string[] = '*',
  condition?: Record<string, unknown>,
) => ({
  Effect: 'Allow',
  Action: actions,
  Resource: resource,
  ...(condition ? { Condition: condition } : {}),
});

export const AWS_MANAGED_POLICIES: readonly AwsManagedPolicy[] = [
  { name: 'AdministratorAccess', statements: [allow(['*'])], note: 'everything' },
  {
    name: 'PowerUserAccess',
    statements: [
      { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
      allow(['iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles']),
    ],
    note: 'every model capability, weights included; no IAM',
  },
  {
    name: 'ReadOnlyAccess',
    statements: [
      allow(['bedrock:Get*', 'bedrock:List*', 'sagemaker:Describe*', 'sagemaker:List*', 'sagemaker:Get*']),
      allow(['s3:Get*', 's3:List*', 'states:Describe*', 'states:Get*', 'states:List*']),
      allow(['iam:Get*', 'iam:List*', 'kms:Describe*', 'kms:Get*', 'kms:List*']),
    ],
    note: 's3:Get* reads weights; states:GetExecutionHistory reads task tokens',
  },
  { name: 'IAMFullAccess', statements: [allow(['iam:*'])], note: 'privilege administration' },
  {
    name: 'AmazonS3FullAccess',
    statements: [allow(['s3:*', 's3-object-lambda:*'])],
    note: 'reads weights, changes bucket policies',
  },
  {
    name: 'AmazonS3ReadOnlyAccess',
    statements: [allow(['s3:Get*', 's3:List*', 's3:Describe*'])],
    note: 'reads weights',
  },
  {
    name: 'AmazonBedrockFullAccess',
    statements: [
      allow(['bedrock:*']),
      allow(['iam:PassRole'], 'arn:aws:iam::*:role/*AmazonBedrock*', {
        StringEquals: { 'iam:PassedToService': ['bedrock.amazonaws.com'] },
      }),
    ],
    note: 'inference, customization and model copying in one policy',
  },
  {
    name: 'AmazonBedrockLimitedAccess',
    statements: [
      allow([
        'bedrock:Get*',
        'bedrock:List*',
        'bedrock:InvokeModel',
        'bedrock:InvokeModelWithResponseStream',
        'bedrock:CreateModelCustomizationJob',
        'bedrock:StopModelCustomizationJob',
        'bedrock:CreateModelCopyJob',
        'bedrock:CreateModelImportJob',
        'bedrock:CreateProvisionedModelThroughput',
      ]),
    ],
    note: 'InvokeModel and CreateModelCustomizationJob in one statement: a merged identity',
  },
  {
    name: 'AmazonBedrockReadOnly',
    statements: [allow(['bedrock:Get*', 'bedrock:List*'])],
    note: 'bedrock:Get* includes job and invocation data: more than a metadata read',
  },
  {
    name: 'AmazonSageMakerFullAccess',
    statements: [
      allow(['sagemaker:*']),
      allow(['iam:PassRole'], 'arn:aws:iam::*:role/*', {
        StringEquals: { 'iam:PassedToService': ['sagemaker.amazonaws.com'] },
      }),
    ],
    note: 'inference, training, model registry approval, and passing any role to SageMaker',
  },
  {
    name: 'AmazonSageMakerReadOnly',
    statements: [
      allow([
        'sagemaker:Describe*',
        'sagemaker:List*',
        'sagemaker:BatchGet*',
        'sagemaker:Get*',
        'sagemaker:Search',
      ]),
    ],
    note: 'read',
  },
  {
    name: 'service-role/AWSLambdaBasicExecutionRole',
    statements: [allow(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'])],
    note: 'no model capability',
  },
  {
    name: 'service-role/AWSLambdaVPCAccessExecutionRole',
    statements: [
      allow(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']),
      allow(['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface']),
    ],
    note: 'no model capability',
  },
];

/** The table entry for an AWS-managed policy ARN (any partition), or undefined. */
export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  const m = /^arn:[^:]+:iam::aws:policy\/(.+)$/.exec(arn.replace(/\$\{AWS::Partition\}/g, 'aws'));
  return m ? AWS_MANAGED_POLICIES.find((p) => p.name === m[1]) : undefined;
}

/** Whether an ARN names an AWS-managed policy. */
export function isAwsManagedPolicyArn(arn: string): boolean {
  return /^arn:[^:]+:iam::aws:policy\//.test(arn.replace(/\$\{AWS::Partition\}/g, 'aws'));
}
