import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { IModelAccessRule, RuleContext } from '../rule';

export const RegistryWithoutTrail: IModelAccessRule = {
  id: 'RegistryWithoutTrail',
  level: NagMessageLevel.WARN,
  info: 'The app has registry buckets but no CloudTrail trail with log file validation (advisory).',
  explanation:
    'Who read weights and who started a customization must be provable after the fact. Add a trail with log file validation (ModelAuditTrail), or acknowledge this if an organization trail covers the account.',
  check(node: CfnResource, { logicalId, analysis, appHasValidatedTrail }: RuleContext) {
    if (node.cfnResourceType !== 'AWS::S3::Bucket' || !analysis.registryDataClass(logicalId)) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    return appHasValidatedTrail ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
