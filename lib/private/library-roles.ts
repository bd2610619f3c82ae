import * as iam from 'aws-cdk-lib/aws-iam';

// The roles this library creates (capability and participant roles): their names are the library's
// to choose where the user left them unnamed.
const libraryRoles = new WeakSet<iam.IRole>();

/** Marks a role as one this library creates. */
export function markLibraryRole(role: iam.IRole): void {
  libraryRoles.add(role);
}

/** Whether this library created the role (so it may give the role a name). */
export function isLibraryRole(role: iam.IRole): boolean {
  return libraryRoles.has(role);
}
