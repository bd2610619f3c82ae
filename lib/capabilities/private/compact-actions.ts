import { actionNames } from './iam-data';

/**
 * The same actions in fewer characters, for a deny (an IAM policy holds 6,144): each run of a
 * service's actions sharing a prefix becomes `service:Prefix*` where every action IAM lists under
 * that prefix is among them. The patterns deny exactly the listed actions today.
 */
export function compactActions(actions: string[]): string[] {
  const denied = new Set(actions.map((a) => a.toLowerCase()));
  const out = new Set<string>();
  for (const action of [...new Set(actions)].sort()) {
    const [service, name] = action.split(':');
    const names = actionNames(service).map((a) => a.toLowerCase());
    let pattern = action;
    // The shortest prefix (at least three letters) all of whose actions are denied.
    for (let n = 3; n < name.length; n++) {
      const prefix = `${service}:${name.slice(0, n)}`.toLowerCase();
      const under = names.filter((a) => a.startsWith(prefix));
      if (under.length > 1 && under.every((a) => denied.has(a))) {
        pattern = `${service}:${name.slice(0, n)}*`;
        break;
      }
    }
    out.add(pattern);
  }
  return [...out];
}
