import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import {
  NATIVE_APPROVAL_ACTIONS,
  SETS_APPROVED,
  SETS_LIFECYCLE_STAGE,
} from '../../capabilities/private/native-approval';

/**
 * Lower case only: SageMaker writes the names in its ARNs in lower case, so a policy or a request
 * rule that spelt one otherwise would not match the packages it governs.
 */
const GROUP_NAME = /^[a-z0-9](-*[a-z0-9]){0,62}$/;

/** The names of the model package groups a deployment pipeline governs, checked. */
export function checkModelPackageGroups(groups: string[]): string[] {
  const where = 'DeploymentPipeline: modelPackageGroups';
  if (groups.length === 0) {
    throw new Error(`${where} is empty; name at least one group, or leave it out for none.`);
  }
  for (const name of groups) {
    if (Token.isUnresolved(name)) {
      throw new Error(
        `${where} must be literal names: the request rule and the groups' policies are written from them.`,
      );
    }
    if (!GROUP_NAME.test(name)) {
      throw new Error(
        `${where}: '${name}' is not a model package group name of lower-case letters, digits and hyphens (1-63, starting and ending with a letter or digit). SageMaker writes the names in its ARNs in lower case, so only such names are governed as written.`,
      );
    }
  }
  const twice = groups.find((n, i) => groups.indexOf(n) !== i);
  if (twice) throw new Error(`${where}: '${twice}' is listed twice.`);
  return groups;
}

/** The ARN pattern of a model package group's packages (its versions). */
export function modelPackagesOf(scope: Construct, name: string): string {
  return Stack.of(scope).formatArn({
    service: 'sagemaker',
    resource: 'model-package',
    resourceName: `${name}/*`,
  });
}

/**
 * The group's resource policy: nobody but the approver (the deployment pipeline's package-approval
 * function) creates a package of the group Approved, sets one Approved, or gives one a lifecycle
 * stage, whatever their own policies allow. An explicit deny in a resource policy holds against
 * every principal of every account, administrators included.
 */
export function modelPackageGroupPolicy(
  scope: Construct,
  name: string,
  approverRoleArn: string,
): iam.PolicyDocument {
  // Both actions are authorized against the package (a version of the group), not the group.
  const packages = modelPackagesOf(scope, name);
  const exceptApprover = { ArnNotEquals: { 'aws:PrincipalArn': approverRoleArn } };
  const deny = (sid: string, setting: Record<string, Record<string, string>>) =>
    new iam.PolicyStatement({
      sid,
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: [...NATIVE_APPROVAL_ACTIONS],
      resources: [packages],
      conditions: { ...setting, ...exceptApprover },
    });
  return new iam.PolicyDocument({
    statements: [
      deny('OnlyTheDeploymentPipelineApproves', SETS_APPROVED),
      deny('OnlyTheDeploymentPipelineSetsLifecycleStages', SETS_LIFECYCLE_STAGE),
    ],
  });
}

/** The model package groups, made with their policies. */
export function governedModelPackageGroups(
  scope: Construct,
  groups: string[],
  approverRoleArn: string,
): sagemaker.CfnModelPackageGroup[] {
  return groups.map(
    (name) =>
      new sagemaker.CfnModelPackageGroup(scope, `ModelPackageGroup-${name}`, {
        modelPackageGroupName: name,
        modelPackageGroupDescription: `Model packages that only the deployment pipeline ${scope.node.path} approves`,
        modelPackageGroupPolicy: modelPackageGroupPolicy(scope, name, approverRoleArn),
      }),
  );
}
