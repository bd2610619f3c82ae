/**
 * `npm run mutation` ends here: reads Stryker's JSON report (`.stryker/report/mutation.json`) and
 * fails unless the mutation score is at least 85% overall and 80% in every mutated file. The
 * score is Stryker's: mutants killed or timed out, over those plus the survivors and the mutants
 * no test covers. Mutants Stryker could not compile or run, and those disabled with a reason
 * (`// Stryker disable next-line <mutator>: <reason>`), do not count.
 *
 * `tsx scripts/check-mutation.ts [report.json]`
 */
import * as fs from 'fs';
import * as path from 'path';

export const OVERALL_THRESHOLD = 85;
export const FILE_THRESHOLD = 80;

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** Stryker's mutation-testing-report-schema, as far as the score needs it. */
export interface MutationReport {
  readonly files: Record<string, { readonly mutants: { readonly status: string }[] }>;
}

export interface FileScore {
  readonly file: string;
  readonly detected: number;
  readonly undetected: number;
  /** Percent, or undefined for a file with no mutant that counts. */
  readonly score?: number;
}

/** Each file's score, and the score of all of them together. */
export function scores(report: MutationReport): { files: FileScore[]; overall?: number } {
  const files = Object.entries(report.files)
    .map(([file, { mutants }]) => {
      const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
      const undetected = mutants.filter((m) => UNDETECTED.has(m.status)).length;
      const total = detected + undetected;
      return { file, detected, undetected, score: total ? (100 * detected) / total : undefined };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
  const detected = files.reduce((n, f) => n + f.detected, 0);
  const total = detected + files.reduce((n, f) => n + f.undetected, 0);
  return { files, overall: total ? (100 * detected) / total : undefined };
}

/** What fails the thresholds, one line each; empty when the report passes. */
export function failures(report: MutationReport): string[] {
  const { files, overall } = scores(report);
  if (overall === undefined) return ['the report has no mutant that counts: did Stryker run?'];
  const problems = files
    .filter((f) => f.score !== undefined && f.score < FILE_THRESHOLD)
    .map((f) => `${f.file}: ${f.score!.toFixed(1)}% (below ${FILE_THRESHOLD}%)`);
  if (overall < OVERALL_THRESHOLD)
    problems.push(`overall: ${overall.toFixed(1)}% (below ${OVERALL_THRESHOLD}%)`);
  return problems;
}

function main(reportPath: string): number {
  if (!fs.existsSync(reportPath)) {
    console.error(`check-mutation: no report at ${reportPath}; run npm run mutation (Stryker writes it).`);
    return 1;
  }
  let report: MutationReport;
  try {
    report = JSON.parse(fs.readFileSync(reportPath, 'utf8'));
    if (typeof report.files !== 'object' || report.files === null) throw new Error('it has no files');
  } catch (e) {
    console.error(`check-mutation: ${reportPath} is not a Stryker JSON report: ${(e as Error).message}`);
    return 1;
  }
  const { files, overall } = scores(report);
  console.log('| file | killed | survived or uncovered | score |\n|---|---:|---:|---:|');
  for (const f of files) {
    console.log(
      `| ${f.file} | ${f.detected} | ${f.undetected} | ${f.score === undefined ? '-' : `${f.score.toFixed(1)}%`} |`,
    );
  }
  console.log(`\nMutation score: ${overall === undefined ? '-' : `${overall.toFixed(1)}%`} overall`);
  const problems = failures(report);
  for (const p of problems) console.error(`check-mutation: ${p}`);
  return problems.length ? 1 : 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv[2] ?? path.join('.stryker', 'report', 'mutation.json'));
}
