import { App, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  CustomizationRequesterRole,
  ModelAccessChecks,
  ModelAccessControl,
  ModelInferenceRole,
  ModelReadRole,
  ModelTarget,
} from 'cdk-model-access';

// Invoked on demand through the US cross-Region inference profile, as current models are.
const HAIKU = ModelTarget.bedrockInferenceProfile('us.anthropic.claude-3-haiku-20240307-v1:0');
const TITAN = ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1');

const people = (job: string) =>
  new iam.AccountRootPrincipal().withConditions({ StringEquals: { 'aws:PrincipalTag/job': job } });

/**
 * The platform team's stack: the registry, the customization pipeline, the audit trail and its
 * alert topic, and the platform's own leads who approve.
 */
export class ModelPlatformStack extends Stack {
  public readonly control: ModelAccessControl;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.control = new ModelAccessControl(this, 'ModelAccess', {
      models: [HAIKU, TITAN],
      customizationRequesters: people('ml-engineer'),
      approvers: people('ml-lead'),
      baseModels: [TITAN],
      auditors: people('security-auditor'),
    });
  }
}

export interface AppTeamStackProps extends StackProps {
  /** The platform the team builds on. */
  readonly platform: ModelAccessControl;
}

/**
 * An app team's stack: its service's inference role, its analysts who read model cards, and its
 * ML engineers who request fine-tuning through the platform's pipeline. The platform's registry,
 * pipeline and trail grant to these roles from here; the platform's stack names them by their
 * fixed names, so it refers to nothing of this stack and the team's stack depends on the
 * platform's alone.
 */
export class AppTeamStack extends Stack {
  public readonly chatbot: ModelInferenceRole;
  public readonly analysts: ModelReadRole;
  public readonly engineers: CustomizationRequesterRole;

  constructor(scope: Construct, id: string, props: AppTeamStackProps) {
    super(scope, id, props);
    const { registry, pipeline, auditTrail } = props.platform;
    this.chatbot = new ModelInferenceRole(this, 'Chatbot', {
      roleName: 'chatbot-inference',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      targets: [HAIKU],
      // The chatbot applies the guardrail the platform team published, on every invocation.
      guardrail: {
        guardrailArn: 'arn:aws:bedrock:us-east-1:111122223333:guardrail/ab12cd34ef56',
        version: '3',
      },
    });
    this.analysts = new ModelReadRole(this, 'Analysts', {
      roleName: 'chatbot-analysts',
      assumedBy: people('chatbot-analyst'),
      targets: [HAIKU],
      registry,
    });
    this.engineers = new CustomizationRequesterRole(this, 'Engineers', {
      roleName: 'chatbot-ml-engineers',
      assumedBy: people('chatbot-ml-engineer'),
      pipeline: pipeline!,
    });
    // The rules are made in this stack and publish to the platform's alert topic.
    for (const role of [this.chatbot, this.analysts, this.engineers]) auditTrail.watchRole(role);
  }
}

export function buildApp(app = new App()): App {
  Validations.of(app).addPlugins(new ModelAccessChecks(app));
  const platform = new ModelPlatformStack(app, 'ModelPlatform');
  new AppTeamStack(app, 'ChatbotTeam', { platform: platform.control });
  return app;
}

if (require.main === module) buildApp().synth();
