/**
 * The library's one resolver of CloudFormation intrinsics. Policies of a template are compared
 * without deploying it, so values that cannot be known stay symbols:
 * - `symbolic` spells them `${X}`, `${X.Arn}`, `${AWS::AccountId}`, `${Import:Name}`,
 *   `${StackOutput:Stack/Output}`, with joins
 *   and substitutions written out; an unresolvable `Fn::Split` or `Fn::Select` stays one symbol
 *   that says what it was (`${P split ":"[5]}`), so two different ones never look alike.
 * - `nagName` names a value the way cdk-nag names it in finding ids (`<X.Arn>/*`), which
 *   acknowledgements must match to the letter.
 */

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** How a walk writes what it cannot resolve. */
interface Style {
  readonly text: (s: string) => string;
  readonly ref: (name: string) => string;
  readonly getAtt: (resource: string, attribute: string) => string;
  readonly importValue: (name: Json) => string | string[];
  readonly sub: (arg: Json) => string | string[];
  readonly select: (arg: Json) => string | string[];
  readonly split: (arg: Json) => string | string[];
  /** A weak cross-stack reference (`Fn::GetStackOutput`) to a stack the walk does not have. */
  readonly stackOutput: (arg: Json) => string;
  readonly other: (value: Json) => string;
}

function walk(value: Json, style: Style): string | string[] {
  if (typeof value === 'string') return style.text(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.flatMap((v) => walk(v, style));
  if (value && typeof value === 'object') {
    const [key] = Object.keys(value);
    const arg = value[key];
    switch (key) {
      case 'Ref':
        return style.ref(one(walk(arg, style)));
      case 'Fn::GetAtt': {
        const [resource, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/);
        return style.getAtt(one(walk(resource, style)), one(walk(attribute, style)));
      }
      case 'Fn::ImportValue':
        return style.importValue(arg);
      case 'Fn::Join': {
        const parts = (Array.isArray(arg?.[1]) ? arg[1] : [arg?.[1]]).map((p: Json) => one(walk(p, style)));
        return parts.join(arg?.[0] ?? '');
      }
      case 'Fn::Sub':
        return style.sub(arg);
      case 'Fn::Select':
        return style.select(arg);
      case 'Fn::Split':
        return style.split(arg);
      case 'Fn::GetStackOutput':
        return style.stackOutput(arg);
      default:
        return style.other(value);
    }
  }
  return style.other(value);
}

function one(s: string | string[]): string {
  return Array.isArray(s) ? (s.length === 1 ? s[0] : `\${${s.join(',')}}`) : s;
}

const strip = (s: string) => s.replace(/\$\{|\}/g, '');

const SYMBOLIC: Style = {
  text: (s) => s,
  ref: (name) => `\${${name}}`,
  getAtt: (resource, attribute) => `\${${resource}.${attribute}}`,
  importValue: (name) => `\${Import:${strip(scalar(name))}}`,
  sub: (arg) => {
    const [text, vars] = typeof arg === 'string' ? [arg, {}] : [arg?.[0] ?? '', arg?.[1] ?? {}];
    return String(text).replace(/\$\{([^}!]+)\}/g, (whole, name: string) =>
      name in vars ? scalar(vars[name]) : whole,
    );
  },
  select: (arg) => {
    const items = symbolic(arg?.[1]);
    const index = scalar(arg?.[0]);
    if (Array.isArray(items)) {
      const found = items[Number(index)];
      return Number.isInteger(Number(index)) && found !== undefined
        ? found
        : `\${${strip(items.join(','))}[${index}]}`;
    }
    return `\${${strip(items)}[${index}]}`;
  },
  split: (arg) => {
    const text = scalar(arg?.[1]);
    return text.includes('${') ? `\${${strip(text)} split "${arg?.[0]}"}` : text.split(arg?.[0]);
  },
  stackOutput: (arg) => `\${StackOutput:${strip(scalar(arg?.StackName))}/${strip(scalar(arg?.OutputName))}}`,
  other: () => '${?}',
};

// cdk-nag's flattenCfnReference (cdk-nag/lib/utils/flatten-cfn-reference), case for case.
const NAG: Style = {
  text: (s) => s.replace(/\$\{/g, '<').replace(/\}/g, '>'),
  ref: (name) => `<${name}>`,
  getAtt: (resource, attribute) => `<${resource}.${attribute}>`,
  importValue: (name) => nagName(name),
  sub: (arg) => nagName(arg),
  select: (arg) => JSON.stringify({ 'Fn::Select': arg }),
  split: (arg) => JSON.stringify({ 'Fn::Split': arg }),
  stackOutput: (arg) => JSON.stringify({ 'Fn::GetStackOutput': arg }),
  other: (value) => (value === undefined ? '' : JSON.stringify(value)),
};

/** A value with its intrinsics spelled as `${...}` symbols: a string, or a list where the value is one. */
export function symbolic(value: Json): string | string[] {
  return walk(value, SYMBOLIC);
}

/** One string: a list where one string was expected becomes one symbol. */
export function scalar(value: Json): string {
  return one(symbolic(value));
}

/**
 * The resource a value refers to, when it is a reference alone: `{ Ref: Id }` (`${Id}`) or
 * `{ Fn::GetAtt: [Id, Attr] }` (`${Id.Attr}`), with the attribute; undefined for anything else.
 */
export function referenceOf(value: Json): { id: string; attribute?: string } | undefined {
  const m = /^\$\{([^}.:]+)(?:\.([^}]+))?\}$/.exec(value === undefined ? '' : scalar(value));
  return m ? { id: m[1], attribute: m[2] } : undefined;
}

/** A list of strings (a policy's Action or Resource field). */
export function list(value: Json): string[] {
  if (value === undefined) return [];
  const s = symbolic(value);
  return Array.isArray(s) ? s : [s];
}

/** A value as cdk-nag names it in granular finding ids: `<Bucket.Arn>/*`, `<AWS::Partition>`. */
export function nagName(value: Json): string {
  if (Array.isArray(value)) return JSON.stringify(value);
  return one(walk(value, NAG));
}
