import { Stack } from 'aws-cdk-lib';
import { StackTemplate } from '../../analysis/stack-template';

/** A template the pack judges as given, in place of what a stack's constructs synthesize. */
export type GivenTemplate = StackTemplate;

/**
 * Templates read from files (`model-access report`): the report gives each stack of its app the
 * template it read, so the pack judges that JSON as written, intrinsics and all, and the stack
 * itself needs only one bare resource per logical id for the rules to report on.
 */
export const GIVEN_TEMPLATES = new WeakMap<Stack, GivenTemplate>();
