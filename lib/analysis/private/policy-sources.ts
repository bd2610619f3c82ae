import { list, scalar } from '../../private/intrinsics';
import { AwsManagedPolicies, isAwsManagedPolicyArn } from '../aws-managed-policies';
import { BOUNDARY_CHOSEN_AT_DEPLOY } from './app-template';
import { AnalysisProblem } from '../problem';
import { PrincipalIndex, PrincipalType } from './principals';
import { withDeployingAccount } from './resource-match';
import { parseStatements, Statement } from './statements';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const LISTS: [string, PrincipalType][] = [
  ['Roles', 'AWS::IAM::Role'],
  ['Users', 'AWS::IAM::User'],
  ['Groups', 'AWS::IAM::Group'],
];
const ONE_PRINCIPAL: Record<string, [string, PrincipalType]> = {
  'AWS::IAM::RolePolicy': ['RoleName', 'AWS::IAM::Role'],
  'AWS::IAM::UserPolicy': ['UserName', 'AWS::IAM::User'],
  'AWS::IAM::GroupPolicy': ['GroupName', 'AWS::IAM::Group'],
};

/**
 * What each policy source contributes to each principal: inline policies, AWS::IAM::Policy,
 * ManagedPolicy, RolePolicy, UserPolicy and GroupPolicy resources, customer-managed policies by
 * `Ref` or ARN, AWS-managed policies from their real documents, group membership, and boundaries.
 * A policy it cannot read is a problem, never a silent nothing.
 */
export class PolicySources {
  public readonly problems: AnalysisProblem[] = [];
  /** The policy resources that attach to each principal, in template order. */
  public readonly attachedBy = new Map<string, string[]>();
  private readonly attached = new Map<string, Statement[]>();
  private readonly groupsOfUser = new Map<string, Set<string>>();
  private readonly managedByArn = new Map<string, string>();
  private readonly managedCache = new Map<string, Statement[]>();

  constructor(
    private readonly resources: Record<string, Json>,
    idsOf: (type: string) => string[],
    private readonly principals: PrincipalIndex,
    private readonly canonical: (resource: string) => string,
  ) {
    for (const id of idsOf('AWS::IAM::ManagedPolicy')) {
      const props = this.resources[id].Properties ?? {};
      const name = typeof props.ManagedPolicyName === 'string' ? props.ManagedPolicyName : `\${${id}}`;
      const path = typeof props.Path === 'string' ? props.Path : '/';
      this.managedByArn.set(`arn:aws:iam::\${AWS::AccountId}:policy${path}${name}`, id);
    }
    const policyTypes = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', ...Object.keys(ONE_PRINCIPAL)];
    for (const policyId of policyTypes.flatMap(idsOf)) {
      const props = this.resources[policyId].Properties ?? {};
      const statements = this.statementsOf(policyId);
      const one = ONE_PRINCIPAL[this.resources[policyId].Type];
      const targets = one
        ? this.principals.named(props[one[0]], one[1], true)
        : LISTS.flatMap(([prop, type]) => this.principals.named(props[prop], type, true));
      for (const id of targets) {
        this.attached.set(id, [...(this.attached.get(id) ?? []), ...statements]);
        this.attachedBy.set(id, [...(this.attachedBy.get(id) ?? []), policyId]);
      }
    }
    for (const user of idsOf('AWS::IAM::User')) {
      const groups = this.principals.named(this.resources[user].Properties?.Groups, 'AWS::IAM::Group', true);
      this.groupsOfUser.set(user, new Set(groups));
    }
    for (const addition of idsOf('AWS::IAM::UserToGroupAddition')) {
      const a = this.resources[addition].Properties ?? {};
      const groups = this.principals.named(a.GroupName, 'AWS::IAM::Group', true);
      for (const user of this.principals.named(a.Users, 'AWS::IAM::User', true)) {
        const mine = this.groupsOfUser.get(user) ?? new Set<string>();
        groups.forEach((g) => mine.add(g));
        this.groupsOfUser.set(user, mine);
      }
    }
  }

  /** Every identity statement of a principal: its own, attached, managed, and its groups'. */
  public identityStatements(id: string): Statement[] {
    const principal = this.principals.get(id);
    const props = principal && !principal.external ? (this.resources[id].Properties ?? {}) : {};
    const out: Statement[] = [];
    for (const p of props.Policies ?? []) {
      out.push(...parseStatements(p.PolicyDocument, `${id}/${scalar(p.PolicyName)}`, this.canonical));
    }
    for (const arn of list(props.ManagedPolicyArns)) out.push(...(this.managed(arn, id) ?? []));
    out.push(...(this.attached.get(id) ?? []));
    for (const group of this.groupsOfUser.get(id) ?? []) out.push(...this.identityStatements(group));
    return out;
  }

  /**
   * The boundary's statements; undefined when there is none, when the deployer chooses it (a
   * parameter of several values: the widest choice is none), or when it cannot be read (reported).
   */
  public boundaryStatements(id: string): Statement[] | undefined {
    const principal = this.principals.get(id);
    const chosenAtDeploy = this.resources[id]?.Metadata?.[BOUNDARY_CHOSEN_AT_DEPLOY] === true;
    const boundary =
      principal && !principal.external && !chosenAtDeploy
        ? this.resources[id].Properties?.PermissionsBoundary
        : undefined;
    return boundary === undefined ? undefined : this.managed(boundary, id, 'permissions boundary');
  }

  private statementsOf(policyId: string): Statement[] {
    let statements = this.managedCache.get(policyId);
    if (!statements) {
      statements = parseStatements(
        this.resources[policyId].Properties?.PolicyDocument,
        policyId,
        this.canonical,
      );
      this.managedCache.set(policyId, statements);
    }
    return statements;
  }

  /** A managed policy named by `Ref` or ARN: the template's, AWS's, or one the analysis cannot read. */
  private managed(ref: Json, principal: string, role = 'policy'): Statement[] | undefined {
    const symbol = scalar(ref);
    const local = /^\$\{([^}.]+)\}$/.exec(symbol)?.[1] ?? this.managedByArn.get(withDeployingAccount(symbol));
    if (local && this.resources[local]?.Type === 'AWS::IAM::ManagedPolicy') return this.statementsOf(local);
    const known = AwsManagedPolicies.of(symbol);
    if (known) {
      const cacheKey = `aws:${known.name}`;
      let statements = this.managedCache.get(cacheKey);
      if (!statements) {
        statements = parseStatements({ Statement: known.statements }, known.name, this.canonical, true);
        this.managedCache.set(cacheKey, statements);
      }
      return statements;
    }
    const name = isAwsManagedPolicyArn(symbol) ? symbol.replace(/^.*:policy\//, '') : symbol;
    this.problems.push({
      principal,
      subject: name,
      message: isAwsManagedPolicyArn(symbol)
        ? `AWS-managed ${role} ${name} is not in the AWS-managed policy data of ${AwsManagedPolicies.dataDate()} (newer than the data, or misspelt); its permissions are not judged. Check the name, or upgrade cdk-model-access for newer data.`
        : `The ${role === 'policy' ? 'managed policy' : role} ${symbol} is not defined in this template and is not AWS-managed; its permissions are not judged.`,
    });
    return undefined;
  }
}
