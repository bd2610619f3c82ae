/**
 * The pipeline endpoints' environment variable naming who may call each one: the roles whose
 * sessions count as people, and how each fixes its session names (`<account>:<role name>` to
 * `pinned`, `identity-center` or `unverified`), and the IAM users (`<account>:<user name>`).
 * Written by the construct, read by the handlers, and by the pack to report unverified roles.
 * No imports: the handlers' bundles include it.
 */
export const PARTICIPANTS_ENV = 'PARTICIPANTS';
