import { createHash, createHmac, Hash, Hmac } from 'crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import {
  BINDING_HEADER,
  bindingOf,
  MAX_PROOF_SECONDS,
  ProofPurpose,
} from '../pipeline/handlers/identity-proof';
import { UsageError } from './inputs';

/** SHA-256 (or its HMAC) for the AWS signer, from node:crypto. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The STS endpoint of a region, as the pipeline's handlers accept it. */
export function stsHost(region: string): string {
  return region.startsWith('cn-') ? `sts.${region}.amazonaws.com.cn` : `sts.${region}.amazonaws.com`;
}

/**
 * A proof of the caller's identity for one payload to one endpoint of one pipeline: a
 * `GetCallerIdentity` request presigned with the caller's credentials, valid for five minutes,
 * whose signature covers the binding header.
 */
export async function signProof(
  credentials: AwsCredentialIdentity,
  region: string,
  audience: string,
  purpose: ProofPurpose,
  payload: string,
  signingDate: Date = new Date(),
): Promise<string> {
  const signer = new SignatureV4({ credentials, region, service: 'sts', sha256: Sha256 });
  const hostname = stsHost(region);
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, [BINDING_HEADER]: bindingOf(audience, purpose, payload) },
    },
    { expiresIn: MAX_PROOF_SECONDS, signingDate },
  );
  const query = Object.entries(presigned.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return `https://${hostname}/?${query}`;
}

/** What an endpoint answered. */
export interface EndpointAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** How to reach a pipeline endpoint and as whom. */
export interface EndpointCall {
  /** The function URL: the pipeline's `requestUrl` or `approvalUrl`. */
  readonly url: string;
  /** Its region; read from a function URL's host when not given. */
  readonly region?: string;
  /** A profile of the shared AWS config files; the environment's credentials by default. */
  readonly profile?: string;
}

/**
 * Sends a payload to a pipeline endpoint as the caller: the POST is signed for the function URL's
 * IAM auth, and carries a proof of identity bound to the payload. The pipeline's name, which the
 * proof binds, is what the endpoint answers a call without one.
 */
export async function callEndpoint(
  call: EndpointCall,
  purpose: ProofPurpose,
  payload: object,
): Promise<EndpointAnswer> {
  const url = parseUrl(call.url);
  const region = call.region ?? /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(url.hostname)?.[1];
  if (!region) throw new UsageError(`cannot tell the region of ${call.url}; give --region.`);
  let credentials: AwsCredentialIdentity;
  try {
    credentials = await defaultProvider(call.profile ? { profile: call.profile } : {})();
  } catch (e) {
    throw new UsageError(
      `no AWS credentials${call.profile ? ` for profile ${call.profile}` : ''}: ${(e as Error).message}`,
    );
  }
  const text = JSON.stringify(payload);
  const first = await post(url, region, credentials, { payload: text });
  const audience = first.body.audience;
  if (first.status !== 401 || typeof audience !== 'string') return first;
  const proof = await signProof(credentials, region, audience, purpose, text);
  return post(url, region, credentials, { payload: text, proof });
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `'${text}' is not a URL; give the pipeline's requestUrl or approvalUrl (https://...).`,
    );
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new UsageError(
      `'${text}' is not https; a pipeline's URLs are (plain http only to this machine, for testing).`,
    );
  }
  return url;
}

/** POSTs JSON signed with SigV4 for a function URL (service `lambda`). */
async function post(
  url: URL,
  region: string,
  credentials: AwsCredentialIdentity,
  body: object,
): Promise<EndpointAnswer> {
  const text = JSON.stringify(body);
  const signer = new SignatureV4({ credentials, region, service: 'lambda', sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query: {},
    headers: { host: url.host, 'content-type': 'application/json' },
    body: text,
  });
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: signed.headers, body: text, redirect: 'error' });
  } catch (e) {
    throw new UsageError(`cannot reach ${url.href}: ${(e as Error).message}`);
  }
  const answer = await response.text();
  try {
    return { status: response.status, body: JSON.parse(answer) };
  } catch {
    return { status: response.status, body: { errors: [answer.slice(0, 500) || response.statusText] } };
  }
}
