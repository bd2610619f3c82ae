import * as fs from 'fs';
import * as path from 'path';
import { StackInput } from './report';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A problem with what the user gave: reported in one line, exit code 2. */
export class UsageError extends Error {}

/**
 * The stacks in a cdk.out directory (its `*.template.json`, with the acknowledgements of its
 * validation report) or in template files.
 */
export function readStacks(inputs: string[]): StackInput[] {
  const stacks: StackInput[] = [];
  for (const input of inputs.length ? inputs : ['cdk.out']) {
    const stat = statOf(input);
    if (stat.isDirectory()) {
      const files = fs
        .readdirSync(input)
        .filter((f) => f.endsWith('.template.json'))
        .sort();
      if (files.length === 0)
        throw new UsageError(
          `${input} holds no *.template.json: run cdk synth first, or name template files.`,
        );
      for (const file of files) {
        const name = file.replace(/\.template\.json$/, '');
        const template = readTemplate(path.join(input, file));
        const metadata = path.join(input, `${name}.metadata.json`);
        const acks = packAcknowledgements(metadata);
        const placed = Object.values<Json>(template.Resources).some((r) => r.Metadata?.['aws:cdk:path']);
        const notes =
          !placed && acks.size > 0
            ? [
                `${path.basename(metadata)} holds acknowledgements, but the template has no aws:cdk:path metadata to place them: its findings are all listed as unacknowledged (synthesize with the cdk CLI, or set the context aws:cdk:enable-path-metadata).`,
              ]
            : [];
        stacks.push({ name, template, acknowledged: placeAcknowledgements(acks, template), notes });
      }
    } else {
      stacks.push({
        name: path.basename(input).replace(/(\.template)?\.json$/, ''),
        template: readTemplate(input),
      });
    }
  }
  return stacks;
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

function readTemplate(file: string): Json {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let template: Json;
  try {
    template = JSON.parse(text);
  } catch {
    throw new UsageError(
      `${file} is not JSON; give a CloudFormation template (JSON) or a cdk.out directory.`,
    );
  }
  if (
    !template ||
    typeof template !== 'object' ||
    typeof template.Resources !== 'object' ||
    !template.Resources
  ) {
    throw new UsageError(`${file} is not a CloudFormation template: it has no Resources.`);
  }
  return template;
}

/**
 * ModelAccessChecks' acknowledgements in a stack's metadata, by construct path: rule id (without
 * the plugin prefix) and reason. Each acknowledge() call is an entry of its own, so a construct may
 * have several.
 */
function packAcknowledgements(metadataFile: string): Map<string, Map<string, string>> {
  const acks = new Map<string, Map<string, string>>();
  if (!fs.existsSync(metadataFile)) return acks;
  const metadata: Record<string, { type: string; data: Json }[]> = JSON.parse(
    fs.readFileSync(metadataFile, 'utf8'),
  );
  for (const [constructPath, entries] of Object.entries(metadata)) {
    for (const e of entries) {
      if (e.type !== 'aws:cdk:acknowledged-rules') continue;
      for (const [id, reason] of Object.entries<string>(e.data)) {
        if (!id.startsWith(PACK_PREFIX)) continue;
        const at = constructPath.replace(/^\//, '');
        acks.set(at, (acks.get(at) ?? new Map()).set(id.slice(PACK_PREFIX.length), reason));
      }
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
