import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { Capability } from '../../capabilities/capability';
import { IModelAccessRule, RuleContext } from '../rule';

export const PrivilegeAdminMerge: IModelAccessRule = {
  id: 'PrivilegeAdminMerge',
  level: NagMessageLevel.ERROR,
  mergedIdentity: true,
  info: 'A principal with a model capability can also change who may do what (IAM policies, iam:PassRole on every role, registry bucket or key policies).',
  explanation:
    'A principal that can change permissions can grant itself any capability. Keep IAM, key-policy and bucket-policy changes with administrators, and scope iam:PassRole to the one role a service needs.',
  check(_node: CfnResource, { principal }: RuleContext) {
    if (!principal || !principal.capabilities.includes(Capability.PRIVILEGE_ADMIN))
      return NagRuleCompliance.NOT_APPLICABLE;
    const ml = principal.capabilities.filter((c) => c !== Capability.PRIVILEGE_ADMIN);
    return ml.length ? ml.map((c) => `${c}+${Capability.PRIVILEGE_ADMIN}`) : NagRuleCompliance.COMPLIANT;
  },
};
