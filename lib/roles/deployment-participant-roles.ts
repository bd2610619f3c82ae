import { Construct } from 'constructs';
import { DeploymentPipeline } from '../pipeline/deployment-pipeline';
import { pinSessionNames } from '../private/session-names';
import { SelfBoundedRole, SelfBoundedRoleProps } from './self-bounded-role';

export interface DeploymentParticipantRoleProps extends SelfBoundedRoleProps {
  /** The pipeline the role takes part in. */
  readonly pipeline: DeploymentPipeline;
}

/**
 * People who ask for models to be deployed: they submit requests through the deployment
 * pipeline's request URL and follow their progress, and hold nothing else (the role's policy is
 * its boundary): no deployment, no approval. Its trust pins the session name to the IAM user's
 * name, so the pipeline can tell people apart; a SAML provider sets the name itself.
 */
export class DeploymentRequesterRole extends SelfBoundedRole {
  constructor(scope: Construct, id: string, props: DeploymentParticipantRoleProps) {
    super(scope, id, 'requester', {
      description: 'cdk-model-access deployment requester: requests deployments through the pipeline',
      ...props,
      assumedBy: pinSessionNames(`DeploymentRequesterRole '${id}'`, props.assumedBy),
    });
    props.pipeline.grantRequest(this);
    props.pipeline.grantReadStatus(this);
  }
}

/**
 * People who decide deployments: they approve or reject other people's deployment requests
 * through the pipeline's approval URL (APPROVAL) and follow their progress, and nothing else.
 * Session names are pinned as for the requester role, so one person is one approver, and the
 * person who requested a model's training is recognised when they try to approve its deployment.
 */
export class DeploymentApproverRole extends SelfBoundedRole {
  constructor(scope: Construct, id: string, props: DeploymentParticipantRoleProps) {
    super(scope, id, 'approval', {
      description: 'cdk-model-access deployment approver: decides deployments through the pipeline',
      ...props,
      assumedBy: pinSessionNames(`DeploymentApproverRole '${id}'`, props.assumedBy),
    });
    props.pipeline.grantApprove(this);
    props.pipeline.grantReadStatus(this);
  }
}
