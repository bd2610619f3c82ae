import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * Confused-deputy conditions for the roles the library creates for AWS services: the service may
 * assume the role only when acting for this account (`aws:SourceAccount`) and, where the service
 * names its resource, for resources of this account and region (`aws:SourceArn`).
 *
 * `documented`: the service documents sending both keys when it assumes a role (Bedrock,
 * SageMaker, Step Functions), so they are required. Otherwise (CloudTrail's log delivery,
 * Lambda) they are tested when present (`...IfExists`): a call for another account, which carries
 * that account's id, is refused, and a call without the keys still works.
 */
export function serviceTrustConditions(
  account: string,
  sourceArn: string | undefined,
  documented: boolean,
): Record<string, Record<string, string>> {
  const ifExists = documented ? '' : 'IfExists';
  return {
    [`StringEquals${ifExists}`]: { 'aws:SourceAccount': account },
    ...(sourceArn ? { [`ArnLike${ifExists}`]: { 'aws:SourceArn': sourceArn } } : {}),
  };
}

/** A service principal with the confused-deputy conditions, for a role the library creates. */
export function confinedService(
  scope: IConstruct,
  service: string,
  sourceArn: string | undefined,
  documented: boolean,
): iam.ServicePrincipal {
  return new iam.ServicePrincipal(service, {
    conditions: serviceTrustConditions(Stack.of(scope).account, sourceArn, documented),
  });
}

/**
 * Adds the confused-deputy conditions to a service role that another construct created (the
 * state machine's, the trail's log delivery role), whose trust has one statement, the service's.
 */
export function confineServiceRole(
  role: iam.IRole,
  sourceArn: string | undefined,
  documented: boolean,
): void {
  const cfn = role.node.defaultChild as iam.CfnRole;
  cfn.addPropertyOverride(
    'AssumeRolePolicyDocument.Statement.0.Condition',
    serviceTrustConditions(Stack.of(role).account, sourceArn, documented),
  );
}
