import '../support/env';
import { Duration, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import {
  AccessAnalysis,
  Capability,
  CustomizationBackend,
  CustomizationPipelineProps,
  Hyperparameter,
  ModelAccessChecks,
  ModelTarget,
} from '../../lib';
import { actionResourceTypes } from '../../lib/capabilities/private/iam-data';
import { identityPoliciesOf, simulate } from '../support/simulate';
import { ACCOUNT, REGION } from '../support/template';
import { pipelineFixture, pipelineStack, TITAN } from './fixture';

const f = pipelineFixture();
const t = Template.fromJSON(f.json);
const arn = (id: string) => f.template.arn(id);
const stateMachineArn = arn(f.ids.stateMachine);
const functionArn = (name: string) =>
  arn(f.stack.getLogicalId(f.pipeline.node.findChild(name).node.defaultChild as never));
const roleOf = (fn: string) =>
  f.stack.getLogicalId(
    (f.pipeline.node.findChild(fn) as unknown as { role: iam.Role }).role.node.defaultChild as never,
  );

async function can(roleId: string, action: string, resource: string, context: Record<string, string> = {}) {
  return simulate({
    principal: arn(roleId),
    action,
    resource,
    identityPolicies: identityPoliciesOf(f.template, roleId),
    context,
  });
}

const JOBS = `arn:aws:bedrock:${REGION}:${ACCOUNT}:model-customization-job/abc`;
const TITAN_ARN = `arn:aws:bedrock:${REGION}::foundation-model/${TITAN}`;

describe('CustomizationPipeline resources', () => {
  test('the state machine is a standard workflow tagged as the customization pipeline, traced, logging no execution data', () => {
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
      Tags: Match.arrayWith([{ Key: 'model-access:component', Value: 'customization-pipeline' }]),
    });
  });

  test('decisions live in a KMS-encrypted table with point-in-time recovery, kept on deletion', () => {
    t.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
      DeletionPolicy: 'Retain',
    });
  });

  test('the notification topic and every log group are KMS-encrypted; log groups keep a year', () => {
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    const groups = t.findResources('AWS::Logs::LogGroup');
    expect(Object.keys(groups)).toHaveLength(6);
    for (const g of Object.values(groups)) {
      expect(g.Properties).toMatchObject({ KmsKeyId: expect.anything(), RetentionInDays: 365 });
      expect(g.DeletionPolicy).toBe('Retain');
    }
  });

  test("the pipeline's key lets CloudWatch Logs encrypt only this account's log groups", () => {
    const keyId = f.stack.getLogicalId(f.pipeline.encryptionKey.node.defaultChild as never);
    expect(f.template.props(keyId).KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Principal: { Service: `logs.${REGION}.amazonaws.com` },
        Condition: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*` },
        },
      }),
    );
  });

  test('requests and approvals reach the pipeline only through IAM-authenticated function URLs', () => {
    const urls = Object.values(t.findResources('AWS::Lambda::Url'));
    expect(urls).toHaveLength(2);
    for (const u of urls) expect(u.Properties.AuthType).toBe('AWS_IAM');
  });

  test('functions are traced and their roles tagged as the pipeline; the approval function is marked as the approval endpoint', () => {
    const fns = Object.values(t.findResources('AWS::Lambda::Function'));
    expect(fns).toHaveLength(5);
    for (const fn of fns) expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    t.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Tags: Match.arrayWith([{ Key: 'model-access:component', Value: 'approval-endpoint' }]) },
      1,
    );
    for (const fn of [
      'RequestHandler',
      'ApprovalHandler',
      'ApprovalGate',
      'DatasetInspector',
      'ProvenanceWriter',
    ]) {
      expect(f.template.props(roleOf(fn)).Tags).toContainEqual({
        Key: 'model-access:capability',
        Value: 'pipeline',
      });
    }
    expect(f.template.props(f.ids.stateMachineRole).Tags).toContainEqual({
      Key: 'model-access:capability',
      Value: 'pipeline',
    });
    expect(f.template.props(f.ids.serviceRole).Tags).toContainEqual({
      Key: 'model-access:capability',
      Value: 'service',
    });
  });

  test('the service role trusts Bedrock only for this account’s customization jobs', () => {
    expect(f.template.props(f.ids.serviceRole).AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'bedrock.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          ArnLike: { 'aws:SourceArn': `arn:aws:bedrock:${REGION}:${ACCOUNT}:model-customization-job/*` },
        },
      },
    ]);
  });
});

describe('CustomizationPipeline identities (evaluated with iam-simulate)', () => {
  test.each(['requester', 'approver', 'statusReader'] as const)(
    'the %s cannot start a customization job, start or resume the state machine',
    async (who) => {
      const id = f.ids[who];
      expect(await can(id, 'bedrock:CreateModelCustomizationJob', TITAN_ARN)).toBe('ImplicitlyDenied');
      expect(await can(id, 'states:StartExecution', stateMachineArn)).toBe('ImplicitlyDenied');
      expect(await can(id, 'states:SendTaskSuccess', '*')).toBe('ImplicitlyDenied');
      expect(await can(id, 'iam:PassRole', arn(f.ids.serviceRole))).toBe('ImplicitlyDenied');
    },
  );

  test('the requester may call the request URL and not the approval URL; the approver the reverse', async () => {
    const viaUrl = { 'lambda:FunctionUrlAuthType': 'AWS_IAM', 'lambda:InvokedViaFunctionUrl': 'true' };
    const request = functionArn('RequestHandler');
    const approval = functionArn('ApprovalHandler');
    expect(await can(f.ids.requester, 'lambda:InvokeFunctionUrl', request, viaUrl)).toBe('Allowed');
    expect(await can(f.ids.requester, 'lambda:InvokeFunctionUrl', approval, viaUrl)).toBe('ImplicitlyDenied');
    expect(await can(f.ids.approver, 'lambda:InvokeFunctionUrl', approval, viaUrl)).toBe('Allowed');
    expect(await can(f.ids.approver, 'lambda:InvokeFunctionUrl', request, viaUrl)).toBe('ImplicitlyDenied');
  });

  test('an approver cannot invoke the approval function directly, around the URL’s authentication', async () => {
    expect(await can(f.ids.approver, 'lambda:InvokeFunction', functionArn('ApprovalHandler'))).toBe(
      'ImplicitlyDenied',
    );
  });

  test('a status reader may describe executions but not read their history, which holds task tokens', async () => {
    const execution = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${f.ids.stateMachine}:req`;
    expect(await can(f.ids.statusReader, 'states:DescribeExecution', execution)).toBe('Allowed');
    expect(await can(f.ids.statusReader, 'states:ListExecutions', stateMachineArn)).toBe('Allowed');
    expect(await can(f.ids.statusReader, 'states:GetExecutionHistory', execution)).toBe('ImplicitlyDenied');
  });

  test('of all roles in the stack, only the request handler may start the pipeline', async () => {
    const starters = [];
    for (const role of f.template.ofType('AWS::IAM::Role')) {
      if ((await can(role, 'states:StartExecution', stateMachineArn)) === 'Allowed') starters.push(role);
    }
    expect(starters).toEqual([roleOf('RequestHandler')]);
  });

  test('the state machine starts jobs only from allowlisted base models, passing only its service role to Bedrock', async () => {
    const sm = f.ids.stateMachineRole;
    expect(await can(sm, 'bedrock:CreateModelCustomizationJob', TITAN_ARN)).toBe('Allowed');
    expect(
      await can(
        sm,
        'bedrock:CreateModelCustomizationJob',
        `arn:aws:bedrock:${REGION}::foundation-model/anthropic.claude-v2`,
      ),
    ).toBe('ImplicitlyDenied');
    const service = arn(f.ids.serviceRole);
    expect(await can(sm, 'iam:PassRole', service, { 'iam:PassedToService': 'bedrock.amazonaws.com' })).toBe(
      'Allowed',
    );
    expect(await can(sm, 'iam:PassRole', service, { 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe(
      'ImplicitlyDenied',
    );
    expect(
      await can(sm, 'iam:PassRole', arn(f.ids.requester), { 'iam:PassedToService': 'bedrock.amazonaws.com' }),
    ).toBe('ImplicitlyDenied');
  });

  test('the approval handler may resume a waiting approval step, which IAM authorizes only on *', async () => {
    expect(await can(roleOf('ApprovalHandler'), 'states:SendTaskSuccess', '*')).toBe('Allowed');
  });

  test('the .sync integration may watch and stop the jobs it starts', async () => {
    expect(await can(f.ids.stateMachineRole, 'bedrock:GetModelCustomizationJob', JOBS)).toBe('Allowed');
    expect(await can(f.ids.stateMachineRole, 'bedrock:StopModelCustomizationJob', JOBS)).toBe('Allowed');
  });
});

describe('CustomizationPipeline in the analysis and the nag pack', () => {
  const analysis = AccessAnalysis.fromTemplate(f.json);
  const holders = (c: Capability) =>
    analysis.principals
      .filter((p) => p.capabilities.includes(c))
      .map((p) => p.id)
      .sort();

  test('the execution role and the service role are the only principals with CUSTOMIZATION', () => {
    expect(holders(Capability.CUSTOMIZATION)).toEqual([f.ids.serviceRole, f.ids.stateMachineRole].sort());
  });

  test('grantApprove confers APPROVAL and nothing else; grantRequest confers no capability', () => {
    expect(analysis.principals.find((p) => p.id === f.ids.approver)!.capabilities).toEqual([
      Capability.APPROVAL,
    ]);
    expect(analysis.principals.find((p) => p.id === f.ids.requester)!.capabilities).toEqual([]);
  });

  test('besides granted approvers, only the approval handler holds APPROVAL: it reads the tokens and resumes', () => {
    expect(holders(Capability.APPROVAL)).toEqual([f.ids.approver, roleOf('ApprovalHandler')].sort());
  });

  test('ModelAccessChecks finds no error in the pipeline', () => {
    const pack = new ModelAccessChecks(f.app);
    const report = pack.validateScope(f.app);
    expect(report.violations.filter((v) => v.severity !== 'warning')).toEqual([]);
  });

  // A hand-written callback worker that also invokes models: an approver only if it can read the tokens.
  const callbackWorker = (readsDecisionTable: boolean) => {
    const { app, stack, pipeline } = pipelineStack();
    const otherTable = new dynamodb.Table(stack, 'Jobs', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    });
    const worker = new iam.Role(stack, 'Worker', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    worker.addToPolicy(
      new iam.PolicyStatement({
        actions: ['states:SendTaskSuccess', 'bedrock:InvokeModel'],
        resources: ['*'],
      }),
    );
    (readsDecisionTable ? pipeline.table : otherTable).grant(worker, 'dynamodb:GetItem');
    const report = new ModelAccessChecks(app).validateScope(app);
    return report.violations.filter((v) => v.severity !== 'warning').map((v) => v.ruleName);
  };

  test('a role that sends task success and reads the decision table is an approver: with inference, a merge', () => {
    expect(callbackWorker(true)).toContainEqual(
      expect.stringMatching(/MergedCapabilities\[inference\+approval\]/),
    );
  });

  test('the same callback worker reading another table is not an approver (no false positive)', () => {
    expect(callbackWorker(false)).toEqual([]);
  });

  test('merging approval into the requester is caught by the pack', () => {
    const { app, stack, pipeline } = pipelineStack();
    const both = new iam.Role(stack, 'RequesterAndInvoker', {
      assumedBy: new iam.AccountRootPrincipal().withConditions({
        StringEquals: { 'sts:RoleSessionName': '${aws:username}' },
      }),
    });
    pipeline.grantApprove(both);
    both.addToPolicy(new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: [TITAN_ARN] }));
    Validations.of(app).addPlugins(new ModelAccessChecks(app));
    expect(() => app.synth()).toThrow(/MergedCapabilities/);
  });
});

describe('CustomizationPipeline refuses unsafe or impossible configurations', () => {
  const build =
    (props: Partial<CustomizationPipelineProps>, metadataObjectLock = true) =>
    () =>
      pipelineStack(props, metadataObjectLock);

  test.each<[string, Partial<CustomizationPipelineProps>, string]>([
    [
      'one approver without the explicit prop',
      { requiredApprovals: 1 },
      'requiredApprovals 1 gives up the two-person rule; set allowSingleApprover: true',
    ],
    [
      'zero approvers',
      { requiredApprovals: 0 },
      'requiredApprovals must be a whole number from 1 to 10, got 0',
    ],
    [
      'a fractional count',
      { requiredApprovals: 2.5 },
      'requiredApprovals must be a whole number from 1 to 10, got 2.5',
    ],
    ['no base model', { baseModels: [] }, 'baseModels must name at least one model'],
    [
      'an inference endpoint as base model',
      { baseModels: [ModelTarget.sagemakerEndpoint('churn')] },
      'SageMaker endpoint churn cannot be a Bedrock base model; use ModelTarget.bedrockFoundationModel or ModelTarget.bedrockCustomModel',
    ],
    [
      'a Bedrock model for SageMaker',
      {
        baseModels: [ModelTarget.bedrockFoundationModel(TITAN)],
        backend: CustomizationBackend.sageMaker({
          trainingImage: tasks.DockerImage.fromRegistry('trainer:1'),
        }),
      },
      `Bedrock foundation model ${TITAN} cannot be a SageMaker base model; use ModelTarget.sagemakerModelPackage`,
    ],
    [
      'the same model twice',
      { baseModels: [ModelTarget.bedrockFoundationModel(TITAN), ModelTarget.bedrockFoundationModel(TITAN)] },
      `base model ${TITAN} is listed twice`,
    ],
    [
      'an approval timeout of zero',
      { approvalTimeout: Duration.seconds(0) },
      'approvalTimeout must be from 1 second to 365 days, got 0 seconds',
    ],
    [
      'an approval timeout over a year',
      { approvalTimeout: Duration.days(400) },
      'approvalTimeout must be from 1 second to 365 days, got 400 days',
    ],
    [
      'more base models than the request handler can hold',
      {
        baseModels: Array.from({ length: 40 }, (_, i) =>
          ModelTarget.bedrockCustomModel(
            `arn:aws:bedrock:us-east-1:111111111111:custom-model/amazon.titan-text-express-v1:0:8k/model${i}`,
          ),
        ),
      },
      "more than the 3072 the request handler's environment can hold; allow fewer base models or hyperparameters per pipeline",
    ],
    [
      'a hyperparameter declared twice',
      {
        hyperParameters: [
          Hyperparameter.integer('epochCount', 1, 2),
          Hyperparameter.integer('epochCount', 1, 3),
        ],
      },
      "hyperparameter 'epochCount' is declared twice",
    ],
  ])('%s', (_name, props, message) => {
    expect(build(props)).toThrow(message);
  });

  test('a registry whose metadata bucket has no object lock', () => {
    expect(build({}, false)).toThrow("the registry's metadata bucket has no object lock");
  });

  test('one approver is allowed only when asked for explicitly', () => {
    expect(build({ requiredApprovals: 1, allowSingleApprover: true })).not.toThrow();
  });

  test.each<[string, () => unknown, string]>([
    [
      'distillation',
      () => CustomizationBackend.bedrock({ customizationType: tasks.CustomizationType.DISTILLATION }),
      'DISTILLATION needs a teacher model configuration',
    ],
    [
      'inverted bounds',
      () => Hyperparameter.number('learningRate', 1, 0),
      "Hyperparameter 'learningRate': min (1) must be a number no greater than max (0).",
    ],
    [
      'fractional integer bounds',
      () => Hyperparameter.integer('epochCount', 1.5, 3),
      "Hyperparameter.integer('epochCount'): bounds must be integers",
    ],
    ['a bad name', () => Hyperparameter.integer('epoch$', 1, 3), "'epoch$' is not a hyperparameter name"],
    [
      'zero instances',
      () =>
        CustomizationBackend.sageMaker({
          trainingImage: tasks.DockerImage.fromRegistry('t'),
          instanceCount: 0,
        }),
      'instanceCount must be a positive integer, got 0',
    ],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('CustomizationPipeline policies', () => {
  test('every action is granted on a resource IAM can authorize it on', () => {
    const unmatchable: string[] = [];
    for (const role of f.template.ofType('AWS::IAM::Role')) {
      for (const doc of identityPoliciesOf(f.template, role)) {
        for (const s of doc.Statement) {
          const resources = [s.Resource].flat();
          for (const action of [s.Action].flat()) {
            if (s.Effect !== 'Allow' || action.includes('*')) continue;
            if (actionResourceTypes(action).length === 0 && !resources.includes('*')) {
              unmatchable.push(`${role}: ${action} on ${resources.join(', ')}`);
            }
          }
        }
      }
    }
    expect(unmatchable).toEqual([]);
  });
});
