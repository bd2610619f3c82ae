/** IAM wildcards as a regular expression: `*` any run of characters, `?` exactly one. Cached. */
const caseSensitive = new Map<string, RegExp>();
const ignoringCase = new Map<string, RegExp>();

export function globRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const cache = ignoreCase ? ignoringCase : caseSensitive;
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    cache.set(pattern, re);
  }
  return re;
}
