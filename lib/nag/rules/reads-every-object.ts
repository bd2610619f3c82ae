import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { IModelAccessRule, RuleContext } from '../rule';

export const ReadsEveryObject: IModelAccessRule = {
  id: 'ReadsEveryObject',
  level: NagMessageLevel.ERROR,
  info: 'The principal can read every S3 object, so it can read model weights, training data and inference logs wherever they are stored.',
  explanation:
    'It holds no model-service action and names no registry bucket, so it is no merged model identity; but a registry outside this template, or weights kept in an ordinary bucket, are open to it. Scope s3:GetObject to the buckets it needs, or acknowledge this finding with the reason (registry and inference-log buckets deny it by their bucket policies).',
  check(_node: CfnResource, { principal }: RuleContext) {
    if (!principal?.readsEveryObject) return NagRuleCompliance.NOT_APPLICABLE;
    return NagRuleCompliance.NON_COMPLIANT;
  },
};
