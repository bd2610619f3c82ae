import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { scalar } from '../../private/intrinsics';
import { PARTICIPANTS_ENV } from '../../private/participant-roles';
import { IModelAccessRule, RuleContext } from '../rule';

export const UnpinnedParticipants: IModelAccessRule = {
  id: 'UnpinnedParticipants',
  level: NagMessageLevel.WARN,
  info: "A pipeline counts the sessions of a role as people although the role's trust policy lets callers choose their session names.",
  explanation:
    "One person who can assume such a role can request or approve under several names, which defeats the two-person rule. Pin the role's session names (StringEquals sts:RoleSessionName = ${aws:username}), federate through SAML or IAM Identity Center, and remove the role from unverifiedSessionRoles.",
  check(node: CfnResource, { template, logicalId }: RuleContext) {
    if (node.cfnResourceType !== 'AWS::Lambda::Function') return NagRuleCompliance.NOT_APPLICABLE;
    const value = template.Resources[logicalId].Properties?.Environment?.Variables?.[PARTICIPANTS_ENV];
    if (value === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    let roles: Record<string, string>;
    try {
      roles = JSON.parse(scalar(value)).roles;
      if (typeof roles !== 'object' || roles === null) return ['unreadable'];
    } catch {
      return ['unreadable'];
    }
    // A role of the template is named by its RoleName where it has one, else by its logical id.
    const named = (name: string) => {
      const id = /^\$\{([^}.]+)\}$/.exec(name)?.[1];
      const roleName = id ? template.Resources[id]?.Properties?.RoleName : undefined;
      return typeof roleName === 'string' ? roleName : (id ?? name);
    };
    // Keys are `<account>:<role name>`.
    const unpinned = Object.keys(roles)
      .filter((key) => roles[key] === 'unverified')
      .map((key) => named(key.slice(key.lastIndexOf(':') + 1)));
    return unpinned.length ? unpinned : NagRuleCompliance.COMPLIANT;
  },
};
