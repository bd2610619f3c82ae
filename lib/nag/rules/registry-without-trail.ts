import { CfnResource } from 'aws-cdk-lib';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { ModelAccessRule, RuleContext } from '../rule';
import { registryDataClass } from './registry-bucket-protection';

export const RegistryWithoutTrail: ModelAccessRule = {
  id: 'RegistryWithoutTrail',
  level: NagMessageLevel.WARN,
  info: 'The app has registry buckets but no CloudTrail trail with log file validation (advisory).',
  explanation:
    'Who read weights and who started a customization must be provable after the fact. Add a trail with log file validation (ModelAuditTrail), or acknowledge this if an organization trail covers the account.',
  check(node: CfnResource, { template, logicalId, appHasValidatedTrail }: RuleContext) {
    if (!(node instanceof CfnBucket) || !registryDataClass(template.Resources[logicalId].Properties ?? {})) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    return appHasValidatedTrail ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
