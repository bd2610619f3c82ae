import { App, Duration, Stack } from 'aws-cdk-lib';
import { ObjectLockRetention } from 'aws-cdk-lib/aws-s3';
import {
  Capability,
  CapabilityBoundary,
  CapabilityCatalog,
  Component,
  CustomizationPipeline,
  DataClass,
  ModelRegistry,
  ModelTarget,
  actionPatternProblem,
  catalogActions,
  classifyActions,
  expandActions,
  mergedPairs,
} from '../../lib';
import { compactActions } from '../../lib/capabilities/private/compact-actions';

const { READ, INFERENCE, CUSTOMIZATION, DEPLOYMENT, WEIGHTS_ACCESS, APPROVAL, PRIVILEGE_ADMIN } = Capability;

describe('expandActions', () => {
  test('a concrete action in any letter case expands to its canonical name', () => {
    expect(expandActions(['BEDROCK:invokemodel']).actions).toEqual(['bedrock:InvokeModel']);
  });

  test('a service wildcard expands to every action of the service', () => {
    const { actions, unknown } = expandActions(['bedrock:*']);
    expect(unknown).toEqual([]);
    expect(actions).toContain('bedrock:CreateModelCustomizationJob');
    expect(actions).toContain('bedrock:InvokeModel');
    expect(actions.every((a) => a.startsWith('bedrock:'))).toBe(true);
    expect(actions.length).toBeGreaterThan(100);
  });

  test('a prefix wildcard expands to the matching actions only', () => {
    const { actions } = expandActions(['sagemaker:Create*']);
    expect(actions).toContain('sagemaker:CreateTrainingJob');
    expect(actions).not.toContain('sagemaker:InvokeEndpoint');
  });

  test('? matches one character', () => {
    expect(expandActions(['s3:GetObjec?']).actions).toEqual(['s3:GetObject']);
  });

  test('* alone expands to every action of every service', () => {
    const { actions } = expandActions(['*']);
    expect(actions).toContain('ec2:RunInstances');
    expect(actions).toContain('bedrock:InvokeModel');
    expect(actions.length).toBeGreaterThan(10000);
  });

  test('NotAction expands to the complement', () => {
    const { actions } = expandActions(['bedrock:*', 'sagemaker:*'], { notAction: true });
    expect(actions).not.toContain('bedrock:InvokeModel');
    expect(actions).toContain('s3:GetObject');
    expect(actions).toContain('iam:PassRole');
  });

  test.each([
    ['bedrock:InvokeModle', /service 'bedrock' has no action 'InvokeModle'/],
    ['bedrok:InvokeModel', /no IAM service 'bedrok'/],
    ['bedrock:Nothing*', /matches no action of 'bedrock'/],
    ['InvokeModel', /not an IAM action: expected 'service:Action'/],
    ['bedrock:', /not an IAM action/],
    ['a:b:c', /not an IAM action/],
  ])('%s is reported as unknown, never ignored', (pattern, message) => {
    const { actions, unknown } = expandActions([pattern, 's3:GetObject']);
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatch(message);
    expect(actions).toEqual(['s3:GetObject']);
    expect(actionPatternProblem(pattern)).toMatch(message);
  });

  test('an unknown pattern in a NotAction is reported too', () => {
    expect(expandActions(['bedrock:Typo'], { notAction: true }).unknown).toHaveLength(1);
  });
});

describe('classifyActions', () => {
  const caps = (patterns: string[], options = {}) => classifyActions(patterns, options).capabilities;

  test('bedrock:* holds every Bedrock capability, and loosening guardrails', () => {
    expect(caps(['bedrock:*'])).toEqual([
      CUSTOMIZATION,
      DEPLOYMENT,
      INFERENCE,
      PRIVILEGE_ADMIN,
      READ,
      WEIGHTS_ACCESS,
    ]);
  });

  test('* holds every capability', () => {
    expect(caps(['*'])).toEqual([...Object.values(Capability)].sort());
  });

  test('a mixed-case wildcard cannot hide a capability', () => {
    expect(caps(['BedRock:cReAtE*'])).toContain(CUSTOMIZATION);
    expect(caps(['bedrock:*Customization*'])).toEqual([CUSTOMIZATION, READ]);
  });

  test('InvokeModel* is inference only', () => {
    expect(caps(['bedrock:InvokeModel*'])).toEqual([INFERENCE]);
  });

  test('NotAction excluding customization still confers inference and privilege admin', () => {
    const result = caps(
      [
        'bedrock:Create*',
        'bedrock:StopModelCustomizationJob',
        'bedrock-mantle:Create*',
        'sagemaker:Create*',
        's3:PutObject',
      ],
      {
        notAction: true,
      },
    );
    expect(result).not.toContain(CUSTOMIZATION);
    expect(result).toContain(INFERENCE);
    expect(result).toContain(PRIVILEGE_ADMIN);
  });

  test('s3:GetObject is weights access on artifacts, read on metadata, nothing on another bucket', () => {
    expect(caps(['s3:GetObject'], { resource: { dataClasses: [DataClass.MODEL_ARTIFACTS] } })).toEqual([
      WEIGHTS_ACCESS,
    ]);
    expect(caps(['s3:GetObject'], { resource: { dataClasses: [DataClass.TRAINING_DATA] } })).toEqual([
      WEIGHTS_ACCESS,
    ]);
    expect(caps(['s3:GetObject'], { resource: { dataClasses: [DataClass.METADATA] } })).toEqual([READ]);
    expect(caps(['s3:GetObject'], { resource: {} })).toEqual([]);
  });

  test('s3:GetObject on * reaches weights', () => {
    expect(caps(['s3:GetObject'])).toContain(WEIGHTS_ACCESS);
  });

  test('iam:PassRole on one named role is not privilege admin; on * it is', () => {
    expect(caps(['iam:PassRole'], { resource: {} })).toEqual([]);
    expect(caps(['iam:PassRole'])).toEqual([PRIVILEGE_ADMIN]);
  });

  test('SendTaskSuccess alone is a callback worker, not an approver', () => {
    expect(caps(['states:SendTaskSuccess', 'states:SendTaskFailure', 'bedrock:InvokeModel'])).toEqual([
      INFERENCE,
    ]);
  });

  test('SendTaskSuccess with a way to read task tokens is approval', () => {
    expect(caps(['states:SendTaskSuccess', 'states:GetExecutionHistory'])).toEqual([APPROVAL]);
    // states:* on every state machine also changes the pipelines' own: privilege administration.
    expect(caps(['states:*'])).toEqual([APPROVAL, PRIVILEGE_ADMIN]);
  });

  test('logs:* and other non-ML services confer nothing but on inference logs delivered to a log group', () => {
    expect(caps(['logs:*', 'cloudwatch:PutMetricData', 'xray:*'], { resource: {} })).toEqual([]);
    expect(
      caps(['logs:*', 'cloudwatch:PutMetricData', 'xray:*'], {
        resource: { dataClasses: [DataClass.INFERENCE_LOGS] },
      }),
    ).toEqual([Capability.INFERENCE_LOG_ACCESS]);
  });

  test('unknown actions are reported with the capabilities of the known ones', () => {
    const result = classifyActions(['bedrock:InvokeModel', 'bedrock:InvokeModelz']);
    expect(result.capabilities).toEqual([INFERENCE]);
    expect(result.unknown).toEqual([
      "'bedrock:InvokeModelz': service 'bedrock' has no action 'InvokeModelz'",
    ]);
  });

  test('classification agrees with expansion for every capability', () => {
    for (const pattern of ['bedrock:*', 'sagemaker:*', 'bedrock:Get*', 'sagemaker:Invoke*', 'iam:*']) {
      expect(caps(expandActions([pattern]).actions)).toEqual(caps([pattern]));
    }
  });
});

describe('catalogActions', () => {
  test('inference is the invoke actions, what invokes for the caller, and batch jobs', () => {
    expect(catalogActions(INFERENCE).sort()).toEqual([
      'aws-external-anthropic:CreateBatchInference',
      'aws-external-anthropic:CreateInference',
      'bedrock-agentcore:InvokeAgentRuntime',
      'bedrock-agentcore:InvokeAgentRuntimeForUser',
      'bedrock-agentcore:InvokeAgentRuntimeWithWebSocketStream',
      'bedrock-agentcore:InvokeAgentRuntimeWithWebSocketStreamForUser',
      'bedrock-mantle:CreateInference',
      'bedrock:CreateModelInvocationJob',
      'bedrock:InvokeAgent',
      'bedrock:InvokeInlineAgent',
      'bedrock:InvokeModel',
      'bedrock:InvokeModelWithResponseStream',
      'bedrock:RetrieveAndGenerate',
      'sagemaker:CreateTransformJob',
      'sagemaker:InvokeEndpoint',
      'sagemaker:InvokeEndpointAsync',
      'sagemaker:InvokeEndpointWithResponseStream',
    ]);
  });

  test('weights access on the artifacts bucket is the object reads', () => {
    expect(catalogActions(WEIGHTS_ACCESS, { dataClasses: [DataClass.MODEL_ARTIFACTS] })).toEqual([
      's3:GetObject',
      's3:GetObjectVersion',
    ]);
  });

  test('approval without scope leaves out the actions that need a companion', () => {
    expect(catalogActions(APPROVAL)).toEqual(['sagemaker:UpdateModelPackage']);
  });

  test('a misspelt capability (from JavaScript or Python) is an error naming the capabilities, not no actions', () => {
    expect(() => catalogActions('infrence' as Capability)).toThrow(
      /^catalogActions: 'infrence' is not a capability; use one of read, inference, customization,/,
    );
  });
});

describe('every public entry that takes a capability, data class or component refuses a misspelt one, by name', () => {
  // From JavaScript or a jsii language any string arrives; each would otherwise match nothing.
  const stack = () => new Stack(new App(), 'S');
  const bad = 'infrence' as Capability;
  const pipeline = (s = stack()) =>
    new CustomizationPipeline(s, 'P', {
      registry: new ModelRegistry(s, 'R', {
        metadataObjectLockRetention: ObjectLockRetention.governance(Duration.days(1)),
      }),
      baseModels: [ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1')],
    });
  test.each<[string, () => unknown, RegExp]>([
    [
      'catalogActions',
      () => catalogActions(bad),
      /^catalogActions: 'infrence' is not a capability; use one of read, /,
    ],
    [
      'CapabilityCatalog.catalogActions',
      () => CapabilityCatalog.catalogActions(bad),
      /^catalogActions: 'infrence' is not a capability/,
    ],
    [
      'CapabilityCatalog.mergedPairs',
      () => CapabilityCatalog.mergedPairs([INFERENCE, bad]),
      /^mergedPairs: 'infrence' is not a capability/,
    ],
    [
      'CapabilityBoundary.of',
      () => CapabilityBoundary.of(stack(), bad),
      /^CapabilityBoundary\.of: 'infrence' is not a capability/,
    ],
    [
      'ModelTarget.actionsFor',
      () => ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1').actionsFor(bad),
      /^ModelTarget\.actionsFor: 'infrence' is not a capability/,
    ],
    [
      'ModelTarget.arnsFor',
      () => ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1').arnsFor(bad),
      /^ModelTarget\.actionsFor: 'infrence' is not a capability/,
    ],
    [
      'CustomizationPipeline.rolesActingFor',
      () => pipeline().rolesActingFor(bad),
      /^rolesActingFor: 'infrence' is not a capability/,
    ],
    [
      'classifyActions resource data classes',
      () =>
        classifyActions(['s3:GetObject'], { resource: { dataClasses: ['model-artefacts' as DataClass] } }),
      /^classifyActions dataClasses: 'model-artefacts' is not a data class; use one of model-artifacts, /,
    ],
    [
      'catalogActions scope components',
      () => catalogActions(READ, { components: ['decision-tables' as Component] }),
      /^catalogActions components: 'decision-tables' is not a component; use one of customization-pipeline, /,
    ],
    [
      'CapabilityCatalog.entryApplies',
      () =>
        CapabilityCatalog.entryApplies({ action: 's3:GetObject' }, { dataClasses: ['weights' as DataClass] }),
      /^entryApplies dataClasses: 'weights' is not a data class/,
    ],
  ])('%s', (_name, call, message) => {
    expect(call).toThrow(message);
  });
});

describe('expandActions agrees with @cloud-copilot/iam-expand', () => {
  // An independent implementation over the same action list.
  test.each([
    ['bedrock:*'],
    ['sagemaker:Create*'],
    ['BEDROCK:invoke*'],
    ['s3:Get*Object*'],
    ['iam:*Role*'],
    ['states:Send?ask*'],
  ])('%s', async (pattern) => {
    const { expandIamActions } = await import('@cloud-copilot/iam-expand');
    const theirs = (await expandIamActions(pattern)).map((a) => a.toLowerCase()).sort();
    expect(
      expandActions([pattern])
        .actions.map((a) => a.toLowerCase())
        .sort(),
    ).toEqual(theirs);
  });
});

describe('mergedPairs', () => {
  test.each([
    [[INFERENCE, CUSTOMIZATION], [[INFERENCE, CUSTOMIZATION]]],
    [[INFERENCE, APPROVAL], [[INFERENCE, APPROVAL]]],
    [[CUSTOMIZATION, APPROVAL], [[CUSTOMIZATION, APPROVAL]]],
    [[READ, WEIGHTS_ACCESS], [[READ, WEIGHTS_ACCESS]]],
    [[INFERENCE, WEIGHTS_ACCESS], [[INFERENCE, WEIGHTS_ACCESS]]],
    [[READ, PRIVILEGE_ADMIN], [[READ, PRIVILEGE_ADMIN]]],
  ])('%j is a merge', (held, pairs) => {
    expect(mergedPairs(held)).toEqual(pairs);
  });

  test.each([
    [[READ, INFERENCE]],
    [[CUSTOMIZATION, WEIGHTS_ACCESS]],
    [[CUSTOMIZATION, READ]],
    [[PRIVILEGE_ADMIN]],
    [[]],
  ])('%j is not a merge', (held) => {
    expect(mergedPairs(held)).toEqual([]);
  });
});

describe('compactActions', () => {
  test.each(Object.values(Capability))(
    "the patterns for %s's actions deny exactly those actions, in fewer characters",
    (capability) => {
      const actions = expandActions(catalogActions(capability)).actions;
      const compact = compactActions(actions);
      expect(expandActions(compact).actions).toEqual(actions);
      expect(JSON.stringify(compact).length).toBeLessThanOrEqual(JSON.stringify(actions).length);
    },
  );

  test('a prefix is used only where every action IAM lists under it is denied', () => {
    // sagemaker:Create* covers far more than these two; each stays as it is.
    expect(compactActions(['sagemaker:CreateTrainingJob', 'sagemaker:CreateEndpoint'])).toEqual([
      'sagemaker:CreateEndpoint',
      'sagemaker:CreateTrainingJob',
    ]);
    expect(
      expandActions(
        compactActions([
          'sagemaker:InvokeEndpoint',
          'sagemaker:InvokeEndpointAsync',
          'sagemaker:InvokeEndpointWithResponseStream',
        ]),
      ).actions,
    ).toEqual([
      'sagemaker:InvokeEndpoint',
      'sagemaker:InvokeEndpointAsync',
      'sagemaker:InvokeEndpointWithResponseStream',
    ]);
  });
});
