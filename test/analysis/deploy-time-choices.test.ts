import { AccessAnalysis, Capability } from '../../lib';
import { PolicyViolation } from 'aws-cdk-lib';
import { check } from '../nag/include';
import { allow, deny, doc, role } from './designs';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const invoke = allow('bedrock:InvokeModel');
const tune = allow('bedrock:CreateModelCustomizationJob');
const inference = role([doc(invoke)], { RoleName: 'inference-role' });
const policyOn = (roleName: Json, ...statements: Json[]) => ({
  Type: 'AWS::IAM::Policy',
  Properties: { PolicyName: 'p', PolicyDocument: doc(...statements), Roles: [roleName] },
});

/** The unacknowledged error and fatal findings, as `rule@logicalId`. */
function findings(template: Json): string[] {
  return check(template)
    .violations.filter((v: PolicyViolation) => v.severity === 'error' || v.severity === 'fatal')
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName}@${r.constructPath?.split('/').pop()}`))
    .sort();
}

const MERGED = 'ModelAccess-MergedCapabilities[inference+customization]@Inference';

describe('a parameter that names a principal is judged for every value it can take', () => {
  test.each<[string, Json]>([
    ['its default', { Type: 'String', Default: 'inference-role' }],
    ['its only allowed value', { Type: 'String', AllowedValues: ['inference-role'] }],
    [
      'an allowed value that is not the default',
      { Type: 'String', Default: 'other', AllowedValues: ['other', 'inference-role'] },
    ],
  ])('%s', (_, parameter) => {
    const template = {
      Parameters: { Target: parameter },
      Resources: { Inference: inference, Tune: policyOn({ Ref: 'Target' }, tune) },
    };
    expect(findings(template)).toEqual([MERGED]);
  });

  test("a role named by a parameter's default is the role a policy names by that name", () => {
    const template = {
      Parameters: { Name: { Type: 'String', Default: 'inference-role' } },
      Resources: {
        Inference: role([doc(invoke)], { RoleName: { Ref: 'Name' } }),
        Tune: policyOn('inference-role', tune),
      },
    };
    expect(findings(template)).toEqual([MERGED]);
  });

  test('inside a Join or a Sub, the whole ARN is judged for each value, never the values joined together', () => {
    const weights = {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketName: 'weights',
        Tags: [{ Key: 'model-access:data-class', Value: 'model-artifacts' }],
      },
    };
    const reading = (resource: Json) => ({
      Parameters: { Bucket: { Type: 'String', Default: 'scratch', AllowedValues: ['scratch', 'weights'] } },
      Resources: { Weights: weights, Inference: role([doc(invoke, allow('s3:GetObject', resource))]) },
    });
    const merges = (template: Json) => findings(template).filter((f) => f.includes('Merge'));
    const join = { 'Fn::Join': ['', ['arn:aws:s3:::', { Ref: 'Bucket' }, '/*']] };
    expect(merges(reading(join))).toEqual([
      'ModelAccess-WeightsAccessMerge[inference+weights-access]@Inference',
    ]);
    expect(merges(reading({ 'Fn::Sub': 'arn:aws:s3:::${Bucket}/*' }))).toEqual([
      'ModelAccess-WeightsAccessMerge[inference+weights-access]@Inference',
    ]);
    const scratchOnly = reading(join);
    scratchOnly.Parameters.Bucket.AllowedValues = ['scratch', 'logs'];
    expect(merges(scratchOnly)).toEqual([]);
  });

  test('a value no choice names leaves the role alone', () => {
    const template = {
      Parameters: { Target: { Type: 'String', Default: 'tuner', AllowedValues: ['tuner', 'trainer'] } },
      Resources: { Inference: inference, Tune: policyOn({ Ref: 'Target' }, tune) },
    };
    expect(findings(template)).toEqual([]);
  });

  test('with neither a default nor allowed values, it is an explicit finding, never silence', () => {
    const template = {
      Parameters: { Target: { Type: 'String' } },
      Resources: { Inference: inference, Tune: policyOn({ Ref: 'Target' }, tune) },
    };
    expect(findings(template)).toEqual(['ModelAccess-DecidedAtDeploy[parameter Target]@Tune']);
  });

  test('a name taken from a parameter ARN (fromRoleArn of a parameter) is a finding too', () => {
    const nameOfArn = {
      'Fn::Select': [
        1,
        { 'Fn::Split': ['/', { 'Fn::Select': [5, { 'Fn::Split': [':', { Ref: 'Target' }] }] }] },
      ],
    };
    const template = {
      Parameters: { Target: { Type: 'String' } },
      Resources: { Inference: inference, Tune: policyOn(nameOfArn, tune) },
    };
    expect(findings(template)).toEqual(['ModelAccess-DecidedAtDeploy[parameter Target]@Tune']);
  });

  test("a Systems Manager parameter's default is where its value is read, not the value: a finding", () => {
    // What ssm.StringParameter.valueForStringParameter writes: the default names the stored parameter.
    const template = {
      Parameters: { Target: { Type: 'AWS::SSM::Parameter::Value<String>', Default: 'inference-role' } },
      Resources: { Inference: inference, Tune: policyOn({ Ref: 'Target' }, tune) },
    };
    expect(findings(template)).toEqual(['ModelAccess-DecidedAtDeploy[parameter Target]@Tune']);
  });
});

describe('Fn::If is judged for both branches', () => {
  const conditions = { Conditions: { IsDev: { 'Fn::Equals': [{ Ref: 'Stage' }, 'dev'] } } };
  const parameters = { Parameters: { Stage: { Type: 'String', Default: 'prod' } } };

  test('a statement that only the other branch adds merges the role, and the finding names the condition', () => {
    const template = {
      ...parameters,
      ...conditions,
      Resources: {
        Inference: role([doc(invoke, { 'Fn::If': ['IsDev', tune, { Ref: 'AWS::NoValue' }] })], {
          RoleName: 'inference-role',
        }),
      },
    };
    const report = check(template);
    const merged = report.violations.find((v) => v.ruleName.startsWith('ModelAccess-MergedCapabilities'));
    expect(merged?.description).toContain('[Fn::If IsDev]');
  });

  test('the grant in the false branch counts as the one in the true branch does', () => {
    const template = {
      ...parameters,
      ...conditions,
      Resources: {
        Inference: role([doc(invoke, { 'Fn::If': ['IsDev', { Ref: 'AWS::NoValue' }, tune] })], {
          RoleName: 'inference-role',
        }),
      },
    };
    expect(findings(template)).toEqual([MERGED]);
  });

  test('an action chosen by a condition counts for either value', () => {
    const template = {
      ...parameters,
      ...conditions,
      Resources: {
        Inference: role([
          doc(
            invoke,
            allow({
              'Fn::If': ['IsDev', 'bedrock:CreateModelCustomizationJob', 'bedrock:GetFoundationModel'],
            }),
          ),
        ]),
      },
    };
    expect(findings(template)).toEqual([MERGED]);
  });

  test('a deny that depends on a condition removes nothing; one that does not still does', () => {
    const guarded = (resource: Json) => ({
      ...parameters,
      ...conditions,
      Resources: {
        Inference: role([doc(invoke, tune, deny('bedrock:CreateModelCustomizationJob', resource))]),
      },
    });
    expect(
      findings(
        guarded({ 'Fn::If': ['IsDev', '*', 'arn:aws:bedrock:us-east-1:111111111111:custom-model/x'] }),
      ),
    ).toEqual([MERGED]);
    expect(findings(guarded('*'))).toEqual([]);
  });

  test('a policy attached to the role in one branch only still counts', () => {
    const template = {
      ...parameters,
      ...conditions,
      Resources: {
        Inference: inference,
        Tune: policyOn({ 'Fn::If': ['IsDev', 'inference-role', { Ref: 'AWS::NoValue' }] }, tune),
      },
    };
    expect(findings(template)).toEqual([MERGED]);
  });
});

describe('a principal whose name or boundary is a deploy-time choice', () => {
  const parameters = {
    RoleName: { Type: 'String', Default: 'safe', AllowedValues: ['safe', 'tuner'] },
    Boundary: {
      Type: 'String',
      Default: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
      AllowedValues: [
        'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
        'arn:aws:iam::aws:policy/AdministratorAccess',
      ],
    },
  };

  test('is known by every name it may take: a policy elsewhere on the other name is its', () => {
    const platform = {
      Parameters: parameters,
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: { Ref: 'RoleName' },
            AssumeRolePolicyDocument: { Statement: [] },
            Policies: [
              {
                PolicyName: 'p',
                PolicyDocument: {
                  Statement: [{ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: '*' }],
                },
              },
            ],
          },
        },
      },
    };
    const team = {
      Resources: {
        TunePolicy: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            PolicyName: 't',
            Roles: ['tuner'],
            PolicyDocument: {
              Statement: [{ Effect: 'Allow', Action: 'bedrock:CreateModelCustomizationJob', Resource: '*' }],
            },
          },
        },
      },
    };
    const analysis = AccessAnalysis.fromApp([
      { name: 'Platform', template: platform },
      { name: 'Team', template: team },
    ]);
    expect(analysis.principal('Platform/Role')!.capabilities).toEqual([
      Capability.CUSTOMIZATION,
      Capability.INFERENCE,
    ]);
  });

  test('is judged without a boundary the deployer may choose away', () => {
    const template = {
      Parameters: parameters,
      Resources: {
        Role: role([doc(allow(['bedrock:InvokeModel', 'bedrock:CreateModelCustomizationJob']))], {
          PermissionsBoundary: { Ref: 'Boundary' },
        }),
      },
    };
    expect(AccessAnalysis.fromTemplate(template).principal('Role')!.capabilities).toEqual([
      Capability.CUSTOMIZATION,
      Capability.INFERENCE,
    ]);
    // With one value, the boundary it names is the boundary.
    const fixed = {
      ...template,
      Parameters: { Boundary: { Type: 'String', Default: parameters.Boundary.Default } },
    };
    expect(AccessAnalysis.fromTemplate(fixed).principal('Role')!.capabilities).toEqual([]);
  });
});
