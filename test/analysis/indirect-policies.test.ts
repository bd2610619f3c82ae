import { buildReport } from '../../lib/cli/report';
import { check } from '../nag/include';
import { allow, bucket, doc, role } from './designs';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const invoke = allow('bedrock:InvokeModel');
const tune = allow('bedrock:CreateModelCustomizationJob');

/** The report's unacknowledged findings of error or fatal severity, as `rule@resource`. */
function findings(template: Json): string[] {
  return buildReport('test', [{ name: 'T', template }])
    .stacks[0].findings.filter((f) => f.severity !== 'warning')
    .map((f) => `${f.rule.replace(/\[.*$/, '')}@${f.resource}`)
    .sort();
}

const samFunction = (props: Json) => ({
  Transform: 'AWS::Serverless-2016-10-31',
  Resources: {
    Fn: {
      Type: 'AWS::Serverless::Function',
      Properties: { Runtime: 'python3.12', Handler: 'app.handler', CodeUri: 's3://code/app.zip', ...props },
    },
  },
});

describe('a SAM function deploys the role SAM creates for it, with its Policies', () => {
  test('a policy document that invokes and customizes merges it, on the function', () => {
    expect(findings(samFunction({ Policies: [doc(invoke, tune)] }))).toEqual([
      'ModelAccess-MergedCapabilities@Fn',
    ]);
  });

  test('an AWS-managed policy by name, judged from its real document', () => {
    expect(findings(samFunction({ Policies: 'AmazonBedrockFullAccess' }))).toContain(
      'ModelAccess-MergedCapabilities@Fn',
    );
  });

  test("a SAM policy template, from the SAM translator's data, bound to the registry's bucket", () => {
    const template = samFunction({
      Policies: [doc(invoke), { S3ReadPolicy: { BucketName: { Ref: 'Weights' } } }],
    });
    template.Resources = { ...template.Resources, Weights: bucket('model-artifacts') } as Json;
    expect(findings(template)).toContain('ModelAccess-WeightsAccessMerge@Fn');
  });

  test('a policy template the data does not have is reported as not judged', () => {
    expect(findings(samFunction({ Policies: [{ NoSuchPolicyTemplate: {} }] }))).toEqual([
      'ModelAccess-DecidedAtDeploy@Fn',
    ]);
  });

  test('a function given its own Role gets no role from SAM', () => {
    expect(
      findings(samFunction({ Role: 'arn:aws:iam::111111111111:role/x', Policies: [doc(invoke, tune)] })),
    ).toEqual([]);
  });

  test('the same design through cdk synth (cloudformation-include) fails the pack', () => {
    const report = check(samFunction({ Policies: [doc(invoke, tune)] }));
    expect(report.violations.map((v) => v.ruleName)).toContain(
      'ModelAccess-MergedCapabilities[inference+customization]',
    );
  });
});

describe("a StackSet's inline template is judged", () => {
  const stackSet = (body: string, parameters: Json[] = []) => ({
    Resources: {
      Set: {
        Type: 'AWS::CloudFormation::StackSet',
        Properties: {
          StackSetName: 's',
          PermissionModel: 'SELF_MANAGED',
          TemplateBody: body,
          Parameters: parameters,
        },
      },
    },
  });

  test('a merged role inside it is reported on the StackSet', () => {
    const body = JSON.stringify({ Resources: { R: role([doc(invoke, tune)]) } });
    expect(findings(stackSet(body))).toEqual(['ModelAccess-MergedCapabilities@Set']);
  });

  test("with the StackSet's parameter values bound", () => {
    const body = JSON.stringify({
      Parameters: { Action: { Type: 'String' } },
      Resources: { R: role([doc(invoke, allow({ Ref: 'Action' }))]) },
    });
    expect(
      findings(
        stackSet(body, [{ ParameterKey: 'Action', ParameterValue: 'bedrock:CreateModelCustomizationJob' }]),
      ),
    ).toEqual(['ModelAccess-MergedCapabilities@Set']);
    expect(
      findings(stackSet(body, [{ ParameterKey: 'Action', ParameterValue: 'bedrock:GetFoundationModel' }])),
    ).toEqual([]);
  });

  test('a template it cannot read (YAML) is reported as not judged, never as clean', () => {
    expect(findings(stackSet('Resources:\n  R:\n    Type: AWS::IAM::Role\n'))).toEqual([
      'ModelAccess-DecidedAtDeploy@Set',
    ]);
  });
});

describe('a custom resource that calls IAM at deploy time', () => {
  const call = (action: string, parameters: Json) =>
    JSON.stringify({ service: 'IAM', action, parameters, physicalResourceId: { id: 'x' } });
  const withCall = (create: Json) => ({
    Resources: {
      Inference: role([doc(invoke)], { RoleName: 'inference-role' }),
      Grant: {
        Type: 'Custom::AWS',
        Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:p', Create: create },
      },
    },
  });

  test('putRolePolicy with the document in its properties merges the role it names', () => {
    const create = call('putRolePolicy', {
      RoleName: 'inference-role',
      PolicyName: 'tune',
      PolicyDocument: JSON.stringify(doc(tune)),
    });
    expect(findings(withCall(create))).toEqual(['ModelAccess-MergedCapabilities@Inference']);
  });

  test('the call written with intrinsics (as AwsCustomResource synthesizes it) names the role by reference', () => {
    const create = {
      'Fn::Join': [
        '',
        [
          '{"service":"IAM","action":"attachRolePolicy","parameters":{"RoleName":"',
          { Ref: 'Inference' },
          '","PolicyArn":"arn:',
          { Ref: 'AWS::Partition' },
          ':iam::aws:policy/AmazonBedrockFullAccess"}}',
        ],
      ],
    };
    expect(findings(withCall(create))).toContain('ModelAccess-MergedCapabilities@Inference');
  });

  test('an IAM call it does not replay is reported as not judged', () => {
    const create = call('updateAssumeRolePolicy', { RoleName: 'inference-role', PolicyDocument: '{}' });
    expect(findings(withCall(create))).toEqual(['ModelAccess-DecidedAtDeploy@Grant']);
  });

  test('a provider function whose role may change IAM makes its custom resources not judged', () => {
    const provider = (actions: string) => ({
      Resources: {
        ProviderRole: role([doc(allow(actions))]),
        Provider: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Role: { 'Fn::GetAtt': ['ProviderRole', 'Arn'] },
            Runtime: 'nodejs20.x',
            Handler: 'i.h',
            Code: { ZipFile: 'x' },
          },
        },
        Grant: {
          Type: 'Custom::Grant',
          Properties: { ServiceToken: { 'Fn::GetAtt': ['Provider', 'Arn'] }, Role: 'inference-role' },
        },
      },
    });
    expect(findings(provider('iam:PutRolePolicy'))).toEqual(['ModelAccess-DecidedAtDeploy@Grant']);
    expect(findings(provider('s3:PutObject'))).toEqual([]);
  });
});
