import { Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { catalogActions } from '../capabilities/actions';
import { Capability } from '../capabilities/capability';
import { BEARER_TOKEN_ACTIONS } from '../capabilities/private/api-keys';
import { GUARDED_INVOCATIONS, GUARDRAIL_KEY } from '../capabilities/private/guardrails';
import { CapabilityRole, CapabilityRoleProps } from './capability-role';
import { StatementSpec } from './private/policy-packing-spec';

/** A published version of a Bedrock guardrail, which every Bedrock invocation of a role must apply. */
export interface InferenceGuardrail {
  /** The guardrail's ARN (`arn:aws:bedrock:<region>:<account>:guardrail/<id>`), or `CfnGuardrail.attrGuardrailArn`. */
  readonly guardrailArn: string;
  /**
   * Its published version (`1`, `2`...), or `CfnGuardrailVersion.attrVersion`. Not `DRAFT`: a draft
   * changes whenever someone edits the guardrail.
   */
  readonly version: string;
}

/** Properties of a ModelInferenceRole. */
export interface ModelInferenceRoleProps extends CapabilityRoleProps {
  /**
   * Let the role use bearer tokens (short-term Bedrock and SageMaker API keys) that its sessions
   * sign: `bedrock:CallWithBearerToken` and its `bedrock-mantle`, Claude on AWS and SageMaker
   * counterparts, granted and allowed by its boundary. Whoever holds such a key invokes the role's
   * models for up to twelve hours, from anywhere, without the role's conditions being asked again;
   * the pack's `ModelAccess-BearerTokenCapability` finding is acknowledged on the role, saying so.
   * @default false: its boundary and its own policy deny them
   */
  readonly allowBearerTokens?: boolean;
  /**
   * A guardrail every Bedrock invocation must apply: the role's guard denies `InvokeModel` and
   * `InvokeModelWithResponseStream` (Converse included) unless `bedrock:GuardrailIdentifier` is this
   * guardrail at this version, and denies the Bedrock inference calls that cannot name a guardrail
   * (agents, knowledge-base generation, batch jobs, the Mantle and Claude on AWS endpoints). The role
   * may apply the guardrail (`bedrock:ApplyGuardrail` on it). SageMaker endpoints are not Bedrock's
   * and are not affected.
   * @default - no guardrail required
   */
  readonly guardrail?: InferenceGuardrail;
}

const BEDROCK_SERVICES = ['bedrock', 'bedrock-mantle', 'aws-external-anthropic'];

/**
 * A role that may call its models (INFERENCE) and nothing else: it cannot read metadata through
 * the registry, customize a model, read weights or training data, or change its own permissions.
 */
export class ModelInferenceRole extends CapabilityRole {
  constructor(scope: Construct, id: string, props: ModelInferenceRoleProps) {
    const bearerTokens = props.allowBearerTokens ?? false;
    const statements: StatementSpec[] = bearerTokens
      ? [{ actions: [...BEARER_TOKEN_ACTIONS], resources: ['*'] }]
      : [];
    const denies: iam.PolicyStatement[] = [];
    if (props.guardrail) {
      const { guardrailArn, version } = checkedGuardrail(`ModelInferenceRole '${id}'`, props.guardrail);
      const identifier = `${guardrailArn}:${version}`;
      // Bedrock's inference calls, split by whether IAM can see the guardrail they apply.
      const bedrock = catalogActions(Capability.INFERENCE).filter((a) =>
        BEDROCK_SERVICES.includes(a.split(':')[0]),
      );
      const named = [...GUARDED_INVOCATIONS];
      denies.push(
        new iam.PolicyStatement({
          sid: 'DenyInferenceWithoutGuardrail',
          effect: iam.Effect.DENY,
          actions: named,
          resources: ['*'],
          conditions: { StringNotEquals: { [GUARDRAIL_KEY]: identifier } },
        }),
        new iam.PolicyStatement({
          sid: 'DenyInferenceThatNamesNoGuardrail',
          effect: iam.Effect.DENY,
          actions: bedrock.filter((a) => !named.includes(a)),
          resources: ['*'],
        }),
      );
      statements.push({ actions: ['bedrock:ApplyGuardrail'], resources: [guardrailArn] });
    }
    super(scope, id, Capability.INFERENCE, props, { statements, denies, allowBearerTokens: bearerTokens });
    if (bearerTokens) {
      Validations.of(this).acknowledge({
        id: `ModelAccess::ModelAccess-BearerTokenCapability[${BEARER_TOKEN_ACTIONS.join('+')}]`,
        reason:
          'allowBearerTokens: inference by API key was asked for; a key this role signs carries its inference, and nothing else, to whoever holds it for up to twelve hours.',
      });
    }
  }
}

/** The guardrail as given, its ARN and version checked where they are literal. */
function checkedGuardrail(where: string, g: InferenceGuardrail): InferenceGuardrail {
  if (
    !Token.isUnresolved(g.guardrailArn) &&
    !/^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:\d{12}:guardrail\/[a-z0-9]+$/.test(g.guardrailArn)
  ) {
    throw new Error(
      `${where}: guardrail.guardrailArn '${g.guardrailArn}' is not a Bedrock guardrail ARN (arn:aws:bedrock:<region>:<account>:guardrail/<id>); use CfnGuardrail.attrGuardrailArn or the ARN Bedrock gives.`,
    );
  }
  if (!Token.isUnresolved(g.version) && !/^[1-9][0-9]{0,7}$/.test(g.version)) {
    throw new Error(
      `${where}: guardrail.version '${g.version}' is not a published version (1, 2...)${g.version === 'DRAFT' ? ': a draft changes whenever someone edits the guardrail' : ''}; publish one (CfnGuardrailVersion) and give its version.`,
    );
  }
  return g;
}
