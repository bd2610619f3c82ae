import { Capability, Component, DataClass } from '../capability';
import type { ResourceContext } from '../catalog';

/**
 * `value` when it is one of the enum's values, else an error naming where it came from and the
 * values there are: from JavaScript or another jsii language any string arrives where TypeScript
 * takes `Capability`, `DataClass` or `Component`, and a misspelt one would otherwise match nothing.
 */
export function checkedEnum<T extends string>(
  values: Record<string, T>,
  kind: string,
  where: string,
  value: T,
): T {
  const known = Object.values(values);
  if (!known.includes(value)) {
    throw new Error(`${where}: '${String(value)}' is not a ${kind}; use one of ${known.join(', ')}.`);
  }
  return value;
}

/** A capability, checked (see checkedEnum). */
export const checkedCapability = (where: string, value: Capability) =>
  checkedEnum(Capability, 'capability', where, value);

/** A resource context as given, its data classes and components checked (see checkedEnum). */
export function checkedContext(where: string, context: ResourceContext): ResourceContext {
  for (const d of context.dataClasses ?? []) checkedEnum(DataClass, 'data class', `${where} dataClasses`, d);
  for (const c of context.components ?? []) checkedEnum(Component, 'component', `${where} components`, c);
  return context;
}
