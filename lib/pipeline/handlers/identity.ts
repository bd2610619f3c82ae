/**
 * Who called a pipeline endpoint, as STS proved them (identity-proof.ts). Two-person rules compare people, not
 * sessions, so a caller counts as a person only through a name the caller cannot choose.
 */
export interface Caller {
  /** The caller's full ARN: an assumed-role ARN carries the role and the session name. */
  readonly arn: string;
  /** The person, lower-cased: an IAM user's name, or the session name of a role that pins it. */
  readonly person: string;
}

/**
 * How the session names of a role the pipeline was granted to are fixed, which the construct
 * checked at synth:
 * - `pinned`: the trust policy requires `sts:RoleSessionName` = `${aws:username}` (or an
 *   identity provider's own claim), or the role trusts a SAML provider, which sets the name;
 * - `identity-center`: an IAM Identity Center permission-set role, whose sessions AWS names after
 *   the signed-in user;
 * - `unverified`: the app accepted, explicitly, a role whose trust does not pin names (the pack
 *   reports it).
 */
export type SessionNaming = 'pinned' | 'identity-center' | 'unverified';

/**
 * Who may call one endpoint, as the construct granted it at synth (`PARTICIPANTS` in the handler's
 * environment). Keys are `<account>:<name>`, the name as IAM compares them (case-insensitively):
 * `roles` maps a role to how its session names are fixed, `users` lists IAM users.
 */
export interface Participants {
  readonly roles: Record<string, SessionNaming>;
  readonly users: string[];
}

const ASSUMED_ROLE = /^arn:[a-z-]+:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;
const FEDERATED_USER = /^arn:[a-z-]+:sts::\d{12}:federated-user\//;
const IAM_USER = /^arn:[a-z-]+:iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/;

const key = (account: string, name: string) => `${account}:${name.toLowerCase()}`;

/** The caller behind an ARN STS proved, or why they cannot take part here as a person. */
export function callerOf(
  arn: string | undefined,
  participants: Participants,
): { caller: Caller } | { refusal: string } {
  if (!arn) return { refusal: 'the caller proved no identity' };
  const user = IAM_USER.exec(arn);
  if (user) {
    const [, account, name] = user;
    if (!participants.users.some((u) => u.toLowerCase() === key(account, name))) {
      return { refusal: `${arn} was not granted this endpoint (grantRequest or grantApprove)` };
    }
    return { caller: { arn, person: name.toLowerCase() } };
  }
  if (FEDERATED_USER.test(arn)) {
    return {
      refusal: `${arn} is a federated user, whose name is chosen by whoever calls GetFederationToken; sign in as an IAM user, through IAM Identity Center, or through a role that pins session names`,
    };
  }
  const session = ASSUMED_ROLE.exec(arn);
  if (!session) {
    return {
      refusal: `${arn} is not an IAM user or a role session (the root user and other callers cannot take part)`,
    };
  }
  const [, account, roleName, sessionName] = session;
  const naming = Object.entries(participants.roles).find(
    ([name]) => name.toLowerCase() === key(account, roleName),
  )?.[1];
  if (!naming) {
    return {
      refusal: `sessions of role ${roleName} (account ${account}) were not granted this endpoint; use a role the pipeline was granted to, whose trust policy pins the session name`,
    };
  }
  return { caller: { arn, person: sessionName.toLowerCase() } };
}

/**
 * The person an ARN the pipeline recorded names, as `callerOf` counted them: for records written
 * before they carried the person (the ARN itself was checked when it was recorded).
 */
export function personOf(arn: string): string {
  const user = IAM_USER.exec(arn);
  if (user) return user[2].toLowerCase();
  const session = ASSUMED_ROLE.exec(arn);
  return (session ? session[3] : arn).toLowerCase();
}
