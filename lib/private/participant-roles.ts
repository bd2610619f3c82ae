/**
 * The pipeline handlers' environment variable naming the roles whose sessions count as people,
 * and how each fixes its session names (role name to `pinned`, `identity-center` or
 * `unverified`): written by the construct, read by the handlers, and by the pack to report
 * unverified ones. No imports: the handlers' bundles include it.
 */
export const PARTICIPANT_ROLES_ENV = 'PARTICIPANT_ROLES';
