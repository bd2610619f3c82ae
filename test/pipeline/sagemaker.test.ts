import '../support/env';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { CustomizationBackend, ModelTarget } from '../../lib';
import { identityPoliciesOf, simulate } from '../support/simulate';
import { ACCOUNT, REGION } from '../support/template';
import { executionInput, pipelineFixture, REQUEST_ID } from './fixture';
import { runLocally } from './local-run';

const PACKAGE = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-package/support-base/3`;
const f = pipelineFixture({
  baseModels: [ModelTarget.sagemakerModelPackage(PACKAGE)],
  backend: CustomizationBackend.sageMaker({
    trainingImage: tasks.DockerImage.fromRegistry('763104351884.dkr.ecr.us-east-1.amazonaws.com/trainer:1'),
  }),
});
const definition = JSON.parse(f.template.props(f.ids.stateMachine).DefinitionString);
const ref = (c: { node: { defaultChild?: unknown } }) =>
  f.template.resolve({ Ref: f.stack.getLogicalId(c.node.defaultChild as never) });
const datasets = {
  'datasets/train.jsonl': { versionId: 'v1', sha256: 'a' },
  'datasets/valid.jsonl': { versionId: 'v2', sha256: 'b' },
};
const request = {
  baseModel: PACKAGE,
  customModelName: 'support-assistant-v2',
  trainingData: { key: 'datasets/train.jsonl', ...datasets['datasets/train.jsonl'] },
  validationData: { key: 'datasets/valid.jsonl', ...datasets['datasets/valid.jsonl'] },
  hyperParameters: { epochCount: '2' },
};
const input = executionInput(request);
const modelData = `s3://${ref(f.registry.modelArtifactsBucket)}/base/support-base-3/model.tar.gz`;

function run(approvalStatus: string) {
  const inspect = ({ key }: { key: keyof typeof datasets }) => datasets[key];
  return runLocally(definition, input, {
    VerifyDatasetsInspect: inspect,
    ReverifyDatasetsInspect: inspect,
    AwaitApproval: () => ({ decision: 'approved', approvalCount: 2, approvers: ['b', 'c'], reason: 'ok' }),
    DescribeBaseModel: () => ({
      ModelApprovalStatus: approvalStatus,
      InferenceSpecification: { Containers: [{ ModelDataUrl: modelData }] },
    }),
    CustomizeModel: () => ({ TrainingJobArn: 'arn:aws:sagemaker:us-east-1:111111111111:training-job/t' }),
    WriteProvenance: () => ({ manifestKey: 'provenance/x.json' }),
  });
}

describe('the SageMaker backend', () => {
  test('trains from the Approved base package’s model data on the verified datasets, network-isolated', async () => {
    const result = await run('Approved');

    expect(result.error).toBeUndefined();
    expect(result.callsTo('DescribeBaseModel')).toEqual([{ ModelPackageName: PACKAGE }]);
    const [job] = result.callsTo('CustomizeModel');
    const training = `s3://${ref(f.registry.trainingDataBucket)}`;
    expect(job).toMatchObject({
      TrainingJobName: `customization-${REQUEST_ID}`,
      EnableNetworkIsolation: true,
      RoleArn: f.template.arn(f.ids.serviceRole),
      HyperParameters: { epochCount: '2' },
      OutputDataConfig: {
        S3OutputPath: `s3://${ref(f.registry.modelArtifactsBucket)}/customization/${REQUEST_ID}/`,
      },
    });
    expect(
      job.InputDataConfig.map(
        (c: { ChannelName: string; DataSource: { S3DataSource: { S3Uri: string } } }) => [
          c.ChannelName,
          c.DataSource.S3DataSource.S3Uri,
        ],
      ),
    ).toEqual([
      ['model', modelData],
      ['training', `${training}/datasets/train.jsonl`],
      ['validation', `${training}/datasets/valid.jsonl`],
    ]);
  });

  test('a base package that is not Approved is never trained from', async () => {
    const result = await run('PendingManualApproval');
    expect(result.error).toBe('INVALID');
    expect(result.cause).toBe('the base model package is not Approved in the SageMaker model registry');
    expect(result.callsTo('CustomizeModel')).toEqual([]);
  });

  test('the service role trusts SageMaker only for this account’s training jobs', () => {
    expect(f.template.props(f.ids.serviceRole).AssumeRolePolicyDocument.Statement[0]).toMatchObject({
      Principal: { Service: 'sagemaker.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': ACCOUNT },
        ArnLike: { 'aws:SourceArn': `arn:aws:sagemaker:${REGION}:${ACCOUNT}:training-job/*` },
      },
    });
  });

  test('the state machine passes its service role to SageMaker only', async () => {
    const role = f.ids.stateMachineRole;
    const pass = (service: string, target: string) =>
      simulate({
        principal: f.template.arn(role),
        action: 'iam:PassRole',
        resource: target,
        identityPolicies: identityPoliciesOf(f.template, role),
        context: { 'iam:PassedToService': service },
      });
    expect(await pass('sagemaker.amazonaws.com', f.template.arn(f.ids.serviceRole))).toBe('Allowed');
    expect(await pass('bedrock.amazonaws.com', f.template.arn(f.ids.serviceRole))).toBe('ImplicitlyDenied');
    expect(await pass('sagemaker.amazonaws.com', f.template.arn(f.ids.requester))).toBe('ImplicitlyDenied');
    expect(f.pipeline.serviceRole).toBeInstanceOf(iam.Role);
  });
});
