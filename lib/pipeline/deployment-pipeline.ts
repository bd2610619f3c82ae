import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { Capability, Component } from '../capabilities/capability';
import { ModelRegistry } from '../registry/model-registry';
import { IDataCaptureStore } from './data-capture';
import { checkCapturePercentage } from './private/capture-percentage';
import { DeploymentTarget } from './deployment-target';
import type { DeploymentRules } from './handlers/deployment-rules';
import { bedrockDeployment } from './private/bedrock-deployment';
import { DeploymentService } from './private/deployment-service';
import { deploymentWorkflow } from './private/deployment-workflow';
import { checkModelPackageGroups } from './private/model-package-groups';
import { sageMakerDeployment } from './private/sagemaker-deployment';
import { CustomizationPipeline } from './customization-pipeline';
import { ApprovalPipelineProps } from './model-pipeline';
import { GatedPipeline } from './private/gated-pipeline';
import { checkedCapability } from '../capabilities/private/checked';

export interface DeploymentPipelineProps extends ApprovalPipelineProps {
  /**
   * The registry whose metadata bucket (with object lock) holds the customization manifests the
   * pipeline checks and receives its deployment records, and whose artifacts the served models
   * are read from.
   */
  readonly registry: ModelRegistry;

  /** What requests may deploy to; a request names one by `DeploymentTarget.name`. */
  readonly targets: DeploymentTarget[];

  /**
   * The environment this pipeline deploys to, which requests must name. Give each environment
   * its own pipeline, with its own approvers and required approvals: people granted the staging
   * pipeline's approval URL cannot approve production.
   * @default 'production'
   */
  readonly environment?: string;

  /**
   * Deploy only models with provenance: a SageMaker model package whose artifacts, or a Bedrock
   * custom model that, a `CustomizationPipeline` of this registry produced, with its approved
   * manifest. Without it, a model from elsewhere can be deployed after approval; one with a
   * manifest is still checked against it, and its trainer still kept from approving.
   * @default true
   */
  readonly requireProvenance?: boolean;

  /**
   * How long the target may take to come into service with the new model before the deployment
   * counts as failed (and, unless the service is still changing it, is rolled back to what it
   * served before). Looked at every minute.
   * @default Duration.hours(1)
   */
  readonly deploymentTimeout?: Duration;

  /**
   * SageMaker targets: the ECR repositories the served models' images come from, which the
   * hosting role may pull.
   * @default - every repository of this region, in any account (AWS's own inference images
   * live in AWS accounts)
   */
  readonly imageRepositoryArns?: string[];

  /**
   * SageMaker targets: capture each endpoint's requests and responses into this store (a
   * `ModelInvocationLogging`), beside Bedrock's invocation logs, encrypted with its key. The
   * hosting role may write there and read nothing; who reads is the store's to grant.
   * @default - no data capture
   */
  readonly dataCapture?: IDataCaptureStore;

  /**
   * The share of requests captured, with `dataCapture`.
   * @default 100
   */
  readonly dataCapturePercentage?: number;

  /**
   * SageMaker targets: the model package groups this pipeline governs, made with it (lower-case
   * names; SageMaker writes its ARNs in lower case). Each group's resource policy denies creating
   * a package Approved, setting one Approved and setting a lifecycle stage to every principal,
   * administrators and other accounts included, but this pipeline's package-approval function, so
   * SageMaker's own approval of the group's packages is the pipeline's alone. Requests may then
   * name only these groups' packages.
   * @default - no groups: requests may name any package of the account and region, and SageMaker's
   * own approval is kept from the library's roles by their boundaries, reported by the pack and
   * alerted by `ModelAuditTrail`, but not denied to other principals
   */
  readonly modelPackageGroups?: string[];
}

const POLL_INTERVAL = Duration.minutes(1);
const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

/**
 * The only way a model reaches production serving: a request, proven by STS to be its requester's, names a model
 * version (a SageMaker model package, a Bedrock custom model), a target of this pipeline and its
 * environment; the model's provenance is checked (its customization manifest, whose requester may
 * then not approve); the required number of other people approve it; it is served (a SageMaker
 * package set Approved and served from a new endpoint configuration, a Bedrock custom model
 * switched in on a provisioned throughput); the target must come into service with it, or it is
 * rolled back; and a record of the promotion is written under object lock. The state machine
 * deploys and does nothing else: for SageMaker, setting the approval status and creating the
 * model are each a function's only permission.
 */
export class DeploymentPipeline extends GatedPipeline {
  /** The deployment state machine, tagged `model-access:component=deployment-pipeline`. */
  public readonly stateMachine: sfn.StateMachine;
  /** Where requesters POST deployment requests (IAM-authenticated). */
  public readonly requestUrl: lambda.FunctionUrl;
  /** Where approvers POST decisions (IAM-authenticated). */
  public readonly approvalUrl: lambda.FunctionUrl;
  /** The environment requests must name. */
  public readonly environment: string;
  /** The targets, as requests name them. */
  public readonly targets: DeploymentTarget[];
  /** Every role of the pipeline: its state machine's, its functions', and SageMaker's hosting role. */
  public readonly roles: iam.IRole[];
  /** The model package groups it governs (`modelPackageGroups`), with their policies; empty without. */
  public readonly modelPackageGroups: sagemaker.CfnModelPackageGroup[];

  private readonly service: DeploymentService;

  constructor(scope: Construct, id: string, props: DeploymentPipelineProps) {
    super(scope, id, 'DeploymentPipeline', 'deployment', props);
    const { registry } = props;
    this.environment = props.environment ?? 'production';
    this.targets = checkTargets(props.targets);
    if (!Token.isUnresolved(this.environment) && !ENVIRONMENT_NAME.test(this.environment)) {
      throw new Error(
        `DeploymentPipeline: environment must be 1-32 lower-case letters, digits and hyphens, got '${this.environment}'.`,
      );
    }
    this._requireRegistryInStack('DeploymentPipeline', props.registry);
    if (!registry.metadataObjectLockRetention) {
      throw new Error(
        "DeploymentPipeline: the registry's metadata bucket has no object lock, so deployment records could be changed; set metadataObjectLockRetention on the ModelRegistry.",
      );
    }
    const deploymentTimeout = props.deploymentTimeout ?? Duration.hours(1);
    const maxPolls = Math.ceil(deploymentTimeout.toSeconds() / POLL_INTERVAL.toSeconds());
    if (maxPolls < 1 || maxPolls > 24 * 60) {
      throw new Error(
        `DeploymentPipeline: deploymentTimeout must be from 1 minute to 24 hours, got ${deploymentTimeout.toHumanString()}.`,
      );
    }
    const gate = this._gate;
    const stack = Stack.of(this);
    const tableEnv = { TABLE_NAME: this.table.tableName };

    for (const prop of [
      'imageRepositoryArns',
      'dataCapture',
      'dataCapturePercentage',
      'modelPackageGroups',
    ] as const) {
      if (props[prop] !== undefined && this.targets[0]._service !== 'sagemaker') {
        throw new Error(
          `DeploymentPipeline: ${prop} applies to SageMaker endpoint targets only, and these targets are Bedrock provisioned throughput (Bedrock serves its custom models itself, ModelInvocationLogging logs their invocations, and it has no model package groups).`,
        );
      }
    }
    const percentage = props.dataCapturePercentage;
    if (percentage !== undefined && !props.dataCapture) {
      throw new Error(
        'DeploymentPipeline: dataCapturePercentage needs dataCapture, the store to capture into.',
      );
    }
    if (percentage !== undefined)
      checkCapturePercentage('DeploymentPipeline: dataCapturePercentage', percentage);
    // How the targets' service deploys: its states, functions and roles.
    const bind = this.targets[0]._service === 'sagemaker' ? sageMakerDeployment : bedrockDeployment;
    const service = bind(this, {
      gate,
      registry,
      targets: this.targets,
      imageRepositoryArns: props.imageRepositoryArns,
      dataCapture: props.dataCapture
        ? { store: props.dataCapture, percentage: props.dataCapturePercentage ?? 100 }
        : undefined,
      modelPackageGroups: props.modelPackageGroups && checkModelPackageGroups(props.modelPackageGroups),
    });
    this.service = service;
    this.modelPackageGroups = service.modelPackageGroups ?? [];

    const provenanceCheck = gate.fn('ProvenanceCheck', 'provenance-check', "Checks a model's provenance", {
      ...tableEnv,
      METADATA_BUCKET: registry.metadataBucket.bucketName,
      REQUIRE_PROVENANCE: String(props.requireProvenance ?? true),
    });
    provenanceCheck.addEnvironment('PROVENANCE_TABLES', registry._readProvenanceLedgers(provenanceCheck));
    gate.grantTable(provenanceCheck, 'dynamodb:UpdateItem');
    registry.grantReadMetadata(provenanceCheck);

    const deploymentRecord = gate.fn('DeploymentRecord', 'deployment-record', 'Writes deployment records', {
      ...tableEnv,
      METADATA_BUCKET: registry.metadataBucket.bucketName,
    });
    gate.grantTable(deploymentRecord, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    registry._grantWriteRecords(deploymentRecord);

    this.stateMachine = this._makeStateMachine(
      deploymentWorkflow(this, {
        service,
        targets: this.targets,
        table: this.table,
        topic: this.topic,
        approvalGate: gate.gateFunction,
        provenanceCheck,
        deploymentRecord,
        approvalTimeout: gate.approvalTimeout,
        pollInterval: POLL_INTERVAL,
        maxPolls,
      }),
      {
        component: Component.DEPLOYMENT_PIPELINE,
        invoked: [gate.gateFunction, provenanceCheck, deploymentRecord, ...service.functions],
        wildcardResources: service.wildcardResources,
      },
    );

    const rules: DeploymentRules = {
      environment: this.environment,
      targets: this.targets.map((t) => t.name),
      model: service.modelRule,
    };
    gate.attach(this.stateMachine, { DEPLOYMENT_RULES: stack.toJsonString(rules) });
    this.requestUrl = gate.requestUrl;
    this.approvalUrl = gate.approvalUrl;

    for (const fn of [provenanceCheck, deploymentRecord]) gate.grantKey(fn);
    this.node.addValidation({ validate: () => this.sameSourceAsTraining(registry) });
    const functions = [...gate.functions, provenanceCheck, deploymentRecord];
    this.roles = [this.stateMachine.role, ...functions.map((f) => f.role!), ...service.roles];
  }

  /**
   * Whoever requested a model's training is kept from approving its deployment by the person the
   * customization pipeline counted. That is the same name here only when both pipelines take
   * people from one source of identity: otherwise synth fails.
   */
  private sameSourceAsTraining(registry: ModelRegistry): string[] {
    const training = this.node.root.node
      .findAll()
      .filter(
        (c): c is CustomizationPipeline => c instanceof CustomizationPipeline && c.registry === registry,
      );
    const sources = new Set([this, ...training].flatMap((p) => [...p._participantSources()]));
    if (sources.size <= 1) return [];
    return [
      `${this.node.path}: its people and those of the customization pipelines of its registry (${training.map((p) => p.node.path).join(', ')}) come from more than one source of identity (${[...sources].join(', ')}), so the person who requested a model's training could approve its deployment under another name. Take them all from one source.`,
    ];
  }

  /**
   * Its state machine's role deploys; for SageMaker, the function that creates each deployment's
   * model makes the one customization call (`CreateModel`).
   */
  public rolesActingFor(capability: Capability): iam.IRole[] {
    return this.service.rolesActingFor(
      checkedCapability('rolesActingFor', capability),
      this.stateMachine.role,
    );
  }
}

function checkTargets(targets: DeploymentTarget[]): DeploymentTarget[] {
  if (targets.length === 0) throw new Error('DeploymentPipeline: targets must name at least one target.');
  const names = targets.map((t) => t.name.toLowerCase());
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new Error(`DeploymentPipeline: target ${twice} is listed twice.`);
  if (targets.some((t) => t._service !== targets[0]._service)) {
    throw new Error(
      'DeploymentPipeline: the targets are of two services (SageMaker endpoints and Bedrock provisioned throughput); give each service a pipeline of its own.',
    );
  }
  return targets;
}
