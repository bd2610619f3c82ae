import { Aws, Duration, Names, Stack, Stage, Tags } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { Capability, TAG_CAPABILITY } from '../../capabilities/capability';
import { acknowledgeDeadLetterQueue, acknowledgeFinding } from '../../private/compliance-findings';
import { confinedService } from '../../private/service-trust';
import {
  guardrailChangesPattern,
  iamChangesPattern,
  invocationLoggingPattern,
  modelPackageApprovalPattern,
  outsidePipelinePattern,
} from './alert-patterns';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * EventBridge receives an API call's CloudTrail event in the region the call was made in (IAM's,
 * a global service's, in us-east-1 alone). For a trail whose alert rules live in another region,
 * a stack of its own in `region` forwards the events those rules judge to the default event bus
 * of the trail's region, where the rules match them as they would have matched there: IAM's role
 * and policy changes from IAM's region (`forwardIamChanges`), and the model calls of another
 * region the app uses (`forwardModelCalls`). The stack names no resource of the trail's stack, so
 * the two share no reference; the trail's stack depends on it, so it deploys first.
 */
function forwarderStack(trail: Construct, region: string, iamRegion: string | undefined): Stack {
  const home = Stack.of(trail);
  const scope = Stage.of(home) ?? home.node.root;
  // IAM's region keeps the id it has always had.
  const suffix =
    region === iamRegion
      ? 'IamEvents'
      : `Events${region.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase())}`;
  const id = `${Names.uniqueId(trail)}${suffix}`;
  const existing = scope.node.tryFindChild(id) as Stack | undefined;
  if (existing) return existing;
  const forwarder = new Stack(scope, id, {
    env: { account: home.account, region },
    description: `Forwards CloudTrail events from ${region} to ${home.region}, for the model-access alerts of ${home.stackName}`,
  });
  home.addStackDependency(forwarder, `the alerts of ${home.stackName} judge events of ${region}`);

  events.EventBus.fromEventBusArn(
    forwarder,
    'HomeBus',
    `arn:${Aws.PARTITION}:events:${home.region}:${Aws.ACCOUNT_ID}:event-bus/default`,
  );
  const role = new iam.Role(forwarder, 'ForwardRole', {
    description: `Lets EventBridge put CloudTrail events on the default bus of ${home.region}`,
    assumedBy: confinedService(
      forwarder,
      'events.amazonaws.com',
      forwarder.formatArn({ service: 'events', resource: 'rule', resourceName: '*' }),
      true,
    ),
  });
  Tags.of(role).add(TAG_CAPABILITY, 'service');
  acknowledgeFinding(
    role,
    'IAMNoInlinePolicy',
    "CDK writes the rule target's events:PutEvents on one event bus to the role's own AWS::IAM::Policy; it can be attached to no other principal.",
  );
  const undelivered = new sqs.Queue(forwarder, 'Undelivered', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledgeDeadLetterQueue(undelivered);
  return forwarder;
}

/** A rule of the forwarder stack that sends the events `pattern` matches to the trail's region. */
function forward(forwarder: Stack, id: string, description: string, pattern: Json) {
  if (forwarder.node.tryFindChild(id)) return;
  const homeBus = forwarder.node.findChild('HomeBus') as events.IEventBus;
  const role = forwarder.node.findChild('ForwardRole') as iam.Role;
  const undelivered = forwarder.node.findChild('Undelivered') as sqs.Queue;
  const { source, 'detail-type': detailType, detail } = pattern;
  new events.Rule(forwarder, id, {
    description,
    eventPattern: { source, detailType, detail },
    targets: [new targets.EventBus(homeBus, { role, deadLetterQueue: undelivered })],
  });
}

/** IAM's role and policy changes, from IAM's region (us-east-1 in the commercial partition). */
export function forwardIamChanges(trail: Construct, iamRegion: string): Stack {
  const forwarder = forwarderStack(trail, iamRegion, iamRegion);
  forward(
    forwarder,
    'IamChanges',
    `IAM role and policy changes, forwarded to ${Stack.of(trail).region}`,
    iamChangesPattern(),
  );
  return forwarder;
}

/**
 * The model calls of `region` the trail's rules alert on: every CUSTOMIZATION and DEPLOYMENT call
 * of the catalog, guardrail changes, invocation-logging changes and model packages set Approved, by anyone (the rules at home
 * exempt the pipelines' roles, as they do for calls made there).
 */
export function forwardModelCalls(trail: Construct, region: string, iamRegion: string | undefined): Stack {
  const forwarder = forwarderStack(trail, region, iamRegion);
  const home = Stack.of(trail).region;
  for (const [id, what, pattern] of MODEL_CALLS)
    forward(forwarder, id, `${what}, forwarded to ${home}`, pattern());
  return forwarder;
}

/** The rules of a region's forwarder: id, what they forward, and its pattern (no role exempt). */
const MODEL_CALLS: [string, string, () => Json][] = [
  [
    'CustomizationCalls',
    'Model customization calls',
    () => outsidePipelinePattern(Capability.CUSTOMIZATION, []),
  ],
  ['DeploymentCalls', 'Model deployment calls', () => outsidePipelinePattern(Capability.DEPLOYMENT, [])],
  ['GuardrailChanges', 'Guardrail changes', guardrailChangesPattern],
  ['InvocationLoggingChanges', 'Invocation logging changes', () => invocationLoggingPattern([])],
  ['ModelPackageApprovals', 'SageMaker model packages set Approved', () => modelPackageApprovalPattern([])],
];
