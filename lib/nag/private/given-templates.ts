import { Stack } from 'aws-cdk-lib';
import { StackTemplate } from '../../analysis/stack-template';

/**
 * Templates read from files (`model-access report`): the report gives each stack of its app the
 * template it read, so the pack judges that JSON as written, intrinsics and all, and the stack
 * itself needs only one bare resource per logical id for the rules to report on.
 */
export const GIVEN_TEMPLATES = new WeakMap<Stack, StackTemplate>();
