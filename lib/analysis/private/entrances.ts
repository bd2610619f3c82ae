import { outsiderOf } from './resource-policies';
import { holdsAction, parseStatements } from './statements';
import { list, referenceOf, scalar } from '../../private/intrinsics';
import { narrowsCallers } from '../../private/trust-conditions';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A resource policy that lets callers outside the account run a function of the template. */
export interface Entrance {
  /** The resource that opens the way, by logical id: a function URL, a permission, a topic or queue policy. */
  readonly resource: string;
  /** Who may come in: `*` (anyone), `account 222222222222`, `any account's sns.amazonaws.com`. */
  readonly who: string;
  /** The function it runs, by logical id. */
  readonly function: string;
}

/**
 * The ways into the template's functions from outside its account, as its resource policies write
 * them: a function URL with auth type NONE; a Lambda permission for `*`, another account, or a
 * service with no source account or ARN (any account's topic or bucket); a topic, queue or event
 * bus policy that lets `*` or another account publish, send or put events, in front of a function
 * subscribed to the topic, reading the queue, or targeted by a rule of the bus. A condition on the
 * caller (a source account, ARN or organization) closes it.
 */
export function entrances(resources: Record<string, Json>, idsOf: (type: string) => string[]): Entrance[] {
  const out: Entrance[] = [];
  const functionOf = (value: Json): string | undefined => {
    const written = scalar(value ?? '');
    const ref = referenceOf(value);
    const id = ref && (ref.attribute ?? 'Arn') === 'Arn' ? ref.id : undefined;
    if (id !== undefined && resources[id]?.Type === 'AWS::Lambda::Function') return id;
    const name = /(?:^|:function:)([^:]+)$/.exec(written)?.[1];
    return idsOf('AWS::Lambda::Function').find((f) => resources[f].Properties?.FunctionName === name);
  };
  const add = (resource: string, who: string | undefined, fn: string | undefined) => {
    if (who !== undefined && fn !== undefined) out.push({ resource, who, function: fn });
  };

  for (const id of idsOf('AWS::Lambda::Url')) {
    const p = resources[id].Properties ?? {};
    add(id, p.AuthType === 'NONE' ? '*' : undefined, functionOf(p.TargetFunctionArn));
  }
  for (const id of idsOf('AWS::Lambda::Permission')) {
    const p = resources[id].Properties ?? {};
    const closed = [p.SourceAccount, p.SourceArn, p.PrincipalOrgID].some((v) => v !== undefined);
    add(id, closed ? undefined : outsider(scalar(p.Principal ?? '')), functionOf(p.FunctionName));
  }
  // Topics and queues callers outside the account may write to, and the functions behind them.
  const open = (policyType: string, listKey: string, action: string) => {
    const byTarget = new Map<string, { policy: string; who: string }>();
    for (const id of idsOf(policyType)) {
      const who = openTo(resources[id].Properties?.PolicyDocument, action);
      if (who === undefined) continue;
      for (const target of list(resources[id].Properties?.[listKey])) {
        const ref = referenceOf(target);
        if (ref && ref.attribute === undefined) byTarget.set(ref.id, { policy: id, who });
      }
    }
    return byTarget;
  };
  const topics = open('AWS::SNS::TopicPolicy', 'Topics', 'sns:Publish');
  for (const id of idsOf('AWS::SNS::Subscription')) {
    const p = resources[id].Properties ?? {};
    const topic = referenceOf(p.TopicArn);
    const opened = topic && topic.attribute === undefined ? topics.get(topic.id) : undefined;
    if (opened && p.Protocol === 'lambda') add(opened.policy, opened.who, functionOf(p.Endpoint));
  }
  const queues = open('AWS::SQS::QueuePolicy', 'Queues', 'sqs:SendMessage');
  for (const id of idsOf('AWS::Lambda::EventSourceMapping')) {
    const p = resources[id].Properties ?? {};
    const queue = referenceOf(p.EventSourceArn);
    const opened = queue?.attribute === 'Arn' ? queues.get(queue.id) : undefined;
    if (opened) add(opened.policy, opened.who, functionOf(p.FunctionName));
  }
  // Event buses anyone may put events on, and the functions their rules target.
  const openBuses = new Map<string, { policy: string; who: string }>();
  const openBus = (policy: string, bus: Json, document: Json) => {
    const who = openTo(document, 'events:PutEvents');
    if (who !== undefined) openBuses.set(busOf(bus), { policy, who });
  };
  for (const id of idsOf('AWS::Events::EventBusPolicy')) {
    const p = resources[id].Properties ?? {};
    const legacy =
      p.Principal === undefined
        ? undefined
        : { Effect: 'Allow', Principal: { AWS: p.Principal }, Action: p.Action, Condition: p.Condition };
    openBus(id, p.EventBusName, { Statement: [p.Statement ?? legacy].filter((x) => x !== undefined) });
  }
  for (const id of idsOf('AWS::Events::EventBus')) {
    const policy = resources[id].Properties?.Policy;
    if (policy !== undefined) openBus(id, `\${${id}}`, typeof policy === 'string' ? jsonOf(policy) : policy);
  }
  for (const id of idsOf('AWS::Events::Rule')) {
    const p = resources[id].Properties ?? {};
    const opened = openBuses.get(busOf(p.EventBusName));
    if (!opened) continue;
    for (const target of Array.isArray(p.Targets) ? p.Targets : [])
      add(opened.policy, opened.who, functionOf(target?.Arn));
  }
  return out;
}

/** Who outside the account a policy lets perform `action` with no condition on the caller, if anyone. */
function openTo(document: Json, action: string): string | undefined {
  for (const s of parseStatements(document, '', (r) => r)) {
    if (s.effect !== 'Allow' || !holdsAction(s, action) || narrowsCallers(s.condition)) continue;
    const who = list(s.principal === '*' ? '*' : s.principal?.AWS)
      .map(outsiderOf)
      .find((w) => w !== undefined);
    if (who !== undefined) return who;
  }
  return undefined;
}

/** An event bus as a key: the default one, or a bus of the template by logical id, or a name. */
function busOf(value: Json): string {
  const written = value === undefined ? 'default' : scalar(value);
  const ref = referenceOf(value);
  if (ref && ['Arn', 'Name', undefined].includes(ref.attribute)) return ref.id;
  return written.replace(/^arn:.*:event-bus\//, '');
}

/** Who a Lambda permission's principal lets in from outside the account, if anyone. */
function outsider(principal: string): string | undefined {
  const who = outsiderOf(principal);
  if (who !== undefined || principal.includes('${AWS::AccountId}')) return who;
  return /\.amazonaws\.com$/.test(principal) ? `any account's ${principal}` : undefined;
}

/** A policy written as a JSON string; undefined (no statements) where it is not JSON. */
function jsonOf(text: string): Json | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
