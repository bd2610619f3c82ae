import { Construct } from 'constructs';
import { Capability } from '../capabilities/capability';
import { CapabilityRole, CapabilityRoleProps } from './capability-role';

export type ModelInferenceRoleProps = CapabilityRoleProps;

/**
 * A role that may call its models (INFERENCE) and nothing else: it cannot read metadata through
 * the registry, customize a model, read weights or training data, or change its own permissions.
 */
export class ModelInferenceRole extends CapabilityRole {
  constructor(scope: Construct, id: string, props: ModelInferenceRoleProps) {
    super(scope, id, Capability.INFERENCE, props);
  }
}
