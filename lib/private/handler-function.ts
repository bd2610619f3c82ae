import * as fs from 'fs';
import * as path from 'path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TAG_CAPABILITY } from '../capabilities/capability';
import { confinedService } from './service-trust';
import { acknowledgeFinding, acknowledgeWildcardResource, XRAY_TAKES_ONLY_STAR } from './compliance-findings';
import { acceptRoleDependency } from './cfn-lint';

export interface HandlerFunctionProps {
  /** The construct, for messages: `CustomizationPipeline`. */
  readonly owner: string;
  /** The directory of the handler sources (`handlers/` beside the construct). */
  readonly directory: string;
  /** The file in `directory`, without extension. */
  readonly handler: string;
  /** What the function does, for its description. */
  readonly description: string;
  /** Whose function it is, after the description in its role's: `customization pipeline function`. */
  readonly part: string;
  /** The capability tag of its role: `pipeline`, or `service` for a custom resource's. */
  readonly roleCapability: string;
  /**
   * Who invokes it, and how its failures come back: why it needs no dead-letter queue and no
   * reserved concurrency (acknowledgements of other packs).
   */
  readonly invocation: { readonly deadLetterQueue: string; readonly concurrency: string };
  /** What it calls, for why it is outside a VPC: `DynamoDB, S3, Step Functions, SNS`. */
  readonly calls: string;
  readonly environment: Record<string, string>;
  readonly encryptionKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The handler's code: in the published package, bundled at `npm run build`
 * (`<handler>.bundle/index.js`, scripts/bundle-handlers.ts), so the user's synth needs no esbuild;
 * in a checkout, its TypeScript source, which NodejsFunction bundles as the build would.
 */
function codeOf(owner: string, directory: string, handler: string): { bundle: string } | { entry: string } {
  const bundle = path.join(directory, `${handler}.bundle`);
  if (fs.existsSync(path.join(bundle, 'index.js'))) return { bundle };
  const entry = path.join(directory, `${handler}.ts`);
  if (!fs.existsSync(entry)) {
    throw new Error(
      `${owner}: handler ${handler} is missing from ${directory} (neither ${handler}.bundle/ nor ${handler}.ts).`,
    );
  }
  return { entry };
}

/**
 * One of the library's functions: bundled ahead of time in the package (by esbuild, locally in a
 * checkout; never Docker), the AWS SDK taken from the runtime, X-Ray tracing, logs in a
 * KMS-encrypted group, and a role of its own that writes only there.
 */
export function handlerFunction(scope: Construct, id: string, props: HandlerFunctionProps): lambda.Function {
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
    description: `${props.description} (${props.part})`,
  });
  logGroup.grantWrite(role);
  Tags.of(role).add(TAG_CAPABILITY, props.roleCapability);
  acknowledgeFinding(
    role,
    'IAMNoInlinePolicy',
    "CDK writes this function's grants to its role's own AWS::IAM::Policy, scoped to the resources it works on; unlike a managed policy it can be attached to no other principal.",
  );
  acknowledgeWildcardResource(role, '*', XRAY_TAKES_ONLY_STAR);
  const code = codeOf(props.owner, props.directory, props.handler);
  const common = {
    role,
    description: props.description,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: Duration.seconds(30),
    tracing: lambda.Tracing.ACTIVE,
    environment: props.environment,
    environmentEncryption: props.encryptionKey,
    logGroup,
  };
  const fn =
    'bundle' in code
      ? new lambda.Function(scope, id, {
          ...common,
          code: lambda.Code.fromAsset(code.bundle),
          handler: 'index.handler',
        })
      : new nodejs.NodejsFunction(scope, id, {
          ...common,
          entry: code.entry,
          handler: 'handler',
          // As scripts/bundle-handlers.ts bundles for the package.
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
    `The function calls only AWS APIs (${props.calls}), over TLS with SigV4; it reaches nothing inside a VPC.`,
  );
  acknowledgeFinding(fn, 'LambdaDLQ', props.invocation.deadLetterQueue);
  acknowledgeFinding(fn, 'LambdaConcurrency', props.invocation.concurrency);
  return fn;
}
