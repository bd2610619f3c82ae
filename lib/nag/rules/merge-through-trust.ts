import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { MergedIdentity } from '../../analysis/access-analysis';
import { IModelAccessRule, RuleContext } from '../rule';

export const MergeThroughTrust: IModelAccessRule = {
  id: 'MergeThroughTrust',
  level: NagMessageLevel.ERROR,
  mergedIdentity: true,
  info: 'The principal acts as roles that together hold capabilities that must stay apart: it can assume them (directly or through a chain), pass them to compute it launches (iam:PassRole with lambda:CreateFunction, ec2:RunInstances...), or change compute that runs as them (lambda:UpdateFunctionCode, ssm:SendCommand...).',
  explanation:
    'Separate roles are one identity if one caller can become them all. Trust each capability role from a different principal, or tell callers apart with a condition (aws:PrincipalTag, sts:ExternalId), and do not allow sts:AssumeRole across capabilities; scope iam:PassRole to roles without model capabilities (or to the one service that needs them, with iam:PassedToService), and keep code, configuration and command changes of compute that runs as a capability role with that capability.',
  check(_node: CfnResource, { principal, analysis }: RuleContext) {
    if (!principal || principal.actsAs.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
    const merges = analysis.mergesOf(principal.id).filter((m) => m.through.length > 0);
    return merges.length ? merges.map(findingOf) : NagRuleCompliance.COMPLIANT;
  },
};

/** `INFERENCE+CUSTOMIZATION:Tuner`, naming the path where a step is not sts:AssumeRole. */
function findingOf(m: MergedIdentity): string {
  const escalated = m.paths.filter((p) => p.split(' → ').some((step) => !step.startsWith('sts:AssumeRole(')));
  const via = escalated.length ? ` via ${escalated.join('; ')}` : '';
  return `${m.capabilities.join('+')}:${m.through.join(',')}${via}`;
}
