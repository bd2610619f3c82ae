/** IAM wildcards as a regular expression: `*` any run of characters, `?` exactly one. Cached. */
const cache = new Map<string, RegExp>();

export function globRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = cache.get(key);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    cache.set(key, re);
  }
  return re;
}
