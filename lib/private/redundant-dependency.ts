import { CfnResource } from 'aws-cdk-lib';

/**
 * CDK makes a function, state machine or trail depend on its role as well as reference it, which
 * cfn-lint reports as a redundant dependency (W3005). It is harmless: say so on this resource only.
 */
export function acceptRoleDependency(resource: CfnResource): void {
  resource.addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
}
