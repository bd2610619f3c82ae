import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The ARN that `aws:PrincipalArn` carries for a grantee's requests. Only roles and users have one
 * that names them alone, so only they can be let through the registry's deny statements.
 */
export function principalArnOf(grantee: iam.IGrantable, method: string): string {
  const principal = grantee.grantPrincipal as Partial<iam.IRole & iam.IUser>;
  if (typeof principal.roleArn === 'string') return principal.roleArn;
  if (typeof principal.userArn === 'string') return principal.userArn;
  throw new Error(
    `ModelRegistry.${method}: the grantee must be an IAM role or user (got ${grantee.grantPrincipal}). ` +
      'Registry data is readable only by named principals: grant a role that the service or account assumes.',
  );
}
