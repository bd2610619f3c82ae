import { IModelAccessRule } from '../rule';
import { BearerTokenCapability } from './bearer-token-capability';
import { CallerChosenSessionTags } from './caller-chosen-session-tags';
import { CapabilityExceedsTag } from './capability-exceeds-tag';
import { CapabilityRoleLimits } from './capability-role-limits';
import { LongLivedCredentials } from './long-lived-credentials';
import { MergeThroughTrust } from './merge-through-trust';
import { MergedCapabilities } from './merged-capabilities';
import { InferenceLogAccessMerge } from './inference-log-access-merge';
import { InferenceWithoutGuardrail } from './inference-without-guardrail';
import { InferenceWithoutInvocationLogging } from './inference-without-invocation-logging';
import { DecidedAtDeploy } from './decided-at-deploy';
import { CustomizationOutsidePipeline, DeploymentOutsidePipeline } from './outside-pipeline';
import { PrivilegeAdminMerge } from './privilege-admin-merge';
import { ReadsEveryObject } from './reads-every-object';
import { RegistryBucketProtection } from './registry-bucket-protection';
import { RegistryWithoutTrail } from './registry-without-trail';
import { SharedTrust } from './shared-trust';
import { UnknownPermissions } from './unknown-permissions';
import { UnpinnedParticipants } from './unpinned-participants';
import { WeightsAccessMerge } from './weights-access-merge';
import { WildcardModelActions } from './wildcard-model-actions';
import { WorldAssumableRole } from './world-assumable-role';
import { WorldReachableCapability } from './world-reachable-capability';

/** Every rule of the pack, in the order of the rules reference (docs/rules.md, generated from them). */
export const MODEL_ACCESS_RULES: readonly IModelAccessRule[] = [
  MergedCapabilities,
  WeightsAccessMerge,
  InferenceLogAccessMerge,
  PrivilegeAdminMerge,
  MergeThroughTrust,
  SharedTrust,
  WorldAssumableRole,
  CallerChosenSessionTags,
  WorldReachableCapability,
  DecidedAtDeploy,
  ReadsEveryObject,
  LongLivedCredentials,
  BearerTokenCapability,
  WildcardModelActions,
  CapabilityExceedsTag,
  CustomizationOutsidePipeline,
  DeploymentOutsidePipeline,
  UnpinnedParticipants,
  RegistryBucketProtection,
  RegistryWithoutTrail,
  InferenceWithoutInvocationLogging,
  InferenceWithoutGuardrail,
  CapabilityRoleLimits,
  UnknownPermissions,
];
