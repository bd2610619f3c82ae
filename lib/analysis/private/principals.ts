import { list } from '../../private/intrinsics';
import { inPartition, withDeployingAccount } from './resource-match';
import { NAME_CHOICES } from './app-template';
import { arnOf, nameOf, principalArn } from './template-arns';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export type PrincipalType = 'AWS::IAM::Role' | 'AWS::IAM::User' | 'AWS::IAM::Group';
const PRINCIPAL_TYPES: readonly PrincipalType[] = ['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group'];
const ARN_KIND: Record<PrincipalType, 'role' | 'user' | 'group'> = {
  'AWS::IAM::Role': 'role',
  'AWS::IAM::User': 'user',
  'AWS::IAM::Group': 'group',
};

/** A role, user or group: defined by the template, or only named by it (imported). */
export interface Principal {
  /** The logical id; for a principal the template only names, `role:<name>` (`user:`, `group:`). */
  readonly id: string;
  readonly type: PrincipalType;
  /** Named by the template (a literal name, a parameter, an import) but not defined in it. */
  readonly external: boolean;
  /** Its name as the template gives it: a literal, or a symbol (`${RoleName}`, `${Import:Name}`). */
  readonly name: string;
  /** The ARNs it can be named by, canonical. */
  readonly arns: string[];
}

/**
 * Which principals a template has: those it defines, and those its policies attach to without
 * defining them (a role imported by name or ARN, a parameter, an import), each named once however
 * many policies name it.
 */
export class PrincipalIndex {
  private readonly byId = new Map<string, Principal>();
  private readonly byName = new Map<string, string>();
  private readonly byArn = new Map<string, string>();

  /**
   * @param knownAccount the app fixes its account (written as `${AWS::AccountId}`), so a literal
   *   account in an ARN is another account's principal, never one of the app's.
   */
  constructor(
    resources: Record<string, Json>,
    idsOf: (type: string) => string[],
    private readonly knownAccount = false,
  ) {
    for (const type of PRINCIPAL_TYPES) {
      for (const id of idsOf(type)) {
        const name = nameOf(resources, id);
        const arn = arnOf(resources, id);
        // A name chosen at deploy time: the principal is known by each name it may take.
        const choices: string[] = resources[id].Metadata?.[NAME_CHOICES] ?? [];
        const path = resources[id].Properties?.Path;
        const aliases = choices.map((n) => principalArnOf(type, n, typeof path === 'string' ? path : '/'));
        const arns = [...(arn ? [arn] : []), ...aliases.filter((a): a is string => a !== undefined)];
        this.add({ id, type, external: false, name, arns }, [`\${${id}}`, name, ...choices]);
      }
    }
  }

  public all(): Principal[] {
    return [...this.byId.values()];
  }

  public get(id: string): Principal | undefined {
    return this.byId.get(id);
  }

  /** The principal an ARN (a trust policy's `AWS` entry) names, if the index has it. */
  public byPrincipalArn(arn: string): Principal | undefined {
    // A session of a role (`arn:aws:sts::<account>:assumed-role/<name>/<session>`) is that role.
    const session = /^arn:([^:]+):sts::(\$\{[^}]+\}|[^:]*):assumed-role\/([^/]+)\/.*$/.exec(arn);
    if (session) {
      const [, partition, account, name] = session;
      const role = this.byPrincipalArn(`arn:${partition}:iam::${account}:role/${name}`);
      // A role with a path: its sessions' ARNs leave the path out.
      const named = account === '${AWS::AccountId}' ? this.byName.get(`AWS::IAM::Role|${name}`) : undefined;
      return role ?? (named === undefined ? undefined : this.byId.get(named));
    }
    const key = this.knownAccount ? inPartition(arn) : withDeployingAccount(arn);
    const id = this.byArn.get(key) ?? this.byArn.get(arn);
    return id === undefined ? undefined : this.byId.get(id);
  }

  /**
   * The principals a Roles/Users/Groups list (or a RoleName, UserName, GroupName) names. With
   * `adopt`, a name the template does not define becomes an external principal.
   */
  public named(refs: Json, type: PrincipalType, adopt = false): string[] {
    const ids = list(refs).map((symbol) => {
      const known = this.byName.get(`${type}|${symbol}`);
      if (known !== undefined || !adopt) return known;
      const id = `${ARN_KIND[type]}:${symbol}`;
      const arn = principalArnOf(type, symbol, '/');
      const arns = arn === undefined ? [] : [arn];
      this.add({ id, type, external: true, name: symbol, arns }, [symbol]);
      return id;
    });
    return [...new Set(ids.filter((id): id is string => id !== undefined))];
  }

  private add(principal: Principal, names: string[]) {
    this.byId.set(principal.id, principal);
    for (const name of names) this.byName.set(`${principal.type}|${name}`, principal.id);
    for (const arn of principal.arns) this.byArn.set(arn, principal.id);
  }
}

/** The ARN of a role or user of a given name (groups are never named by ARN in policies here). */
function principalArnOf(type: PrincipalType, name: string, path: string): string | undefined {
  const kind = ARN_KIND[type];
  return kind === 'group' ? undefined : principalArn(kind, name, path);
}
