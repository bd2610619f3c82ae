import { list, scalar } from '../../private/intrinsics';
import { narrowsCallers } from '../../private/trust-conditions';
import { PrincipalIndex } from './principals';
import { parseStatements, Statement } from './statements';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A resource's own policy: where it is, and what `*` in its statements means (the resource itself). */
interface PolicySite {
  readonly type: string;
  readonly document: string;
  /** The resource the policy is on: the resource itself, or the one a property names. */
  readonly on?: string;
}

// The resource policies that grant model capabilities: on the registry key (its policy, and grants
// of it), on model package groups (approving, copying), on Bedrock and AgentCore resources, and on
// access points to registry buckets (their objects are the bucket's).
const SITES: readonly PolicySite[] = [
  { type: 'AWS::KMS::Key', document: 'KeyPolicy' },
  { type: 'AWS::SageMaker::ModelPackageGroup', document: 'ModelPackageGroupPolicy' },
  { type: 'AWS::S3::AccessPoint', document: 'Policy' },
  { type: 'AWS::Bedrock::ResourcePolicy', document: 'PolicyDocument', on: 'ResourceArn' },
  { type: 'AWS::BedrockAgentCore::ResourcePolicy', document: 'Policy', on: 'ResourceArn' },
];

/** What the template's resource policies grant, as identity statements would. */
export interface ResourcePolicyGrants {
  /** Statements that name a principal of the template, by its id: they grant as its own would. */
  readonly byPrincipal: Map<string, Statement[]>;
  /** Statements open to callers outside the account (`*`, another account), with no condition on the caller. */
  readonly outside: { readonly resource: string; readonly who: string; readonly statements: Statement[] }[];
}

/** The resource types whose policies `resourcePolicyGrants` reads. */
export const RESOURCE_POLICY_TYPES = SITES.map((s) => s.type);

/**
 * The grants of the template's resource policies (`SITES`): each statement that names a principal
 * of the template (by ARN) grants it what it says, on the resource; one that names `*` or another
 * account, with no condition narrowing the caller, grants that to callers outside the account.
 * The account itself (`:root`) grants nothing here: its identity policies decide. An access
 * point's objects are its bucket's (`accesspoint/<name>/object/<key>` is `<bucket>/<key>`).
 */
export function resourcePolicyGrants(
  resources: Record<string, Json>,
  idsOf: (type: string) => string[],
  principals: PrincipalIndex,
  canonical: (resource: string) => string,
  arnOf: (id: string) => string | undefined,
): ResourcePolicyGrants {
  const byPrincipal = new Map<string, Statement[]>();
  const outside: ResourcePolicyGrants['outside'] = [];
  for (const site of SITES) {
    for (const id of idsOf(site.type)) {
      const props = resources[id].Properties ?? {};
      const self = site.on ? [canonical(scalar(props[site.on] ?? ''))] : [arnOf(id) ?? '*'];
      // A model package group's policy is also its packages'.
      if (site.type === 'AWS::SageMaker::ModelPackageGroup') {
        const name = scalar(props.ModelPackageGroupName ?? `\${${id}}`);
        self.push(`arn:aws:sagemaker:\${AWS::Region}:\${AWS::AccountId}:model-package/${name}/*`);
      }
      const bucket = site.type === 'AWS::S3::AccessPoint' ? canonical(scalar(props.Bucket ?? '')) : undefined;
      const onResource = (r: string): string[] => {
        if (r === '*') return self;
        const key = bucket === undefined ? undefined : /accesspoint\/[^/]+\/object\/(.*)$/.exec(r)?.[1];
        return [key === undefined ? r : `arn:aws:s3:::${bucket}/${key}`];
      };
      for (const s of parseStatements(props[site.document], `${id} (resource policy)`, canonical)) {
        const granted: Statement = { ...s, resources: s.resources.flatMap(onResource), principal: undefined };
        for (const who of list(s.principal === '*' ? '*' : s.principal?.AWS)) {
          const named = principals.byPrincipalArn(canonical(who));
          if (named) {
            byPrincipal.set(named.id, [...(byPrincipal.get(named.id) ?? []), granted]);
            continue;
          }
          const outsider = outsiderOf(who);
          if (outsider !== undefined && s.effect === 'Allow' && !narrowsCallers(s.condition)) {
            outside.push({ resource: id, who: outsider, statements: [granted] });
          }
        }
      }
    }
  }
  return { byPrincipal, outside };
}

/**
 * Who a resource policy's AWS principal is outside the account: `*`, `account <id>`, a principal's
 * ARN; undefined for the account and its own principals. Another account is one the analysis
 * knows is not the deploying one (`${Account:<id>}`, where the app fixes its account): in an
 * app that does not, a literal account may be its own, and is not taken for an outsider.
 */
export function outsiderOf(principal: string): string | undefined {
  if (principal === '*') return '*';
  const account = /^(?:arn:[^:]+:iam::)?\$\{Account:(\d{12})\}(?::root)?$/.exec(principal)?.[1];
  if (account !== undefined) return `account ${account}`;
  return /^arn:[^:]+:(iam|sts)::\$\{Account:\d{12}\}:/.test(principal) ? principal : undefined;
}
