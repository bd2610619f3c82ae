/**
 * Attribute-based conditions on a capability role. Each one is enforced by an explicit deny in
 * the role's own policy, so a policy attached later cannot lift it; MFA and session tags are also
 * required when the role is assumed.
 */
export interface AccessConditions {
  /**
   * The role may act only from this time on (`aws:CurrentTime`).
   * @default - no start
   */
  readonly notBefore?: Date;

  /**
   * The role may act only until this time (`aws:CurrentTime`).
   * @default - no end
   */
  readonly notAfter?: Date;

  /**
   * The role may call AWS only through these VPC endpoints (`aws:SourceVpce`, ids like
   * `vpce-0123456789abcdef0`). Calls AWS services make on the role's behalf are not affected.
   * @default - any network
   */
  readonly sourceVpcEndpoints?: string[];

  /**
   * The role may call AWS only from these IPv4 or IPv6 CIDR ranges (`aws:SourceIp`). Cannot be
   * combined with `sourceVpcEndpoints`: requests through a VPC endpoint carry no public source IP.
   * @default - any address
   */
  readonly sourceIpRanges?: string[];

  /**
   * The role may be assumed, and may act, only in sessions authenticated with MFA
   * (`aws:MultiFactorAuthPresent`). For human principals only: a service cannot present MFA.
   * @default false
   */
  readonly requireMfa?: boolean;

  /**
   * Data classification: the principal's tag with this key must equal the target model's tag
   * with the same key (`aws:ResourceTag/<key>` = `${aws:PrincipalTag/<key>}`). Every target must
   * be taggable (not a foundation model: use an application inference profile).
   * @default - no classification match
   */
  readonly classificationTagKey?: string;

  /**
   * Session tags the caller must pass when assuming the role (`aws:RequestTag/<key>` present).
   * Not for service principals.
   * @default - none
   */
  readonly requiredSessionTags?: string[];
}
