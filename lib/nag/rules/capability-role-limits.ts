import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { IModelAccessRule, RuleContext } from '../rule';

const BOUNDED = ['read', 'inference', 'customization', 'deployment', 'approval'];
// What changes a model or what production serves is done in short sessions.
const SHORT_SESSIONS = ['customization', 'deployment'];

export const CapabilityRoleLimits: IModelAccessRule = {
  id: 'CapabilityRoleLimits',
  level: NagMessageLevel.ERROR,
  info: 'A capability role has no permissions boundary, or a customization or deployment role allows sessions over one hour.',
  explanation:
    "The boundary keeps a policy attached later from turning the role into another capability; customization and deployment sessions are kept short. Use the library's capability roles, or set PermissionsBoundary (and MaxSessionDuration <= 3600 for customization and deployment).",
  check(_node: CfnResource, { principal, template, logicalId }: RuleContext) {
    const declared = principal?.declaredCapability;
    if (!principal || principal.type !== 'AWS::IAM::Role' || !declared || !BOUNDED.includes(declared)) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const props = template.Resources[logicalId].Properties ?? {};
    const findings: string[] = [];
    if (props.PermissionsBoundary === undefined) findings.push('no-boundary');
    if (SHORT_SESSIONS.includes(declared) && Number(props.MaxSessionDuration ?? 3600) > 3600)
      findings.push('session-over-1h');
    return findings.length ? findings : NagRuleCompliance.COMPLIANT;
  },
};
