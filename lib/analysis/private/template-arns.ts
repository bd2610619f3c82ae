type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

// The property that names a resource; `Ref` of these types returns that name.
const NAME_PROPERTY: Record<string, string> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::Events::Rule': 'Name',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SageMaker::Endpoint': 'EndpointName',
  'AWS::SageMaker::EndpointConfig': 'EndpointConfigName',
  'AWS::SageMaker::Model': 'ModelName',
  'AWS::SageMaker::InferenceComponent': 'InferenceComponentName',
  'AWS::SageMaker::ModelPackageGroup': 'ModelPackageGroupName',
};

// SageMaker resources by their ARN's resource type; `Ref` of each returns its ARN (as CDK's
// generated `EndpointReference`, `ModelReference`... say: the ARN is their identifier).
const SAGEMAKER: Record<string, string> = {
  'AWS::SageMaker::Endpoint': 'endpoint',
  'AWS::SageMaker::EndpointConfig': 'endpoint-config',
  'AWS::SageMaker::Model': 'model',
  'AWS::SageMaker::InferenceComponent': 'inference-component',
  'AWS::SageMaker::ModelPackageGroup': 'model-package-group',
};

// Types whose `Ref` returns their ARN rather than their name.
const REF_IS_ARN = new Set([
  'AWS::StepFunctions::StateMachine',
  'AWS::SNS::Topic',
  ...Object.keys(SAGEMAKER),
]);

/** A template resource's name as the template gives it (a literal), or undefined. */
export function literalName(resources: Record<string, Json>, id: string): string | undefined {
  const prop = NAME_PROPERTY[resources[id]?.Type];
  const name = prop ? resources[id].Properties?.[prop] : undefined;
  return typeof name === 'string' ? name : undefined;
}

/** A template resource's name: its literal name, or the `${Id}` symbol `Ref` gives. */
export function nameOf(resources: Record<string, Json>, id: string): string {
  return literalName(resources, id) ?? `\${${id}}`;
}

/** The ARN of an IAM role or user by name, in the deploying account. */
export function principalArn(kind: 'role' | 'user', name: string, path = '/'): string {
  return `arn:aws:iam::\${AWS::AccountId}:${kind}${path}${name}`;
}

/** The ARN of a template resource, in the form matching compares; undefined for types it does not know. */
export function arnOf(resources: Record<string, Json>, id: string): string | undefined {
  const name = nameOf(resources, id);
  const path = resources[id]?.Properties?.Path;
  const sagemaker = SAGEMAKER[resources[id]?.Type];
  if (sagemaker) {
    // SageMaker writes names in ARNs in lower case; a name the template does not give is the attribute CloudFormation returns.
    const literal = literalName(resources, id);
    const property = NAME_PROPERTY[resources[id].Type];
    return `arn:aws:sagemaker:\${AWS::Region}:\${AWS::AccountId}:${sagemaker}/${literal?.toLowerCase() ?? `\${${id}.${property}}`}`;
  }
  switch (resources[id]?.Type) {
    case 'AWS::S3::Bucket':
      return `arn:aws:s3:::${name}`;
    case 'AWS::DynamoDB::Table':
      return `arn:aws:dynamodb:\${AWS::Region}:\${AWS::AccountId}:table/${name}`;
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${name}`;
    case 'AWS::Events::Rule':
      return `arn:aws:events:\${AWS::Region}:\${AWS::AccountId}:rule/${name}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:\${AWS::Region}:\${AWS::AccountId}:${literalName(resources, id) ?? `\${${id}.TopicName}`}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${literalName(resources, id) ?? `\${${id}.Name}`}`;
    case 'AWS::Logs::LogGroup':
      // As `Fn::GetAtt Arn` gives it, and as policies usually write it.
      return `arn:aws:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${name}:*`;
    case 'AWS::KMS::Key':
      return `arn:aws:kms:\${AWS::Region}:\${AWS::AccountId}:key/\${${id}}`;
    case 'AWS::IAM::Role':
      return principalArn('role', name, typeof path === 'string' ? path : '/');
    case 'AWS::IAM::User':
      return principalArn('user', name, typeof path === 'string' ? path : '/');
    default:
      return undefined;
  }
}

/**
 * A policy's resource as matching compares it: a template resource's `${X.Arn}` written as its ARN,
 * and `${X}` as its literal name where the template gives one.
 */
export function canonicalResource(resources: Record<string, Json>, resource: string): string {
  return resource
    .replace(/^\$\{([^}.]+)\.(\w*Arn)\}/, (whole, id: string, attribute: string) =>
      attribute === 'Arn' || SAGEMAKER[resources[id]?.Type] ? (arnOf(resources, id) ?? whole) : whole,
    )
    .replace(/\$\{([^}.:]+)\}/g, (whole, id: string) =>
      REF_IS_ARN.has(resources[id]?.Type)
        ? (arnOf(resources, id) ?? whole)
        : (literalName(resources, id) ?? whole),
    );
}
