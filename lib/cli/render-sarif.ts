import * as path from 'path';
import { pathToFileURL } from 'url';
import { NagMessageLevel } from 'cdk-nag/lib/nag-rules';
import { MODEL_ACCESS_RULES } from '../nag/rules';
import { Report, StackReport } from './report';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Where a template resource is written: the line of its logical id in the template file. */
export type Locate = (templateFile: string, logicalId: string) => number | undefined;

const RULE_IDS = MODEL_ACCESS_RULES.map((r) => `ModelAccess-${r.id}`);

/**
 * The report as a SARIF 2.1.0 log, for code scanning: one result per finding, with its rule, its
 * level and the template resource it is on; findings the app acknowledged are results with an
 * in-source suppression carrying the reason, so they stay visible as dismissed.
 */
export function renderSarif(
  report: Report,
  version: string,
  locate: Locate = () => undefined,
  root: string = process.cwd(),
): string {
  const artifact = artifactLocation(root);
  const rules = MODEL_ACCESS_RULES.map((r) => ({
    id: `ModelAccess-${r.id}`,
    name: r.id,
    shortDescription: { text: r.info },
    fullDescription: { text: r.explanation },
    help: { text: r.explanation },
    defaultConfiguration: { level: r.level === NagMessageLevel.WARN ? 'warning' : 'error' },
    properties: { mergedIdentity: r.mergedIdentity ?? false },
  }));
  const results = report.stacks.flatMap((stack) => [
    ...stack.findings.map((f) => ({
      ...result(stack, f.rule, f.resource, f.message, locate, artifact),
      level: f.severity === 'warning' ? 'warning' : 'error',
    })),
    ...stack.acknowledged.map((a) => ({
      ...result(stack, a.rule, a.resource, ruleInfo(a.rule), locate, artifact),
      level: 'warning',
      suppressions: [{ kind: 'inSource', status: 'accepted', justification: a.reason }],
    })),
  ]);
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'cdk-model-access',
            version,
            informationUri: 'https://www.npmjs.com/package/cdk-model-access',
            rules,
          },
        },
        // Template files are named relative to where the report ran, as code scanning expects.
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(`${path.resolve(root)}${path.sep}`).href } },
        results,
        properties: { source: report.source, awsManagedPolicyData: report.awsManagedPolicyData },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** `ModelAccess-MergedCapabilities[inference+customization]` is rule `ModelAccess-MergedCapabilities`. */
function baseRule(rule: string): string {
  return rule.replace(/\[.*$/, '');
}

function ruleInfo(rule: string): string {
  return MODEL_ACCESS_RULES.find((r) => `ModelAccess-${r.id}` === baseRule(rule))?.info ?? rule;
}

const SRCROOT = '%SRCROOT%';

/**
 * How a SARIF location names a template file: relative to the directory the report ran in
 * (`uriBaseId` `%SRCROOT%`, each segment percent-encoded), or, outside it, by its `file:` URL.
 */
function artifactLocation(root: string) {
  return (file: string): Json => {
    const absolute = path.resolve(root, file);
    const relative = path.relative(path.resolve(root), absolute);
    if (relative.startsWith('..') || path.isAbsolute(relative)) return { uri: pathToFileURL(absolute).href };
    return { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
  };
}

function result(
  stack: StackReport,
  rule: string,
  logicalId: string,
  message: string,
  locate: Locate,
  artifact: (file: string) => Json,
): Json {
  const ruleId = baseRule(rule);
  const line = stack.templateFile ? locate(stack.templateFile, logicalId) : undefined;
  return {
    ruleId,
    ruleIndex: RULE_IDS.indexOf(ruleId),
    message: { text: `${logicalId}: ${message}` },
    locations: [
      {
        ...(stack.templateFile && {
          physicalLocation: {
            artifactLocation: artifact(stack.templateFile),
            ...(line && { region: { startLine: line } }),
          },
        }),
        logicalLocations: [
          { name: logicalId, fullyQualifiedName: `${stack.name}/${logicalId}`, kind: 'resource' },
        ],
      },
    ],
    // The granular finding (which capabilities merge, which credential), as the pack names it.
    properties: { finding: rule, stack: stack.name },
  };
}

/** The line each logical id of a template's Resources is written on, from the file's text. */
export function resourceLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const all = text.trimEnd().split('\n');
  // A template on one line (minified): every resource is on line 1.
  if (all.length === 1) {
    try {
      for (const id of Object.keys(JSON.parse(text.replace(/^\uFEFF/, '')).Resources ?? {})) lines.set(id, 1);
    } catch {
      // not JSON: no lines
    }
    return lines;
  }
  const start = all.findIndex((l) => /^\s*"Resources"\s*:/.test(l));
  if (start < 0) return lines;
  const indent = /^(\s*)"/.exec(all[start + 1] ?? '')?.[1];
  if (indent === undefined) return lines;
  for (let i = start + 1; i < all.length; i++) {
    const m = new RegExp(`^${indent}"([^"]+)"\\s*:`).exec(all[i]);
    if (m && !lines.has(m[1])) lines.set(m[1], i + 1);
    else if (/^\s*[}\]]/.test(all[i]) && all[i].length - all[i].trimStart().length < indent.length) break;
  }
  return lines;
}
