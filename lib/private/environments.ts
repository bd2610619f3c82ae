import { ResourceEnvironment, Token, TokenComparison } from 'aws-cdk-lib';

/**
 * Whether two environments are known to differ in account or region. Environment-agnostic ones
 * (tokens) are taken as the same, as CDK's own cross-stack references take them.
 */
export function differentEnvironments(a: ResourceEnvironment, b: ResourceEnvironment): boolean {
  const differ = (x: string, y: string) => Token.compareStrings(x, y) === TokenComparison.DIFFERENT;
  return differ(a.account, b.account) || differ(a.region, b.region);
}
