import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ModelTarget } from '../../capabilities/model-target';
import { ModelRegistry } from '../../registry/model-registry';
import type { RequestRules } from '../handlers/request-rules';

/** What a backend needs from the pipeline. */
export interface BackendContext {
  readonly registry: ModelRegistry;
  readonly baseModels: ModelTarget[];
}

/** A backend bound to a pipeline. */
export interface BoundBackend {
  /** `bedrock` or `sagemaker`, as the provenance manifest names it. */
  readonly service: string;
  /** The role the service runs jobs as. */
  readonly serviceRole: iam.IRole;
  /** The rule a custom model name must follow. */
  readonly modelName: RequestRules['modelName'];
  /** ARN of each allowlisted base model, by `ModelTarget.name`. */
  readonly baseModelArns: Record<string, string>;
  /** A step before the launch that looks up the base model. @default - none */
  readonly prepare?: sfn.TaskStateBase;
  /** What must hold after `prepare` for the job to start, and why a request fails if not. @default - nothing */
  readonly precondition?: { readonly condition: sfn.Condition; readonly refusal: string };
  /** The job, run to completion; it leaves the service's description of the job in `$.job`. */
  readonly launch: sfn.TaskStateBase;
  /** Wildcard resources the launch's policy names, each with why nothing narrower exists. */
  readonly wildcardResources: { readonly arn: string; readonly reason: string }[];
}
