import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  CapabilityRole,
  ModelCustomizationRole,
  ModelInferenceRole,
  ModelReadRole,
  ModelRegistry,
  ModelTarget,
} from '../../lib';
import { boundaryOf, Decision, identityPoliciesOf, simulate } from '../support/simulate';
import { ACCOUNT, ResolvedTemplate } from '../support/template';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** ARNs of the models the fixture's roles act on, and of some they do not. */
export const ARN = {
  fm: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1',
  otherFm: 'arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-8b-instruct-v1:0',
  custom: `arn:aws:bedrock:us-east-1:${ACCOUNT}:custom-model/amazon.titan-text-express-v1:0:8k/abc123`,
  provisioned: `arn:aws:bedrock:us-east-1:${ACCOUNT}:provisioned-model/pt1`,
  otherProvisioned: `arn:aws:bedrock:us-east-1:${ACCOUNT}:provisioned-model/pt2`,
  endpoint: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/ep1`,
  otherEndpoint: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/ep2`,
};

export const targets = {
  fm: ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1'),
  custom: ModelTarget.bedrockCustomModel(ARN.custom),
  provisioned: ModelTarget.bedrockProvisionedModel(ARN.provisioned),
  endpoint: ModelTarget.sagemakerEndpoint('ep1'),
};

export interface Fixture {
  readonly stack: Stack;
  readonly template: ResolvedTemplate;
  readonly roles: Record<string, CapabilityRole>;
  /** Evaluates a request by one of the fixture's roles, with its policies and boundary. */
  can(role: string, action: string, resource: string, options?: RequestOptions): Promise<Decision>;
}

export interface RequestOptions {
  readonly context?: Record<string, string | string[]>;
  /** Policies attached later, beside the role's own. */
  readonly extraPolicies?: Json[];
  /** Leave out the role's own (inline guard) policy, to test the boundary alone. */
  readonly withoutGuard?: boolean;
  /** Leave out the boundary, to test the role's own denies alone. */
  readonly withoutBoundary?: boolean;
  readonly s3Abac?: boolean;
}

export function buildFixture(build: (stack: Stack) => Record<string, CapabilityRole>): Fixture {
  const stack = new Stack(new App(), 'Test');
  const roles = build(stack);
  const template = new ResolvedTemplate(Template.fromStack(stack).toJSON());
  const idOf = (name: string) => stack.getLogicalId(roles[name].node.defaultChild as iam.CfnRole);
  return {
    stack,
    template,
    roles,
    can: (name, action, resource, options = {}) => {
      const id = idOf(name);
      // Resolved documents are new objects on each call: compare them by content.
      const guard = (template.props(id).Policies ?? []).map((p: Json) => JSON.stringify(p.PolicyDocument));
      const own = identityPoliciesOf(template, id).filter(
        (p) => !options.withoutGuard || !guard.includes(JSON.stringify(p)),
      );
      return simulate({
        principal: template.arn(id),
        action,
        resource,
        context: { 'aws:CurrentTime': '2026-06-01T00:00:00Z', ...options.context },
        identityPolicies: [...own, ...(options.extraPolicies ?? [])],
        permissionBoundary: options.withoutBoundary ? undefined : boundaryOf(template, id),
        s3Abac: options.s3Abac,
      });
    },
  };
}

/** The three capability roles over one registry, as the matrix and docs/capability-roles.md describe them. */
export function threeRoles(stack: Stack): Record<string, CapabilityRole> {
  const registry = new ModelRegistry(stack, 'Registry');
  const serviceRole = new iam.Role(stack, 'BedrockServiceRole', {
    assumedBy: new iam.ServicePrincipal('bedrock.amazonaws.com'),
  });
  return {
    reader: new ModelReadRole(stack, 'Reader', {
      assumedBy: new iam.AccountRootPrincipal().withConditions({
        StringEquals: { 'aws:PrincipalTag/job': 'analyst' },
      }),
      targets: [targets.fm, targets.custom, targets.endpoint],
      registry,
    }),
    invoker: new ModelInferenceRole(stack, 'Invoker', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      targets: [targets.fm, targets.provisioned, targets.endpoint],
    }),
    tuner: new ModelCustomizationRole(stack, 'Tuner', {
      assumedBy: new iam.AccountRootPrincipal().withConditions({
        StringEquals: { 'aws:PrincipalTag/job': 'ml-engineer' },
      }),
      targets: [targets.fm, targets.custom],
      registry,
      serviceRoles: [serviceRole],
    }),
  };
}
