import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { scalar } from '../../private/intrinsics';
import { StatementSpec } from './policy-packing-spec';

/** IAM's limit on a customer managed policy, in characters without white space. */
export const MANAGED_POLICY_MAX_CHARS = 6144;
/** IAM's default quota of managed policies attached to one role (raisable to 20). */
export const DEFAULT_MANAGED_POLICIES_PER_ROLE = 10;

// The longest value each pseudo parameter can take, so an estimate never falls short.
const WORST_CASE: Record<string, number> = {
  'AWS::Partition': 'aws-iso-b'.length + 1,
  'AWS::Region': 'ap-southeast-5'.length + 2,
  'AWS::AccountId': 12,
  'AWS::URLSuffix': 'amazonaws.com.cn'.length,
};
const UNKNOWN_REFERENCE = 256;

/** The length a resolved value takes in IAM's count once CloudFormation has resolved it. */
function resolvedLength(value: unknown): number {
  // Each symbol the resolver leaves stands for a value of at most its worst-case length.
  const text = scalar(value).replace(/\$\{([^}]*)\}/g, (_, name: string) =>
    '#'.repeat(WORST_CASE[name] ?? UNKNOWN_REFERENCE),
  );
  return JSON.stringify(text).length - 2;
}

/** Characters a JSON value takes in IAM's count, with intrinsics at their worst case. */
export function estimateChars(stack: Stack, value: unknown): number {
  const resolved = stack.resolve(value);
  const walk = (v: unknown): number => {
    if (v === null || typeof v !== 'object') return JSON.stringify(v).length;
    if (Array.isArray(v)) return 2 + v.reduce<number>((n, x) => n + walk(x), 0) + Math.max(v.length - 1, 0);
    const obj = v as Record<string, unknown>;
    if ('Ref' in obj || Object.keys(obj).some((k) => k.startsWith('Fn::'))) return resolvedLength(obj) + 2;
    const keys = Object.keys(obj);
    return (
      2 +
      keys.reduce((n, k) => n + JSON.stringify(k).length + 1 + walk(obj[k]), 0) +
      Math.max(keys.length - 1, 0)
    );
  };
  return walk(resolved);
}

const DOCUMENT_OVERHEAD = '{"Version":"2012-10-17","Statement":[]}'.length;

/**
 * Packs statements into as few policy documents as fit IAM's managed policy size, splitting a
 * statement's resources across documents where one would overflow.
 */
export function packStatements(
  stack: Stack,
  specs: StatementSpec[],
  limit = MANAGED_POLICY_MAX_CHARS,
): iam.PolicyStatement[][] {
  const documents: iam.PolicyStatement[][] = [];
  let current: iam.PolicyStatement[] = [];
  let used = DOCUMENT_OVERHEAD;
  const statement = (spec: StatementSpec, resources: string[]) =>
    new iam.PolicyStatement({ actions: spec.actions, resources, conditions: spec.conditions });
  for (const spec of specs) {
    const overhead = estimateChars(stack, statement(spec, []).toStatementJson()) + 'Resource:[],'.length + 1;
    let chunk: string[] = [];
    let chunkChars = overhead;
    for (const resource of spec.resources) {
      const chars = estimateChars(stack, resource) + 1;
      if (used + chunkChars + chars > limit) {
        if (chunk.length > 0) current.push(statement(spec, chunk));
        if (current.length === 0 || DOCUMENT_OVERHEAD + overhead + chars > limit) {
          throw new Error(
            `a single statement on ${spec.actions.join(', ')} cannot fit in ${limit} characters`,
          );
        }
        documents.push(current);
        current = [];
        used = DOCUMENT_OVERHEAD;
        chunk = [];
        chunkChars = overhead;
      }
      chunk.push(resource);
      chunkChars += chars;
    }
    if (chunk.length > 0) {
      current.push(statement(spec, chunk));
      used += chunkChars;
    }
  }
  if (current.length > 0) documents.push(current);
  return documents;
}
