/** A statement a capability role's model policy holds, before it is packed into documents. */
export interface StatementSpec {
  /** The actions, as IAM spells them. */
  readonly actions: string[];
  /** The resources' ARNs. */
  readonly resources: string[];
  /** IAM conditions, by operator. @default - none */
  readonly conditions?: { [operator: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}
