import * as fs from 'fs';
import * as path from 'path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TAG_CAPABILITY } from '../../capabilities/capability';
import { confinedService } from '../../private/service-trust';
import {
  acknowledgeFinding,
  acknowledgeWildcardResource,
  XRAY_TAKES_ONLY_STAR,
} from '../../private/compliance-findings';
import { acceptRoleDependency } from '../../private/redundant-dependency';

export interface HandlerFunctionProps {
  /** The construct, for messages: `CustomizationPipeline`. */
  readonly owner: string;
  /** Which pipeline, for descriptions: `customization`, `deployment`. */
  readonly subject: string;
  /** The file in handlers/, without extension. */
  readonly handler: string;
  readonly description: string;
  readonly environment: Record<string, string>;
  readonly encryptionKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/** The handler's source: TypeScript in a checkout, compiled JavaScript in the published package. */
function entryOf(owner: string, handler: string): string {
  const candidates = ['.ts', '.js'].map((ext) => path.join(__dirname, '..', 'handlers', `${handler}${ext}`));
  const entry = candidates.find((c) => fs.existsSync(c));
  if (!entry) throw new Error(`${owner}: handler ${handler} is missing from ${path.dirname(candidates[0])}.`);
  return entry;
}

/**
 * One of the pipeline's functions: bundled locally by esbuild (no Docker), the AWS SDK taken from
 * the runtime, X-Ray tracing, and logs in a KMS-encrypted group. Its role is one of the pipeline's.
 */
export function handlerFunction(
  scope: Construct,
  id: string,
  props: HandlerFunctionProps,
): nodejs.NodejsFunction {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    encryptionKey: props.encryptionKey,
    retention: props.logRetention,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // Its own role, writing only to its own log group: no AWSLambdaBasicExecutionRole (logs on *).
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: confinedService(
      scope,
      'lambda.amazonaws.com',
      Stack.of(scope).formatArn({
        service: 'lambda',
        resource: 'function',
        resourceName: '*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      false,
    ),
    description: `${props.description} (${props.subject} pipeline function)`,
  });
  logGroup.grantWrite(role);
  Tags.of(role).add(TAG_CAPABILITY, 'pipeline');
  acknowledgeFinding(
    role,
    'IAMNoInlinePolicy',
    "CDK writes this function's grants to its role's own AWS::IAM::Policy, scoped to the pipeline's resources; unlike a managed policy it can be attached to no other principal.",
  );
  acknowledgeWildcardResource(role, '*', XRAY_TAKES_ONLY_STAR);
  const fn = new nodejs.NodejsFunction(scope, id, {
    role,
    entry: entryOf(props.owner, props.handler),
    handler: 'handler',
    description: props.description,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: Duration.seconds(30),
    tracing: lambda.Tracing.ACTIVE,
    environment: props.environment,
    environmentEncryption: props.encryptionKey,
    logGroup,
    bundling: {
      forceDockerBundling: false,
      logLevel: nodejs.LogLevel.ERROR,
      minify: true,
      externalModules: ['@aws-sdk/*'],
    },
  });
  acceptRoleDependency(fn.node.defaultChild as lambda.CfnFunction);
  acknowledgeFinding(
    fn,
    'LambdaInsideVPC',
    'The function calls only AWS APIs (DynamoDB, S3, Step Functions, SNS), over TLS with SigV4; it reaches nothing inside a VPC.',
  );
  acknowledgeFinding(
    fn,
    'LambdaDLQ',
    "Invoked synchronously (by its IAM-authenticated URL or a Step Functions task); a DLQ applies only to asynchronous invocations, and failures return to the caller or the state machine's Catch.",
  );
  acknowledgeFinding(
    fn,
    'LambdaConcurrency',
    'Only IAM principals granted by the pipeline can invoke it, one call per request or decision; reserved concurrency would take from the account pool and can fail deployment in accounts with the minimum quota.',
  );
  return fn;
}
