import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy, Tags } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TAG_CAPABILITY } from '../../capabilities/capability';
import { acceptRoleDependency } from './redundant-dependency';

export interface HandlerFunctionProps {
  /** The file in handlers/, without extension. */
  readonly handler: string;
  readonly description: string;
  readonly environment: Record<string, string>;
  readonly encryptionKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/** The handler's source: TypeScript in a checkout, compiled JavaScript in the published package. */
function entryOf(handler: string): string {
  const candidates = ['.ts', '.js'].map((ext) => path.join(__dirname, '..', 'handlers', `${handler}${ext}`));
  const entry = candidates.find((c) => fs.existsSync(c));
  if (!entry)
    throw new Error(
      `CustomizationPipeline: handler ${handler} is missing from ${path.dirname(candidates[0])}.`,
    );
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
  const fn = new nodejs.NodejsFunction(scope, id, {
    entry: entryOf(props.handler),
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
  Tags.of(fn.role!).add(TAG_CAPABILITY, 'pipeline');
  acceptRoleDependency(fn.node.defaultChild as lambda.CfnFunction);
  return fn;
}
