import { createHash } from 'crypto';
import { Component, TAG_COMPONENT } from '../../capabilities/capability';
import { Duration, Lazy, Names, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeDeadLetterQueue } from '../../private/compliance-findings';
import { differentEnvironments } from '../../private/environments';
import { CapabilityRole } from '../../roles/capability-role';
import { SelfBoundedRole } from '../../roles/self-bounded-role';
import { policyChangePattern, POLICIES_PER_RULE, roleChangePattern, ROLES_PER_RULE } from './alert-patterns';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * An alert rule in `scope` whose pattern is completed at synthesis (after every watch call),
 * publishing to `topic`, with a dead-letter queue in the same scope for what cannot be delivered.
 */
export function alertRule(
  scope: Construct,
  id: string,
  description: string,
  pattern: () => Json,
  topic: sns.ITopic,
  queueKey?: kms.IKey,
): events.Rule {
  const { source, 'detail-type': detailType } = pattern();
  const rule = new events.Rule(scope, id, {
    // Named by the topic, so one pattern finds every rule that alerts to it (AlertRuleChanges).
    ruleName: `${alertRuleNamePrefix(topic)}${hashOf(`${scope.node.path}/${id}`).slice(0, 12)}`,
    description,
    eventPattern: { source, detailType, detail: Lazy.any({ produce: () => pattern().detail }) as Json },
  });
  rule.addTarget(new targets.SnsTopic(topic, { deadLetterQueue: undeliveredAlerts(scope, queueKey) }));
  // Silencing an alert is privilege administration: the pack and the boundaries find it by this tag.
  (rule.node.defaultChild as events.CfnRule).cdkTagManager.setTag(TAG_COMPONENT, Component.ALERT_RULE);
  return rule;
}

/** What the names of the rules that alert to `topic` begin with: 27 characters. */
export function alertRuleNamePrefix(topic: sns.ITopic): string {
  return `model-access-alert-${hashOf(topic.node.path).slice(0, 8)}-`;
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Alerts EventBridge could not deliver to the topic, kept 14 days: an alarm on its depth is the user's. */
function undeliveredAlerts(scope: Construct, key?: kms.IKey): sqs.IQueue {
  const existing = scope.node.tryFindChild('UndeliveredAlerts') as sqs.Queue | undefined;
  if (existing) return existing;
  const queue = new sqs.Queue(scope, 'UndeliveredAlerts', {
    ...(key
      ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key }
      : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledgeDeadLetterQueue(queue);
  return queue;
}

/**
 * Alert rules on changes to roles' policies, boundary, trust and tags, and to their boundaries and
 * model policies, made in one scope: the trail for its own stack's roles, a construct in the
 * role's stack for another stack's, so that every reference to a role stays in its own stack and
 * only the topic is referred to across stacks (by the role's stack, which already depends on the
 * platform's).
 */
export class RoleAlerts {
  /**
   * The role alerts of `owner` (a trail, or an imported one) in the stack of `role`: `own` when it
   * is the owner's stack, otherwise a construct of that stack, made once per owner.
   */
  public static forRole(
    owner: IConstruct,
    role: iam.IRole,
    own: RoleAlerts | undefined,
    topic: sns.ITopic,
    where: string,
  ): RoleAlerts {
    const stack = Stack.of(role);
    if (own && stack === Stack.of(owner)) return own;
    const home = topic.env;
    if (differentEnvironments(stack, home)) {
      throw new Error(
        `${where}: ${role.node.path} is in another environment (${stack.account}/${stack.region}) than the alert topic (${home.account}/${home.region}); EventBridge rules publish to topics of their own account and region. ` +
          'Watch it with a trail of its own environment.',
      );
    }
    const id = `${Names.uniqueId(owner)}RoleAlerts`;
    const existing = stack.node.tryFindChild(id) as AlertsOfStack | undefined;
    return (existing ?? new AlertsOfStack(stack, id, topic)).alerts;
  }

  private readonly lists = new Map<string, string[][]>();

  constructor(
    private readonly scope: Construct,
    private readonly rule: (scope: Construct, id: string, description: string, pattern: () => Json) => void,
  ) {}

  /** Alerts when the role's policies, boundary or trust change; a capability role's boundary and model policies too. */
  public watchRole(role: iam.IRole): void {
    this.watchIn('RoleChanges', role.roleName, ROLES_PER_RULE, roleChangePattern);
    const policies: iam.IManagedPolicy[] = [];
    if (role instanceof iam.Role && role.permissionsBoundary) policies.push(role.permissionsBoundary);
    if (CapabilityRole.isCapabilityRole(role)) policies.push(...role.modelPolicies);
    if (role instanceof SelfBoundedRole) policies.push(role.boundary);
    for (const policy of policies) {
      this.watchIn('PolicyChanges', policy.managedPolicyArn, POLICIES_PER_RULE, policyChangePattern);
    }
  }

  /**
   * Adds `item` to the rules of `kind`, starting a new rule when the last holds `perRule`: an
   * event pattern may hold 2,048 characters.
   */
  private watchIn(kind: string, item: string, perRule: number, pattern: (items: string[]) => Json) {
    const lists = this.lists.get(kind) ?? [];
    this.lists.set(kind, lists);
    if (lists.some((l) => l.includes(item))) return;
    let last = lists[lists.length - 1];
    if (!last || last.length >= perRule) {
      const items: string[] = [];
      const id = lists.length === 0 ? kind : `${kind}${lists.length + 1}`;
      const what =
        kind === 'RoleChanges'
          ? "a model-access role's policies, boundary or trust"
          : 'a model-access boundary or model policy';
      this.rule(this.scope, id, `A change to ${what}`, () => pattern(items));
      lists.push(items);
      last = items;
    }
    last.push(item);
  }
}

/** The alert rules of one trail (or imported trail) in a stack other than its own. */
class AlertsOfStack extends Construct {
  public readonly alerts: RoleAlerts;
  constructor(scope: Construct, id: string, topic: sns.ITopic) {
    super(scope, id);
    this.alerts = new RoleAlerts(this, (s, ruleId, description, pattern) =>
      alertRule(s, ruleId, description, pattern, topic),
    );
  }
}
