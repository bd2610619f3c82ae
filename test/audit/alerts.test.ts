import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Capability, ModelAuditTrail, ModelInvocationLogging } from '../../lib';
import {
  MAX_PATTERN_LENGTH,
  pipelineFunctionsPattern,
  pipelineStatePattern,
} from '../../lib/audit/private/alert-patterns';
import { RuleBus } from '../support/rule-bus';
import { ACCOUNT, REGION, ResolvedTemplate } from '../support/template';
import { controlFixture } from './fixture';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

// Each alert rule's synthesized pattern, with intrinsics resolved, is loaded into moto's
// EventBridge with a queue as its target; sample CloudTrail events are put on the bus and each
// queue is read to see which rules matched.
const f = controlFixture();
const RULES = [
  'CustomizationOutsidePipeline',
  'DeploymentOutsidePipeline',
  'ModelPackageApprovals',
  'RoleChanges',
  'PolicyChanges',
  'RegistryPolicyChanges',
  'RegistryPolicyChanges2',
  'TrailTampering',
  'ServiceCredentials',
  'GuardrailChanges',
  'InvocationLoggingChanges',
  'PipelineChanges',
  'PipelineFunctionChanges',
  'PipelineChanges2',
  'PipelineFunctionChanges2',
  'AlertTopicChanges',
  'AlertRuleChanges',
];
const ruleId = (name: string) => f.id(f.control.auditTrail.node.findChild(name));
const arn = (c: Parameters<typeof f.id>[0]) => f.template.arn(f.id(c));
const name = (c: Parameters<typeof f.id>[0]) => f.template.resolve({ Ref: f.id(c) });

const pipeline = f.control.pipeline!;
const deployment = f.control.deploymentPipeline!;
const stateMachineRole = pipeline.stateMachine.role;
const registry = f.control.registry;

/** CloudTrail's record of an API call, as EventBridge delivers it. */
function apiCall(service: string, eventName: string, caller: Json, requestParameters: Json = {}) {
  return {
    Source: `aws.${service}`,
    DetailType: 'AWS API Call via CloudTrail',
    Detail: JSON.stringify({
      eventVersion: '1.09',
      userIdentity: caller,
      eventTime: '2026-11-24T10:00:00Z',
      eventSource: `${service}.amazonaws.com`,
      eventName,
      awsRegion: REGION,
      sourceIPAddress: '203.0.113.7',
      requestParameters,
      eventType: 'AwsApiCall',
      recipientAccountId: ACCOUNT,
    }),
  };
}
/** A session of an assumed role. */
const assumed = (roleArn: string) => ({
  type: 'AssumedRole',
  principalId: 'AROAEXAMPLE:session',
  arn: roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + '/session',
  accountId: ACCOUNT,
  sessionContext: { sessionIssuer: { type: 'Role', arn: roleArn, accountId: ACCOUNT } },
});
const user = {
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLE',
  arn: `arn:aws:iam::${ACCOUNT}:user/mallory`,
  accountId: ACCOUNT,
};
const outsider = assumed(`arn:aws:iam::${ACCOUNT}:role/SomeoneElse`);

// The forwarder stack of a trail in eu-west-1: its rule is loaded beside the alert rules.
const FORWARDER = 'Forwarder';
const forwarderPattern = () => {
  const eu = new Stack(new App(), 'Eu', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const forwarder = new ModelAuditTrail(eu, 'Audit').iamEventForwarder!;
  const resources = Template.fromStack(forwarder).toJSON().Resources;
  return Object.values<Json>(resources).find((r) => r.Type === 'AWS::Events::Rule').Properties.EventPattern;
};

let bus: RuleBus;
beforeAll(async () => {
  bus = await RuleBus.start({
    ...Object.fromEntries(RULES.map((rule) => [rule, f.template.props(ruleId(rule)).EventPattern])),
    [FORWARDER]: forwarderPattern(),
  });
}, 60_000);
afterAll(async () => bus?.stop());

/** The rules an event raises an alert on (the forwarder is no alert). */
const alertsFor = async (event: Json) => (await bus.matches(event)).filter((r) => r !== FORWARDER);

describe('a customization call', () => {
  test("by the pipeline's state machine raises no alert at all", async () => {
    expect(
      await alertsFor(apiCall('bedrock', 'CreateModelCustomizationJob', assumed(arn(stateMachineRole)))),
    ).toEqual([]);
  });

  test.each(['CreateModelCustomizationJob', 'CreateModelImportJob', 'CreateCustomModel'])(
    'bedrock:%s by another role raises the customization alert',
    async (eventName) => {
      expect(await alertsFor(apiCall('bedrock', eventName, outsider))).toEqual([
        'CustomizationOutsidePipeline',
      ]);
    },
  );

  test("by one of the pipeline's own functions raises the alert: only the state machine may", async () => {
    const requestHandler = pipeline.node.findChild('RequestHandlerRole');
    expect(
      await alertsFor(apiCall('bedrock', 'CreateModelCustomizationJob', assumed(arn(requestHandler)))),
    ).toEqual(['CustomizationOutsidePipeline']);
  });

  test('by an IAM user (no assumed role) raises the alert', async () => {
    expect(await alertsFor(apiCall('bedrock', 'CreateModelCustomizationJob', user))).toEqual([
      'CustomizationOutsidePipeline',
    ]);
  });

  test.each([
    ['bedrock-mantle', 'CreateFineTuningJob'],
    ['sagemaker', 'CreateAutoMLJobV2'],
    ['sagemaker', 'CreateModel'],
  ])('%s:%s, a catalog action of customization, raises the alert', async (service, eventName) => {
    expect(await alertsFor(apiCall(service, eventName, outsider))).toEqual(['CustomizationOutsidePipeline']);
  });

  test("CreateModel by the deployment pipeline's hosting-model function, after approval, raises no alert", async () => {
    const hostingModel = deployment.node.findChild('HostingModelRole');
    expect(await alertsFor(apiCall('sagemaker', 'CreateModel', assumed(arn(hostingModel))))).toEqual([]);
  });

  test("a customization by the deployment pipeline's state machine raises the alert: it deploys, it does not customize", async () => {
    expect(
      await alertsFor(apiCall('sagemaker', 'CreateModel', assumed(arn(deployment.stateMachine.role)))),
    ).toEqual(['CustomizationOutsidePipeline']);
  });

  test('sagemaker:CreateTrainingJob by another role raises the alert', async () => {
    expect(await alertsFor(apiCall('sagemaker', 'CreateTrainingJob', outsider))).toEqual([
      'CustomizationOutsidePipeline',
    ]);
  });

  test('an invocation is no customization', async () => {
    expect(await alertsFor(apiCall('bedrock', 'InvokeModel', outsider))).toEqual([]);
  });
});

describe("SageMaker's own approval", () => {
  const PACKAGE = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-package/support/4`;
  const [packageApproval] = deployment.rolesActingFor(Capability.APPROVAL);

  test('a package set Approved by anyone but the deployment pipeline raises the approval alert', async () => {
    const update = { modelPackageArn: PACKAGE, modelApprovalStatus: 'Approved' };
    expect(await alertsFor(apiCall('sagemaker', 'UpdateModelPackage', outsider, update))).toEqual([
      'ModelPackageApprovals',
    ]);
    expect(await alertsFor(apiCall('sagemaker', 'UpdateModelPackage', user, update))).toEqual([
      'ModelPackageApprovals',
    ]);
  });

  test('a package created already Approved raises it beside the customization alert', async () => {
    const create = { modelPackageGroupName: 'support', modelApprovalStatus: 'Approved' };
    expect(await alertsFor(apiCall('sagemaker', 'CreateModelPackage', outsider, create))).toEqual([
      'CustomizationOutsidePipeline',
      'ModelPackageApprovals',
    ]);
  });

  test("the deployment pipeline's approval step, and a package left pending, raise none", async () => {
    const approved = { modelPackageArn: PACKAGE, modelApprovalStatus: 'Approved' };
    expect(
      await alertsFor(apiCall('sagemaker', 'UpdateModelPackage', assumed(arn(packageApproval)), approved)),
    ).toEqual([]);
    const pending = { modelPackageArn: PACKAGE, modelApprovalStatus: 'PendingManualApproval' };
    expect(await alertsFor(apiCall('sagemaker', 'UpdateModelPackage', outsider, pending))).toEqual([]);
  });
});

describe('a deployment call', () => {
  test.each([
    ['sagemaker', 'UpdateEndpoint'],
    ['sagemaker', 'CreateEndpoint'],
    ['sagemaker', 'UpdateEndpointWeightsAndCapacities'],
    ['bedrock', 'CreateProvisionedModelThroughput'],
    ['bedrock', 'CreateCustomModelDeployment'],
  ])('%s:%s by another role raises the deployment alert', async (service, eventName) => {
    expect(await alertsFor(apiCall(service, eventName, outsider))).toEqual(['DeploymentOutsidePipeline']);
    expect(await alertsFor(apiCall(service, eventName, user))).toEqual(['DeploymentOutsidePipeline']);
  });

  test("by the deployment pipeline's state machine raises no alert", async () => {
    expect(
      await alertsFor(apiCall('sagemaker', 'UpdateEndpoint', assumed(arn(deployment.stateMachine.role)))),
    ).toEqual([]);
  });

  test("by the customization pipeline's state machine, or a deployment function, raises the alert", async () => {
    for (const role of [stateMachineRole, deployment.node.findChild('HostingModelRole')]) {
      expect(await alertsFor(apiCall('sagemaker', 'UpdateEndpoint', assumed(arn(role))))).toEqual([
        'DeploymentOutsidePipeline',
      ]);
    }
  });
});

describe('a change to model invocation logging', () => {
  test.each(['PutModelInvocationLoggingConfiguration', 'DeleteModelInvocationLoggingConfiguration'])(
    'bedrock:%s by anyone, with no logging store watched, raises the alert',
    async (eventName) => {
      expect(await alertsFor(apiCall('bedrock', eventName, outsider))).toEqual(['InvocationLoggingChanges']);
      expect(await alertsFor(apiCall('bedrock', eventName, user))).toEqual(['InvocationLoggingChanges']);
    },
  );

  test("with a store watched, its own custom resource's role raises none, and anyone else still does", async () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Logged');
    const logging = new ModelInvocationLogging(stack, 'InvocationLogging');
    const trail = new ModelAuditTrail(stack, 'Audit', { invocationLogging: [logging] });
    const template = Template.fromStack(stack).toJSON();
    const resolved = new ResolvedTemplate(template);
    const rule = stack.getLogicalId(
      trail.node.findChild('InvocationLoggingChanges').node.defaultChild as never,
    );
    const logged = await RuleBus.start({
      InvocationLoggingChanges: resolved.props(rule).EventPattern,
    });
    try {
      const own = assumed(
        resolved.arn(stack.getLogicalId(logging.configurationRole.node.defaultChild as never)),
      );
      const off = (caller: Json) => apiCall('bedrock', 'DeleteModelInvocationLoggingConfiguration', caller);
      expect(await logged.matches(off(own))).toEqual([]);
      expect(await logged.matches(off(outsider))).toEqual(['InvocationLoggingChanges']);
      expect(await logged.matches(off(user))).toEqual(['InvocationLoggingChanges']);
    } finally {
      await logged.stop();
    }
  }, 60_000);
});

describe("a change to a watched role's permissions", () => {
  const watched = () => name(f.control.inferenceRole!);

  test.each([
    'PutRolePolicy',
    'AttachRolePolicy',
    'DetachRolePolicy',
    'DeleteRolePolicy',
    'PutRolePermissionsBoundary',
    'DeleteRolePermissionsBoundary',
    'UpdateAssumeRolePolicy',
    'TagRole',
    'UntagRole',
    'UpdateRole',
  ])('%s on the inference role raises the privilege alert', async (eventName) => {
    expect(await alertsFor(apiCall('iam', eventName, user, { roleName: watched() }))).toEqual([
      'RoleChanges',
    ]);
  });

  test("AttachRolePolicy on the pipeline's state machine role, and on the auditor role, raise it", async () => {
    for (const role of [stateMachineRole, f.control.auditTrail.auditorRole!]) {
      expect(await alertsFor(apiCall('iam', 'AttachRolePolicy', user, { roleName: name(role) }))).toEqual([
        'RoleChanges',
      ]);
    }
  });

  test('a new version of a role boundary raises it, and of an unrelated policy does not', async () => {
    const boundary = f.template.resolve({ Ref: f.id(f.control.inferenceRole!.permissionsBoundary as never) });
    expect(await alertsFor(apiCall('iam', 'CreatePolicyVersion', user, { policyArn: boundary }))).toEqual([
      'PolicyChanges',
    ]);
    expect(
      await alertsFor(
        apiCall('iam', 'CreatePolicyVersion', user, {
          policyArn: `arn:aws:iam::${ACCOUNT}:policy/Unrelated`,
        }),
      ),
    ).toEqual([]);
  });

  test('the same call on a role outside the library raises nothing', async () => {
    expect(
      await alertsFor(apiCall('iam', 'PutRolePolicy', user, { roleName: 'SomeApplicationRole' })),
    ).toEqual([]);
  });
});

describe('a change to a registry bucket or key policy', () => {
  test.each(['PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketTagging', 'DeleteBucketTagging'])(
    '%s on the weights bucket, or on the inference-logs bucket, raises the registry alert',
    async (eventName) => {
      for (const bucket of [registry.modelArtifactsBucket, f.control.invocationLogging!.bucket]) {
        expect(await alertsFor(apiCall('s3', eventName, outsider, { bucketName: name(bucket) }))).toEqual([
          'RegistryPolicyChanges',
        ]);
      }
    },
  );

  test('PutKeyPolicy naming the registry key by id, or by ARN, raises it', async () => {
    const key = registry.encryptionKey;
    for (const keyId of [name(key), arn(key)]) {
      expect(
        await alertsFor(apiCall('kms', 'PutKeyPolicy', outsider, { keyId, policyName: 'default' })),
      ).toEqual(['RegistryPolicyChanges']);
    }
  });

  test.each(['DisableKey', 'ScheduleKeyDeletion', 'DisableKeyRotation'])(
    "%s on the registry key, the pipeline's key or the trail's key raises it",
    async (eventName) => {
      for (const key of [
        registry.encryptionKey,
        pipeline.encryptionKey,
        f.control.auditTrail.encryptionKey,
      ]) {
        expect(await alertsFor(apiCall('kms', eventName, outsider, { keyId: arn(key) }))).toEqual([
          'RegistryPolicyChanges',
        ]);
      }
    },
  );

  test('CreateGrant on the registry key raises it', async () => {
    expect(
      await alertsFor(apiCall('kms', 'CreateGrant', outsider, { keyId: arn(registry.encryptionKey) })),
    ).toEqual(['RegistryPolicyChanges']);
  });

  test("the same calls on another bucket or key raise nothing, nor do the pipeline's own writes", async () => {
    expect(
      await alertsFor(apiCall('s3', 'PutBucketPolicy', outsider, { bucketName: 'someone-elses-bucket' })),
    ).toEqual([]);
    expect(await alertsFor(apiCall('kms', 'PutKeyPolicy', outsider, { keyId: 'key-unrelated' }))).toEqual([]);
    const writer = pipeline.node.findChild('ProvenanceWriterRole');
    expect(
      await alertsFor(
        apiCall('s3', 'PutObject', assumed(arn(writer)), { bucketName: name(registry.metadataBucket) }),
      ),
    ).toEqual([]);
  });
});

describe("a change to a pipeline's machinery", () => {
  const fn = (id: string) => pipeline.node.findChild(id);
  const versioned = {
    UpdateFunctionCode: 'UpdateFunctionCode20150331v2',
    UpdateFunctionConfiguration: 'UpdateFunctionConfiguration20150331v2',
    AddPermission: 'AddPermission20150331v2',
    CreateAlias: 'CreateAlias20150331',
    UpdateFunctionUrlConfig: 'UpdateFunctionUrlConfig20211031',
    DeleteFunction: 'DeleteFunction20150331',
  };

  test.each(Object.entries(versioned))(
    '%s on the approval function, named by name or by ARN, raises the pipeline-function alert',
    async (_, eventName) => {
      const approval = fn('ApprovalHandler');
      for (const functionName of [name(approval), arn(approval)]) {
        expect(await alertsFor(apiCall('lambda', eventName, user, { functionName }))).toEqual([
          'PipelineFunctionChanges',
        ]);
      }
    },
  );

  test("UpdateFunctionCode on each of the customization pipeline's functions, and on the deployment pipeline's, raises it", async () => {
    for (const [p, rule] of [
      [pipeline, 'PipelineFunctionChanges'],
      [deployment, 'PipelineFunctionChanges2'],
    ] as const) {
      for (const f of p.functions) {
        expect(
          await alertsFor(
            apiCall('lambda', 'UpdateFunctionCode20150331v2', outsider, { functionName: name(f as never) }),
          ),
        ).toEqual([rule]);
      }
    }
    // One moto round trip per function of two pipelines: seconds on a busy machine.
  }, 60_000);

  test('UpdateStateMachine of a pipeline, and a new resource policy on its decision table, raise the pipeline alert', async () => {
    expect(
      await alertsFor(
        apiCall('states', 'UpdateStateMachine', user, { stateMachineArn: arn(pipeline.stateMachine) }),
      ),
    ).toEqual(['PipelineChanges']);
    expect(
      await alertsFor(
        apiCall('states', 'UpdateStateMachine', user, { stateMachineArn: arn(deployment.stateMachine) }),
      ),
    ).toEqual(['PipelineChanges2']);
    expect(
      await alertsFor(
        apiCall('dynamodb', 'PutResourcePolicy', outsider, { resourceArn: arn(pipeline.table) }),
      ),
    ).toEqual(['PipelineChanges']);
    expect(
      await alertsFor(apiCall('dynamodb', 'DeleteTable', outsider, { tableName: name(pipeline.table) })),
    ).toEqual(['PipelineChanges']);
  });

  test('PutKeyPolicy on the task-token key raises the key alert', async () => {
    const alerts = await alertsFor(
      apiCall('kms', 'PutKeyPolicy', outsider, { keyId: arn(pipeline.taskTokenKey), policyName: 'default' }),
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatch(/^RegistryPolicyChanges/);
  });

  test('the same calls on functions, state machines and tables of no pipeline raise nothing', async () => {
    expect(
      await alertsFor(
        apiCall('lambda', 'UpdateFunctionCode20150331v2', user, { functionName: 'my-app-handler' }),
      ),
    ).toEqual([]);
    expect(
      await alertsFor(
        apiCall('states', 'UpdateStateMachine', user, {
          stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:OrderFlow`,
        }),
      ),
    ).toEqual([]);
    expect(
      await alertsFor(
        apiCall('dynamodb', 'PutResourcePolicy', user, {
          resourceArn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/orders`,
        }),
      ),
    ).toEqual([]);
  });

  test('each pipeline rule stays within the 2,048 characters of an event pattern, at the longest names', () => {
    // A deployment pipeline has the most functions; Lambda names run to 64 characters, the
    // generated table names to well under 128, state machine ARNs to 80-character names.
    const functions = deployment.functions.map((_, i) => `${i}`.padEnd(64, 'f'));
    expect(functions.length).toBeGreaterThanOrEqual(7);
    const stateMachine = `arn:aws-us-gov:states:us-gov-west-1:${ACCOUNT}:stateMachine:${'s'.repeat(80)}`;
    expect(JSON.stringify(pipelineFunctionsPattern(functions)).length).toBeLessThanOrEqual(
      MAX_PATTERN_LENGTH,
    );
    expect(
      JSON.stringify(pipelineStatePattern([stateMachine], ['t'.repeat(128)])).length,
    ).toBeLessThanOrEqual(MAX_PATTERN_LENGTH);
  });
});

describe('silencing the alerts', () => {
  const topic = f.control.auditTrail.alertTopic;
  test.each([
    ['SetTopicAttributes', { topicArn: 'TOPIC', attributeName: 'Policy' }],
    ['RemovePermission', { topicArn: 'TOPIC', label: 'x' }],
    ['Subscribe', { topicArn: 'TOPIC', protocol: 'email', endpoint: 'mallory@example.com' }],
    ['Unsubscribe', { subscriptionArn: 'TOPIC:3f1b8c2e-0a4d-4b6e-9c8f-7d6e5f4a3b2c' }],
    ['DeleteTopic', { topicArn: 'TOPIC' }],
  ])('%s on the alert topic raises the alert-topic alert', async (eventName, params) => {
    const requestParameters = JSON.parse(JSON.stringify(params).replace(/TOPIC/g, arn(topic)));
    expect(await alertsFor(apiCall('sns', eventName, user, requestParameters))).toEqual([
      'AlertTopicChanges',
    ]);
  });

  test.each(['DisableRule', 'DeleteRule', 'PutTargets', 'RemoveTargets', 'PutRule'])(
    '%s on any alert rule of the trail, this one included, raises the alert-rule alert',
    async (eventName) => {
      for (const rule of ['CustomizationOutsidePipeline', 'RoleChanges', 'AlertRuleChanges']) {
        const ruleName = f.template.props(ruleId(rule)).Name;
        expect(await alertsFor(apiCall('events', eventName, user, { name: ruleName }))).toEqual([
          'AlertRuleChanges',
        ]);
      }
    },
  );

  test("the same calls on a rule of the app's own raise nothing", async () => {
    expect(await alertsFor(apiCall('events', 'DisableRule', user, { name: 'orders-nightly' }))).toEqual([]);
  });

  test('the same calls on another topic raise nothing', async () => {
    const other = `arn:aws:sns:${REGION}:${ACCOUNT}:orders`;
    expect(await alertsFor(apiCall('sns', 'SetTopicAttributes', user, { topicArn: other }))).toEqual([]);
    expect(await alertsFor(apiCall('sns', 'Unsubscribe', user, { subscriptionArn: `${other}:abc` }))).toEqual(
      [],
    );
  });
});

describe('tampering with the record', () => {
  test.each(['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'])(
    '%s raises the trail alert',
    async (eventName) => {
      expect(
        await alertsFor(
          apiCall('cloudtrail', eventName, outsider, { name: arn(f.control.auditTrail.trail!) }),
        ),
      ).toEqual(['TrailTampering']);
    },
  );

  test('reading the trail status raises nothing', async () => {
    expect(await alertsFor(apiCall('cloudtrail', 'GetTrailStatus', outsider, {}))).toEqual([]);
  });
});

describe('guardrails', () => {
  test.each([
    'UpdateGuardrail',
    'DeleteGuardrail',
    'PutEnforcedGuardrailConfiguration',
    'DeleteEnforcedGuardrailConfiguration',
  ])('bedrock:%s raises the guardrail alert', async (eventName) => {
    expect(
      await alertsFor(apiCall('bedrock', eventName, outsider, { guardrailIdentifier: 'gr0abc123def' })),
    ).toEqual(['GuardrailChanges']);
  });

  test('applying or reading a guardrail raises nothing', async () => {
    for (const eventName of ['ApplyGuardrail', 'GetGuardrail', 'CreateGuardrailVersion']) {
      expect(
        await alertsFor(apiCall('bedrock', eventName, outsider, { guardrailIdentifier: 'gr0abc123def' })),
      ).toEqual([]);
    }
  });
});

describe('long-term API keys', () => {
  test.each([
    'CreateServiceSpecificCredential',
    'ResetServiceSpecificCredential',
    'UpdateServiceSpecificCredential',
  ])('iam:%s for any user raises the credential alert', async (eventName) => {
    expect(
      await alertsFor(
        apiCall('iam', eventName, outsider, {
          userName: 'BedrockAPIKey-x1y2',
          serviceName: 'bedrock.amazonaws.com',
        }),
      ),
    ).toEqual(['ServiceCredentials']);
  });

  test('listing or deleting credentials raises nothing', async () => {
    for (const eventName of ['ListServiceSpecificCredentials', 'DeleteServiceSpecificCredential']) {
      expect(
        await alertsFor(apiCall('iam', eventName, outsider, { userName: 'BedrockAPIKey-x1y2' })),
      ).toEqual([]);
    }
  });
});

describe('outside us-east-1, the forwarder sends IAM changes home', () => {
  /** Whether the forwarder's rule takes the event. */
  const matches = async (event: Json) => (await bus.matches(event)).includes(FORWARDER);

  test.each([
    'PutRolePolicy',
    'TagRole',
    'UntagRole',
    'UpdateAssumeRolePolicy',
    'CreatePolicyVersion',
    'CreateServiceSpecificCredential',
  ])('iam:%s on any role or policy is forwarded', async (eventName) => {
    expect(await matches(apiCall('iam', eventName, user, { roleName: 'AnyRole' }))).toBe(true);
  });

  test('other IAM calls and other services stay where they are', async () => {
    expect(await matches(apiCall('iam', 'CreateUser', user, { userName: 'x' }))).toBe(false);
    expect(await matches(apiCall('bedrock', 'CreateModelCustomizationJob', outsider))).toBe(false);
  });
});
