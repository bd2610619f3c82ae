import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { Capability } from '../../capabilities/capability';
import { IModelAccessRule, RuleContext } from '../rule';

export const WeightsAccessMerge: IModelAccessRule = {
  id: 'WeightsAccessMerge',
  level: NagMessageLevel.ERROR,
  mergedIdentity: true,
  info: 'A principal that reads models or calls them can also take the weights or the training data out.',
  explanation:
    'Reading metadata or invoking a model must not include downloading weights or training data. Remove s3:GetObject on the model-artifacts and training-data buckets (and bedrock:CreateModelCopyJob, PutResourcePolicy), or grant them to a separate role through ModelRegistry.grantReadWeights.',
  check(_node: CfnResource, { principal }: RuleContext) {
    if (!principal || !principal.capabilities.includes(Capability.WEIGHTS_ACCESS))
      return NagRuleCompliance.NOT_APPLICABLE;
    const with_ = [Capability.READ, Capability.INFERENCE].filter((c) => principal.capabilities.includes(c));
    return with_.length ? with_.map((c) => `${c}+${Capability.WEIGHTS_ACCESS}`) : NagRuleCompliance.COMPLIANT;
  },
};
