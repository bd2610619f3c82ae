import { createHash } from 'crypto';
import * as http from 'http';
import * as https from 'https';

/**
 * Proof of identity for the pipelines' endpoints, as aws-iam-authenticator and Vault's AWS auth
 * do it: the caller presigns an `sts:GetCallerIdentity` request with their own credentials, and
 * the handler sends it to STS itself. STS answers with the signer's ARN, or refuses a signature
 * that does not match. The signature covers a header that binds the proof to one payload for one
 * endpoint of one pipeline, so a proof cannot be reused for anything else, and it expires within
 * minutes. Nothing the event says about the caller is believed: a direct `lambda:InvokeFunction`
 * can carry any event.
 *
 * The body a pipeline endpoint takes: `{ "payload": "<JSON text>", "proof": "<presigned URL>" }`.
 * No imports of the library: the handlers' bundles and the CLI share this file.
 */

/** The signed header that binds a proof to what it proves. */
export const BINDING_HEADER = 'x-model-access-binding';
/** The longest a proof may be valid for. */
export const MAX_PROOF_SECONDS = 300;
/** How far a proof's signing time may be ahead of the handler's clock. */
const CLOCK_SKEW_SECONDS = 60;

/** Which endpoint a proof is for: a request, or a decision on one. */
export type ProofPurpose = 'request' | 'decision';

/**
 * The value of the binding header: SHA-256 over the protocol's version, the pipeline (its
 * `audience`, which every refusal for want of a proof names), the endpoint and the exact payload.
 */
export function bindingOf(audience: string, purpose: ProofPurpose, payload: string): string {
  return createHash('sha256')
    .update(['model-access-proof/1', audience, purpose, payload].join('\n'))
    .digest('hex');
}

/** The STS endpoints of a partition's regions (and the global one of `aws`), by the handler's region. */
export function stsHostPattern(region: string): RegExp | undefined {
  if (/^cn-[a-z]+-\d+$/.test(region)) return /^sts\.(cn-[a-z]+-\d+)\.amazonaws\.com\.cn$/;
  if (/^us-gov-[a-z]+-\d+$/.test(region)) return /^sts(?:-fips)?\.(us-gov-[a-z]+-\d+)\.amazonaws\.com$/;
  if (/^(?:af|ap|ca|eu|il|me|mx|sa|us)-[a-z]+-\d+$/.test(region)) {
    return /^sts(?:-fips)?(?:\.((?:af|ap|ca|eu|il|me|mx|sa|us)-[a-z]+-\d+))?\.amazonaws\.com$/;
  }
  return undefined;
}

const QUERY = [
  'Action',
  'Version',
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
];
const REQUIRED = QUERY.filter((p) => p !== 'X-Amz-Security-Token');
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * Why a presigned URL is not a proof this handler may send, or undefined when it may be sent:
 * HTTPS to an STS endpoint of the handler's partition, `GetCallerIdentity` and nothing else,
 * signed over the host and the binding header only, valid now for at most five minutes.
 */
export function proofProblem(proof: string, region: string, now: Date): string | undefined {
  let url: URL;
  try {
    url = new URL(proof);
  } catch {
    return 'the proof is not a URL';
  }
  const hosts = stsHostPattern(region);
  if (!hosts) return `the pipeline's region ${region} is in no partition this handler knows`;
  const host = hosts.exec(url.hostname);
  if (url.protocol !== 'https:' || url.username || url.password || url.port || !host) {
    return `the proof must be an https URL of an STS endpoint of this partition, not ${url.protocol}//${url.host}`;
  }
  if (url.pathname !== '/' || url.hash) return 'the proof must be for the path / with no fragment';
  const params = url.searchParams;
  for (const name of new Set(params.keys())) {
    if (!QUERY.includes(name)) return `the proof carries an unexpected parameter ${name}`;
    if (params.getAll(name).length > 1) return `the proof carries ${name} more than once`;
  }
  const missing = REQUIRED.filter((name) => !params.has(name));
  if (missing.length) return `the proof is not a presigned request: it lacks ${missing.join(', ')}`;
  if (params.get('Action') !== 'GetCallerIdentity' || params.get('Version') !== '2011-06-15') {
    return 'the proof must be a presigned sts:GetCallerIdentity (Version 2011-06-15)';
  }
  if (params.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256')
    return 'the proof must be signed with AWS4-HMAC-SHA256';
  const signed = params.get('X-Amz-SignedHeaders')!.split(';').sort().join(';');
  if (signed !== ['host', BINDING_HEADER].sort().join(';')) {
    return `the proof must sign exactly the headers host and ${BINDING_HEADER}, not ${params.get('X-Amz-SignedHeaders')}`;
  }
  const scope = params.get('X-Amz-Credential')!.split('/');
  const signedRegion = host[1] ?? 'us-east-1';
  if (scope.length !== 5 || scope[2] !== signedRegion || scope[3] !== 'sts' || scope[4] !== 'aws4_request') {
    return `the proof's credential scope must be ${signedRegion}/sts/aws4_request`;
  }
  const expires = params.get('X-Amz-Expires')!;
  if (!/^\d{1,4}$/.test(expires) || Number(expires) < 1 || Number(expires) > MAX_PROOF_SECONDS) {
    return `the proof must expire within ${MAX_PROOF_SECONDS} seconds (X-Amz-Expires ${expires})`;
  }
  const date = AMZ_DATE.exec(params.get('X-Amz-Date')!);
  if (!date) return 'the proof has no valid X-Amz-Date';
  const signedAt = Date.UTC(+date[1], +date[2] - 1, +date[3], +date[4], +date[5], +date[6]);
  if (signedAt > now.getTime() + CLOCK_SKEW_SECONDS * 1000) return 'the proof is signed in the future';
  if (signedAt + Number(expires) * 1000 <= now.getTime()) return 'the proof has expired; sign a new one';
  return undefined;
}

/** Who STS says signed a proof. */
export interface ProvenIdentity {
  readonly arn: string;
  readonly account: string;
}

/**
 * Sends a proof to STS with the binding this handler computed (never one the caller supplied),
 * and returns the signer, or why STS refused. The request goes to the proof's own host, which
 * `proofProblem` has checked, or to `AWS_ENDPOINT_URL_STS` where the deployment sets one, as the
 * AWS SDKs do; redirects are not followed.
 */
export async function callerIdentity(
  proof: string,
  binding: string,
): Promise<{ identity: ProvenIdentity } | { refusal: string }> {
  const url = new URL(proof);
  const override = process.env.AWS_ENDPOINT_URL_STS;
  const target = override ? new URL(`${override.replace(/\/$/, '')}/${url.search}`) : url;
  let answer: { status: number; body: string };
  try {
    answer = await get(target, { host: url.host, [BINDING_HEADER]: binding });
  } catch (e) {
    throw new Error(`STS could not be reached to check the proof: ${(e as Error).message}`);
  }
  const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(answer.body)?.[1];
  if (answer.status !== 200) {
    return {
      refusal: `STS refused the proof (${answer.status} ${field('Code') ?? ''}): ${field('Message') ?? 'no message'}`,
    };
  }
  const arn = field('Arn');
  const account = field('Account');
  if (!arn || !account || !/<GetCallerIdentityResult>/.test(answer.body)) {
    throw new Error('STS answered the proof with no caller identity');
  }
  return { identity: { arn: unescapeXml(arn), account } };
}

function get(url: URL, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      { method: 'GET', headers, timeout: 5000, agent: false },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
          if (body.length > 64 * 1024) request.destroy(new Error('the answer is too long'));
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('no answer within 5 s')));
    request.on('error', reject);
    request.end();
  });
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
