import { regionProblem } from '../private/regions';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { AccountReadError, readAccount } from './account';
import { readStacks, realPathOf, UsageError } from './inputs';
import { callEndpoint } from './pipeline-client';
import { renderHtml, renderMarkdown } from './render';
import { Locate, renderSarif, resourceLines } from './render-sarif';
import { buildReport, fails, Report } from './report';
import { packageVersion } from './version';

const FORMATS = ['md', 'html', 'json', 'sarif'] as const;
const FAIL_ON = ['merged', 'error', 'never'] as const;

const HELP = `model-access: who can do what with models, by the same analysis as the ModelAccessChecks pack

Usage:
  model-access report [cdk.out | template.json ...] [options]
  model-access audit --region REGION [--profile PROFILE] [--endpoint-url URL] [options]
  model-access request REQUEST_URL FILE [--profile PROFILE] [--region REGION]
  model-access approve APPROVAL_URL REQUEST_ID [--reason TEXT] [--profile PROFILE] [--region REGION]
  model-access reject APPROVAL_URL REQUEST_ID --reason TEXT [--profile PROFILE] [--region REGION]
  model-access help [report | audit | request | approve | reject]
  model-access --version

Commands:
  report   read synthesized templates (a cdk.out directory, by default ./cdk.out, or template files)
  audit    read a live account's IAM roles, users, groups and policies
  request  ask a pipeline to customize or deploy a model, as yourself
  approve  approve someone else's request, as yourself
  reject   reject a request, as yourself

Run 'model-access <command> --help' for a command's options.
`;

const COMMON = `  -f, --format md|html|json|sarif
                               output format (default md); sarif is SARIF 2.1.0 for code scanning
  -o, --out FILE               write the report to FILE instead of standard output
  --fail-on merged|error|never exit 1 on a merged identity (default), on any error finding, or never
  -h, --help                   this help
  -v, --version                the version of cdk-model-access

Exit codes: 0 no failing finding, 1 failing findings (see --fail-on), 2 bad arguments or input.`;

const PIPELINE_OPTIONS = `
Options:
  -p, --profile PROFILE        a profile of the shared AWS config files (default: the environment)
  -r, --region REGION          the pipeline's region (default: read from the function URL)
  -h, --help                   this help

Exit codes: 0 accepted, 1 refused by the pipeline (its reasons on standard error), 2 bad arguments.`;

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
  -r, --region REGION          the region to call IAM in (required)
  -p, --profile PROFILE        a profile of the shared AWS config files (default: the environment)
  --endpoint-url URL           an IAM endpoint of your own (a local emulator, say)
${COMMON}
`,
  request: `Usage: model-access request REQUEST_URL FILE [--profile PROFILE] [--region REGION]

Sends the request in FILE (JSON; - reads standard input) to a pipeline's requestUrl, signed with
your AWS credentials for the URL's IAM auth, with a proof of who you are: a presigned
sts:GetCallerIdentity bound to this request and this pipeline, which the pipeline sends to STS.
Prints the pipeline's answer (the request id); exit 1 when the pipeline refuses.
${PIPELINE_OPTIONS}
`,
  approve: `Usage: model-access approve APPROVAL_URL REQUEST_ID [--reason TEXT] [--profile PROFILE] [--region REGION]

Approves a request at a pipeline's approvalUrl, with a proof of who you are bound to this decision
(see 'model-access request --help'). Nobody may approve their own request; each person counts once.
${PIPELINE_OPTIONS}
  --reason TEXT                why (optional, at most 1000 characters)
`,
  reject: `Usage: model-access reject APPROVAL_URL REQUEST_ID --reason TEXT [--profile PROFILE] [--region REGION]

Rejects a request at a pipeline's approvalUrl, with a proof of who you are bound to this decision.
${PIPELINE_OPTIONS}
  --reason TEXT                why (required, at most 1000 characters)
`,
};

interface Parsed {
  command: string;
  positional: string[];
  flags: Map<string, string>;
  help: boolean;
  version: boolean;
}

const OPTIONS = {
  format: { type: 'string', short: 'f' },
  out: { type: 'string', short: 'o' },
  'fail-on': { type: 'string' },
  region: { type: 'string', short: 'r' },
  profile: { type: 'string', short: 'p' },
  'endpoint-url': { type: 'string' },
  reason: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** The arguments by node:util's parseArgs; its complaints said as this CLI says them. */
function parse(argv: string[]): Parsed {
  const command = argv.find((a) => !a.startsWith('-'));
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    const { code, message } = e as NodeJS.ErrnoException;
    const named = /'(-[^' ,]+)/.exec(message)?.[1] ?? '';
    const long = /--([\w-]+) </.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new UsageError(
        command
          ? `${command} has no option ${named}; see 'model-access ${command} --help'.`
          : `there is no option ${named}; see 'model-access --help'.`,
      );
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
      throw new UsageError(`--${long ?? named} needs a value.`);
    throw new UsageError(message);
  }
  const names = parsed.tokens.flatMap((t) => (t.kind === 'option' ? [t.name] : []));
  const twice = names.find(
    (n, i) => names.indexOf(n) !== i && OPTIONS[n as keyof typeof OPTIONS].type === 'string',
  );
  if (twice) throw new UsageError(`--${twice} is given twice.`);
  const [first, ...positional] = parsed.positionals;
  const flags = new Map(
    Object.entries(parsed.values).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  return {
    command: first ?? 'help',
    positional,
    flags,
    help: parsed.values.help === true,
    version: parsed.values.version === true,
  };
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
    if (args.version) {
      io.stdout(`${packageVersion()}\n`);
      return 0;
    }
    if (args.command === 'help' || (args.help && argv.every((a) => a.startsWith('-')))) {
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
    if (PIPELINE_COMMANDS.includes(args.command)) return await pipelineCommand(args, io);
    const format = choice(args.flags, 'format', FORMATS, 'md');
    const failOn = choice(args.flags, 'fail-on', FAIL_ON, 'merged');
    let report: Report;
    let readFiles: string[] = [];
    if (args.command === 'report') {
      only(args.flags, ['format', 'out', 'fail-on'], 'report');
      const stacks = readStacks(args.positional);
      const inputs = args.positional.length ? args.positional : ['cdk.out'];
      readFiles = [
        ...inputs,
        ...inputs.map((input) => path.join(input, 'manifest.json')),
        ...stacks.flatMap((stack) => (stack.templateFile ? [stack.templateFile] : [])),
      ];
      report = buildReport(args.positional.length ? args.positional.join(', ') : 'cdk.out', stacks);
    } else {
      only(args.flags, ['format', 'out', 'fail-on', 'region', 'profile', 'endpoint-url'], 'audit');
      if (args.positional.length)
        throw new UsageError(`audit takes no arguments, got '${args.positional[0]}'.`);
      const region = args.flags.get('region');
      if (!region) throw new UsageError("audit needs --region; see 'model-access audit --help'.");
      checkRegion(region);
      const endpointUrl = args.flags.get('endpoint-url');
      if (endpointUrl !== undefined && !/^https?:\/\/[^/]/.test(endpointUrl)) {
        throw new UsageError(
          `--endpoint-url ${endpointUrl} is not an http(s) URL; write it with its scheme, like http://localhost:5000.`,
        );
      }
      const stack = await readAccount({
        region,
        profile: args.flags.get('profile'),
        endpointUrl,
        progress: (m) => io.stderr(`${m}\n`),
      });
      report = buildReport(stack.name, [stack]);
    }
    const text =
      format === 'json'
        ? `${JSON.stringify(report, null, 2)}\n`
        : format === 'sarif'
          ? renderSarif(report, packageVersion(), templateLines())
          : format === 'html'
            ? renderHtml(report)
            : renderMarkdown(report);
    const out = args.flags.get('out');
    if (out) {
      // Never over what was read: a report written over its template loses the template.
      const target = realPathOf(out);
      const overwritten = readFiles.find((file) => realPathOf(file) === target);
      if (overwritten !== undefined) {
        throw new UsageError(
          `--out ${out} would write over ${overwritten}, which the report read; write it elsewhere.`,
        );
      }
      writeAtomically(out, text);
    } else io.stdout(text);
    return fails(report, failOn) ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof AccountReadError) {
      io.stderr(`model-access: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

const PIPELINE_COMMANDS = ['request', 'approve', 'reject'];

/** A usage error for a --region that names no AWS region. */
function checkRegion(region: string): void {
  const problem = regionProblem(region);
  if (problem) throw new UsageError(`--region ${problem}.`);
}

/** `request`, `approve` or `reject`: one call to a pipeline endpoint, as the caller. */
async function pipelineCommand(args: Parsed, io: Io): Promise<number> {
  const { command, positional, flags } = args;
  only(flags, command === 'request' ? ['profile', 'region'] : ['profile', 'region', 'reason'], command);
  const [url, subject, ...extra] = positional;
  const what = command === 'request' ? 'FILE' : 'REQUEST_ID';
  if (!url || !subject || extra.length) {
    throw new UsageError(
      `${command} takes the pipeline's URL and a ${what}; see 'model-access ${command} --help'.`,
    );
  }
  const region = flags.get('region');
  if (region !== undefined) checkRegion(region);
  const call = { url, region, profile: flags.get('profile') };
  let answer;
  if (command === 'request') {
    answer = await callEndpoint(call, 'request', readJson(subject));
  } else {
    const reason = flags.get('reason');
    if (command === 'reject' && !reason) throw new UsageError('reject needs --reason: say why.');
    answer = await callEndpoint(call, 'decision', {
      requestId: subject,
      decision: command === 'approve' ? 'approve' : 'reject',
      ...(reason ? { reason } : {}),
    });
  }
  const accepted = answer.status >= 200 && answer.status < 300;
  if (accepted) io.stdout(`${JSON.stringify(answer.body, null, 2)}\n`);
  else {
    const errors = Array.isArray(answer.body.errors) ? answer.body.errors : [JSON.stringify(answer.body)];
    io.stderr(errors.map((e) => `model-access: ${command} refused (${answer.status}): ${e}\n`).join(''));
  }
  return accepted ? 0 : 1;
}

/** A request's JSON from a file, or standard input for `-`. */
function readJson(file: string): object {
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const value = JSON.parse(text.replace(/^\uFEFF/, ''));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value;
  } catch {
    throw new UsageError(
      `${file} is not a JSON object; a request is one, as docs/customization-pipeline.md shows.`,
    );
  }
}

/** Finds a resource's line in its template file, reading each file once. */
function templateLines(): Locate {
  const byFile = new Map<string, Map<string, number>>();
  return (file, logicalId) => {
    let lines = byFile.get(file);
    if (!lines) {
      lines = fs.existsSync(file) ? resourceLines(fs.readFileSync(file, 'utf8')) : new Map();
      byFile.set(file, lines);
    }
    return lines.get(logicalId);
  };
}
