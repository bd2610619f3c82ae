import * as fs from 'fs';
import * as path from 'path';
import { AccountReadError, readAccount } from './account';
import { readStacks, UsageError } from './inputs';
import { renderHtml, renderMarkdown } from './render';
import { buildReport, fails, Report } from './report';

const FORMATS = ['md', 'html', 'json'] as const;
const FAIL_ON = ['merged', 'error', 'never'] as const;

const HELP = `model-access: who can do what with models, by the same analysis as the ModelAccessChecks pack

Usage:
  model-access report [cdk.out | template.json ...] [options]
  model-access audit --region REGION [--profile PROFILE] [--endpoint-url URL] [options]
  model-access help [report | audit]

Commands:
  report   read synthesized templates (a cdk.out directory, by default ./cdk.out, or template files)
  audit    read a live account's IAM roles, users, groups and policies

Run 'model-access <command> --help' for a command's options.
`;

const COMMON = `  --format md|html|json        output format (default md)
  --out FILE                   write the report to FILE instead of standard output
  --fail-on merged|error|never exit 1 on a merged identity (default), on any error finding, or never
  -h, --help                   this help

Exit codes: 0 no failing finding, 1 failing findings (see --fail-on), 2 bad arguments or input.`;

const COMMAND_HELP: Record<string, string> = {
  report: `Usage: model-access report [cdk.out | template.json ...] [options]

Reports, per stack: principals x capabilities with the evidence for each cell, who can assume
what (chains included), who can read or write each registry data class, ModelAccessChecks'
findings, and the findings the app acknowledged (from cdk.out/validation-report.json).

Options:
${COMMON}
`,
  audit: `Usage: model-access audit --region REGION [--profile PROFILE] [--endpoint-url URL] [options]

Reads the account's roles, users, groups and customer-managed policies with
iam:GetAccountAuthorizationDetails (every page), the default versions of managed policies
(iam:GetPolicyVersion), the session length of capability roles (iam:GetRole) and the data-class
tags of the buckets the policies name (s3:GetBucketTagging) and whether the region logs Bedrock
model invocations (bedrock:GetModelInvocationLoggingConfiguration), and prints the same report.
Bucket configuration and trails are not read, so only the principals' findings are judged.

Options:
  --region REGION              the region to call IAM in (required)
  --profile PROFILE            a profile of the shared AWS config files (default: the environment)
  --endpoint-url URL           an IAM endpoint of your own (a local emulator, say)
${COMMON}
`,
};

interface Parsed {
  command: string;
  positional: string[];
  flags: Map<string, string>;
  help: boolean;
}

function parse(argv: string[]): Parsed {
  const [command, ...rest] = argv;
  const parsed: Parsed = { command: command ?? 'help', positional: [], flags: new Map(), help: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '-h' || arg === '--help') {
      parsed.help = true;
    } else if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
      const value = inline ?? rest[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value.`);
      if (parsed.flags.has(name)) throw new UsageError(`--${name} is given twice.`);
      parsed.flags.set(name, value);
    } else {
      parsed.positional.push(arg);
    }
  }
  return parsed;
}

function choice<T extends string>(
  flags: Map<string, string>,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = flags.get(name) ?? fallback;
  if (!allowed.includes(value as T))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got '${value}'.`);
  return value as T;
}

function only(flags: Map<string, string>, allowed: string[], command: string) {
  const unknown = [...flags.keys()].find((f) => !allowed.includes(f));
  if (unknown)
    throw new UsageError(`${command} has no option --${unknown}; see 'model-access ${command} --help'.`);
}

/** Writes the whole file or none of it. */
function writeAtomically(file: string, text: string) {
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new UsageError(
      `cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const PROCESS_IO: Io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], io: Io = PROCESS_IO): Promise<number> {
  try {
    const args = parse(argv);
    if (args.command === 'help' || args.command === '--help' || args.command === '-h') {
      const topic = args.positional[0];
      io.stdout(topic && COMMAND_HELP[topic] ? COMMAND_HELP[topic] : HELP);
      return 0;
    }
    if (!COMMAND_HELP[args.command])
      throw new UsageError(`unknown command '${args.command}'; see 'model-access --help'.`);
    if (args.help) {
      io.stdout(COMMAND_HELP[args.command]);
      return 0;
    }
    const format = choice(args.flags, 'format', FORMATS, 'md');
    const failOn = choice(args.flags, 'fail-on', FAIL_ON, 'merged');
    let report: Report;
    if (args.command === 'report') {
      only(args.flags, ['format', 'out', 'fail-on'], 'report');
      const stacks = readStacks(args.positional);
      report = buildReport(args.positional.length ? args.positional.join(', ') : 'cdk.out', stacks);
    } else {
      only(args.flags, ['format', 'out', 'fail-on', 'region', 'profile', 'endpoint-url'], 'audit');
      if (args.positional.length)
        throw new UsageError(`audit takes no arguments, got '${args.positional[0]}'.`);
      const region = args.flags.get('region');
      if (!region) throw new UsageError("audit needs --region; see 'model-access audit --help'.");
      const stack = await readAccount({
        region,
        profile: args.flags.get('profile'),
        endpointUrl: args.flags.get('endpoint-url'),
        progress: (m) => io.stderr(`${m}\n`),
      });
      report = buildReport(stack.name, [stack]);
    }
    const text =
      format === 'json'
        ? `${JSON.stringify(report, null, 2)}\n`
        : format === 'html'
          ? renderHtml(report)
          : renderMarkdown(report);
    const out = args.flags.get('out');
    if (out) writeAtomically(out, text);
    else io.stdout(text);
    return fails(report, failOn) ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof AccountReadError) {
      io.stderr(`model-access: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
