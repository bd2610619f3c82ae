import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { IModelAccessRule, RuleContext } from '../rule';

export const DecidedAtDeploy: IModelAccessRule = {
  id: 'DecidedAtDeploy',
  level: NagMessageLevel.ERROR,
  info: 'Who this grants to, or what, is decided only at deploy time, so it is not judged: a principal named by a parameter with no default and no allowed values (or one read from Systems Manager), or by a value built from one; a custom resource whose provider may change IAM, or a call, StackSet or SAM policy the analysis cannot read.',
  explanation:
    'What the pack cannot read may merge any identity of the account. Give the parameter its AllowedValues (each is then judged), name the principal in the template, write the grant as IAM resources (or an AwsCustomResource call with its document inline, or an inline JSON StackSet template), or acknowledge the finding with the reason once what it deploys has been reviewed.',
  check(_node: CfnResource, { principal, template, logicalId, analysis }: RuleContext) {
    if (principal?.external) {
      // The name is, or is built from (a Join, a Select of a Split of an ARN), a parameter's value.
      const parameters = [...principal.name.matchAll(/\$\{([^}\s[.:]+)/g)]
        .map(([, name]) => name)
        .filter((name) => template.Parameters?.[name] !== undefined);
      if (parameters.length)
        return [...new Set(parameters)].map((p) => `parameter ${p.replace(/^.*\//, '')}`);
    }
    const why = analysis.unjudged(logicalId);
    return why ? [why] : NagRuleCompliance.NOT_APPLICABLE;
  },
};
