/**
 * Who called a function URL, as IAM authenticated them. Two-person rules compare people, not
 * sessions: the same person behind two roles must count once.
 */
export interface Caller {
  /** The caller's full ARN: an assumed-role ARN carries the role and the session name. */
  readonly arn: string;
  /** The person: session name of an assumed role or federated user, or an IAM user's name, lower-cased. */
  readonly person: string;
}

const ASSUMED_ROLE = /^arn:[a-z-]+:sts::\d{12}:assumed-role\/[^/]+\/(.+)$/;
const FEDERATED_USER = /^arn:[a-z-]+:sts::\d{12}:federated-user\/(.+)$/;
const IAM_USER = /^arn:[a-z-]+:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/;

/** The caller behind an ARN, or undefined for callers that may not take part (root, unknown forms). */
export function callerOf(arn: string | undefined): Caller | undefined {
  if (!arn) return undefined;
  for (const form of [ASSUMED_ROLE, FEDERATED_USER, IAM_USER]) {
    const m = form.exec(arn);
    if (m) return { arn, person: m[1].toLowerCase() };
  }
  return undefined;
}
