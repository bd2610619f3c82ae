type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The type of ModelInvocationLogging's custom resource, by which the pack knows an app logs invocations. */
export const INVOCATION_LOGGING_RESOURCE_TYPE = 'Custom::ModelInvocationLogging';

/**
 * Whether a template resource turns on Bedrock model invocation logging: ModelInvocationLogging's
 * custom resource, or another custom resource (an AwsCustomResource, say) that calls the API.
 */
export function logsInvocations(resource: Json): boolean {
  if (resource?.Type === INVOCATION_LOGGING_RESOURCE_TYPE) return true;
  return (
    /^(Custom::|AWS::CloudFormation::CustomResource$)/.test(resource?.Type ?? '') &&
    /putModelInvocationLoggingConfiguration/i.test(JSON.stringify(resource.Properties ?? {}))
  );
}
