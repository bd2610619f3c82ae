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
      const acknowledged = acknowledgementsIn(input);
      for (const file of files) {
        const template = readTemplate(path.join(input, file));
        stacks.push({
          name: file.replace(/\.template\.json$/, ''),
          template,
          acknowledged: acknowledged
            .map((a) => ({ ...a, logicalId: logicalIdAt(template, a.constructPath) }))
            .filter((a): a is typeof a & { logicalId: string } => a.logicalId !== undefined),
        });
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

/** ModelAccessChecks' acknowledged findings in a cloud assembly's validation report. */
function acknowledgementsIn(dir: string): { rule: string; constructPath: string; reason: string }[] {
  const file = path.join(dir, 'validation-report.json');
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  return (report.pluginReports ?? [])
    .filter((r: Json) => r.pluginName === 'ModelAccess')
    .flatMap((r: Json) => r.suppressedViolations ?? [])
    .flatMap((v: Json) =>
      (v.violatingConstructs ?? []).map((c: Json) => ({
        rule: v.ruleName,
        constructPath: c.constructPath,
        reason: v.reason,
      })),
    );
}

/** The logical id of the resource at a construct path, by the template's `aws:cdk:path` metadata. */
function logicalIdAt(template: Json, constructPath: string): string | undefined {
  return Object.keys(template.Resources).find(
    (id) => template.Resources[id].Metadata?.['aws:cdk:path'] === constructPath,
  );
}
