import { CfnTrail } from 'aws-cdk-lib/aws-cloudtrail';

/** Every management event, read and write: Bedrock's InvokeModel and Converse are among them. */
export function managementSelector(): CfnTrail.AdvancedEventSelectorProperty {
  return {
    name: 'Management events',
    fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }],
  };
}

/** Object-level S3 events under these prefixes (`arn:...:bucket/`) only. */
export function objectSelector(prefixes: string[]): CfnTrail.AdvancedEventSelectorProperty {
  return {
    name: 'Model registry objects',
    fieldSelectors: [
      { field: 'eventCategory', equalTo: ['Data'] },
      { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
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
