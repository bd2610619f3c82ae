import { Arn, ArnFormat, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, IConstruct } from 'constructs';
import { Capability, Component } from '../capabilities/capability';
import { ModelTarget } from '../capabilities/model-target';
import { requireArn } from '../private/arns';
import { ModelRegistry } from '../registry/model-registry';
import { CustomizationBackend } from './customization-backend';
import type { RequestRules } from './handlers/request-rules';
import { Hyperparameter } from './hyperparameter';
import { customizationWorkflow } from './private/workflow';
import { ApprovalPipelineProps } from './model-pipeline';
import { GatedPipeline, grantReadStatus } from './private/gated-pipeline';
import { checkedCapability } from '../capabilities/private/checked';

export interface CustomizationPipelineProps extends ApprovalPipelineProps {
  /**
   * The registry whose training-data bucket holds the datasets, whose artifacts bucket receives
   * the jobs' output, and whose metadata bucket (with object lock) keeps the provenance manifests.
   */
  readonly registry: ModelRegistry;

  /** The allowlist: the only base models a request may customize. */
  readonly baseModels: ModelTarget[];

  /** Which service runs the jobs. @default CustomizationBackend.bedrock() (fine-tuning) */
  readonly backend?: CustomizationBackend;

  /** The hyperparameters a request may set, each within its bounds. @default - none may be set */
  readonly hyperParameters?: Hyperparameter[];
}

const MAX_RULES_BYTES = 3072;

/**
 * The only way a model is customized: a request, proven by STS to be its requester's, is validated, recorded and
 * held until the required number of other people approve it (any rejection, or no decision in
 * time, ends it without a job); the datasets are checked against their requested versions and
 * SHA-256 before and after approval; the job runs to completion and a provenance manifest is
 * written under object lock.
 */
/**
 * What other stacks and apps use of a customization pipeline: grants to call its endpoints and
 * follow its executions. `CustomizationPipeline` creates one;
 * `CustomizationPipeline.fromPipelineAttributes` names one another app created.
 */
export interface ICustomizationPipeline extends IConstruct {
  /** Lets the grantee submit customization requests through the request URL, and nothing more. */
  grantRequest(grantee: iam.IGrantable): iam.Grant;
  /** Lets the grantee approve or reject other people's requests through the approval URL (APPROVAL only). */
  grantApprove(grantee: iam.IGrantable): iam.Grant;
  /** Lets the grantee list and describe the pipeline's executions, not their history. */
  grantReadStatus(grantee: iam.IGrantable): iam.Grant;
}

/** What names a customization pipeline that another app created. */
export interface CustomizationPipelineAttributes {
  /** ARN of the function behind the request URL (`pipeline.requestUrl.functionArn`). */
  readonly requestFunctionArn: string;
  /** ARN of the function behind the approval URL (`pipeline.approvalUrl.functionArn`). */
  readonly approvalFunctionArn: string;
  /** ARN of the pipeline's state machine. */
  readonly stateMachineArn: string;
}

export class CustomizationPipeline extends GatedPipeline implements ICustomizationPipeline {
  /**
   * A pipeline another app created. Its grants write only the grantee's identity policy; the
   * handlers count a caller as a person only by a role the pipeline's own app granted (a role of
   * that app whose trust it checked, an IAM Identity Center role, or one listed in its
   * `unverifiedSessionRoles`) or as an IAM user. So grant the same role in the pipeline's app too:
   * the pipeline cannot read the trust policy of a role of another app.
   */
  public static fromPipelineAttributes(
    scope: Construct,
    id: string,
    attrs: CustomizationPipelineAttributes,
  ): ICustomizationPipeline {
    const arnOf = (name: keyof CustomizationPipelineAttributes, service: string, resource: string) =>
      requireArn(
        'CustomizationPipeline.fromPipelineAttributes',
        name,
        attrs[name],
        service,
        `${resource}:[\\w-]+`,
        `a ${service} ${resource} ARN`,
      );
    const requestArn = arnOf('requestFunctionArn', 'lambda', 'function');
    const approvalArn = arnOf('approvalFunctionArn', 'lambda', 'function');
    const stateMachineArn = arnOf('stateMachineArn', 'states', 'stateMachine');
    class Import extends Construct implements ICustomizationPipeline {
      // The function URLs' own policies are the pipeline app's: only identity policies are written here.
      private readonly request = lambda.Function.fromFunctionAttributes(this, 'RequestHandler', {
        functionArn: requestArn,
        skipPermissions: true,
      });
      private readonly approval = lambda.Function.fromFunctionAttributes(this, 'ApprovalHandler', {
        functionArn: approvalArn,
        skipPermissions: true,
      });
      public grantRequest(grantee: iam.IGrantable) {
        return this.request.grantInvokeUrl(grantee);
      }
      public grantApprove(grantee: iam.IGrantable) {
        return this.approval.grantInvokeUrl(grantee);
      }
      public grantReadStatus(grantee: iam.IGrantable) {
        const parts = Arn.split(stateMachineArn, ArnFormat.COLON_RESOURCE_NAME);
        const executions = Arn.format({
          ...parts,
          resource: 'execution',
          resourceName: `${parts.resourceName}:*`,
        });
        return grantReadStatus(grantee, stateMachineArn, executions);
      }
    }
    return new Import(scope, id);
  }

  /** The customization state machine, tagged `model-access:component=customization-pipeline`. */
  public readonly stateMachine: sfn.StateMachine;
  /** Where requesters POST requests (IAM-authenticated). */
  public readonly requestUrl: lambda.FunctionUrl;
  /** Where approvers POST decisions (IAM-authenticated). */
  public readonly approvalUrl: lambda.FunctionUrl;
  /** The role Bedrock or SageMaker runs the jobs as. */
  public readonly serviceRole: iam.IRole;
  /** The registry of the datasets, the jobs' output and the provenance manifests. */
  public readonly registry: ModelRegistry;
  /** Every role of the pipeline: its state machine's, its functions' and the service role. */
  public readonly roles: iam.IRole[];

  /** Its state machine's role starts the customization jobs; it deploys nothing. */
  public rolesActingFor(capability: Capability): iam.IRole[] {
    return checkedCapability('rolesActingFor', capability) === Capability.CUSTOMIZATION
      ? [this.stateMachine.role]
      : [];
  }

  constructor(scope: Construct, id: string, props: CustomizationPipelineProps) {
    super(scope, id, 'CustomizationPipeline', 'customization', props);
    this._requireRegistryInStack('CustomizationPipeline', props.registry);
    if (!props.registry.metadataObjectLockRetention) {
      throw new Error(
        "CustomizationPipeline: the registry's metadata bucket has no object lock, so provenance manifests could be changed; set metadataObjectLockRetention on the ModelRegistry.",
      );
    }
    const hyperParameters = props.hyperParameters ?? [];
    const duplicate = hyperParameters.find(
      (h, i) => hyperParameters.findIndex((o) => o.name === h.name) !== i,
    );
    if (duplicate)
      throw new Error(`CustomizationPipeline: hyperparameter '${duplicate.name}' is declared twice.`);

    const { registry } = props;
    this.registry = registry;
    const gate = this._gate;

    const backend = (props.backend ?? CustomizationBackend.bedrock())._bind(this, {
      registry,
      baseModels: props.baseModels,
    });
    this.serviceRole = backend.serviceRole;

    const tableEnv = { TABLE_NAME: this.table.tableName };
    const approvalGate = gate.gateFunction;

    const datasetInspector = gate.fn(
      'DatasetInspector',
      'dataset-inspector',
      "Reads a dataset's version and SHA-256",
      {
        TRAINING_DATA_BUCKET: registry.trainingDataBucket.bucketName,
      },
    );
    registry.grantReadTrainingData(datasetInspector);

    const provenanceWriter = gate.fn('ProvenanceWriter', 'provenance-writer', 'Writes provenance manifests', {
      ...tableEnv,
      TRAINING_DATA_BUCKET: registry.trainingDataBucket.bucketName,
      METADATA_BUCKET: registry.metadataBucket.bucketName,
    });
    gate.grantTable(provenanceWriter, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    registry._grantWriteRecords(provenanceWriter);
    registry._addProvenanceLedger(this.table, this.encryptionKey);

    this.stateMachine = this._makeStateMachine(
      customizationWorkflow(this, {
        backend,
        registry,
        table: this.table,
        topic: this.topic,
        approvalGate,
        datasetInspector,
        provenanceWriter,
        approvalTimeout: gate.approvalTimeout,
      }),
      {
        component: Component.CUSTOMIZATION_PIPELINE,
        invoked: [datasetInspector, approvalGate, provenanceWriter],
        wildcardResources: backend.wildcardResources,
      },
    );

    const rules: RequestRules = {
      baseModels: Object.keys(backend.baseModelArns),
      hyperParameters: hyperParameters.map((h) => h._rule()),
      modelName: backend.modelName,
    };
    // Lambda allows 4 KB of environment in all; leave room for the names and ARNs beside the rules.
    const rulesJson = JSON.stringify(rules);
    if (!Token.isUnresolved(rulesJson) && Buffer.byteLength(rulesJson) > MAX_RULES_BYTES) {
      throw new Error(
        `CustomizationPipeline: the allowlist and hyperparameters take ${Buffer.byteLength(rulesJson)} bytes, more than the ${MAX_RULES_BYTES} the request handler's environment can hold; allow fewer base models or hyperparameters per pipeline.`,
      );
    }
    gate.attach(this.stateMachine, { REQUEST_RULES: rulesJson });
    this.requestUrl = gate.requestUrl;
    this.approvalUrl = gate.approvalUrl;

    gate.grantKey(provenanceWriter);
    const functions = [...gate.functions, datasetInspector, provenanceWriter];
    this.roles = [this.stateMachine.role, this.serviceRole, ...functions.map((f) => f.role!)];
  }
}
