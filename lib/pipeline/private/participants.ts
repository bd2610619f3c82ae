import { Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { namedPrincipal } from '../../private/named-principal';
import {
  IAM_USERS,
  IDENTITY_CENTER,
  identityCenterRoleName,
  principalArn,
  sessionNaming,
} from '../../private/session-names';
import type { SessionNaming } from '../handlers/identity';

interface Participant {
  readonly roleName: string;
  readonly naming: SessionNaming;
  /** A role of the app, whose trust policy is checked once the app is complete. */
  readonly role?: iam.Role;
}

/**
 * The roles a pipeline's endpoints are granted to, and how each one's session names are fixed.
 * IAM users need no entry: their names are their own. Any other grantee is refused at synth.
 */
export class Participants {
  private readonly roles: Participant[] = [];
  private hasUsers = false;

  constructor(
    private readonly owner: Construct,
    private readonly unverified: iam.IRole[],
  ) {
    owner.node.addValidation({ validate: () => this.problems() });
  }

  /** What the handlers read: role name to naming, as JSON resolved at deployment. */
  public get environment(): string {
    return Lazy.string({
      produce: () =>
        Stack.of(this.owner).toJsonString(Object.fromEntries(this.roles.map((p) => [p.roleName, p.naming]))),
    });
  }

  /** Records a grantee of a request or approval endpoint, or throws for one that names no person. */
  public add(grantee: iam.IGrantable, method: string): void {
    const principal = grantee.grantPrincipal;
    const accepted = this.unverified.some((r) => r === principal || r.roleArn === principalArn(principal));
    if (principal instanceof iam.Role) {
      this.push({
        // Written out for a role of another stack: the handlers' environment must not refer to it.
        roleName: namedPrincipal(this.owner, principal, `${this.owner.node.path}.${method}`).name,
        naming: accepted ? 'unverified' : 'pinned',
        role: principal,
      });
      return;
    }
    // An IAM user (of the app, imported, or named by ARN) is one person by its name.
    const arn = principalArn(principal);
    if ('userArn' in principal || (arn && /^arn:[^:]+:iam::[^:]*:user\//.test(arn))) {
      this.hasUsers = true;
      return;
    }
    const identityCenter = arn ? identityCenterRoleName(arn) : undefined;
    if (identityCenter) {
      this.push({ roleName: identityCenter, naming: 'identity-center' });
    } else if (accepted && arn) {
      const roleName = 'roleName' in principal ? (principal as iam.IRole).roleName : arn.split('/').pop()!;
      this.push({ roleName, naming: 'unverified' });
    } else {
      throw new Error(
        `${this.owner.node.path}.${method}: ${arn ?? JSON.stringify(principal.policyFragment.principalJson)} is not a person's identity the pipeline can verify. ` +
          'Grant to an IAM user, a role of this app whose trust policy pins session names (CustomizationRequesterRole and CustomizationApproverRole do), ' +
          'or an IAM Identity Center permission-set role by ARN; or list the role in unverifiedSessionRoles to accept that its callers choose their names (the pack reports it).',
      );
    }
  }

  private push(p: Participant) {
    if (!this.roles.some((r) => r.roleName === p.roleName)) this.roles.push(p);
  }

  /** The sources of identity the participants come from: IAM users, Identity Center, each provider. */
  public sources(): Set<string> {
    return this.review().sources;
  }

  /**
   * Why the participants do not name people: a role of the app whose trust lets callers choose
   * session names, or people from more than one source of identity (IAM users and Identity
   * Center, say), where one human with an identity in each would count as two.
   */
  private problems(): string[] {
    const { sources, problems } = this.review();
    if (sources.size > 1) {
      problems.push(
        `${this.owner.node.path}: its requesters and approvers come from more than one source of identity (${[...sources].join(', ')}), so one human with an identity in each would count as two people. Take them all from one source.`,
      );
    }
    return problems;
  }

  private review(): { sources: Set<string>; problems: string[] } {
    const problems: string[] = [];
    const sources = new Set<string>(this.hasUsers ? [IAM_USERS] : []);
    for (const { role, naming } of this.roles) {
      if (naming === 'identity-center') sources.add(IDENTITY_CENTER);
      if (!role || naming !== 'pinned') continue;
      const named = sessionNaming(Stack.of(role).resolve(role.assumeRolePolicy?.toJSON()));
      if ('problem' in named) {
        problems.push(
          `${this.owner.node.path}: ${role.node.path} requests or approves, but its trust policy lets one person take several names: ${named.problem}. ` +
            'Pin the session name, or list the role in unverifiedSessionRoles to accept the risk (the pack then reports it).',
        );
      } else named.sources.forEach((source) => sources.add(source));
    }
    return { sources, problems };
  }
}
