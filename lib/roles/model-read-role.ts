import { Construct } from 'constructs';
import { Capability } from '../capabilities/capability';
import { catalogActions } from '../capabilities/actions';
import { takesOnlyStar } from '../capabilities/private/iam-data';
import { acknowledgeWildcardResource } from '../private/compliance-findings';
import { IModelRegistry } from '../registry/model-registry';
import { CapabilityRole, CapabilityRoleProps } from './capability-role';

export interface ModelReadRoleProps extends CapabilityRoleProps {
  /**
   * A registry whose metadata (model cards, lineage, provenance manifests) the role may read:
   * this app's, or one imported with `ModelRegistry.fromRegistryAttributes`.
   * @default - no registry access
   */
  readonly registry?: IModelRegistry;
}

/**
 * A role that may see models, jobs and provenance (READ), and nothing else: it can neither invoke
 * nor change a model, nor read weights or training data.
 */
export class ModelReadRole extends CapabilityRole {
  constructor(scope: Construct, id: string, props: ModelReadRoleProps) {
    const services = new Set(props.targets?.flatMap((t) => t.resources.map((r) => r.service)));
    // List actions take no resource: IAM supports nothing narrower than "*" for them.
    const listActions = catalogActions(Capability.READ).filter(
      (a) => services.has(a.split(':')[0]) && takesOnlyStar(a),
    );
    super(scope, id, Capability.READ, props, {
      statements: listActions.length ? [{ actions: listActions, resources: ['*'] }] : [],
    });
    if (listActions.length > 0) {
      acknowledgeWildcardResource(
        this,
        '*',
        `${listActions.join(', ')} accept only Resource "*"; they list models and jobs, and return no weights or data.`,
      );
    }
    props.registry?.grantReadMetadata(this);
  }
}
