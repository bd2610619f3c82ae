import { outsiderOf } from './resource-policies';
import { holdsAction, parseStatements } from './statements';
import { list, scalar } from '../../private/intrinsics';
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
 * service with no source account or ARN (any account's topic or bucket); a topic or queue policy
 * that lets `*` publish or send, in front of a function subscribed to the topic or reading the
 * queue; an event bus that lets `*` or another account put events, in front of a function a rule
 * of the bus targets. A condition on the caller (a source account, ARN or organization) closes it.
 */
export function entrances(resources: Record<string, Json>, idsOf: (type: string) => string[]): Entrance[] {
  const out: Entrance[] = [];
  const functionOf = (value: Json): string | undefined => {
    const written = scalar(value ?? '');
    const id = /^\$\{([^}.]+)(\.Arn)?\}$/.exec(written)?.[1];
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
  // Topics and queues anyone may write to, and the functions behind them.
  const open = (policyType: string, listKey: string, action: string) => {
    const byTarget = new Map<string, string>();
    for (const id of idsOf(policyType)) {
      const statements = parseStatements(resources[id].Properties?.PolicyDocument, id, (r) => r);
      const anyone = statements.some(
        (s) =>
          s.effect === 'Allow' &&
          !s.conditional &&
          holdsAction(s, action) &&
          list(s.principal === '*' ? '*' : s.principal?.AWS).includes('*'),
      );
      if (!anyone) continue;
      for (const target of list(resources[id].Properties?.[listKey])) {
        const ref = /^\$\{([^}.]+)\}$/.exec(target)?.[1];
        if (ref !== undefined) byTarget.set(ref, id);
      }
    }
    return byTarget;
  };
  const topics = open('AWS::SNS::TopicPolicy', 'Topics', 'sns:Publish');
  for (const id of idsOf('AWS::SNS::Subscription')) {
    const p = resources[id].Properties ?? {};
    const topic = /^\$\{([^}.]+)\}$/.exec(scalar(p.TopicArn ?? ''))?.[1];
    const policy = topic === undefined ? undefined : topics.get(topic);
    if (policy !== undefined && p.Protocol === 'lambda') add(policy, '*', functionOf(p.Endpoint));
  }
  const queues = open('AWS::SQS::QueuePolicy', 'Queues', 'sqs:SendMessage');
  for (const id of idsOf('AWS::Lambda::EventSourceMapping')) {
    const p = resources[id].Properties ?? {};
    const queue = /^\$\{([^}.]+)\.Arn\}$/.exec(scalar(p.EventSourceArn ?? ''))?.[1];
    const policy = queue === undefined ? undefined : queues.get(queue);
    if (policy !== undefined) add(policy, '*', functionOf(p.FunctionName));
  }
  // Event buses anyone may put events on, and the functions their rules target.
  const openBuses = new Map<string, { policy: string; who: string }>();
  const openBus = (policy: string, bus: Json, document: Json) => {
    const statements = parseStatements(document, policy, (r) => r);
    for (const st of statements) {
      if (st.effect !== 'Allow' || !holdsAction(st, 'events:PutEvents') || narrowsCallers(st.condition))
        continue;
      for (const principal of list(st.principal === '*' ? '*' : st.principal?.AWS)) {
        const who = outsiderOf(principal);
        if (who !== undefined) openBuses.set(busOf(bus), { policy, who });
      }
    }
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
    if (policy !== undefined)
      openBus(id, `\${${id}}`, typeof policy === 'string' ? JSON.parse(policy) : policy);
  }
  for (const id of idsOf('AWS::Events::Rule')) {
    const p = resources[id].Properties ?? {};
    const open = openBuses.get(busOf(p.EventBusName));
    for (const target of open ? (p.Targets ?? []) : []) add(open!.policy, open!.who, functionOf(target?.Arn));
  }
  return out;
}

/** An event bus as a key: the default one, or a bus of the template by logical id, or a name. */
function busOf(value: Json): string {
  const written = value === undefined ? 'default' : scalar(value);
  const id = /^\$\{([^}.]+)(\.(Arn|Name))?\}$/.exec(written)?.[1];
  return id ?? written.replace(/^arn:.*:event-bus\//, '');
}

/** Who a Lambda permission's principal lets in from outside the account, if anyone. */
function outsider(principal: string): string | undefined {
  const who = outsiderOf(principal);
  if (who !== undefined || principal.includes('${AWS::AccountId}')) return who;
  return /\.amazonaws\.com$/.test(principal) ? `any account's ${principal}` : undefined;
}
