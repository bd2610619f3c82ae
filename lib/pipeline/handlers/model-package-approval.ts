import { SageMakerClient, UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';

const sagemaker = new SageMakerClient({});

/** What the deployment pipeline passes once the people it requires have approved. */
export interface ApprovedPackage {
  readonly requestId: string;
  readonly modelPackageArn: string;
  readonly approvers: string[];
  readonly environment: string;
}

/**
 * Sets the SageMaker model package's approval status to Approved, saying who approved it and
 * through which request. It runs only after the deployment's approval step, and holds nothing but
 * this one permission: the pipeline's state machine, which deploys, cannot approve.
 */
export async function handler(event: ApprovedPackage): Promise<{ approvalDescription: string }> {
  const approvalDescription =
    `Approved for ${event.environment} by ${event.approvers.join(', ')} (deployment request ${event.requestId})`.slice(
      0,
      1024,
    );
  await sagemaker.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: event.modelPackageArn,
      ModelApprovalStatus: 'Approved',
      ApprovalDescription: approvalDescription,
    }),
  );
  return { approvalDescription };
}
