import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * The key a part encrypts with: the one the user gave, or a customer-managed key of its own
 * (`Key`), rotated, and retained on stack deletion since what it encrypted outlives the stack.
 */
export function ownKey(scope: Construct, description: string, given?: kms.IKey): kms.IKey {
  return (
    given ??
    new kms.Key(scope, 'Key', { description, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN })
  );
}
