import {
  AwsManagedPolicies,
  Capability,
  CapabilityCatalog,
  CATALOG,
  classifyActions,
  DataClass,
  expandActions,
  isAwsManagedPolicyArn,
  MERGED_PAIRS,
  MODEL_ACCESS_RULES,
  ModelAccessChecks,
  ModelAccessRule,
  ModelAccessTags,
  TAG_CAPABILITY,
  TAG_COMPONENT,
  TAG_DATA_CLASS,
  TAG_DEPLOYMENT_TARGET,
} from '../../lib';

// jsii languages reach the free functions and constants through these statics (.ci/check-jsii.js).
describe('the statics for jsii languages are the functions and constants TypeScript imports', () => {
  test('the catalog, its capability lists and merged pairs', () => {
    expect(CapabilityCatalog.ENTRIES).toEqual([...CATALOG]);
    expect(CapabilityCatalog.MERGED_PAIRS).toEqual(MERGED_PAIRS.map((p) => [...p]));
    expect(CapabilityCatalog.mergedPairs([Capability.INFERENCE, Capability.INFERENCE_LOG_ACCESS])).toEqual([
      [Capability.INFERENCE, Capability.INFERENCE_LOG_ACCESS],
    ]);
    expect(CapabilityCatalog.GUARDED_DATA_CLASSES).toContain(DataClass.INFERENCE_LOGS);
  });

  test('classifying and expanding actions', () => {
    for (const patterns of [['bedrock:*'], ['s3:GetObject'], ['iam:PassRole', 'sagemaker:CreateEndpoint']]) {
      expect(CapabilityCatalog.classifyActions(patterns)).toEqual(classifyActions(patterns));
      expect(CapabilityCatalog.expandActions(patterns, { notAction: true })).toEqual(
        expandActions(patterns, { notAction: true }),
      );
    }
    expect(CapabilityCatalog.coversAction('bedrock:InvokeModel', undefined, ['iam:*'])).toBe(true);
    expect(CapabilityCatalog.actionPatternProblem('bedrock:InvokeModelz')).toMatch(/has no action/);
  });

  test('the tag keys, the AWS-managed policy helpers and the rules', () => {
    expect([
      ModelAccessTags.CAPABILITY,
      ModelAccessTags.DATA_CLASS,
      ModelAccessTags.COMPONENT,
      ModelAccessTags.DEPLOYMENT_TARGET,
    ]).toEqual([TAG_CAPABILITY, TAG_DATA_CLASS, TAG_COMPONENT, TAG_DEPLOYMENT_TARGET]);
    const arn = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    expect(AwsManagedPolicies.isAwsManagedPolicyArn(arn)).toBe(isAwsManagedPolicyArn(arn));
    expect(ModelAccessChecks.RULES).toEqual([...MODEL_ACCESS_RULES]);
    // The old name of the rule interface still types a rule.
    const rule: ModelAccessRule = ModelAccessChecks.RULES[0];
    expect(rule.id).toBe('MergedCapabilities');
  });
});
