import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { MODEL_CAPABILITIES } from '../../capabilities/capability';
import { IModelAccessRule, RuleContext } from '../rule';

export const LongLivedCredentials: IModelAccessRule = {
  id: 'LongLivedCredentials',
  level: NagMessageLevel.ERROR,
  info: 'An IAM user that holds a model capability has an access key, or may create its own access key or service-specific credential (a Bedrock API key): static credentials that never expire.',
  explanation:
    "Access keys leak through CI variables, laptops and logs, and keep working until someone deletes them. Give the workload a role instead, with sessions of an hour or less: the service's own role (Lambda, ECS, an EC2 instance profile), OIDC federation for CI (GitHub Actions, GitLab), IAM Identity Center for people. Then delete the user's access keys and service-specific credentials, and remove iam:CreateAccessKey and iam:CreateServiceSpecificCredential (with Reset and Update) from what it may do to itself.",
  check(_node: CfnResource, { principal, analysis }: RuleContext) {
    if (principal?.type !== 'AWS::IAM::User') return NagRuleCompliance.NOT_APPLICABLE;
    if (!principal.capabilities.some((c) => MODEL_CAPABILITIES.includes(c)))
      return NagRuleCompliance.NOT_APPLICABLE;
    const credentials = analysis.longLivedCredentials(principal.id);
    return credentials ? [credentials] : NagRuleCompliance.COMPLIANT;
  },
};
