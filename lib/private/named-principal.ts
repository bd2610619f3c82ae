import { Names, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { differentEnvironments } from './environments';
import { isLibraryRole } from './library-roles';

/**
 * How a resource's own policies (bucket, key, function URL, event rule) name an IAM role or user
 * that another stack creates, or that is imported: by its ARN written out from its fixed name, never
 * by a reference. A reference would make the resource's stack depend on the grantee's while the
 * grantee's identity policy already depends on the resource's: a cycle. And a key or bucket policy
 * that names such a principal by a condition on `aws:PrincipalArn` (with its account as the
 * principal) deploys before the principal exists, as a platform stack deployed first must.
 */
export interface NamedPrincipal {
  /** What `aws:PrincipalArn` carries for the principal's requests. */
  readonly arn: string;
  /** The principal's account. */
  readonly account: string;
  /** `rolename` or `username`: the principal's name, as IAM's `aws:username` or a role session has it. */
  readonly name: string;
  /** The home stack does not create the principal: name it by condition, not as a principal. */
  readonly outside: boolean;
  /** The principal is in another account than the home stack (or may be: an account not known at synth). */
  readonly otherAccount: boolean;
}

/**
 * The principal of `grantee` as policies in `home`'s stack may name it. Only roles and users have
 * an ARN that names them alone. A role of this library in another stack that has no name is given
 * one. Throws, saying what to do, for anything else, and for another role or user of another stack
 * whose name CloudFormation chooses at deploy time.
 */
export function namedPrincipal(home: IConstruct, grantee: iam.IGrantable, where: string): NamedPrincipal {
  const principal = grantee.grantPrincipal;
  const homeStack = Stack.of(home);
  const otherAccount = (account: string) => {
    const same = Token.compareStrings(account, homeStack.account);
    return same !== TokenComparison.SAME && same !== TokenComparison.BOTH_UNRESOLVED;
  };
  if (principal instanceof iam.Role || principal instanceof iam.User) {
    const kind = principal instanceof iam.Role ? 'role' : 'user';
    const cfn = principal.node.defaultChild as iam.CfnRole | iam.CfnUser;
    const fixedName = cfn instanceof iam.CfnRole ? cfn.roleName : (cfn as iam.CfnUser).userName;
    const stack = Stack.of(principal);
    if (stack === homeStack) {
      return {
        arn: principal instanceof iam.Role ? principal.roleArn : principal.userArn,
        account: homeStack.account,
        name: principal instanceof iam.Role ? principal.roleName : principal.userName,
        outside: false,
        otherAccount: false,
      };
    }
    const path = cfn.path ?? '/';
    // A role of this library left unnamed gets a name of its own, unique to its place in the app
    // (as aws-cdk-lib names resources referred to across environments), so other stacks can name it.
    // (aws-cdk-lib writes an unnamed role's RoleName as a token that resolves to nothing.)
    const unnamed = fixedName === undefined || stack.resolve(fixedName) === undefined;
    if (unnamed && cfn instanceof iam.CfnRole && isLibraryRole(principal as iam.Role)) {
      cfn.roleName = Names.uniqueResourceName(principal, { maxLength: 64, separator: '-' });
      return namedPrincipal(home, grantee, where);
    }
    if (fixedName === undefined || Token.isUnresolved(fixedName) || Token.isUnresolved(path)) {
      throw new Error(
        `${where}: the ${kind} ${principal.node.path} is in the stack ${stack.node.path}, not ${homeStack.node.path}. ` +
          `Policies there must name it without a reference to the other stack, which would make each stack depend on the other: give it a fixed ${kind}Name.`,
      );
    }
    if (differentEnvironments(stack, homeStack)) {
      throw new Error(
        `${where}: the ${kind} ${principal.node.path} is in another environment (${stack.account}/${stack.region}) than ${homeStack.node.path} (${homeStack.account}/${homeStack.region}), and CloudFormation cannot refer across environments. ` +
          `Grant it in ${homeStack.node.path} by ARN (iam.Role.fromRoleArn(..., { mutable: false })), and in its own stack through the resource imported by attributes.`,
      );
    }
    // Environment-agnostic stacks of one app deploy to one account, as CDK's own references assume.
    const account = Token.isUnresolved(stack.account) ? homeStack.account : stack.account;
    return {
      arn: `arn:${homeStack.partition}:iam::${account}:${kind}${path}${fixedName}`,
      account,
      name: fixedName,
      outside: true,
      otherAccount: otherAccount(account),
    };
  }
  const named = principal as Partial<iam.IRole & iam.IUser>;
  const arn = named.roleArn ?? named.userArn;
  const name = named.roleName ?? named.userName;
  if (typeof arn !== 'string' || typeof name !== 'string') {
    throw new Error(
      `${where}: the grantee must be an IAM role or user (got ${principal}). ` +
        'Only a role or user is named by its ARN alone: grant a role that the service or the people assume.',
    );
  }
  const account = principal.principalAccount ?? homeStack.account;
  return { arn, account, name, outside: true, otherAccount: otherAccount(account) };
}
