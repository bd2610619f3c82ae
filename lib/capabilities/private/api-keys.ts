/**
 * Facts about API keys to models, long-term (service-specific credentials) and short-term (bearer
 * tokens), in one place for the catalog, the boundaries, the analysis, the audit and the alerts.
 */

/**
 * The actions that let a principal's bearer tokens stand for it: a short-term API key for Bedrock
 * (and its `bedrock-mantle` and Claude on AWS endpoints) or SageMaker is a token its creator signs
 * with its own credentials, which anyone who holds the token uses with the creator's rights for up to
 * twelve hours, wherever the creator may `CallWithBearerToken`.
 */
export const BEARER_TOKEN_ACTIONS: readonly string[] = [
  'bedrock:CallWithBearerToken',
  'bedrock-mantle:CallWithBearerToken',
  'aws-external-anthropic:CallWithBearerToken',
  'sagemaker:CallWithBearerToken',
];

/** The services whose service-specific credentials are API keys to models. */
export const MODEL_CREDENTIAL_SERVICES: readonly string[] = ['bedrock.amazonaws.com'];

/**
 * Where a principal read from an account carries its service-specific credentials for model
 * services (`{ id, service, status, created, expires }`), as the account has them: templates have
 * no resource type for them.
 */
export const SERVICE_CREDENTIALS_METADATA = 'model-access:service-credentials';

/** The IAM actions that mint, hand out again or reactivate a service-specific credential (a long-term API key). */
export const SERVICE_CREDENTIAL_ACTIONS: readonly string[] = [
  'iam:CreateServiceSpecificCredential',
  'iam:ResetServiceSpecificCredential',
  'iam:UpdateServiceSpecificCredential',
];
