import { StackTemplate } from '../stack-template';
import { GENERATED_BY, inlineJson, withIndirectPolicies } from './indirect-policies';
import { qualifiedId } from './qualified-ids';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Pseudo parameters whose values hold no `:` or `/`. */
const SEPARATOR_FREE_PSEUDO = new Set(['AWS::Partition', 'AWS::AccountId', 'AWS::Region', 'AWS::URLSuffix']);
/**
 * The types whose `Arn` ends in their name (IAM's after the kind and path, buckets'), a name that
 * holds no `:` or `/`, which is their `Ref`.
 */
const ARN_OF_NAME: Record<string, 'role' | 'user' | 'group' | 's3' | undefined> = {
  'AWS::IAM::Role': 'role',
  'AWS::IAM::User': 'user',
  'AWS::IAM::Group': 'group',
  'AWS::S3::Bucket': 's3',
};

/** A character a reference's value may hold (`separable`'s references: names, partitions, accounts). */
const NAME_CHARACTER = /[\w+=,.@-]/;

/**
 * Text and references split as `Fn::Split` splits their value, where that is certain: the
 * separator starts and ends with a character no reference's value holds (`:` or `/`), and no
 * occurrence could hold a whole reference (`:` + value + `/` around one). Undefined otherwise,
 * and where nothing is a reference (the resolver splits plain text itself).
 */
function splitTokens(tokens: Json[], separator: string): Json[][] | undefined {
  if (
    !separator ||
    NAME_CHARACTER.test(separator[0]) ||
    NAME_CHARACTER.test(separator[separator.length - 1])
  ) {
    return undefined;
  }
  // Adjacent text as one text, so a separator across two parts of a join is found.
  const merged: Json[] = [];
  for (const t of tokens) {
    if (typeof t === 'string' && typeof merged[merged.length - 1] === 'string')
      merged[merged.length - 1] += t;
    else merged.push(t);
  }
  if (merged.every((t) => typeof t === 'string')) return undefined;
  for (let i = 0; i < merged.length; i++) {
    if (typeof merged[i] === 'string') continue;
    const before = typeof merged[i - 1] === 'string' ? merged[i - 1] : '';
    const after = typeof merged[i + 1] === 'string' ? merged[i + 1] : '';
    for (let p = 1; p < separator.length; p++) {
      for (let q = p + 1; q < separator.length; q++) {
        const middle = separator.slice(p, q);
        if (
          [...middle].every((c) => NAME_CHARACTER.test(c)) &&
          before.endsWith(separator.slice(0, p)) &&
          after.startsWith(separator.slice(q))
        ) {
          return undefined;
        }
      }
    }
  }
  const elements: Json[][] = [[]];
  for (const token of merged) {
    if (typeof token !== 'string') {
      elements[elements.length - 1].push(token);
      continue;
    }
    token.split(separator).forEach((text, i) => {
      if (i > 0) elements.push([]);
      if (text) elements[elements.length - 1].push(text);
    });
  }
  return elements;
}

/** A Systems Manager parameter: its default is the name its value is read from, not the value. */
function fromParameterStore(declared: Json): boolean {
  return String(declared?.Type).startsWith('AWS::SSM::Parameter::');
}

/** Metadata of an app's template whose stacks all fix their account. */
const KNOWN_ACCOUNT = 'model-access:known-account';
// Module-private, and exported below: ts-jest reads an exported const of a module inside the
// module's own functions as undefined.
const NAME_CHOICES_KEY = 'model-access:name-choices';
const BOUNDARY_KEY = 'model-access:boundary-chosen-at-deploy';
/** On a role, user or group whose name is a deploy-time choice: every name it may take. */
export const NAME_CHOICES = NAME_CHOICES_KEY;
/** On a role or user whose permissions boundary is a deploy-time choice: judged without one. */
export const BOUNDARY_CHOSEN_AT_DEPLOY = BOUNDARY_KEY;
const NAME_PROPERTIES: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
};

/** Whether every stack of the app's template fixes its account (so a literal account is another's). */
export function accountKnown(template: Json): boolean {
  return template?.Metadata?.[KNOWN_ACCOUNT] === true;
}

/**
 * The templates of an app as one template: every logical id qualified by its stack's name, and
 * every reference across stacks replaced by what it names there, so one principal is one
 * principal whichever template defines it and whichever attaches policies to it:
 * - `Fn::ImportValue` of an export of another stack, `Fn::GetStackOutput` of another stack's
 *   output (weak references), and `Fn::GetAtt <nested>.Outputs.X` become the output's value;
 * - a nested stack's parameters become what its parent passes; `Fn::Sub` is written as the
 *   `Fn::Join` it stands for, so its references are qualified like any other.
 * What names nothing in the app (an unknown export, a stack outside it) stays as it is.
 *
 * A deploy-time choice is judged for every value it can take, wherever a value is one of a list
 * (a policy's `Action`, `Resource`, `Principal`, a `Roles` list, the statements themselves): a
 * top-level parameter stands for its default and each of its `AllowedValues`, and `Fn::If` for
 * both branches. A statement holding a choice says so in its Sid (`… [Fn::If IsProd]`), and a deny
 * that depends on one counts as conditional: it removes nothing any value might keep. Elsewhere
 * (a role's name) a parameter stands for its default, or its one allowed value.
 */
export function appTemplate(given: readonly StackTemplate[]): Json {
  const stacks = withStackSets(given);
  const byName = new Map(stacks.map((s) => [s.name, s]));
  if (byName.size < stacks.length) {
    const twice = stacks.find((s, i) => stacks.findIndex((o) => o.name === s.name) !== i)!.name;
    throw new Error(
      `AccessAnalysis.fromApp: two stacks are named "${twice}"; each stack of an app needs its own name, which qualifies its logical ids.`,
    );
  }
  const exports = new Map<string, { stack: StackTemplate; value: Json }>();
  for (const stack of stacks) {
    for (const output of Object.values<Json>(stack.template?.Outputs ?? {})) {
      const name = output?.Export?.Name;
      if (typeof name === 'string') exports.set(name, { stack, value: output.Value });
    }
  }
  const nestedBy = new Map<string, StackTemplate>();
  for (const s of stacks) if (s.nestedIn) nestedBy.set(`${s.nestedIn.stack}|${s.nestedIn.resource}`, s);
  const qualify = (stack: StackTemplate, id: string) => qualifiedId(stack.name, id);
  // The references being followed: one that leads back to itself (a cycle) names nothing.
  const active = new Set<string>();
  const follow = (key: string, stack: StackTemplate, value: Json): Json => {
    if (active.has(key)) return undefined;
    active.add(key);
    try {
      return rewrite(stack, value);
    } finally {
      active.delete(key);
    }
  };

  const outputValue = (stack: StackTemplate, output: string): Json => {
    const value = stack.template?.Outputs?.[output]?.Value;
    return value === undefined ? undefined : follow(`${stack.name}|output|${output}`, stack, value);
  };

  const parameterValue = (stack: StackTemplate, parameter: string): Json => {
    if (!stack.nestedIn) return undefined;
    const parent = byName.get(stack.nestedIn.stack);
    const passed =
      parent?.template?.Resources?.[stack.nestedIn.resource]?.Properties?.Parameters?.[parameter];
    if (!parent || passed === undefined) return undefined;
    return follow(`${stack.name}|parameter|${parameter}`, parent, passed);
  };

  const stackOutput = (arg: Json): Json => {
    const name = arg?.StackName;
    const region = arg?.Region;
    const target = stacks.find(
      (s) =>
        s.stackName !== undefined &&
        s.stackName === name &&
        (typeof region !== 'string' || s.region === undefined || s.region === region),
    );
    return target && typeof arg?.OutputName === 'string' ? outputValue(target, arg.OutputName) : undefined;
  };

  /** The values a parameter of the template may take: its default and allowed values. */
  const parameterChoices = (stack: StackTemplate, parameter: string): Json[] => {
    const declared = stack.template?.Parameters?.[parameter] ?? {};
    if (fromParameterStore(declared)) return [];
    const values = [
      declared.Default,
      ...(Array.isArray(declared.AllowedValues) ? declared.AllowedValues : []),
    ];
    return [...new Set(values.filter((v) => v !== undefined && v !== null).map(String))];
  };

  const rewriteArguments = (stack: AppStack, arg: Json): Json =>
    Array.isArray(arg) ? arg.map((a) => rewriteArguments(stack, a)) : rewrite(stack, arg);

  /** The parameters of several values an intrinsic names (by `Ref` or in `Fn::Sub` text). */
  const choiceParameters = (stack: StackTemplate, value: Json): string[] => {
    if (stack.nestedIn) return [];
    const found = new Set<string>();
    const walk = (v: Json) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        if (typeof v.Ref === 'string') found.add(v.Ref);
        const sub = v['Fn::Sub'];
        const text = Array.isArray(sub) ? sub[0] : sub;
        if (typeof text === 'string') for (const [, n] of text.matchAll(/\$\{([^}.!]+)\}/g)) found.add(n);
        Object.values(v).forEach(walk);
      }
    };
    walk(value);
    return [...found].filter((p) => !stack.template?.Resources?.[p] && parameterChoices(stack, p).length > 1);
  };

  /** The value with a parameter replaced by one of its values (as `Ref` and in `Fn::Sub` text). */
  const bind = (value: Json, parameter: string, choice: string): Json => {
    if (Array.isArray(value)) return value.map((v) => bind(v, parameter, choice));
    if (typeof value === 'string') return value;
    if (!value || typeof value !== 'object') return value;
    if (value.Ref === parameter && Object.keys(value).length === 1) return choice;
    if ('Fn::Sub' in value && Object.keys(value).length === 1) {
      const sub = value['Fn::Sub'];
      const text = Array.isArray(sub) ? sub[0] : sub;
      const replaced = typeof text === 'string' ? text.split(`\${${parameter}}`).join(choice) : text;
      return { 'Fn::Sub': Array.isArray(sub) ? [replaced, bind(sub[1], parameter, choice)] : replaced };
    }
    return Object.fromEntries(Object.entries<Json>(value).map(([k, v]) => [k, bind(v, parameter, choice)]));
  };

  /** The values one element of a list may be: several where it is a deploy-time choice. */
  const alternatives = (stack: StackTemplate, value: Json): Json[] => {
    // An intrinsic built on a parameter of several values (a Join, a Sub): one value per choice.
    if (
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      !('Ref' in value) &&
      !('Fn::If' in value)
    ) {
      const [parameter] = choiceParameters(stack, value);
      if (parameter !== undefined && Object.keys(value).some((k) => k.startsWith('Fn::'))) {
        return parameterChoices(stack, parameter).flatMap((c) =>
          alternatives(stack, bind(value, parameter, c)),
        );
      }
    }
    const ifArg = value?.['Fn::If'];
    if (value && typeof value === 'object' && Object.keys(value).length === 1 && Array.isArray(ifArg)) {
      const [condition, yes, no] = ifArg;
      return [...branch(stack, yes, `Fn::If ${condition}`), ...branch(stack, no, `Fn::If !${condition}`)];
    }
    const ref = value?.Ref;
    if (value && typeof value === 'object' && Object.keys(value).length === 1 && typeof ref === 'string') {
      const declared = stack.template?.Parameters?.[ref];
      if (declared !== undefined && !stack.template?.Resources?.[ref] && !stack.nestedIn) {
        const choices = parameterChoices(stack, ref);
        if (choices.length > 0) return choices;
      }
    }
    return [rewrite(stack, value)];
  };

  /** One branch of an `Fn::If` in a list: nothing for `AWS::NoValue`; a statement marked with the choice. */
  const branch = (stack: StackTemplate, value: Json, choice: string): Json[] => {
    if (value?.Ref === 'AWS::NoValue') return [];
    return alternatives(stack, value).map((v) => (isStatement(v) ? chosen(v, choice) : v));
  };

  const rewrite = (stack: AppStack, value: Json): Json => {
    if (Array.isArray(value)) return value.flatMap((v) => alternatives(stack, v));
    if (typeof value === 'string') return ownAccount(stack, value);
    if (!value || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (isStatement(value)) {
      const choices = choicesIn(stack, value);
      const out: Json = {};
      for (const k of keys) out[k] = LISTED.has(k) ? listed(stack, value[k]) : rewrite(stack, value[k]);
      return choices.length ? chosen(out, choices.join(', ')) : out;
    }
    if (keys.length === 1) {
      const [key] = keys;
      const arg = value[key];
      const resources = stack.template?.Resources ?? {};
      switch (key) {
        case 'Ref':
          if (typeof arg !== 'string' || arg.startsWith('AWS::')) return value;
          if (resources[arg] === undefined && stack.template?.Parameters?.[arg] !== undefined) {
            const choices = stack.nestedIn ? [] : parameterChoices(stack, arg);
            const declared = stack.template.Parameters[arg];
            const one =
              declared.Default !== undefined && !fromParameterStore(declared)
                ? String(declared.Default)
                : choices.length === 1
                  ? choices[0]
                  : undefined;
            return parameterValue(stack, arg) ?? one ?? { Ref: qualify(stack, arg) };
          }
          return { Ref: qualify(stack, arg) };
        case 'Fn::If': {
          // Outside a list, a branch that leaves the property out counts as the other.
          const [condition, yes, no] = Array.isArray(arg) ? arg : [];
          if (no?.Ref === 'AWS::NoValue') return rewrite(stack, yes);
          if (yes?.Ref === 'AWS::NoValue') return rewrite(stack, no);
          return { 'Fn::If': [condition, rewrite(stack, yes), rewrite(stack, no)] };
        }
        case 'Fn::GetAtt': {
          const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/);
          if (typeof id !== 'string') return value;
          const nested = nestedBy.get(`${stack.name}|${id}`);
          const output = /^Outputs\.(.+)$/.exec(String(attribute))?.[1];
          if (nested && output !== undefined) {
            const found = outputValue(nested, output);
            if (found !== undefined) return found;
          }
          return { 'Fn::GetAtt': [qualify(stack, id), rewrite(stack, attribute)] };
        }
        case 'Fn::Sub':
          return rewrite(stack, subAsJoin(arg));
        case 'Fn::ImportValue': {
          const name = typeof arg === 'string' ? arg : undefined;
          const found = name === undefined ? undefined : exports.get(name);
          if (found && found.stack !== stack) {
            const resolved = follow(`${found.stack.name}|export|${name}`, found.stack, found.value);
            if (resolved !== undefined) return resolved;
          }
          return { 'Fn::ImportValue': rewrite(stack, arg) };
        }
        case 'Fn::GetStackOutput':
          return stackOutput(arg) ?? value;
        case 'Fn::Select': {
          const rewritten = rewriteArguments(stack, arg);
          return selectFromArn(rewritten) ?? { [key]: rewritten };
        }
        default:
          // An intrinsic's arguments are one value each, never a list of choices.
          if (key.startsWith('Fn::')) return { [key]: rewriteArguments(stack, arg) };
          break;
      }
    }
    return Object.fromEntries(keys.map((k) => [k, rewrite(stack, value[k])]));
  };

  /** The deploy-time choices a statement holds: `Fn::If` conditions, parameters of several values. */
  const choicesIn = (stack: StackTemplate, value: Json): string[] => {
    const found = new Set<string>();
    const walk = (v: Json) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        if (Array.isArray(v['Fn::If'])) found.add(`Fn::If ${v['Fn::If'][0]}`);
        const ref = v.Ref;
        if (typeof ref === 'string' && !stack.nestedIn && parameterChoices(stack, ref).length > 1) {
          found.add(`parameter ${ref}`);
        }
        Object.values(v).forEach(walk);
      }
    };
    walk(value);
    return [...found];
  };

  /** A statement field that is a list (a single value is a list of one): every alternative counts. */
  const listed = (stack: StackTemplate, value: Json): Json =>
    Array.isArray(value)
      ? rewrite(stack, value)
      : value && typeof value === 'object' && !Array.isArray(value) && !isIntrinsic(value)
        ? Object.fromEntries(Object.entries<Json>(value).map(([k, v]) => [k, listed(stack, v)]))
        : ((alts) => (alts.length === 1 ? alts[0] : alts))(alternatives(stack, value));

  /**
   * A value as text and the references in it, where those references can hold no separator an
   * ARN is split by (a partition, an account, the name of a role, user, group or bucket), so it
   * can be split as CloudFormation would split its value: `Fn::GetAtt Role.Arn` is
   * `arn:${AWS::Partition}:iam::${AWS::AccountId}:role<path>${Role}`. Undefined for anything else.
   */
  const separable = (value: Json): Json[] | undefined => {
    if (typeof value === 'string') return [value];
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const ref = value.Ref;
    if (Object.keys(value).length === 1 && typeof ref === 'string') {
      return SEPARATOR_FREE_PSEUDO.has(ref) || ARN_OF_NAME[original.get(ref)?.Type] !== undefined
        ? [value]
        : undefined;
    }
    const join = value['Fn::Join'];
    if (Array.isArray(join) && join[0] === '' && Array.isArray(join[1])) {
      const parts = join[1].map(separable);
      return parts.every((p: Json[] | undefined) => p !== undefined) ? parts.flat() : undefined;
    }
    const [id, attribute] = Array.isArray(value['Fn::GetAtt']) ? value['Fn::GetAtt'] : [];
    const kind = ARN_OF_NAME[original.get(id)?.Type];
    if (attribute !== 'Arn' || !kind) return undefined;
    if (kind === 's3') return ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: id }];
    const path = original.get(id)?.Properties?.Path ?? '/';
    if (typeof path !== 'string') return undefined;
    return [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':iam::',
      { Ref: 'AWS::AccountId' },
      `:${kind}${path}`,
      { Ref: id },
    ];
  };

  /**
   * `Fn::Select` of an `Fn::Split` of a value `separable` reads (as `Role.fromRoleArn` writes a
   * role's name from its ARN in another stack): the element, so the name is the role's own `Ref`.
   */
  const selectFromArn = (arg: Json): Json | undefined => {
    const [index, from] = Array.isArray(arg) ? arg : [];
    const [separator, source] = Array.isArray(from?.['Fn::Split']) ? from['Fn::Split'] : [];
    const tokens = separable(source);
    const elements = typeof separator === 'string' && tokens ? splitTokens(tokens, separator) : undefined;
    const element = elements && Number.isInteger(Number(index)) ? elements[Number(index)] : undefined;
    if (element === undefined) return undefined;
    return element.length === 0 ? '' : element.length === 1 ? element[0] : { 'Fn::Join': ['', element] };
  };

  /** Every resource of the app as its template writes it, by qualified id. */
  const original = new Map<string, Json>(
    stacks.flatMap((stack) =>
      Object.entries<Json>(stack.template?.Resources ?? {}).map(([id, r]) => [qualify(stack, id), r]),
    ),
  );

  const resources: Record<string, Json> = {};
  const outputs: Record<string, Json> = {};
  const parameters: Record<string, Json> = {};
  for (const stack of stacks) {
    for (const [id, resource] of Object.entries<Json>(stack.template?.Resources ?? {})) {
      const rewritten = rewrite(stack, resource);
      const metadata: Json = { ...(rewritten.Metadata ?? {}) };
      if (stack.generatedBy) metadata[GENERATED_BY] = stack.generatedBy;
      // A principal's name or boundary chosen at deploy time: every name it may take, and no
      // boundary it may do without (the deployer may choose the widest).
      const nameProperty = NAME_PROPERTIES[resource?.Type];
      const name = nameProperty ? resource.Properties?.[nameProperty] : undefined;
      const names = name === undefined ? [] : alternatives(stack, name).filter((n) => typeof n === 'string');
      if (names.length > 1) metadata[NAME_CHOICES_KEY] = names;
      const boundary = nameProperty ? resource.Properties?.PermissionsBoundary : undefined;
      if (boundary !== undefined && choiceParameters(stack, boundary).length > 0) {
        metadata[BOUNDARY_KEY] = true;
      }
      resources[qualify(stack, id)] = Object.keys(metadata).length
        ? { ...rewritten, Metadata: metadata }
        : rewritten;
    }
    for (const [id, output] of Object.entries<Json>(stack.template?.Outputs ?? {})) {
      outputs[qualify(stack, id)] = rewrite(stack, output);
    }
    for (const [id, parameter] of Object.entries<Json>(stack.template?.Parameters ?? {})) {
      parameters[qualify(stack, id)] = parameter;
    }
  }
  // Where every stack fixes its account, a literal account is never the deploying one.
  const metadata: Record<string, boolean> = {};
  if (stacks.every((s) => s.account !== undefined)) metadata[KNOWN_ACCOUNT] = true;
  return {
    Resources: withIndirectPolicies(resources),
    Outputs: outputs,
    Parameters: parameters,
    Metadata: metadata,
  };
}

/**
 * A string with the stack's literal accounts written as the analysis compares them, where the
 * stack fixes its account: its own as `${AWS::AccountId}`, any other as `${Account:<number>}`, an
 * account that is never the deploying one. Alone (a trust policy's principal) or in an ARN's
 * account segment.
 */
function ownAccount(stack: StackTemplate, text: string): string {
  const own = stack.account;
  if (!own || !/\d{12}/.test(text)) return text;
  const as = (account: string) => (account === own ? '${AWS::AccountId}' : `\${Account:${account}}`);
  if (/^\d{12}$/.test(text)) return as(text);
  return text.replace(
    /^(arn:[^:]*:[^:]*:[^:]*:)(\d{12})(?=:|$)/,
    (_, head: string, account: string) => head + as(account),
  );
}

/** A stack of the app, or the inline template of a StackSet of one (`generatedBy` the StackSet). */
interface AppStack extends StackTemplate {
  readonly generatedBy?: string;
}

/**
 * The stacks, with the inline JSON template of each StackSet as a stack of its own (named
 * `<stack>/<StackSet>`), its parameters bound to the values the StackSet gives them.
 */
function withStackSets(stacks: readonly StackTemplate[]): AppStack[] {
  const out: AppStack[] = [...stacks];
  for (const stack of stacks) {
    for (const [id, r] of Object.entries<Json>(stack.template?.Resources ?? {})) {
      if (r?.Type !== 'AWS::CloudFormation::StackSet') continue;
      const body =
        typeof r.Properties?.TemplateBody === 'string' ? inlineJson(r.Properties.TemplateBody) : undefined;
      if (!body) continue;
      const parameters: Record<string, Json> = { ...(body.Parameters ?? {}) };
      for (const p of Array.isArray(r.Properties.Parameters) ? r.Properties.Parameters : []) {
        if (typeof p?.ParameterKey !== 'string' || parameters[p.ParameterKey] === undefined) continue;
        parameters[p.ParameterKey] = {
          ...parameters[p.ParameterKey],
          Default: p.ParameterValue,
          AllowedValues: undefined,
        };
      }
      const name = qualifiedId(stack.name, id);
      out.push({ name, template: { ...body, Parameters: parameters }, generatedBy: name });
    }
  }
  return out;
}

// The fields of a policy statement whose value is a list, as IAM reads them.
const LISTED = new Set(['Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal']);

function isIntrinsic(value: Json): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

/** A policy statement: an object with an `Effect`. */
function isStatement(value: Json): boolean {
  return !!value && typeof value === 'object' && !Array.isArray(value) && 'Effect' in value;
}

/**
 * A statement that holds only for some deploy-time choices: its Sid names them, and a deny among
 * them carries a condition, so it never removes what another choice would keep.
 */
function chosen(statement: Json, choice: string): Json {
  const sid = typeof statement.Sid === 'string' && statement.Sid ? `${statement.Sid} ` : '';
  const out = { ...statement, Sid: `${sid}[${choice}]` };
  if (statement.Effect === 'Deny') {
    out.Condition = { ...(statement.Condition ?? {}), Null: { 'model-access:deploy-time-choice': 'false' } };
  }
  return out;
}

/**
 * `Fn::Sub` as the `Fn::Join` it stands for: `${X}` a `Ref`, `${X.Attr}` a `Fn::GetAtt`, a variable
 * its value, `${!Text}` the literal `${Text}`.
 */
export function subAsJoin(arg: Json): Json {
  const [text, variables] = typeof arg === 'string' ? [arg, {}] : [arg?.[0], arg?.[1] ?? {}];
  if (typeof text !== 'string') return { 'Fn::Sub': arg };
  const parts: Json[] = [];
  let last = 0;
  for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
    const [whole, name] = match;
    parts.push(text.slice(last, match.index));
    last = match.index! + whole.length;
    if (name.startsWith('!')) parts.push(`\${${name.slice(1)}}`);
    else if (variables && name in variables) parts.push(variables[name]);
    else if (name.includes('.') && !name.startsWith('AWS::')) {
      const [id, attribute] = name.split(/\.(.*)/);
      parts.push({ 'Fn::GetAtt': [id, attribute] });
    } else parts.push({ Ref: name });
  }
  parts.push(text.slice(last));
  const kept = parts.filter((p) => p !== '');
  return kept.length === 1 && typeof kept[0] === 'string' ? kept[0] : { 'Fn::Join': ['', kept] };
}
