import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ModelAuditTrail } from '../../lib';
import { MotoServer } from '../support/moto-server';
import { ACCOUNT, ResolvedTemplate } from '../support/template';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

// A platform in eu-west-1 whose app also calls models in us-west-2. The trail's customization rule
// (in eu-west-1) and the us-west-2 forwarder's rules, as synthesized, are loaded into moto's
// EventBridge in their own regions, the forwarder's targets being the home region's default bus;
// CloudTrail's events are put on the bus of the region the call was made in.
const HOME = 'eu-west-1';
const OTHER = 'us-west-2';
const stack = new Stack(new App(), 'Platform', { env: { account: ACCOUNT, region: HOME } });
const trail = new ModelAuditTrail(stack, 'Audit', { alertRegions: [OTHER] });
const home = new ResolvedTemplate(Template.fromStack(stack).toJSON());
const forwarder = new ResolvedTemplate(Template.fromStack(trail.regionalEventForwarders[0]).toJSON());
const ruleOf = (t: ResolvedTemplate, description: RegExp) =>
  t.props(t.ofType('AWS::Events::Rule').find((id) => description.test(t.props(id).Description))!);

let moto: MotoServer;
const client = (region: string) => ({
  endpoint: moto.endpoint,
  region,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
let alerts: string;

/** A client of moto acting in the app's account, where the forwarder's target bus is. */
function inAccount<T extends EventBridgeClient | SQSClient>(c: T): T {
  const stack = c.middlewareStack as EventBridgeClient['middlewareStack'];
  stack.add(
    (next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = ACCOUNT;
      return next(args);
    },
    { step: 'build' },
  );
  return c;
}

beforeAll(async () => {
  moto = await MotoServer.start();
  // At home: the customization alert, publishing (here) to a queue.
  const sqs = inAccount(new SQSClient(client(HOME)));
  alerts = (await sqs.send(new CreateQueueCommand({ QueueName: 'alerts' }))).QueueUrl!;
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: alerts, AttributeNames: ['QueueArn'] }),
  );
  const homeEvents = inAccount(new EventBridgeClient(client(HOME)));
  for (const [name, description] of [
    ['Customization', /^A model customization call/],
    ['Approval', /^A SageMaker model package created or set Approved/],
  ] as const) {
    const rule = ruleOf(home, description);
    await homeEvents.send(
      new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(rule.EventPattern) }),
    );
    await homeEvents.send(
      new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'q', Arn: Attributes!.QueueArn }] }),
    );
  }
  // In the other region: each forwarder rule, with its synthesized target (the home bus).
  const otherEvents = inAccount(new EventBridgeClient(client(OTHER)));
  for (const id of forwarder.ofType('AWS::Events::Rule')) {
    const rule = forwarder.props(id);
    await otherEvents.send(new PutRuleCommand({ Name: id, EventPattern: JSON.stringify(rule.EventPattern) }));
    await otherEvents.send(
      new PutTargetsCommand({
        Rule: id,
        Targets: rule.Targets.map((t: Json) => ({ Id: t.Id, Arn: t.Arn, RoleArn: t.RoleArn })),
      }),
    );
  }
}, 60_000);
afterAll(async () => moto?.stop());

/** Puts CloudTrail's record of a call made in `region`, and returns the alerts raised at home. */
async function alertsFor(
  region: string,
  service: string,
  eventName: string,
  requestParameters: Json = {},
): Promise<Json[]> {
  const events = inAccount(new EventBridgeClient(client(region)));
  const detail = {
    eventSource: `${service}.amazonaws.com`,
    eventName,
    awsRegion: region,
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/SomeoneElse/session`,
      sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/SomeoneElse` } },
    },
    eventType: 'AwsApiCall',
    requestParameters,
  };
  const { FailedEntryCount } = await events.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: `aws.${service}`,
          DetailType: 'AWS API Call via CloudTrail',
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  expect(FailedEntryCount).toBe(0);
  const sqs = inAccount(new SQSClient(client(HOME)));
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: alerts, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  return (Messages ?? []).map((m) => JSON.parse(m.Body!).detail);
}

test('a customization started in another region named in alertRegions raises the alert at home', async () => {
  const raised = await alertsFor(OTHER, 'bedrock', 'CreateModelCustomizationJob');
  expect(raised.map((d) => [d.eventName, d.awsRegion])).toEqual([['CreateModelCustomizationJob', OTHER]]);
});

test('so does a SageMaker training job there', async () => {
  const raised = await alertsFor(OTHER, 'sagemaker', 'CreateTrainingJob');
  expect(raised.map((d) => [d.eventName, d.awsRegion])).toEqual([['CreateTrainingJob', OTHER]]);
});

test('a model package set Approved there raises the approval alert at home', async () => {
  const raised = await alertsFor(OTHER, 'sagemaker', 'UpdateModelPackage', {
    modelApprovalStatus: 'Approved',
  });
  expect(raised.map((d) => [d.eventName, d.awsRegion])).toEqual([['UpdateModelPackage', OTHER]]);
});

test('an invocation there is forwarded to no alert', async () => {
  expect(await alertsFor(OTHER, 'bedrock', 'InvokeModel')).toEqual([]);
});

test('a region not named has no forwarder: its calls are recorded by the trail and raise no alert', async () => {
  expect(await alertsFor('ap-southeast-2', 'bedrock', 'CreateModelCustomizationJob')).toEqual([]);
});
