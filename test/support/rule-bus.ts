import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutEventsRequestEntry,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { MotoServer } from './moto-server';
import { REGION } from './template';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Alert rules' synthesized patterns loaded into moto's EventBridge, each with a queue as its
 * target: events are put on the bus, and the queues tell which rules matched.
 */
export class RuleBus {
  /** Starts moto and loads one rule per name, with its event pattern (intrinsics resolved). */
  public static async start(patterns: Record<string, Json>): Promise<RuleBus> {
    const moto = await MotoServer.start();
    const client = {
      endpoint: moto.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    const bus = new RuleBus(moto, new EventBridgeClient(client), new SQSClient(client));
    for (const [rule, pattern] of Object.entries(patterns)) {
      const { QueueUrl } = await bus.sqs.send(new CreateQueueCommand({ QueueName: rule }));
      const { Attributes } = await bus.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
      );
      await bus.events.send(new PutRuleCommand({ Name: rule, EventPattern: JSON.stringify(pattern) }));
      await bus.events.send(
        new PutTargetsCommand({ Rule: rule, Targets: [{ Id: 'queue', Arn: Attributes!.QueueArn }] }),
      );
      bus.queues[rule] = QueueUrl!;
    }
    return bus;
  }

  private readonly queues: Record<string, string> = {};

  private constructor(
    private readonly moto: MotoServer,
    private readonly events: EventBridgeClient,
    private readonly sqs: SQSClient,
  ) {}

  /** The rules the event matches, in the order they were loaded; their queues are emptied. */
  public async matches(event: PutEventsRequestEntry): Promise<string[]> {
    const { FailedEntryCount } = await this.events.send(new PutEventsCommand({ Entries: [event] }));
    if (FailedEntryCount !== 0) throw new Error(`moto refused the event ${JSON.stringify(event)}`);
    const matched: string[] = [];
    for (const [rule, url] of Object.entries(this.queues)) {
      const { Messages } = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if ((Messages ?? []).length > 0) matched.push(rule);
      for (const m of Messages ?? [])
        await this.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
    return matched;
  }

  public async stop(): Promise<void> {
    await this.moto.stop();
  }
}
