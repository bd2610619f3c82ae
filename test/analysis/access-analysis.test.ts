import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AccessAnalysis, Capability } from '../../lib';
import { ReferenceStack } from '../../bin/app';
import { threeRoles } from '../roles/fixture';
import { accountTrust, allow, bucket, deny, doc, role, template } from './designs';

const {
  READ,
  INFERENCE,
  CUSTOMIZATION,
  DEPLOYMENT,
  WEIGHTS_ACCESS,
  APPROVAL,
  INFERENCE_LOG_ACCESS,
  PRIVILEGE_ADMIN,
} = Capability;
const capabilitiesOf = (t: object, id = 'R') => AccessAnalysis.fromTemplate(t).principal(id)?.capabilities;

describe('our own designs', () => {
  test('the three capability roles hold their capability and nothing that merges', () => {
    const stack = new Stack(new App(), 'S');
    const roles = threeRoles(stack);
    const analysis = AccessAnalysis.fromTemplate(Template.fromStack(stack).toJSON());
    const id = (name: string) => stack.getLogicalId(roles[name].node.defaultChild as never);
    expect(analysis.principal(id('reader'))!.capabilities).toEqual([READ]);
    expect(analysis.principal(id('invoker'))!.capabilities).toEqual([INFERENCE]);
    expect(analysis.principal(id('tuner'))!.capabilities).toEqual([CUSTOMIZATION, WEIGHTS_ACCESS]);
    expect(analysis.mergedIdentities()).toEqual([]);
    expect(analysis.mergesThroughTrust()).toEqual([]);
    expect(analysis.problems).toEqual([]);
  });

  test('the reference app has no merged identity', () => {
    const analysis = AccessAnalysis.fromTemplate(
      Template.fromStack(
        new ReferenceStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Ref'),
      ).toJSON(),
    );
    expect(analysis.mergedIdentities()).toEqual([]);
    expect(analysis.mergesThroughTrust()).toEqual([]);
  });
});

describe('evidence', () => {
  test('a merged identity names the principal, both capabilities and a granting statement for each', () => {
    const t = template({
      R: role([
        doc(allow('bedrock:InvokeModel'), { Sid: 'Tune', ...allow('bedrock:CreateModelCustomizationJob') }),
      ]),
    });
    expect(AccessAnalysis.fromTemplate(t).mergedIdentities()).toEqual([
      {
        principal: 'R',
        capabilities: [INFERENCE, CUSTOMIZATION],
        evidence: [
          { policy: 'R/p0', statement: '#1', action: 'bedrock:InvokeModel', resource: '*' },
          { policy: 'R/p0', statement: 'Tune', action: 'bedrock:CreateModelCustomizationJob', resource: '*' },
        ],
        through: [],
        paths: [],
      },
    ]);
  });
});

describe('capabilities of hand-written designs', () => {
  test('a wildcard cannot hide a capability', () => {
    // Guardrail changes among them: whoever may loosen a guardrail administers what inference may do.
    expect(capabilitiesOf(template({ R: role([doc(allow('bedrock:*'))]) }))).toEqual([
      CUSTOMIZATION,
      DEPLOYMENT,
      INFERENCE,
      PRIVILEGE_ADMIN,
      READ,
      WEIGHTS_ACCESS,
    ]);
  });

  test('NotAction is the complement', () => {
    expect(
      capabilitiesOf(template({ R: role([doc({ Effect: 'Allow', NotAction: ['iam:*'], Resource: '*' })]) })),
    ).toEqual(
      // iam:* is excluded, but kms:PutKeyPolicy and s3:PutBucketPolicy still change who may do what.
      [
        APPROVAL,
        CUSTOMIZATION,
        DEPLOYMENT,
        INFERENCE,
        INFERENCE_LOG_ACCESS,
        PRIVILEGE_ADMIN,
        READ,
        WEIGHTS_ACCESS,
      ],
    );
  });

  test('mixed case is matched', () => {
    expect(
      capabilitiesOf(
        template({ R: role([doc(allow(['BEDROCK:invokemodel', 'Bedrock:CreateModelCustomizationJOB']))]) }),
      ),
    ).toEqual([CUSTOMIZATION, INFERENCE]);
  });

  test('separate AWS::IAM::Policy resources add up', () => {
    const t = template({
      R: role(),
      P1: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'a',
          Roles: [{ Ref: 'R' }],
          PolicyDocument: doc(allow('bedrock:InvokeModel')),
        },
      },
      P2: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'b',
          Roles: [{ Ref: 'R' }],
          PolicyDocument: doc(allow('sagemaker:CreateTrainingJob')),
        },
      },
    });
    expect(capabilitiesOf(t)).toEqual([CUSTOMIZATION, INFERENCE]);
  });

  test('a user holds its groups’ policies, by Groups and by UserToGroupAddition', () => {
    const t = template({
      G1: {
        Type: 'AWS::IAM::Group',
        Properties: { Policies: [{ PolicyName: 'g', PolicyDocument: doc(allow('bedrock:InvokeModel')) }] },
      },
      G2: { Type: 'AWS::IAM::Group', Properties: { ManagedPolicyArns: [{ Ref: 'MP' }] } },
      MP: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: { PolicyDocument: doc(allow('sagemaker:UpdateModelPackage')) },
      },
      U: { Type: 'AWS::IAM::User', Properties: { Groups: [{ Ref: 'G1' }] } },
      Add: {
        Type: 'AWS::IAM::UserToGroupAddition',
        Properties: { GroupName: { Ref: 'G2' }, Users: [{ Ref: 'U' }] },
      },
    });
    expect(capabilitiesOf(t, 'U')).toEqual([APPROVAL, INFERENCE]);
  });

  test('AWS-managed AmazonBedrockLimitedAccess is a merged identity by itself', () => {
    const t = template({
      R: role([], {
        ManagedPolicyArns: [
          {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonBedrockLimitedAccess'],
            ],
          },
        ],
      }),
    });
    expect(
      AccessAnalysis.fromTemplate(t)
        .mergedIdentities()
        .map((m) => m.capabilities),
    ).toContainEqual([INFERENCE, CUSTOMIZATION]);
  });

  test('an unknown AWS-managed policy is reported, not assumed harmless', () => {
    const t = template({ R: role([], { ManagedPolicyArns: ['arn:aws:iam::aws:policy/SomethingNew'] }) });
    expect(AccessAnalysis.fromTemplate(t).problems).toEqual([
      {
        principal: 'R',
        subject: 'SomethingNew',
        message: expect.stringContaining(
          'AWS-managed policy SomethingNew is not in the AWS-managed policy data',
        ),
      },
    ]);
  });

  test('an unknown action is reported', () => {
    const t = template({ R: role([doc(allow('bedrock:InvokeModle'))]) });
    expect(AccessAnalysis.fromTemplate(t).problems[0].message).toMatch(
      /service 'bedrock' has no action 'InvokeModle'/,
    );
  });

  test('s3:GetObject on a registry artifacts bucket through Fn::Join is weights access', () => {
    const t = template({
      Weights: bucket('model-artifacts'),
      R: role([
        doc(allow('s3:GetObject', { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Weights', 'Arn'] }, '/*']] })),
      ]),
    });
    expect(capabilitiesOf(t)).toEqual([WEIGHTS_ACCESS]);
  });

  test('bypassing governance retention on the audit logs or the provenance manifests is privilege administration', () => {
    for (const dataClass of ['audit-logs', 'metadata']) {
      const t = template({
        Locked: bucket(dataClass),
        R: role([doc(allow('s3:BypassGovernanceRetention', { 'Fn::Sub': '${Locked.Arn}/*' }))]),
      });
      expect([dataClass, capabilitiesOf(t)]).toEqual([dataClass, [PRIVILEGE_ADMIN]]);
    }
    const elsewhere = template({
      Other: { Type: 'AWS::S3::Bucket', Properties: {} },
      R: role([doc(allow('s3:BypassGovernanceRetention', { 'Fn::Sub': '${Other.Arn}/*' }))]),
    });
    expect(capabilitiesOf(elsewhere)).toEqual([]);
  });

  test('retagging a registry bucket or turning its ABAC off is privilege administration: the denies recognise it by tag', () => {
    for (const action of ['s3:PutBucketTagging', 's3:PutBucketAbac']) {
      const t = template({
        Weights: bucket('model-artifacts'),
        R: role([doc(allow(action, { 'Fn::GetAtt': ['Weights', 'Arn'] }))]),
      });
      expect([action, capabilitiesOf(t)]).toEqual([action, [PRIVILEGE_ADMIN]]);
    }
  });

  test('calling an AgentCore agent runtime is inference: the agent invokes models for its caller', () => {
    const caller = (action: string) => template({ R: role([doc(allow(action))]) });
    expect(capabilitiesOf(caller('bedrock-agentcore:InvokeAgentRuntime'))).toEqual([Capability.INFERENCE]);
    expect(capabilitiesOf(caller('bedrock-agentcore:InvokeAgentRuntimeWithWebSocketStream'))).toEqual([
      Capability.INFERENCE,
    ]);
    expect(capabilitiesOf(caller('bedrock-agentcore:GetAgentRuntime'))).toEqual([]);
  });

  test('s3:GetObject on the metadata bucket is read, on an ordinary bucket nothing', () => {
    const t = template({
      Meta: bucket('metadata'),
      Other: { Type: 'AWS::S3::Bucket', Properties: {} },
      R: role([
        doc(allow('s3:GetObject', [{ 'Fn::Sub': '${Meta.Arn}/*' }, { 'Fn::Sub': '${Other.Arn}/*' }])),
      ]),
    });
    expect(capabilitiesOf(t)).toEqual([READ]);
  });

  test('an unconditional deny removes a capability; a conditional one does not', () => {
    const base = allow(['bedrock:InvokeModel', 'bedrock:CreateModelCustomizationJob']);
    expect(capabilitiesOf(template({ R: role([doc(base, deny('bedrock:Create*'))]) }))).toEqual([INFERENCE]);
    expect(
      capabilitiesOf(
        template({
          R: role([
            doc(
              base,
              deny('bedrock:Create*', '*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ),
          ]),
        }),
      ),
    ).toEqual([CUSTOMIZATION, INFERENCE]);
  });

  test('a permissions boundary limits the capabilities', () => {
    const t = template({
      B: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: { PolicyDocument: doc(allow('bedrock:InvokeModel*')) },
      },
      R: role([doc(allow('*'))], { PermissionsBoundary: { Ref: 'B' } }),
    });
    expect(capabilitiesOf(t)).toEqual([INFERENCE]);
  });

  test('a callback worker that invokes a model and sends task success is inference only', () => {
    expect(
      capabilitiesOf(
        template({ R: role([doc(allow(['bedrock:InvokeModel', 'states:SendTaskSuccess', 'logs:*']))]) }),
      ),
    ).toEqual([INFERENCE]);
  });

  test('with a way to read task tokens it is an approver too', () => {
    const t = template({
      R: role([
        doc(allow(['bedrock:InvokeModel', 'states:SendTaskSuccess']), allow('states:GetExecutionHistory')),
      ]),
    });
    expect(capabilitiesOf(t)).toEqual([APPROVAL, INFERENCE]);
  });

  test('iam:PassRole on one named role is not privilege administration; on every role it is', () => {
    const t = (resource: object | string) =>
      template({
        Other: role(),
        R: role([doc(allow('bedrock:InvokeModel'), allow('iam:PassRole', resource))]),
      });
    expect(capabilitiesOf(t({ 'Fn::GetAtt': ['Other', 'Arn'] }))).toEqual([INFERENCE]);
    expect(capabilitiesOf(t('*'))).toEqual([INFERENCE, PRIVILEGE_ADMIN]);
    expect(capabilitiesOf(t({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*' }))).toEqual([
      INFERENCE,
      PRIVILEGE_ADMIN,
    ]);
  });
});

describe('trust and role chains', () => {
  const invoker = role([doc(allow('bedrock:InvokeModel'))]);
  const tuner = (trust: object) =>
    role([doc(allow('bedrock:CreateModelCustomizationJob'))], { AssumeRolePolicyDocument: trust });

  test('a role trusted directly by another principal is assumable by it', () => {
    const t = template({
      Invoker: invoker,
      Tuner: tuner(
        doc({
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::GetAtt': ['Invoker', 'Arn'] } },
          Action: 'sts:AssumeRole',
        }),
      ),
    });
    const analysis = AccessAnalysis.fromTemplate(t);
    expect(analysis.principal('Invoker')!.canAssume).toEqual(['Tuner']);
    expect(analysis.mergedIdentities()).toEqual([]);
    expect(analysis.mergesThroughTrust()).toEqual([
      expect.objectContaining({
        principal: 'Invoker',
        capabilities: [INFERENCE, CUSTOMIZATION],
        through: ['Tuner'],
      }),
    ]);
  });

  test('a role trusting the account is assumable by whoever has sts:AssumeRole on it, through chains', () => {
    const t = template({
      Start: role([doc(allow('sts:AssumeRole', { 'Fn::GetAtt': ['Hop', 'Arn'] }))]),
      Hop: role([doc(allow('bedrock:InvokeModel'), allow('sts:AssumeRole', '*'))], {
        AssumeRolePolicyDocument: accountTrust,
      }),
      Tuner: tuner(accountTrust),
    });
    const analysis = AccessAnalysis.fromTemplate(t);
    expect(analysis.principal('Start')!.canAssume.sort()).toEqual(['Hop', 'Tuner']);
    expect(analysis.mergesThroughTrust().map((m) => [m.principal, m.through])).toEqual([
      ['Start', ['Hop', 'Tuner']],
      ['Hop', ['Tuner']],
    ]);
  });

  test('a role trusting the account is not assumable by a principal without sts:AssumeRole on it', () => {
    const t = template({ Invoker: invoker, Tuner: tuner(accountTrust) });
    expect(AccessAnalysis.fromTemplate(t).mergesThroughTrust()).toEqual([]);
  });
});
