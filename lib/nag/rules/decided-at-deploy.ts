import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { IModelAccessRule, RuleContext } from '../rule';

export const DecidedAtDeploy: IModelAccessRule = {
  id: 'DecidedAtDeploy',
  level: NagMessageLevel.ERROR,
  info: 'Who this grants to, or what, is decided only at deploy time, so it is not judged: a principal named by a parameter with no default and no allowed values; a custom resource whose provider may change IAM, or a call, StackSet or SAM policy the analysis cannot read.',
  explanation:
    'What the pack cannot read may merge any identity of the account. Give the parameter its AllowedValues (each is then judged), name the principal in the template, write the grant as IAM resources (or an AwsCustomResource call with its document inline, or an inline JSON StackSet template), or acknowledge the finding with the reason once what it deploys has been reviewed.',
  check(_node: CfnResource, { principal, template, logicalId, analysis }: RuleContext) {
    if (principal?.external) {
      const parameter = /^\$\{([^}.:]+)\}$/.exec(principal.name)?.[1];
      if (parameter !== undefined && template.Parameters?.[parameter] !== undefined) {
        return [`parameter ${parameter.replace(/^.*\//, '')}`];
      }
    }
    const why = analysis.unjudged(logicalId);
    return why ? [why] : NagRuleCompliance.NOT_APPLICABLE;
  },
};
