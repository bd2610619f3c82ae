import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ReferenceStack } from '../../bin/app';
import { threeRoles } from '../roles/fixture';
import {
  accountTrust,
  allow,
  deny,
  doc,
  jobTrust,
  protectedBucket,
  role,
  template,
  trustOf,
} from '../analysis/designs';
import { check, rulesOf } from './include';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const MERGE_RULES = [
  'ModelAccess-MergedCapabilities',
  'ModelAccess-WeightsAccessMerge',
  'ModelAccess-PrivilegeAdminMerge',
  'ModelAccess-MergeThroughTrust',
  'ModelAccess-SharedTrust',
];
const awsManaged = (name: string) => ({
  ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::aws:policy/${name}`]] }],
});
const invoke = allow('bedrock:InvokeModel');
const tune = allow('bedrock:CreateModelCustomizationJob');
const registry = {
  ...protectedBucket('Weights', 'model-artifacts'),
  ...protectedBucket('Training', 'training-data'),
  ...protectedBucket('Meta', 'metadata'),
};
const objectsOf = (id: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/*']] });
const trustedBy = (id: string) =>
  doc({ Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': [id, 'Arn'] } }, Action: 'sts:AssumeRole' });
const policyResource = (type: string, list: Json, statements: Json[]) => ({
  Type: type,
  Properties: { PolicyName: 'x', PolicyDocument: doc(...statements), ...list },
});
const group = (statements: Json[]) => ({
  Type: 'AWS::IAM::Group',
  Properties: { Policies: [{ PolicyName: 'g', PolicyDocument: doc(...statements) }] },
});

const MERGED: [string, Json][] = [
  ['bedrock:* in one statement', template({ R: role([doc(allow('bedrock:*'))]) })],
  ['Action "*"', template({ R: role([doc(allow('*'))]) })],
  ['NotAction iam:*', template({ R: role([doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })]) })],
  [
    'mixed-case actions',
    template({ R: role([doc(allow(['BEDROCK:invokemodel', 'bedrock:createMODELcustomizationjob']))]) }),
  ],
  ['prefix wildcards', template({ R: role([doc(allow(['bedrock:Invoke*', 'bedrock:Create*']))]) })],
  [
    'separate AWS::IAM::Policy resources',
    template({
      R: role(),
      A: policyResource('AWS::IAM::Policy', { Roles: [{ Ref: 'R' }] }, [invoke]),
      B: policyResource('AWS::IAM::Policy', { Roles: [{ Ref: 'R' }] }, [tune]),
    }),
  ],
  [
    'a customer managed policy beside an inline one',
    template({
      MP: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: doc(tune) } },
      R: role([doc(invoke)], { ManagedPolicyArns: [{ Ref: 'MP' }] }),
    }),
  ],
  [
    'a customer managed policy attached through its Roles list',
    template({
      R: role([doc(invoke)]),
      MP: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: { PolicyDocument: doc(tune), Roles: [{ Ref: 'R' }] },
      },
    }),
  ],
  [
    'AWS-managed AmazonBedrockLimitedAccess',
    template({ R: role([], awsManaged('AmazonBedrockLimitedAccess')) }),
  ],
  ['AWS-managed AmazonBedrockFullAccess', template({ R: role([], awsManaged('AmazonBedrockFullAccess')) })],
  ['AWS-managed PowerUserAccess', template({ R: role([], awsManaged('PowerUserAccess')) })],
  [
    'AWS-managed AmazonSageMakerFullAccess',
    template({ R: role([], awsManaged('AmazonSageMakerFullAccess')) }),
  ],
  [
    'ReadOnlyAccess beside InvokeModel (s3:Get* reads weights)',
    template({ R: role([doc(invoke)], awsManaged('ReadOnlyAccess')) }),
  ],
  [
    'InvokeModel with s3:GetObject on the artifacts bucket (Fn::Join)',
    template({ ...registry, R: role([doc(invoke, allow('s3:GetObject', objectsOf('Weights')))]) }),
  ],
  [
    'GetFoundationModel with s3:GetObject on training data (Fn::Sub)',
    template({
      ...registry,
      R: role([
        doc(allow('bedrock:GetFoundationModel'), allow('s3:GetObject', { 'Fn::Sub': '${Training.Arn}/*' })),
      ]),
    }),
  ],
  ['InvokeModel with s3:* on *', template({ R: role([doc(invoke, allow('s3:*'))]) })],
  [
    'InvokeModel with iam:PassRole on every role',
    template({ R: role([doc(invoke, allow('iam:PassRole'))]) }),
  ],
  [
    'InvokeModel with iam:PutRolePolicy',
    template({ R: role([doc(invoke, allow('iam:PutRolePolicy', 'arn:aws:iam::111111111111:role/x'))]) }),
  ],
  [
    'customization with kms:PutKeyPolicy on the registry key',
    template({
      Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: doc() } },
      Weights: {
        Type: 'AWS::S3::Bucket',
        Properties: {
          Tags: [{ Key: 'model-access:data-class', Value: 'model-artifacts' }],
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              {
                ServerSideEncryptionByDefault: {
                  SSEAlgorithm: 'aws:kms',
                  KMSMasterKeyID: { 'Fn::GetAtt': ['Key', 'Arn'] },
                },
              },
            ],
          },
        },
      },
      R: role([doc(tune, allow('kms:PutKeyPolicy', { 'Fn::GetAtt': ['Key', 'Arn'] }))]),
    }),
  ],
  [
    'InvokeModel with s3:PutBucketPolicy on a registry bucket',
    template({
      ...registry,
      R: role([doc(invoke, allow('s3:PutBucketPolicy', { 'Fn::GetAtt': ['Meta', 'Arn'] }))]),
    }),
  ],
  [
    'a user in two groups, one per capability',
    template({
      GI: group([invoke]),
      GC: group([tune]),
      U: { Type: 'AWS::IAM::User', Properties: { Groups: [{ Ref: 'GI' }, { Ref: 'GC' }] } },
    }),
  ],
  [
    'a user with inference, added to a customization group by UserToGroupAddition',
    template({
      GC: group([tune]),
      U: {
        Type: 'AWS::IAM::User',
        Properties: { Policies: [{ PolicyName: 'u', PolicyDocument: doc(invoke) }] },
      },
      Add: {
        Type: 'AWS::IAM::UserToGroupAddition',
        Properties: { GroupName: { Ref: 'GC' }, Users: [{ Ref: 'U' }] },
      },
    }),
  ],
  [
    'a callback worker that can also read task tokens',
    template({ R: role([doc(invoke, allow(['states:SendTaskSuccess', 'states:GetExecutionHistory']))]) }),
  ],
  [
    'customization with SageMaker model package approval',
    template({
      R: role([
        doc(
          tune,
          allow('sagemaker:UpdateModelPackage', 'arn:aws:sagemaker:us-east-1:111111111111:model-package/g/1'),
        ),
      ]),
    }),
  ],
  [
    'a conditional deny of customization',
    template({
      R: role([
        doc(
          invoke,
          tune,
          deny('bedrock:Create*', '*', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } }),
        ),
      ]),
    }),
  ],
  [
    'a deny of an unrelated action',
    template({ R: role([doc(invoke, tune, deny('bedrock:DeleteCustomModel'))]) }),
  ],
  [
    'a boundary that allows everything',
    template({
      B: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: doc(allow('*')) } },
      R: role([doc(invoke, tune)], { PermissionsBoundary: { Ref: 'B' } }),
    }),
  ],
  [
    'SageMaker InvokeEndpoint with CreateTrainingJob',
    template({ R: role([doc(allow(['sagemaker:InvokeEndpoint', 'sagemaker:CreateTrainingJob']))]) }),
  ],
  [
    'resources from a parameter and an import do not hide the actions',
    {
      Parameters: { ModelArn: { Type: 'String' } },
      Resources: {
        R: role([
          doc(
            allow('bedrock:InvokeModel', { Ref: 'ModelArn' }),
            allow('bedrock:CreateModelCustomizationJob', { 'Fn::ImportValue': 'BaseModelArn' }),
          ),
        ]),
      },
    },
  ],
  [
    'an IAM user with both in one inline policy',
    template({
      U: {
        Type: 'AWS::IAM::User',
        Properties: { Policies: [{ PolicyName: 'u', PolicyDocument: doc(invoke, tune) }] },
      },
    }),
  ],
  [
    'a role trusted directly by a role of another capability',
    template({
      Invoker: role([doc(invoke)]),
      Tuner: role([doc(tune)], { AssumeRolePolicyDocument: trustedBy('Invoker') }),
    }),
  ],
  [
    'a role chain through account trust and sts:AssumeRole',
    template({
      Invoker: role([doc(invoke, allow('sts:AssumeRole', { 'Fn::GetAtt': ['Tuner', 'Arn'] }))]),
      Tuner: role([doc(tune)], { AssumeRolePolicyDocument: accountTrust }),
    }),
  ],
  [
    'a three-hop chain',
    template({
      Start: role([doc(allow('sts:AssumeRole', { 'Fn::GetAtt': ['Hop', 'Arn'] }))]),
      Hop: role([doc(invoke, allow('sts:AssumeRole', '*'))], { AssumeRolePolicyDocument: accountTrust }),
      End: role([doc(tune)], { AssumeRolePolicyDocument: accountTrust }),
    }),
  ],
  [
    'two roles trusting the account with nothing to tell their callers apart (any admin assumes both)',
    template({
      A: role([doc(invoke)], { AssumeRolePolicyDocument: jobTrust() }),
      B: role([doc(tune)], { AssumeRolePolicyDocument: jobTrust('ml') }),
    }),
  ],
  [
    'two roles trusting the account, one told apart by a tag, the other by a session-name pin every user meets',
    template({
      A: role([doc(invoke)], { AssumeRolePolicyDocument: jobTrust('chat') }),
      B: role([doc(tune)], {
        AssumeRolePolicyDocument: trustOf(accountTrust.Statement[0].Principal, {
          condition: { StringEquals: { 'sts:RoleSessionName': '${aws:username}' } },
        }),
      }),
    }),
  ],
  [
    'one role of another account trusted by an inference role and a customization role',
    template({
      A: role([doc(invoke)], {
        AssumeRolePolicyDocument: trustOf({ AWS: 'arn:aws:iam::222222222222:role/app' }),
      }),
      B: role([doc(tune)], {
        AssumeRolePolicyDocument: trustOf({ AWS: 'arn:aws:iam::222222222222:role/app' }),
      }),
    }),
  ],
  [
    'one SAML provider trusted by an approval-free inference role and a customization role, no attribute apart',
    template({
      A: role([doc(invoke)], {
        AssumeRolePolicyDocument: trustOf(
          { Federated: 'arn:aws:iam::111111111111:saml-provider/corp' },
          { action: 'sts:AssumeRoleWithSAML' },
        ),
      }),
      B: role([doc(tune)], {
        AssumeRolePolicyDocument: trustOf(
          { Federated: 'arn:aws:iam::111111111111:saml-provider/corp' },
          { action: 'sts:AssumeRoleWithSAML' },
        ),
      }),
    }),
  ],
];

const CLEAN: [string, Json][] = [
  [
    'an inference worker writing results to its own bucket and queue',
    template({
      Results: { Type: 'AWS::S3::Bucket' },
      R: role([
        doc(
          invoke,
          allow('s3:PutObject', objectsOf('Results')),
          allow('sqs:SendMessage', 'arn:aws:sqs:us-east-1:111111111111:q'),
        ),
      ]),
    }),
  ],
  [
    'a dashboard with AmazonBedrockReadOnly and CloudWatch reads',
    template({
      R: role(
        [doc(allow(['cloudwatch:GetMetricData', 'logs:FilterLogEvents']))],
        awsManaged('AmazonBedrockReadOnly'),
      ),
    }),
  ],
  [
    'a callback worker: InvokeModel and SendTaskSuccess/Failure',
    template({ R: role([doc(invoke, allow(['states:SendTaskSuccess', 'states:SendTaskFailure']))]) }),
  ],
  ['InvokeModel with logs:*', template({ R: role([doc(invoke, allow('logs:*'))]) })],
  [
    'InvokeModel with iam:PassRole on one named non-ML role',
    template({
      Other: role(),
      R: role([doc(invoke, allow('iam:PassRole', { 'Fn::GetAtt': ['Other', 'Arn'] }))]),
    }),
  ],
  ['read with inference', template({ R: role([doc(invoke, allow('bedrock:GetFoundationModel'))]) })],
  [
    'customization with training data (a service role)',
    template({ ...registry, R: role([doc(tune, allow('s3:GetObject', objectsOf('Training')))]) }),
  ],
  [
    'customization writing artifacts',
    template({ ...registry, R: role([doc(tune, allow('s3:PutObject', objectsOf('Weights')))]) }),
  ],
  [
    'inference with s3:GetObject on an ordinary bucket',
    template({
      Prompts: { Type: 'AWS::S3::Bucket' },
      R: role([doc(invoke, allow('s3:GetObject', objectsOf('Prompts')))]),
    }),
  ],
  [
    'read with s3:GetObject on the metadata bucket',
    template({
      ...registry,
      R: role([doc(allow('bedrock:GetFoundationModel'), allow('s3:GetObject', objectsOf('Meta')))]),
    }),
  ],
  [
    'both, with customization denied unconditionally',
    template({ R: role([doc(invoke, tune, deny('bedrock:CreateModelCustomizationJob'))]) }),
  ],
  [
    'both, with a boundary that allows inference only',
    template({
      B: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: { PolicyDocument: doc(allow('bedrock:InvokeModel')) },
      },
      R: role([doc(invoke, tune)], { PermissionsBoundary: { Ref: 'B' } }),
    }),
  ],
  [
    'two roles, one per capability, trusted by the same service principal',
    template({ A: role([doc(invoke)]), B: role([doc(tune)]) }),
  ],
  [
    'two roles trusting the account, their callers told apart by tag',
    template({
      A: role([doc(invoke)], { AssumeRolePolicyDocument: jobTrust('chat') }),
      B: role([doc(tune)], { AssumeRolePolicyDocument: jobTrust('ml') }),
    }),
  ],
  [
    'one role of another account trusted by an inference role and a read role',
    template({
      A: role([doc(invoke)], {
        AssumeRolePolicyDocument: trustOf({ AWS: 'arn:aws:iam::222222222222:role/app' }),
      }),
      B: role([doc(allow('bedrock:GetFoundationModel'))], {
        AssumeRolePolicyDocument: trustOf({ AWS: 'arn:aws:iam::222222222222:role/app' }),
      }),
    }),
  ],
  [
    'AWSLambdaBasicExecutionRole with InvokeModel',
    template({
      R: role([doc(invoke)], {
        ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
      }),
    }),
  ],
  [
    'AWSLambdaVPCAccessExecutionRole with InvokeEndpoint',
    template({
      R: role(
        [doc(allow('sagemaker:InvokeEndpoint', 'arn:aws:sagemaker:us-east-1:111111111111:endpoint/e'))],
        { ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'] },
      ),
    }),
  ],
  ['AWS-managed AmazonBedrockReadOnly alone', template({ R: role([], awsManaged('AmazonBedrockReadOnly')) })],
  [
    'AmazonSageMakerReadOnly with InvokeEndpoint',
    template({
      R: role(
        [doc(allow('sagemaker:InvokeEndpoint', 'arn:aws:sagemaker:us-east-1:111111111111:endpoint/e'))],
        awsManaged('AmazonSageMakerReadOnly'),
      ),
    }),
  ],
  [
    'a workflow starter that invokes models',
    template({
      R: role([
        doc(
          invoke,
          allow(
            ['states:StartExecution', 'states:SendTaskSuccess'],
            'arn:aws:states:us-east-1:111111111111:stateMachine:m',
          ),
        ),
      ]),
    }),
  ],
  [
    'kms:Decrypt on a key with InvokeModel',
    template({
      Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: doc() } },
      R: role([doc(invoke, allow('kms:Decrypt', { 'Fn::GetAtt': ['Key', 'Arn'] }))]),
    }),
  ],
  [
    's3:PutBucketPolicy on an ordinary bucket with InvokeModel',
    template({
      Logs: { Type: 'AWS::S3::Bucket' },
      R: role([doc(invoke, allow('s3:PutBucketPolicy', { 'Fn::GetAtt': ['Logs', 'Arn'] }))]),
    }),
  ],
  [
    'iam:PassRole on the service role with CreateModelCustomizationJob',
    template({ Svc: role(), R: role([doc(tune, allow('iam:PassRole', { 'Fn::GetAtt': ['Svc', 'Arn'] }))]) }),
  ],
  [
    'read-only IAM with InvokeModel',
    template({ R: role([doc(invoke, allow(['iam:GetRole', 'iam:ListRoles']))]) }),
  ],
  [
    'users in different groups, one capability each',
    template({
      GI: group([invoke]),
      GC: group([tune]),
      A: { Type: 'AWS::IAM::User', Properties: { Groups: [{ Ref: 'GI' }] } },
      B: { Type: 'AWS::IAM::User', Properties: { Groups: [{ Ref: 'GC' }] } },
    }),
  ],
  [
    'an inference role that may assume a read role',
    template({
      Reader: role([doc(allow('bedrock:GetFoundationModel'))], {
        AssumeRolePolicyDocument: trustedBy('Invoker'),
      }),
      Invoker: role([doc(invoke)]),
    }),
  ],
  [
    'inference trusted by Lambda, customization trusted by Bedrock',
    template({
      A: role([doc(invoke)]),
      B: role([doc(tune)], {
        AssumeRolePolicyDocument: doc({
          Effect: 'Allow',
          Principal: { Service: 'bedrock.amazonaws.com' },
          Action: 'sts:AssumeRole',
        }),
      }),
    }),
  ],
  [
    'a guardrail user: InvokeModel and ApplyGuardrail',
    template({
      R: role([
        doc(
          allow(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream', 'bedrock:ApplyGuardrail']),
        ),
      ]),
    }),
  ],
  [
    'an endpoint client with metrics',
    template({
      R: role([
        doc(allow(['sagemaker:InvokeEndpoint', 'sagemaker:DescribeEndpoint', 'cloudwatch:PutMetricData'])),
      ]),
    }),
  ],
  [
    'a deny of customization on * beside inference',
    template({
      R: role([
        doc(
          invoke,
          allow('bedrock:CreateModelCustomizationJob', 'arn:aws:bedrock:us-east-1::foundation-model/x'),
          deny('bedrock:CreateModelCustomizationJob', '*'),
        ),
      ]),
    }),
  ],
  [
    'GetObject on weights denied outright',
    template({
      ...registry,
      R: role([
        doc(invoke, allow('s3:GetObject', objectsOf('Weights')), deny('s3:GetObject', objectsOf('Weights'))),
      ]),
    }),
  ],
];

describe('merged designs fail', () => {
  test.each(MERGED)('%s', (_name, design) => {
    const report = check(design);
    expect(rulesOf(report, ['fatal']).filter((r) => MERGE_RULES.includes(r))).not.toEqual([]);
    expect(report.success).toBe(false);
  });
});

describe('clean lookalikes pass', () => {
  test.each(CLEAN)('%s', (_name, design) => {
    const report = check(design);
    expect(rulesOf(report)).toEqual([]);
    expect(report.success).toBe(true);
  });

  test("the library's three capability roles", () => {
    const stack = new Stack(new App(), 'S');
    threeRoles(stack);
    const report = check(Template.fromStack(stack).toJSON());
    expect(rulesOf(report)).toEqual([]);
  });

  test('the reference app', () => {
    const report = check(
      Template.fromStack(
        new ReferenceStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Ref'),
      ).toJSON(),
    );
    expect(rulesOf(report)).toEqual([]);
  });
});

test('the corpus is at least 30 merged designs and 30 clean lookalikes', () => {
  expect(MERGED.length).toBeGreaterThanOrEqual(30);
  expect(CLEAN.length + 2).toBeGreaterThanOrEqual(30);
});
