/**
 * Resolves a synthesized CloudFormation template's intrinsics to plain strings, as they would be
 * in an account, so policies can be evaluated by iam-simulate. Names are the logical ids, but for
 * roles and users with a fixed name; `Fn::ImportValue` reads the exports of the templates given.
 */
export const ACCOUNT = '111111111111';
export const REGION = 'us-east-1';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Resource {
  readonly Type: string;
  readonly Properties?: Json;
}

export class ResolvedTemplate {
  public readonly resources: Record<string, Resource>;
  private readonly outputs: Record<string, Json>;
  private readonly imports: Record<string, Json>;

  constructor(template: Json, exporters: ResolvedTemplate[] = []) {
    this.resources = template.Resources ?? {};
    this.outputs = template.Outputs ?? {};
    this.imports = Object.assign({}, ...exporters.map((t) => t.exports()));
  }

  /** The template's exports, by name, resolved. */
  public exports(): Record<string, Json> {
    return Object.fromEntries(
      Object.values(this.outputs)
        .filter((o) => o.Export)
        .map((o) => [this.resolve(o.Export.Name), this.resolve(o.Value)]),
    );
  }

  /** The resolved properties of one resource. */
  public props(logicalId: string): Json {
    const r = this.resources[logicalId];
    if (!r) throw new Error(`no resource ${logicalId}`);
    return this.resolve(r.Properties ?? {});
  }

  public ofType(type: string): string[] {
    return Object.keys(this.resources).filter((id) => this.resources[id].Type === type);
  }

  public arn(logicalId: string): string {
    return this.getAtt(logicalId, 'Arn');
  }

  public resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [k] = keys;
      const arg = value[k];
      switch (k) {
        case 'Ref':
          return this.ref(arg);
        case 'Fn::GetAtt':
          return this.getAtt(arg[0], arg[1]);
        case 'Fn::Join':
          return (this.resolve(arg[1]) as string[]).join(arg[0]);
        case 'Fn::Select':
          return this.resolve(arg[1])[Number(this.resolve(arg[0]))];
        case 'Fn::Split':
          return (this.resolve(arg[1]) as string).split(arg[0]);
        case 'Fn::ImportValue': {
          const name = this.resolve(arg);
          if (!(name in this.imports)) throw new Error(`no export ${name}`);
          return this.imports[name];
        }
        case 'Fn::Sub': {
          const [text, vars] = typeof arg === 'string' ? [arg, {}] : [arg[0], this.resolve(arg[1])];
          return (text as string).replace(/\$\{([^}]+)\}/g, (_, name: string) =>
            name in vars
              ? vars[name]
              : name.includes('.')
                ? this.getAtt(...(name.split('.') as [string, string]))
                : this.ref(name),
          );
        }
      }
      if (k.startsWith('Fn::')) throw new Error(`unsupported intrinsic ${k}`);
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(value[k])]));
  }

  private ref(name: string): string {
    switch (name) {
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::Region':
        return REGION;
      case 'AWS::AccountId':
        return ACCOUNT;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return 'stack';
    }
    const r = this.resources[name];
    if (!r) throw new Error(`Ref to unknown ${name}`);
    switch (r.Type) {
      case 'AWS::S3::Bucket':
        return name.toLowerCase();
      case 'AWS::KMS::Key':
        return `key-${name}`;
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::SNS::Topic':
        return this.getAtt(name, 'Arn');
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${ACCOUNT}:policy/${name}`;
      case 'AWS::IAM::Role':
        return r.Properties?.RoleName ?? name;
      case 'AWS::IAM::User':
        return r.Properties?.UserName ?? name;
      case 'AWS::Logs::LogGroup':
        return r.Properties?.LogGroupName ?? name;
      case 'AWS::SageMaker::Endpoint':
        return `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/${String(r.Properties?.EndpointName ?? name).toLowerCase()}`;
      default:
        return name;
    }
  }

  private getAtt(name: string, attribute: string): string {
    const r = this.resources[name];
    if (!r) throw new Error(`GetAtt of unknown ${name}`);
    if (attribute === 'Name' || attribute === 'TableName') return name;
    if (attribute === 'TopicArn') return this.getAtt(name, 'Arn');
    if (attribute === 'FunctionUrl') return `https://${name.toLowerCase()}.lambda-url.${REGION}.on.aws/`;
    // A Bedrock guardrail, and a published version of it.
    if (attribute === 'GuardrailId') return name.toLowerCase();
    if (attribute === 'GuardrailArn')
      return `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/${name.toLowerCase()}`;
    if (attribute === 'Version' && r.Type === 'AWS::Bedrock::GuardrailVersion') return '1';
    if (attribute !== 'Arn') throw new Error(`unsupported attribute ${name}.${attribute}`);
    const path = (r.Properties?.Path as string | undefined) ?? '/';
    switch (r.Type) {
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${this.ref(name)}`;
      case 'AWS::KMS::Key':
        return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${this.ref(name)}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${ACCOUNT}:role${path}${r.Properties?.RoleName ?? name}`;
      case 'AWS::IAM::User':
        return `arn:aws:iam::${ACCOUNT}:user${path}${r.Properties?.UserName ?? name}`;
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
      case 'AWS::DynamoDB::Table':
        return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
      case 'AWS::CloudTrail::Trail':
        return `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${name}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${this.ref(name)}:*`;
      default:
        throw new Error(`no ARN rule for ${r.Type}`);
    }
  }
}
