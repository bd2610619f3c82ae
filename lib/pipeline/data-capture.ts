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
