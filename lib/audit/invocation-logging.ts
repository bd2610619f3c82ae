import { ModelInvocationLogging, ModelInvocationLoggingProps } from './model-invocation-logging';

/**
 * Where the platform's Bedrock model invocation logs come from (`ModelAccessControl`'s
 * `invocationLogging`). Invocation logging is one configuration per account and region: one store
 * makes it, and every other platform of that account and region uses it.
 */
export class InvocationLogging {
  /**
   * A new `ModelInvocationLogging` store, made by the platform: its auditors are the only
   * readers, and its trail watches it.
   */
  public static newStore(props: ModelInvocationLoggingProps = {}): InvocationLogging {
    return new InvocationLogging(props, undefined, undefined);
  }

  /**
   * A store this app makes elsewhere (by another platform of the same account and region, say).
   * The platform's trail alerts on changes to its logging, bucket policy and key, and records who
   * reads it. The platform's auditors read it too: for a store of another stack, give the auditor
   * role a fixed name (`auditTrail.auditorRoleName`), or it keeps the readers its own stack
   * grants. Its role is watched by a trail of its own stack.
   */
  public static existing(store: ModelInvocationLogging): InvocationLogging {
    return new InvocationLogging(undefined, store, undefined);
  }

  /**
   * The account's invocation logging is configured outside this app (by a central team, or in
   * another account's organization setup): the platform makes none. The reason is recorded as the
   * acknowledgement of `ModelAccess-InferenceWithoutInvocationLogging` on the platform's inference
   * role, where reviewers see it.
   */
  public static configuredOutside(reason: string): InvocationLogging {
    if (reason.trim() === '') {
      throw new Error(
        'InvocationLogging.configuredOutside: say where the logs go and who reads them; the reason is what reviewers see.',
      );
    }
    return new InvocationLogging(undefined, undefined, reason);
  }

  /** @internal */
  public readonly _props?: ModelInvocationLoggingProps;
  /** @internal */
  public readonly _store?: ModelInvocationLogging;
  /** @internal */
  public readonly _outsideReason?: string;

  private constructor(props?: ModelInvocationLoggingProps, store?: ModelInvocationLogging, reason?: string) {
    this._props = props;
    this._store = store;
    this._outsideReason = reason;
  }
}
