import { Token } from 'aws-cdk-lib';

/**
 * An imported resource's ARN, checked: `what` says what it must be (`a KMS key ARN (...)`), and
 * `resource` is the pattern of its resource part. Tokens are taken as they are.
 */
export function requireArn(
  where: string,
  attribute: string,
  value: string | undefined,
  service: string,
  resource: string,
  what: string,
): string {
  if (typeof value !== 'string' || value === '') throw new Error(`${where}: ${attribute} is required.`);
  if (
    !Token.isUnresolved(value) &&
    !new RegExp(`^arn:[\\w-]+:${service}:[\\w-]+:\\d{12}:${resource}$`).test(value)
  ) {
    throw new Error(`${where}: ${attribute} '${value}' is not ${what}.`);
  }
  return value;
}
