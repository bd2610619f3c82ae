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

/** A request that sets a package Approved (SageMaker takes the status in any case). */
export const SETS_APPROVED: Readonly<Record<string, Record<string, string>>> = {
  StringEqualsIgnoreCase: { 'sagemaker:ModelApprovalStatus': 'Approved' },
};

/** A request that sets a lifecycle stage (the stages a model registry's governance promotes packages through). */
export const SETS_LIFECYCLE_STAGE: Readonly<Record<string, Record<string, string>>> = {
  Null: { 'sagemaker:ModelLifeCycle:Stage': 'false' },
};
