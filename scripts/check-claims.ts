/**
 * `npm run check-claims`: every security claim the docs make names the test that proves it, and
 * that test ran and passed in the last full `npm test` (which writes `.test-results/jest.json`).
 *
 * A claims region starts at a `<!-- claims -->` line and ends at `<!-- /claims -->` or the next
 * heading. In it, each table row (but the header) and each list item is one claim, and each
 * sentence of a paragraph is one; each carries at least one proof marker after its text:
 * `<!-- proof: test/nag/rules.test.ts "ModelAccess-WorldAssumableRole flags its non-compliant fixture" -->`,
 * naming a test file and a test by its full name (describe blocks and title) or its title. The
 * check fails on a claim with no proof, and on a proof whose test does not exist, did not run or
 * did not pass (skipped, todo, failed).
 */
import * as fs from 'fs';
import * as path from 'path';

/** A test a proof names. */
export interface Proof {
  readonly file: string;
  readonly name: string;
}

/** One claim: where it is, its text (markers removed), and the proofs it carries. */
export interface Claim {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly proofs: Proof[];
}

/** What the test run says of each test file: its tests' full names, titles and statuses. */
export type TestResults = Map<string, { fullName: string; title: string; status: string }[]>;

const PROOF = /<!--\s*proof:\s*(\S+)\s+"((?:[^"\\]|\\.)*)"\s*-->/g;
const START = /^\s*<!--\s*claims\s*-->\s*$/;
const END = /^\s*<!--\s*\/claims\s*-->\s*$/;
const HEADING = /^#{1,6}\s/;
const LIST_ITEM = /^\s*(?:[-*+]|\d+[.)])\s+/;
const TABLE_ROW = /^\s*\|/;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

const proofsIn = (text: string): Proof[] =>
  [...text.matchAll(PROOF)].map(([, file, name]) => ({ file, name: name.replace(/\\"/g, '"') }));
const withoutMarkers = (text: string) => text.replace(PROOF, '').replace(/\s+/g, ' ').trim();

/** Sentences of a paragraph, each with the proofs that follow it before the next sentence starts. */
function sentences(text: string, file: string, line: number): Claim[] {
  const claims: Claim[] = [];
  // The text between markers: its last sentence is proved by the marker after it.
  let last = 0;
  const pieces: { text: string; proofs: Proof[] }[] = [];
  for (const match of text.matchAll(PROOF)) {
    pieces.push({ text: text.slice(last, match.index), proofs: proofsIn(match[0]) });
    last = match.index! + match[0].length;
  }
  pieces.push({ text: text.slice(last), proofs: [] });
  for (const piece of pieces) {
    const parts = piece.text
      .split(/(?<=[.!?])\s+(?=[A-Z`*_([])/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (parts.length === 0 && piece.proofs.length && claims.length) {
      // A second marker after the first proves the same sentence.
      claims[claims.length - 1].proofs.push(...piece.proofs);
      continue;
    }
    parts.forEach((s, i) =>
      claims.push({ file, line, text: s, proofs: i === parts.length - 1 ? [...piece.proofs] : [] }),
    );
  }
  return claims;
}

/** The claims of one Markdown file. */
export function claimsOf(markdown: string, file: string): Claim[] {
  const lines = markdown.split('\n');
  const claims: Claim[] = [];
  let inRegion = false;
  let inCode = false;
  // The unit being read: a list item or a paragraph, with the line it starts on.
  let unit: { kind: 'item' | 'paragraph'; line: number; text: string } | undefined;
  const flush = () => {
    if (!unit) return;
    if (unit.kind === 'item') {
      claims.push({ file, line: unit.line, text: withoutMarkers(unit.text), proofs: proofsIn(unit.text) });
    } else {
      claims.push(...sentences(unit.text, file, unit.line));
    }
    unit = undefined;
  };
  lines.forEach((text, i) => {
    const line = i + 1;
    if (/^\s*```/.test(text)) {
      inCode = !inCode;
      flush();
      return;
    }
    if (inCode) return;
    if (START.test(text)) {
      flush();
      inRegion = true;
      return;
    }
    if (END.test(text) || HEADING.test(text)) {
      flush();
      inRegion = false;
      return;
    }
    if (!inRegion) return;
    // A blank line ends a claim; so does a comment line that is not a proof (`<!-- rules:end -->`).
    if (text.trim() === '' || (/^\s*<!--.*-->\s*$/.test(text) && proofsIn(text).length === 0)) {
      flush();
      return;
    }
    if (TABLE_ROW.test(text)) {
      flush();
      const header = TABLE_SEPARATOR.test(lines[i + 1] ?? '');
      if (header || TABLE_SEPARATOR.test(text)) return;
      claims.push({ file, line, text: withoutMarkers(text), proofs: proofsIn(text) });
      return;
    }
    if (LIST_ITEM.test(text)) {
      flush();
      unit = { kind: 'item', line, text };
      return;
    }
    if (unit) unit.text += `\n${text}`;
    else unit = { kind: 'paragraph', line, text };
  });
  flush();
  return claims;
}

/** A Jest `--json` report as `TestResults`, keyed by test file relative to `root`. */
export function readTestResults(report: string, root: string): TestResults {
  const json = JSON.parse(report);
  const results: TestResults = new Map();
  for (const suite of json.testResults ?? []) {
    const file = path.relative(root, suite.name).split(path.sep).join('/');
    results.set(
      file,
      (suite.assertionResults ?? []).map((a: { fullName: string; title: string; status: string }) => ({
        fullName: a.fullName,
        title: a.title,
        status: a.status,
      })),
    );
  }
  return results;
}

/** What is wrong with the claims: one message per claim without proof, and per proof that fails. */
export function problemsOf(claims: readonly Claim[], results: TestResults): string[] {
  const problems: string[] = [];
  for (const claim of claims) {
    const where = `${claim.file}:${claim.line}`;
    const quoted = claim.text.length > 100 ? `${claim.text.slice(0, 97)}...` : claim.text;
    if (claim.proofs.length === 0) problems.push(`${where}: no proof for the claim "${quoted}"`);
    for (const proof of claim.proofs) {
      const tests = results.get(proof.file);
      if (!tests) {
        const exists = fs.existsSync(proof.file);
        problems.push(
          `${where}: the proof names ${proof.file}, which ${exists ? 'did not run in the last full npm test' : 'does not exist'}`,
        );
        continue;
      }
      const named = tests.filter((t) => t.fullName === proof.name || t.title === proof.name);
      if (named.length === 0) {
        problems.push(`${where}: ${proof.file} has no test named "${proof.name}"`);
        continue;
      }
      for (const t of named.filter((n) => n.status !== 'passed')) {
        problems.push(`${where}: the test "${t.fullName}" in ${proof.file} is ${t.status}, not passed`);
      }
    }
  }
  return problems;
}

/** The Markdown files whose claims are checked: the README and every page of docs/. */
export function documentedFiles(root: string): string[] {
  const docs = fs
    .readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs.sort()];
}

export const RESULTS = '.test-results/jest.json';

function main() {
  const root = path.join(__dirname, '..');
  const reportFile = path.join(root, RESULTS);
  if (!fs.existsSync(reportFile)) {
    console.error(`check-claims: ${RESULTS} is missing: run npm test (all tests) first, which writes it.`);
    process.exitCode = 1;
    return;
  }
  let results: TestResults;
  try {
    results = readTestResults(fs.readFileSync(reportFile, 'utf8'), root);
  } catch (e) {
    console.error(
      `check-claims: ${RESULTS} is not a Jest JSON report (${(e as Error).message}): run npm test again.`,
    );
    process.exitCode = 1;
    return;
  }
  process.chdir(root);
  const claims = documentedFiles(root).flatMap((f) => claimsOf(fs.readFileSync(f, 'utf8'), f));
  const problems = problemsOf(claims, results);
  for (const p of problems) console.error(p);
  const proofs = claims.reduce((n, c) => n + c.proofs.length, 0);
  const files = new Set(claims.map((c) => c.file)).size;
  if (problems.length) {
    console.error(`check-claims: ${problems.length} problems in ${claims.length} claims`);
    process.exitCode = 1;
  } else {
    console.log(
      `check-claims: ${claims.length} claims in ${files} files, ${proofs} proofs, each a test that passed`,
    );
  }
}

if (require.main === module) main();
