import type { APIGatewayProxyStructuredResultV2, LambdaFunctionURLEvent } from 'aws-lambda';
import { Caller, callerOf, Participants } from './identity';
import { bindingOf, callerIdentity, proofProblem, ProofPurpose } from './identity-proof';
import { PARTICIPANTS_ENV } from '../../private/participant-roles';
import { env } from './runtime';

/** A JSON response of a function URL. */
export function respond(statusCode: number, body: object): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** A refusal that says why. */
export function refuse(statusCode: number, ...errors: string[]): APIGatewayProxyStructuredResultV2 {
  return respond(statusCode, { errors });
}

/**
 * The proven caller and the JSON payload of a request to a pipeline endpoint, or the response
 * refusing it. The body is `{ payload, proof }` (identity-proof.ts): the caller is whoever STS
 * says signed the proof, bound to this payload, this endpoint and this pipeline, and only if the
 * construct granted them this endpoint. Identity fields of the event are never read: a direct
 * `lambda:InvokeFunction` can write them.
 */
export async function readRequest(
  event: LambdaFunctionURLEvent,
  purpose: ProofPurpose,
): Promise<{ caller: Caller; body: unknown } | { refusal: APIGatewayProxyStructuredResultV2 }> {
  if (event.requestContext?.http?.method !== 'POST') {
    return { refusal: refuse(405, 'use POST with a JSON body') };
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body;
  let envelope: unknown;
  try {
    envelope = JSON.parse(raw ?? '');
  } catch {
    return { refusal: refuse(400, 'the body is not JSON') };
  }
  const audience = env('PIPELINE_NAME');
  const { payload, proof } = (typeof envelope === 'object' && envelope !== null ? envelope : {}) as Record<
    string,
    unknown
  >;
  if (typeof payload !== 'string' || typeof proof !== 'string') {
    return {
      refusal: respond(401, {
        errors: [
          'send { "payload": "<the request as JSON text>", "proof": "<a presigned sts:GetCallerIdentity URL>" }: use `model-access request` or `model-access approve`, or sign as docs/customization-pipeline.md shows',
        ],
        audience,
      }),
    };
  }
  const problem = proofProblem(proof, env('AWS_REGION'), new Date());
  if (problem) return { refusal: respond(401, { errors: [problem], audience }) };
  const proven = await callerIdentity(proof, bindingOf(audience, purpose, payload));
  if ('refusal' in proven) return { refusal: respond(401, { errors: [proven.refusal], audience }) };
  const identified = callerOf(proven.identity.arn, JSON.parse(env(PARTICIPANTS_ENV)) as Participants);
  if ('refusal' in identified) return { refusal: refuse(403, identified.refusal) };
  try {
    return { caller: identified.caller, body: JSON.parse(payload) };
  } catch {
    return { refusal: refuse(400, 'the payload is not JSON') };
  }
}
