import { Aws, Duration, Names, Stack, Stage, Tags } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TAG_CAPABILITY } from '../../capabilities/capability';
import { acknowledgeDeadLetterQueue, acknowledgeFinding } from '../../private/compliance-findings';
import { confinedService } from '../../private/service-trust';
import { iamChangesPattern } from './alert-patterns';

/**
 * IAM is a global service: CloudTrail delivers its events to EventBridge in `iamRegion` only
 * (us-east-1 in the commercial partition). For a trail whose stack lives elsewhere, a stack of its
 * own in `iamRegion` forwards IAM's role and policy changes to the default event bus of the
 * trail's region, where the trail's alert rules match them as they would have matched there.
 * It names no resource of the trail's stack, so the two stacks share no reference.
 */
export function iamEventForwarder(trail: Construct, iamRegion: string): Stack {
  const home = Stack.of(trail);
  const scope = Stage.of(home) ?? home.node.root;
  const id = `${Names.uniqueId(trail)}IamEvents`;
  const existing = scope.node.tryFindChild(id) as Stack | undefined;
  if (existing) return existing;
  const forwarder = new Stack(scope, id, {
    env: { account: home.account, region: iamRegion },
    description: `Forwards IAM role and policy changes from ${iamRegion} to ${home.region}, for the model-access alerts of ${home.stackName}`,
  });
  // The trail's stack is deployed after its forwarder, so no change goes unforwarded once it alerts.
  home.addStackDependency(forwarder, `IAM events reach EventBridge only in ${iamRegion}`);

  const homeBus = events.EventBus.fromEventBusArn(
    forwarder,
    'HomeBus',
    `arn:${Aws.PARTITION}:events:${home.region}:${Aws.ACCOUNT_ID}:event-bus/default`,
  );
  const role = new iam.Role(forwarder, 'ForwardRole', {
    description: `Lets EventBridge put IAM change events on the default bus of ${home.region}`,
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

  const { source, 'detail-type': detailType, detail } = iamChangesPattern();
  new events.Rule(forwarder, 'IamChanges', {
    description: `IAM role and policy changes, forwarded to ${home.region}`,
    eventPattern: { source, detailType, detail },
    targets: [new targets.EventBus(homeBus, { role, deadLetterQueue: undelivered })],
  });
  return forwarder;
}
