import { Construct } from 'constructs';
import { CustomizationPipeline } from '../pipeline/customization-pipeline';
import { pinSessionNames } from '../private/session-names';
import { SelfBoundedRole, SelfBoundedRoleProps } from './self-bounded-role';

export interface CustomizationParticipantRoleProps extends SelfBoundedRoleProps {
  /** The pipeline the role takes part in. */
  readonly pipeline: CustomizationPipeline;
}

/**
 * People who ask for customizations: they submit requests through the pipeline's request URL,
 * follow their progress, and upload datasets to the registry's training data. They can neither
 * start a job nor approve, and hold nothing else (the role's policy is its boundary). Its trust
 * pins the session name to the IAM user's name (`sts:RoleSessionName` = `${aws:username}`), so
 * the pipeline can tell people apart; a SAML provider sets the name itself.
 */
export class CustomizationRequesterRole extends SelfBoundedRole {
  constructor(scope: Construct, id: string, props: CustomizationParticipantRoleProps) {
    super(scope, id, 'customization', {
      description:
        'cdk-model-access customization requester: requests through the pipeline, uploads datasets',
      ...props,
      assumedBy: pinSessionNames(`CustomizationRequesterRole '${id}'`, props.assumedBy),
    });
    props.pipeline.grantRequest(this);
    props.pipeline.grantReadStatus(this);
    props.pipeline.registry.grantWriteTrainingData(this);
  }
}

/**
 * People who decide customization requests: they approve or reject other people's requests
 * through the pipeline's approval URL and follow their progress (APPROVAL), and nothing else.
 * Its trust pins session names as the requester role's does, so one person is one approver.
 */
export class CustomizationApproverRole extends SelfBoundedRole {
  constructor(scope: Construct, id: string, props: CustomizationParticipantRoleProps) {
    super(scope, id, 'approval', {
      description: 'cdk-model-access customization approver: decides requests through the pipeline',
      ...props,
      assumedBy: pinSessionNames(`CustomizationApproverRole '${id}'`, props.assumedBy),
    });
    props.pipeline.grantApprove(this);
    props.pipeline.grantReadStatus(this);
  }
}
