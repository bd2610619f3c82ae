import {
  ActionClassification,
  ActionExpansion,
  actionPatternProblem,
  catalogActions,
  ClassifyOptions,
  classifyActions,
  coversAction,
  entryApplies,
  expandActions,
  matchesAction,
} from './actions';
import {
  Capability,
  DataClass,
  GUARDED_DATA_CLASSES,
  MODEL_CAPABILITIES,
  REGISTRY_DATA_CLASSES,
  TAG_CAPABILITY,
  TAG_COMPONENT,
  TAG_DATA_CLASS,
} from './capability';
import { ANY_RESOURCE, CATALOG, CatalogCompanion, CatalogEntry, ResourceContext } from './catalog';
import { MERGED_PAIRS, mergedPairs } from './merge';
import { checkedCapability, checkedContext } from './private/checked';

/** How `expandActions` reads its patterns. */
export interface ExpandOptions {
  /** Expand to every IAM action the patterns do not match (a statement's `NotAction`). @default false */
  readonly notAction?: boolean;
}

/**
 * The capability catalog and what reads it, for every jsii language: the same data and functions
 * TypeScript also imports by name (`CATALOG`, `classifyActions`, ...), which jsii cannot carry.
 */
export class CapabilityCatalog {
  /** Every entry of the catalog: an IAM action and the capability it confers. */
  public static readonly ENTRIES: CatalogEntry[] = [...CATALOG];
  /** The resources a statement with `Resource: "*"` covers. */
  public static readonly ANY_RESOURCE: ResourceContext = ANY_RESOURCE;
  /** The capabilities over models: all but privilege administration. */
  public static readonly MODEL_CAPABILITIES: Capability[] = [...MODEL_CAPABILITIES];
  /** The data classes of a model registry's own buckets. */
  public static readonly REGISTRY_DATA_CLASSES: DataClass[] = [...REGISTRY_DATA_CLASSES];
  /** The data classes whose readers and writers the analysis lists. */
  public static readonly GUARDED_DATA_CLASSES: DataClass[] = [...GUARDED_DATA_CLASSES];
  /** The pairs of capabilities one principal must never hold together. */
  public static readonly MERGED_PAIRS: Capability[][] = MERGED_PAIRS.map((p) => [...p]);

  /** The capabilities that action patterns confer on the given resources (default: any). */
  public static classifyActions(patterns: string[], options?: ClassifyOptions): ActionClassification {
    return classifyActions(patterns, options);
  }

  /** Action patterns expanded to IAM's concrete actions, with the patterns that name none. */
  public static expandActions(patterns: string[], options?: ExpandOptions): ActionExpansion {
    return expandActions(patterns, options);
  }

  /**
   * The catalog's actions for a capability: those that confer it on any resource whatever the
   * statement's conditions, or those scoped to `scope`.
   */
  public static catalogActions(capability: Capability, scope?: ResourceContext): string[] {
    return catalogActions(capability, scope);
  }

  /** The merged pairs among a set of capabilities; empty when they are separate. */
  public static mergedPairs(capabilities: Capability[]): Capability[][] {
    return mergedPairs(capabilities.map((c) => checkedCapability('mergedPairs', c)));
  }

  /** Whether an action pattern (wildcards, any letter case) matches an action. */
  public static matchesAction(pattern: string, action: string): boolean {
    return matchesAction(pattern, action);
  }

  /** Whether a statement's `Action` patterns, or else the complement of its `NotAction`, cover an action. */
  public static coversAction(action: string, actions?: string[], notActions?: string[]): boolean {
    return coversAction(actions, notActions, action);
  }

  /** Why an action pattern names no IAM action, or undefined when it names at least one. */
  public static actionPatternProblem(pattern: string): string | undefined {
    return actionPatternProblem(pattern);
  }

  /** Whether a catalog entry (or a companion) counts on the given resources. */
  public static entryApplies(entry: CatalogCompanion, resource: ResourceContext): boolean {
    return entryApplies(entry, checkedContext('entryApplies', resource));
  }

  private constructor() {}
}

/**
 * The tag keys other tools rely on (docs/architecture.md's contracts), for every jsii language; TypeScript
 * may also import them by name (`TAG_CAPABILITY`, ...).
 */
export class ModelAccessTags {
  /** `model-access:capability`: what a role may hold at most. */
  public static readonly CAPABILITY = TAG_CAPABILITY;
  /** `model-access:data-class`: what a bucket (or log group) holds. */
  public static readonly DATA_CLASS = TAG_DATA_CLASS;
  /** `model-access:component`: the pipeline parts other tools recognise. */
  public static readonly COMPONENT = TAG_COMPONENT;
  /** `model-access:deployment-target`: the Bedrock provisioned throughputs a pipeline may switch. */
  public static readonly DEPLOYMENT_TARGET = 'model-access:deployment-target';

  private constructor() {}
}
