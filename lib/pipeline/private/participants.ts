import { Lazy, Stack, Token } from 'aws-cdk-lib';
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

/** Which endpoint a grant is for: the request URL or the approval URL. */
export type Endpoint = 'request' | 'approval';

interface Participant {
  readonly endpoint: Endpoint;
  readonly account: string;
  /** A role's or a user's name. */
  readonly name: string;
  /** How a role's session names are fixed; none for an IAM user, whose name is its own. */
  readonly naming?: SessionNaming;
  /** A role of the app, whose trust policy is checked once the app is complete. */
  readonly role?: iam.Role;
}

const ACCOUNT_IN_ARN = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/;

/**
 * Who the pipeline's endpoints are granted to: IAM users, and roles with how each one's session
 * names are fixed. Each endpoint's handler counts only its own grantees, by account and name, as
 * `PARTICIPANTS` in its environment. Any other grantee is refused at synth.
 */
export class Participants {
  private readonly granted: Participant[] = [];

  constructor(
    private readonly owner: Construct,
    private readonly unverified: iam.IRole[],
  ) {
    owner.node.addValidation({ validate: () => this.problems() });
  }

  /** What one endpoint's handler reads: its roles and users by `<account>:<name>`, as JSON resolved at deployment. */
  public environment(endpoint: Endpoint): string {
    return Lazy.string({
      produce: () => {
        const mine = this.granted.filter((p) => p.endpoint === endpoint);
        return Stack.of(this.owner).toJsonString({
          roles: Object.fromEntries(
            mine.filter((p) => p.naming).map((p) => [`${p.account}:${p.name}`, p.naming]),
          ),
          users: mine.filter((p) => !p.naming).map((p) => `${p.account}:${p.name}`),
        });
      },
    });
  }

  /** Records a grantee of a request or approval endpoint, or throws for one that names no person. */
  public add(grantee: iam.IGrantable, endpoint: Endpoint): void {
    const method = endpoint === 'request' ? 'grantRequest' : 'grantApprove';
    const where = `${this.owner.node.path}.${method}`;
    const principal = grantee.grantPrincipal;
    const home = Stack.of(this.owner).account;
    const arn = principalArn(principal);
    const accountOf = (a: string | undefined) => (a && ACCOUNT_IN_ARN.exec(a)?.[1]) ?? home;
    const accepted = this.unverified.some((r) => r === principal || r.roleArn === arn);
    if (principal instanceof iam.Role) {
      // Written out for a role of another stack: the handlers' environment must not refer to it.
      const named = namedPrincipal(this.owner, principal, where);
      this.push({
        endpoint,
        account: named.account,
        name: named.name,
        naming: accepted ? 'unverified' : 'pinned',
        role: principal,
      });
      return;
    }
    // An IAM user (of the app, imported, or named by ARN) is one person by its name.
    if (principal instanceof iam.User || 'userArn' in principal) {
      const named = namedPrincipal(this.owner, principal, where);
      this.push({ endpoint, account: named.account, name: named.name });
      return;
    }
    const user =
      arn && !Token.isUnresolved(arn) ? /^arn:[^:]+:iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/.exec(arn) : null;
    if (user) {
      this.push({ endpoint, account: user[1], name: user[2] });
      return;
    }
    const identityCenter = arn ? identityCenterRoleName(arn) : undefined;
    if (identityCenter) {
      this.push({ endpoint, account: accountOf(arn), name: identityCenter, naming: 'identity-center' });
    } else if (accepted && arn) {
      const roleName = 'roleName' in principal ? (principal as iam.IRole).roleName : arn.split('/').pop()!;
      this.push({ endpoint, account: accountOf(arn), name: roleName, naming: 'unverified' });
    } else {
      throw new Error(
        `${where}: ${arn ?? JSON.stringify(principal.policyFragment.principalJson)} is not a person's identity the pipeline can verify. ` +
          'Grant to an IAM user, a role of this app whose trust policy pins session names (CustomizationRequesterRole and CustomizationApproverRole do), ' +
          'or an IAM Identity Center permission-set role by ARN; or list the role in unverifiedSessionRoles to accept that its callers choose their names (the pack reports it).',
      );
    }
  }

  private push(p: Participant) {
    if (
      !this.granted.some((g) => g.endpoint === p.endpoint && g.account === p.account && g.name === p.name)
    ) {
      this.granted.push(p);
    }
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
    const sources = new Set<string>(this.granted.some((p) => !p.naming) ? [IAM_USERS] : []);
    const checked = new Set<iam.Role>();
    for (const { role, naming } of this.granted) {
      if (naming === 'identity-center') sources.add(IDENTITY_CENTER);
      if (!role || naming !== 'pinned' || checked.has(role)) continue;
      checked.add(role);
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
