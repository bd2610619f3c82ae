import * as fs from 'fs';
import * as path from 'path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { StackInput } from './report';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A problem with what the user gave: reported in one line, exit code 2. */
export class UsageError extends Error {}

/**
 * The stacks to report on: every stack of a cloud assembly directory (cdk.out), read as the CDK
 * reads it, with the stacks of nested stages and the acknowledgements of their metadata; or
 * template files.
 */
export function readStacks(inputs: string[]): StackInput[] {
  const stacks: StackInput[] = [];
  const seen = new Map<string, string>();
  for (const input of inputs.length ? inputs : ['cdk.out']) {
    // The same file or directory named twice would count each stack twice.
    const real = realPathOf(input);
    const earlier = seen.get(real);
    if (earlier !== undefined) {
      throw new UsageError(`${input} is ${earlier} again: name each cdk.out or template once.`);
    }
    seen.set(real, input);
    if (statOf(input).isDirectory()) {
      stacks.push(...assemblyStacks(input));
    } else {
      stacks.push({
        name: path.basename(input).replace(/(\.template)?\.json$/, ''),
        template: checkTemplate(readJson(input), input),
        templateFile: input,
      });
    }
  }
  // The report judges its inputs as one app, where a stack is known by its name.
  const byName = new Map<string, StackInput>();
  for (const stack of stacks) {
    const other = byName.get(stack.name);
    if (other) {
      throw new UsageError(
        `two stacks are named ${stack.name} (${other.templateFile ?? other.name}, ${stack.templateFile ?? stack.name}): the report judges its inputs as one app, where each stack needs its own name; rename one, or report them apart.`,
      );
    }
    byName.set(stack.name, stack);
  }
  return stacks;
}

/** Every stack of a cloud assembly, stages included, in the assembly's order. */
function assemblyStacks(dir: string): StackInput[] {
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
    throw new UsageError(
      `${dir} is not a cloud assembly (it has no manifest.json): run cdk synth first, or name template files.`,
    );
  }
  let stacks: cxapi.CloudFormationStackArtifact[];
  try {
    stacks = new cxapi.CloudAssembly(dir).stacksRecursively;
  } catch (e) {
    throw new UsageError(
      `cannot read the cloud assembly ${dir}: ${(e as Error).message.split('\n')[0]}; run cdk synth again (with the same aws-cdk-lib), or name template files.`,
    );
  }
  if (stacks.length === 0) throw new UsageError(`the cloud assembly ${dir} holds no stack.`);
  return stacks.flatMap((artifact) => {
    const name = artifact.displayName;
    // The artifact reads its template file on first use: a manifest naming a file that is gone.
    let template: Json;
    try {
      template = artifact.template ?? {};
    } catch (e) {
      throw new UsageError(
        `the cloud assembly ${dir} names ${path.join(dir, artifact.templateFile)} for stack ${name}, which cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message.split('\n')[0]}): run cdk synth again.`,
      );
    }
    const account = artifact.environment.account;
    const where = {
      stackName: artifact.stackName,
      account: account === cxapi.UNKNOWN_ACCOUNT ? undefined : account,
      region: artifact.environment.region === cxapi.UNKNOWN_REGION ? undefined : artifact.environment.region,
    };
    if (Object.keys(template.Resources ?? {}).length === 0) {
      return {
        name,
        ...where,
        template: { Resources: {} },
        empty: true,
        templateFile: path.relative(process.cwd(), artifact.templateFullPath),
      };
    }
    checkTemplate(template, artifact.templateFullPath);
    const acks = packAcknowledgements(artifact.findMetadataByType(ACKNOWLEDGED));
    const placed = Object.values<Json>(template.Resources).some((r) => r.Metadata?.['aws:cdk:path']);
    const notes =
      !placed && acks.size > 0
        ? [
            `${name} has acknowledgements in its metadata, but the template has no aws:cdk:path metadata to place them: its findings are all listed as unacknowledged (synthesize with the cdk CLI, or set the context aws:cdk:enable-path-metadata).`,
          ]
        : [];
    const acknowledged = placeAcknowledgements(acks, template);
    return [
      {
        name,
        ...where,
        template,
        templateFile: path.relative(process.cwd(), artifact.templateFullPath),
        acknowledged,
        notes,
      },
      ...nestedStacks(dir, name, template, acks),
    ];
  });
}

/**
 * The nested stacks of a stack, read from the assembly's `*.nested.template.json` assets that the
 * parent's `AWS::CloudFormation::Stack` resources name (`aws:asset:path`), nested ones included,
 * each named `<parent>/<resource>` and bound to its parent's resource.
 */
function nestedStacks(
  dir: string,
  parent: string,
  template: Json,
  acks: Map<string, Map<string, string>>,
): StackInput[] {
  const out: StackInput[] = [];
  for (const [id, resource] of Object.entries<Json>(template.Resources ?? {})) {
    const asset = resource?.Metadata?.['aws:asset:path'];
    if (resource?.Type !== 'AWS::CloudFormation::Stack' || typeof asset !== 'string') continue;
    const file = path.join(dir, asset);
    if (!fs.existsSync(file)) {
      throw new UsageError(
        `${parent}: the nested stack ${id} names ${file}, which the assembly does not have.`,
      );
    }
    const nested = checkTemplate(readJson(file), file);
    const name = `${parent}/${id}`;
    out.push(
      {
        name,
        template: nested,
        templateFile: path.relative(process.cwd(), file),
        nestedIn: { stack: parent, resource: id },
        acknowledged: placeAcknowledgements(acks, nested),
      },
      ...nestedStacks(dir, name, nested, acks),
    );
  }
  return out;
}

/** The path a file or directory resolves to, links followed, for telling two names of one input apart. */
export function realPathOf(input: string): string {
  try {
    return fs.realpathSync(input);
  } catch {
    return path.resolve(input);
  }
}

function statOf(input: string): fs.Stats {
  try {
    return fs.statSync(input);
  } catch (e) {
    throw new UsageError(
      `cannot read ${input}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

function readJson(file: string): Json {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    // A byte-order mark (some Windows editors write one) is no part of the JSON.
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new UsageError(
      `${file} is not JSON; give a CloudFormation template (JSON) or a cdk.out directory.`,
    );
  }
}

function checkTemplate(template: Json, file: string): Json {
  if (
    !template ||
    typeof template !== 'object' ||
    typeof template.Resources !== 'object' ||
    !template.Resources
  ) {
    throw new UsageError(`${file} is not a CloudFormation template: it has no Resources.`);
  }
  for (const [id, resource] of Object.entries<Json>(template.Resources)) {
    if (!/^[A-Za-z0-9]+$/.test(id)) {
      throw new UsageError(
        `${file}: the logical id "${id}" is not alphanumeric, as CloudFormation requires.`,
      );
    }
    if (typeof resource?.Type !== 'string' || !resource.Type) {
      throw new UsageError(`${file}: the resource ${id} has no Type.`);
    }
  }
  return template;
}

/**
 * ModelAccessChecks' acknowledgements in a stack's metadata entries, by construct path: rule id
 * (without the plugin prefix) and reason. Each acknowledge() call is an entry of its own, so a
 * construct may have several.
 */
function packAcknowledgements(entries: cxapi.MetadataEntryResult[]): Map<string, Map<string, string>> {
  const acks = new Map<string, Map<string, string>>();
  for (const e of entries) {
    for (const [id, reason] of Object.entries<string>((e.data ?? {}) as Record<string, string>)) {
      if (!id.startsWith(PACK_PREFIX)) continue;
      const at = e.path.replace(/^\//, '');
      acks.set(at, (acks.get(at) ?? new Map()).set(id.slice(PACK_PREFIX.length), reason));
    }
  }
  return acks;
}

/**
 * The acknowledged findings by logical id: an acknowledgement at a construct path covers every
 * resource below it, the closest winning (as in synth); the template's `aws:cdk:path` metadata
 * (the cdk CLI writes it) places each resource.
 */
function placeAcknowledgements(
  acks: Map<string, Map<string, string>>,
  template: Json,
): NonNullable<StackInput['acknowledged']> {
  const found: NonNullable<StackInput['acknowledged']> = [];
  for (const [logicalId, resource] of Object.entries<Json>(template.Resources)) {
    const at = resource.Metadata?.['aws:cdk:path'];
    if (typeof at !== 'string') continue;
    const seen = new Set<string>();
    for (let p = at; p; p = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '') {
      for (const [rule, reason] of acks.get(p) ?? []) {
        if (seen.has(rule)) continue;
        seen.add(rule);
        found.push({ rule, logicalId, reason });
      }
    }
  }
  return found;
}

const PACK_PREFIX = 'ModelAccess::';
const ACKNOWLEDGED = 'aws:cdk:acknowledged-rules';
