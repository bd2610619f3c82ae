/**
 * SageMaker's own approval: whatever deploys a model package on its status (a SageMaker project,
 * a `ModelPackageStateChange` rule) deploys what sets it, so setting it is approval.
 */

/**
 * The actions that set a SageMaker model package's approval status (`sagemaker:ModelApprovalStatus`)
 * and lifecycle stage (`sagemaker:ModelLifeCycle:Stage`).
 */
export const NATIVE_APPROVAL_ACTIONS: readonly string[] = [
  'sagemaker:CreateModelPackage',
  'sagemaker:UpdateModelPackage',
];
