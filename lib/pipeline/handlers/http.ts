import type { LambdaFunctionURLEventWithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { Caller, callerOf, ParticipantRoles } from './identity';
import { PARTICIPANT_ROLES_ENV } from '../../private/participant-roles';
import { env } from './runtime';

/** A JSON response of a function URL. */
export function respond(statusCode: number, body: object): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** A refusal that says why. */
export function refuse(statusCode: number, ...errors: string[]): APIGatewayProxyStructuredResultV2 {
  return respond(statusCode, { errors });
}

/** The authenticated caller and the JSON body of a request, or the response refusing it. */
export function readRequest(
  event: LambdaFunctionURLEventWithIAMAuthorizer,
): { caller: Caller; body: unknown } | { refusal: APIGatewayProxyStructuredResultV2 } {
  if (event.requestContext?.http?.method !== 'POST') {
    return { refusal: refuse(405, 'use POST with a JSON body') };
  }
  const identified = callerOf(
    event.requestContext.authorizer?.iam?.userArn,
    JSON.parse(env(PARTICIPANT_ROLES_ENV)) as ParticipantRoles,
  );
  if ('refusal' in identified) return { refusal: refuse(403, identified.refusal) };
  const { caller } = identified;
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body;
  try {
    return { caller, body: JSON.parse(raw ?? '') };
  } catch {
    return { refusal: refuse(400, 'the body is not JSON') };
  }
}
