import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { list } from './intrinsics';
import { ASSUME_ACTIONS, statementCovers } from './trust-conditions';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * People, as a two-person rule must count them: by a name the caller cannot choose. An IAM user's
 * name is fixed; IAM Identity Center names a permission-set role's session after the signed-in
 * user; a SAML identity provider sets the session name in its assertion. Anything else that
 * assumes a role picks the session name itself, unless the trust policy pins it.
 */

/** The condition that pins a role session's name to the IAM user who assumes the role. */
export const SESSION_NAME_IS_USER_NAME = { StringEquals: { 'sts:RoleSessionName': '${aws:username}' } };

// Identity Center creates its roles under this path, which IAM reserves for AWS.
const IDENTITY_CENTER_ROLE =
  /^arn:aws[a-z-]*:iam::\d{12}:role\/aws-reserved\/sso\.amazonaws\.com\/(?:[a-z0-9-]+\/)?(AWSReservedSSO_[\w+=,.@-]+)$/;

/** The role name of an Identity Center permission-set role ARN, or undefined for any other ARN. */
export function identityCenterRoleName(arn: string): string | undefined {
  return Token.isUnresolved(arn) ? undefined : IDENTITY_CENTER_ROLE.exec(arn)?.[1];
}

/** The ARN of a principal that names one role or user by ARN (an `ArnPrincipal`, an imported role). */
export function principalArn(principal: iam.IPrincipal): string | undefined {
  const aws = list(principal.policyFragment.principalJson.AWS);
  return aws.length === 1 ? aws[0] : undefined;
}

/**
 * The principal as a participant role should trust it: with `sts:RoleSessionName` pinned to the
 * IAM user's name when it is an AWS principal. Throws for principals that cannot name a person.
 */
export function pinSessionNames(where: string, principal: iam.IPrincipal): iam.IPrincipal {
  const json = principal.policyFragment.principalJson;
  if (json.Service) {
    throw new Error(`${where}: ${principal} is an AWS service; requesters and approvers are people.`);
  }
  if (json.Federated) return principal; // SAML sets the name; web identity must pin it (checked at the grant)
  const arn = principalArn(principal);
  if (list(json.AWS).includes('*')) {
    throw new Error(`${where}: '*' lets anyone assume the role; name the account or the people.`);
  }
  if (arn && identityCenterRoleName(arn)) {
    throw new Error(
      `${where}: ${arn} is an IAM Identity Center role; a session of it that assumes another role chooses the new session's name, so approvals could not be told apart. ` +
        "Grant the pipeline to the permission-set role itself (ModelAccessControl does this when requesters or approvers are an Identity Center role): its sessions carry the user's name.",
    );
  }
  return new iam.PrincipalWithConditions(principal, SESSION_NAME_IS_USER_NAME);
}

/** Where the people IAM users are named by: a role pinned to `${aws:username}`, or an IAM user itself. */
export const IAM_USERS = 'IAM users';
/** Where the people of an Identity Center permission-set role come from. */
export const IDENTITY_CENTER = 'IAM Identity Center';

/**
 * How a role's trust policy (resolved JSON) fixes its session names: the sources of identity
 * whose names its sessions carry (`IAM users`, a SAML or web identity provider by ARN), or why a
 * caller can choose the name. Every statement that lets a principal assume the role must fix it:
 * `sts:RoleSessionName` pinned to `${aws:username}` for AWS principals, a SAML provider, or a web
 * identity provider with the name pinned to one of its claims.
 */
export function sessionNaming(trust: Json): { sources: string[] } | { problem: string } {
  const sources = new Set<string>();
  for (const s of [trust?.Statement ?? []].flat()) {
    if (s.Effect !== 'Allow' || !ASSUME_ACTIONS.some((a) => statementCovers(s, a))) continue;
    if (s.Principal === '*' || list(s.Principal?.AWS).includes('*'))
      return { problem: 'it trusts any principal (*)' };
    const service = list(s.Principal?.Service);
    if (service.length) return { problem: `it trusts the service ${service.join(', ')}, which is no person` };
    const pin = [s.Condition?.StringEquals?.['sts:RoleSessionName'] ?? []].flat();
    const pinned = pin.length === 1 && typeof pin[0] === 'string';
    for (const federated of list(s.Principal?.Federated)) {
      if (!/:saml-provider\//.test(federated) && !(pinned && /^\$\{[^}]+\}$/.test(pin[0]))) {
        return {
          problem: `its web identity provider ${JSON.stringify(federated)} lets the caller choose sts:RoleSessionName; pin it to a claim of the provider`,
        };
      }
      sources.add(federated);
    }
    if (list(s.Principal?.AWS).length) {
      if (!(pinned && pin[0] === '${aws:username}')) {
        return {
          problem:
            "an AWS principal may assume it under any session name; require StringEquals sts:RoleSessionName = '${aws:username}'",
        };
      }
      sources.add(IAM_USERS);
    }
  }
  return { sources: [...sources] };
}
