import { CfnTrail } from 'aws-cdk-lib/aws-cloudtrail';

/** Every management event, read and write: Bedrock's InvokeModel and Converse are among them. */
export function managementSelector(): CfnTrail.AdvancedEventSelectorProperty {
  return {
    name: 'Management events',
    fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }],
  };
}

/** Object-level S3 events under these prefixes (`arn:...:bucket/`) only; with `readOnly`, reads only. */
export function objectSelector(
  prefixes: string[],
  options: { readonly readOnly?: boolean } = {},
): CfnTrail.AdvancedEventSelectorProperty {
  return {
    name: options.readOnly ? 'Inference log reads' : 'Model registry objects',
    fieldSelectors: [
      { field: 'eventCategory', equalTo: ['Data'] },
      { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
      ...(options.readOnly ? [{ field: 'readOnly', equalTo: ['true'] }] : []),
      { field: 'resources.ARN', startsWith: prefixes },
    ],
  };
}

/** SageMaker endpoint invocations (InvokeEndpoint, Async, WithResponseStream), of these endpoints when named. */
export function invocationSelector(endpointArns?: string[]): CfnTrail.AdvancedEventSelectorProperty {
  return {
    name: 'Model endpoint invocations',
    fieldSelectors: [
      { field: 'eventCategory', equalTo: ['Data'] },
      { field: 'resources.type', equalTo: ['AWS::SageMaker::Endpoint'] },
      ...(endpointArns ? [{ field: 'resources.ARN', equalTo: endpointArns }] : []),
    ],
  };
}
