/**
 * Symbolic resolution of CloudFormation intrinsics: `{ Ref: X }` becomes `${X}`, `GetAtt X.Arn`
 * `${X.Arn}`, joins and substitutions are spelled out, so policies of a template can be compared
 * without deploying it. Values that cannot be known stay as `${...}` symbols.
 */

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export function symbolic(value: Json): string | string[] {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.flatMap((v) => symbolic(v));
  if (value && typeof value === 'object') {
    const [key] = Object.keys(value);
    const arg = value[key];
    switch (key) {
      case 'Ref':
        return `\${${arg}}`;
      case 'Fn::GetAtt':
        return `\${${Array.isArray(arg) ? arg.join('.') : arg}}`;
      case 'Fn::ImportValue':
        return `\${Import:${scalar(arg)}}`;
      case 'Fn::Join': {
        const parts = (Array.isArray(arg[1]) ? arg[1] : [arg[1]]).map((p: Json) => scalar(p));
        return parts.join(arg[0]);
      }
      case 'Fn::Sub': {
        const [text, vars] = typeof arg === 'string' ? [arg, {}] : [arg[0], arg[1] ?? {}];
        return (text as string).replace(/\$\{([^}!]+)\}/g, (whole, name: string) =>
          name in vars ? scalar(vars[name]) : whole,
        );
      }
      case 'Fn::Select': {
        const list = symbolic(arg[1]);
        const index = Number(scalar(arg[0]));
        return Array.isArray(list) && Number.isInteger(index) && list[index] !== undefined
          ? list[index]
          : '${?}';
      }
      case 'Fn::Split': {
        const text = scalar(arg[1]);
        return text.includes('${') ? '${?}' : text.split(arg[0]);
      }
      default:
        return '${?}';
    }
  }
  return '${?}';
}

/** One string: a list resolved where one string was expected becomes an unknown symbol. */
export function scalar(value: Json): string {
  const s = symbolic(value);
  return Array.isArray(s) ? (s.length === 1 ? s[0] : '${?}') : s;
}

/** A list of strings (a policy's Action or Resource field). */
export function list(value: Json): string[] {
  if (value === undefined) return [];
  const s = symbolic(value);
  return Array.isArray(s) ? s : [s];
}

// One partition is as good as another for matching: an account lives in one.
function normalize(arn: string): string {
  return arn.replace(/\$\{AWS::Partition\}/g, 'aws').replace(/^arn:aws-[a-z-]+:/, 'arn:aws:');
}

const globCache = new Map<string, RegExp>();

/** Whether an IAM resource pattern (with `*` and `?`) matches a symbolic ARN. */
export function resourceMatches(pattern: string, arn: string): boolean {
  const p = normalize(pattern);
  let re = globCache.get(p);
  if (!re) {
    re = new RegExp(
      `^${p
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    globCache.set(p, re);
  }
  return re.test(normalize(arn));
}
