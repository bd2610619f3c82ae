import { fieldsOf } from './request-rules';

/**
 * What a deployment request must satisfy. The construct writes these rules into the request
 * handler's environment (`DEPLOYMENT_RULES`); the handler refuses any request that breaks one.
 */
export interface DeploymentRules {
  /** The environment this pipeline deploys to; a request naming another went to the wrong pipeline. */
  readonly environment: string;
  /** Names of the pipeline's targets (`DeploymentTarget.name`). */
  readonly targets: string[];
  /** The pattern a model version's ARN must match, and what it means, for the message. */
  readonly model: { readonly pattern: string; readonly description: string };
}

/** A deployment request that passed every rule. */
export interface DeploymentRequest {
  readonly environment: string;
  readonly target: string;
  /** The model version: a SageMaker model package ARN or a Bedrock custom model ARN. */
  readonly model: string;
  /** Why, for the approvers and the record. */
  readonly reason: string;
}

const FIELDS = ['environment', 'target', 'model', 'reason'];

/** The request, or every rule it breaks. */
export function checkDeploymentRequest(
  body: unknown,
  rules: DeploymentRules,
): { request: DeploymentRequest } | { errors: string[] } {
  const read = fieldsOf(body, FIELDS);
  if ('refusal' in read) return { errors: [read.refusal] };
  const { b, errors } = read;
  if (b.environment !== rules.environment) {
    errors.push(
      `environment must be '${rules.environment}': this pipeline deploys there only, with its own approvers`,
    );
  }
  if (typeof b.target !== 'string' || !rules.targets.includes(b.target)) {
    errors.push(`target must be one of this pipeline's targets: ${rules.targets.join(', ')}`);
  }
  if (
    typeof b.model !== 'string' ||
    b.model.length > 2048 ||
    !new RegExp(rules.model.pattern).test(b.model)
  ) {
    errors.push(`model must be ${rules.model.description}`);
  }
  if (typeof b.reason !== 'string' || b.reason.trim() === '' || b.reason.length > 1000) {
    errors.push('reason must say why, in 1-1000 characters');
  }
  if (errors.length > 0) return { errors };
  return {
    request: {
      environment: b.environment as string,
      target: b.target as string,
      model: b.model as string,
      reason: (b.reason as string).trim(),
    },
  };
}
