// Policies that keep a resource to the principals named: keys only they may use, writes only they may make.
import * as iam from 'aws-cdk-lib/aws-iam';

// Key administration for the account, and no cryptographic operation nor grant of one: with a key
// policy of only this, no identity policy can use the key; each use is granted per principal.
const KEY_ADMINISTRATION = [
  'kms:CreateAlias',
  'kms:Describe*',
  'kms:List*',
  'kms:Get*',
  'kms:Enable*',
  'kms:Disable*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];

/** A key policy by which the account administers the key but cannot use it (nor grant its use). */
export function administrationOnlyKeyPolicy(sid: string): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid,
        principals: [new iam.AccountRootPrincipal()],
        actions: KEY_ADMINISTRATION,
        resources: ['*'],
      }),
    ],
  });
}

/**
 * A resource-policy statement denying `actions` to every principal but those whose ARN is listed
 * (`aws:PrincipalArn`); with none listed, to everyone.
 */
export function denyAllBut(props: {
  readonly sid: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly principalArns: string[];
}): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: props.sid,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: props.actions,
    resources: props.resources,
    conditions:
      props.principalArns.length > 0
        ? { ArnNotEquals: { 'aws:PrincipalArn': props.principalArns } }
        : undefined,
  });
}
