import { Aws, Stack, Token } from 'aws-cdk-lib';
import { scalar } from '../../private/intrinsics';
import { serviceTrustConditions } from '../../private/service-trust';
import { statementCovers } from '../../private/trust-conditions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { isValidTagKey, LIBRARY_TAG_PREFIX } from '../../capabilities/private/tags';
import { AccessConditions } from '../access-conditions';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const VPCE_ID = /^vpce-[0-9a-f]{8,17}$/;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV6_CIDR = /^[0-9a-fA-F:]+\/(\d{1,3})$/;

function isCidr(value: string): boolean {
  const v4 = IPV4_CIDR.exec(value);
  if (v4) return v4.slice(1, 5).every((o) => Number(o) <= 255) && Number(v4[5]) <= 32;
  const v6 = IPV6_CIDR.exec(value);
  return !!v6 && value.includes(':') && Number(v6[1]) <= 128 && (value.match(/::/g) ?? []).length <= 1;
}

/** Whether a principal is an AWS service (which can present neither MFA nor session tags). */
export function isServicePrincipal(principal: iam.IPrincipal): boolean {
  return 'Service' in principal.policyFragment.principalJson;
}

/** Throws a clear error for a condition set that cannot hold. */
export function validateConditions(where: string, c: AccessConditions, principal: iam.IPrincipal): void {
  const fail = (message: string) => {
    throw new Error(`${where}: ${message}`);
  };
  const time = (d: Date | undefined, name: string) => {
    if (d !== undefined && !(d instanceof Date && !isNaN(d.getTime())))
      fail(`conditions.${name} is not a valid Date.`);
  };
  time(c.notBefore, 'notBefore');
  time(c.notAfter, 'notAfter');
  if (c.notBefore && c.notAfter && c.notAfter.getTime() <= c.notBefore.getTime()) {
    fail(
      `conditions.notAfter (${c.notAfter.toISOString()}) must be later than notBefore (${c.notBefore.toISOString()}).`,
    );
  }
  if (c.sourceVpcEndpoints && c.sourceIpRanges) {
    fail(
      'conditions.sourceVpcEndpoints and sourceIpRanges cannot be combined: requests through a VPC endpoint carry no public source IP. Choose one.',
    );
  }
  if (c.sourceVpcEndpoints?.length === 0)
    fail('conditions.sourceVpcEndpoints is empty: omit it, or name at least one endpoint.');
  if (c.sourceIpRanges?.length === 0)
    fail('conditions.sourceIpRanges is empty: omit it, or name at least one range.');
  for (const id of c.sourceVpcEndpoints ?? []) {
    if (!Token.isUnresolved(id) && !VPCE_ID.test(id))
      fail(`'${id}' is not a VPC endpoint id (expected vpce-<8 to 17 hex digits>).`);
  }
  for (const cidr of c.sourceIpRanges ?? []) {
    if (!Token.isUnresolved(cidr) && !isCidr(cidr))
      fail(`'${cidr}' is not a CIDR range (expected e.g. 203.0.113.0/24 or 2001:db8::/32).`);
  }
  const service = isServicePrincipal(principal);
  if (c.requireMfa && service) {
    fail('conditions.requireMfa applies to human principals; an AWS service principal cannot present MFA.');
  }
  if (c.requiredSessionTags?.length && service) {
    fail(
      'conditions.requiredSessionTags applies to principals that assume the role themselves, not to an AWS service principal.',
    );
  }
  const classification = c.classificationTagKey?.toLowerCase();
  if (
    classification &&
    !('Federated' in principal.policyFragment.principalJson) &&
    (c.requiredSessionTags ?? []).some((k) => k.toLowerCase() === classification)
  ) {
    fail(
      `conditions.requiredSessionTags includes the classification tag '${c.classificationTagKey}', so callers would tag their own sessions into any classification. ` +
        'Tag the people (their IAM user or role) instead, or federate through an identity provider that asserts the tag.',
    );
  }
  // The library's own tags declare what a principal is (ModelNetworkAccess admits by them): a
  // caller who could set one on a session would declare itself an inference role.
  const ownTag = (c.requiredSessionTags ?? []).find((k) => k.toLowerCase().startsWith(LIBRARY_TAG_PREFIX));
  if (ownTag) {
    fail(
      `conditions.requiredSessionTags includes '${ownTag}', one of the library's own tags, which declare what a principal is; callers would declare it for their own sessions. Use a key of your own.`,
    );
  }
  for (const key of [c.classificationTagKey, ...(c.requiredSessionTags ?? [])]) {
    if (key !== undefined && !Token.isUnresolved(key) && !isValidTagKey(key)) {
      fail(`'${key}' is not a valid tag key (1-128 characters, not starting with 'aws:').`);
    }
  }
}

/** Explicit denies that hold the role to the conditions whatever else is attached to it. */
export function conditionDenies(c: AccessConditions): iam.PolicyStatement[] {
  const denyAll = (sid: string, conditions: Record<string, Record<string, unknown>>) =>
    new iam.PolicyStatement({ sid, effect: iam.Effect.DENY, actions: ['*'], resources: ['*'], conditions });
  // Calls an AWS service makes on the role's behalf (S3 to KMS, say) come from the service's network.
  const notViaService = { BoolIfExists: { 'aws:ViaAWSService': 'false' } };
  const denies: iam.PolicyStatement[] = [];
  if (c.notBefore)
    denies.push(
      denyAll('DenyBeforeWindow', { DateLessThan: { 'aws:CurrentTime': c.notBefore.toISOString() } }),
    );
  if (c.notAfter)
    denies.push(
      denyAll('DenyAfterWindow', { DateGreaterThan: { 'aws:CurrentTime': c.notAfter.toISOString() } }),
    );
  if (c.sourceVpcEndpoints) {
    denies.push(
      denyAll('DenyOutsideVpcEndpoints', {
        StringNotEquals: { 'aws:SourceVpce': c.sourceVpcEndpoints },
        ...notViaService,
      }),
    );
  }
  if (c.sourceIpRanges) {
    denies.push(
      denyAll('DenyOutsideIpRanges', {
        NotIpAddress: { 'aws:SourceIp': c.sourceIpRanges },
        ...notViaService,
      }),
    );
  }
  if (c.requireMfa)
    denies.push(denyAll('DenyWithoutMfa', { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }));
  return denies;
}

/** The allow-statement condition that matches the principal's classification to the model's. */
export function classificationCondition(
  c: AccessConditions,
): Record<string, Record<string, string>> | undefined {
  const key = c.classificationTagKey;
  return key ? { StringEquals: { [`aws:ResourceTag/${key}`]: `\${aws:PrincipalTag/${key}}` } } : undefined;
}

/** The principal as the role's trust policy should name it: with MFA and session tags required. */
export function trustedPrincipal(principal: iam.IPrincipal, c: AccessConditions): iam.IPrincipal {
  const conditions: Record<string, Record<string, unknown>> = {};
  if (c.requireMfa) conditions.Bool = { 'aws:MultiFactorAuthPresent': 'true' };
  if (c.requiredSessionTags?.length) {
    conditions.Null = Object.fromEntries(c.requiredSessionTags.map((k) => [`aws:RequestTag/${k}`, 'false']));
    // sts:TagSession for these keys only: no caller may tag a session with a key that grants access.
    conditions['ForAllValues:StringEquals'] = { 'aws:TagKeys': c.requiredSessionTags };
  }
  // A service may assume a capability role only when acting for this account (confused deputy).
  if (
    isServicePrincipal(principal) &&
    !JSON.stringify(principal.policyFragment.conditions).includes('aws:SourceAccount')
  ) {
    Object.assign(conditions, serviceTrustConditions(Aws.ACCOUNT_ID, undefined, false));
  }
  let trusted: iam.IPrincipal = Object.keys(conditions).length
    ? new iam.PrincipalWithConditions(principal, conditions)
    : principal;
  if (c.requiredSessionTags?.length) trusted = new iam.SessionTagsPrincipal(trusted);
  return trusted;
}

/**
 * Why a role's trust policy (resolved JSON) lets callers tag their sessions with keys that may
 * grant access: sts:TagSession allowed to an AWS principal without a `ForAllValues:StringEquals`
 * limit on `aws:TagKeys`, or with the classification key among the allowed keys. An identity
 * provider (SAML, web identity) asserts its own tags and is not limited here.
 */
export function sessionTagProblem(trust: Json, classificationTagKey?: string): string | undefined {
  for (const s of [trust?.Statement ?? []].flat()) {
    if (s.Effect !== 'Allow' || !statementCovers(s, 'sts:TagSession')) continue;
    if (s.Principal?.Federated && !s.Principal?.AWS) continue;
    const keys: string[] = [s.Condition?.['ForAllValues:StringEquals']?.['aws:TagKeys'] ?? []].flat();
    if (keys.length === 0) {
      return 'its trust policy allows sts:TagSession with any tag key; limit it with ForAllValues:StringEquals on aws:TagKeys (AccessConditions.requiredSessionTags does)';
    }
    const classification = classificationTagKey?.toLowerCase();
    if (classification && keys.some((k) => typeof k === 'string' && k.toLowerCase() === classification)) {
      return `its trust policy lets callers tag their session with '${classificationTagKey}', the classification key its access conditions compare`;
    }
  }
  return undefined;
}

/**
 * Throws for a trusted principal that would let strangers in: `*` (anyone, in any account), or a
 * whole other account with no condition and no external id to say which of its callers.
 */
export function validateTrust(
  where: string,
  principal: iam.IPrincipal,
  externalIds: string[] | undefined,
  stack: Stack,
): void {
  const fragment = principal.policyFragment;
  // StarPrincipal renders as `"Principal": "*"` from its LiteralString form.
  const json = stack.resolve(fragment.principalJson);
  const aws = [json.AWS ?? []].flat().map((p: Json) => scalar(p));
  if (json === '*' || json.LiteralString !== undefined || aws.includes('*')) {
    throw new Error(
      `${where}: assumedBy is '*', so any principal in any AWS account could assume the role. Name the account, role or identity provider that may.`,
    );
  }
  const conditioned = Object.keys(fragment.conditions ?? {}).length > 0 || (externalIds ?? []).length > 0;
  const own = stack.resolve(stack.account);
  for (const p of aws) {
    const account = /:iam::(\d{12}):root$/.exec(p)?.[1] ?? (/^\d{12}$/.test(p) ? p : undefined);
    if (account && account !== own && !conditioned) {
      throw new Error(
        `${where}: assumedBy trusts the whole account ${account} with no condition, so anyone there who is allowed sts:AssumeRole could assume the role. ` +
          'Trust a role of that account by ARN, or add conditions (aws:PrincipalArn, aws:PrincipalTag) or an external id.',
      );
    }
  }
}
