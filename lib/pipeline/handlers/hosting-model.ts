import { CreateModelCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { env } from './runtime';

const sagemaker = new SageMakerClient({});

/** The model package an approved deployment serves. */
export interface PackageToHost {
  readonly requestId: string;
  readonly modelPackageArn: string;
}

/**
 * Creates the SageMaker model an endpoint configuration serves, from the approved model package
 * itself (its image and artifacts, nothing the request chose), run as the pipeline's hosting role
 * with network isolation. Named after the request, so each deployment has its own.
 */
export async function handler(event: PackageToHost): Promise<{ modelName: string }> {
  const modelName = `deploy-${event.requestId}`;
  await sagemaker.send(
    new CreateModelCommand({
      ModelName: modelName,
      PrimaryContainer: { ModelPackageName: event.modelPackageArn },
      ExecutionRoleArn: env('HOSTING_ROLE_ARN'),
      EnableNetworkIsolation: true,
    }),
  );
  return { modelName };
}
