import { runSimulation } from '@cloud-copilot/iam-simulate';
import { ACCOUNT, ResolvedTemplate } from './template';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface Request {
  /** ARN of the calling role or user. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** Context keys beyond those AWS always sets (aws:PrincipalArn, aws:SecureTransport...). */
  readonly context?: Record<string, string | string[]>;
  readonly identityPolicies?: Json[];
  readonly resourcePolicy?: Json;
  readonly permissionBoundary?: Json;
  /** The policy of the VPC endpoint the request goes through. */
  readonly vpcEndpointPolicy?: Json;
  /** The S3 bucket has ABAC enabled, so its tags (given as aws:ResourceTag/...) apply to object requests. */
  readonly s3Abac?: boolean;
}

/** Evaluates one request the way IAM would, with @cloud-copilot/iam-simulate. */
export async function simulate(request: Request): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        contextVariables: {
          'aws:PrincipalArn': request.principal,
          'aws:PrincipalAccount': ACCOUNT,
          'aws:SecureTransport': 'true',
          ...request.context,
        },
      },
      identityPolicies: (request.identityPolicies ?? []).map((policy, i) => ({ name: `policy${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: request.resourcePolicy,
      vpcEndpointPolicies: request.vpcEndpointPolicy
        ? [{ name: 'endpoint', policy: request.vpcEndpointPolicy }]
        : undefined,
      permissionBoundaryPolicies: request.permissionBoundary
        ? [{ name: 'boundary', policy: request.permissionBoundary }]
        : undefined,
      additionalSettings: request.s3Abac ? { s3: { bucketAbacEnabled: true } } : undefined,
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new Error(`simulation failed: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult as Decision;
}

/** Every identity policy of a role or user in the template: inline, AWS::IAM::Policy, customer managed. */
export function identityPoliciesOf(t: ResolvedTemplate, logicalId: string): Json[] {
  const own = t.props(logicalId);
  const inline = (own.Policies ?? []).map((p: Json) => p.PolicyDocument);
  const managedIds = ((t.resources[logicalId].Properties ?? {}).ManagedPolicyArns ?? [])
    .map((m: Json) => m.Ref)
    .filter((id: string | undefined) => id && t.resources[id]?.Type === 'AWS::IAM::ManagedPolicy');
  const refersToMe = (list: Json[] | undefined) => (list ?? []).some((r: Json) => r === logicalId);
  const attached = [...t.ofType('AWS::IAM::Policy'), ...t.ofType('AWS::IAM::ManagedPolicy')]
    .filter((id) => {
      const raw = t.resources[id].Properties ?? {};
      const names = [...(raw.Roles ?? []), ...(raw.Users ?? [])].map((r: Json) => r.Ref);
      return refersToMe(names);
    })
    .map((id) => t.props(id).PolicyDocument);
  const managed = managedIds.map((id: string) => t.props(id).PolicyDocument);
  return [...inline, ...new Set([...attached, ...managed])];
}

/** The permissions boundary document of a role, when the template defines it. */
export function boundaryOf(t: ResolvedTemplate, logicalId: string): Json | undefined {
  const ref = (t.resources[logicalId].Properties ?? {}).PermissionsBoundary?.Ref;
  return ref ? t.props(ref).PolicyDocument : undefined;
}

/** The bucket policy of a bucket in the template. */
export function bucketPolicyOf(t: ResolvedTemplate, bucketLogicalId: string): Json {
  const id = t
    .ofType('AWS::S3::BucketPolicy')
    .find((p) => (t.resources[p].Properties as Json).Bucket?.Ref === bucketLogicalId);
  if (!id) throw new Error(`no policy for bucket ${bucketLogicalId}`);
  return t.props(id).PolicyDocument;
}
