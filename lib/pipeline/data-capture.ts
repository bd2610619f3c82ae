import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** Where a SageMaker endpoint's captured requests and responses go, and with which key. */
export interface DataCaptureDestination {
  /** `s3://bucket/prefix/`: SageMaker writes under `<endpoint>/<variant>/yyyy/mm/dd/hh/`. */
  readonly s3Uri: string;
  /** The KMS key the captured data is encrypted with. */
  readonly kmsKeyArn: string;
}

/**
 * A store that takes SageMaker endpoints' data capture, as `ModelInvocationLogging` does: it grants
 * the role SageMaker serves the model as the writes, and says where they go.
 */
export interface IDataCaptureStore {
  /** Lets `hostingRole` write captured data into the store (and read nothing), and says where. */
  bindDataCapture(hostingRole: iam.IRole): DataCaptureDestination;
}

/** The share of requests captured: a whole percentage, at least one. */
export function checkCapturePercentage(where: string, percentage: number): number {
  if (
    !Token.isUnresolved(percentage) &&
    !(Number.isInteger(percentage) && percentage >= 1 && percentage <= 100)
  ) {
    throw new Error(`${where} must be a whole number from 1 to 100, got ${percentage}.`);
  }
  return percentage;
}
