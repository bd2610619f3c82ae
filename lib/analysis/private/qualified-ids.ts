/**
 * How the analysis of an app names what its stacks define: `<stack name>/<logical id>`, or the
 * logical id alone in an app of one stack (whose name is '').
 */
export function qualifiedId(stackName: string, logicalId: string): string {
  return stackName ? `${stackName}/${logicalId}` : logicalId;
}

/** Text (ids, findings) with one stack's qualified ids written as its logical ids; another stack's keep their name. */
export function unqualifier(stackName: string): (text: string) => string {
  if (!stackName) return (text) => text;
  const own = new RegExp(`(?<![\\w/-])${stackName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`, 'g');
  return (text) => text.replace(own, '');
}
