import { failures, MutationReport, scores } from '../../scripts/check-mutation';

const file = (...statuses: string[]) => ({ mutants: statuses.map((status) => ({ status })) });
const times = (n: number, status: string) => Array.from({ length: n }, () => status);

describe('the mutation score check', () => {
  test('counts killed and timed-out mutants as detected, survivors and uncovered ones as not, and leaves out the rest', () => {
    const report: MutationReport = {
      files: {
        'lib/a.ts': file(
          'Killed',
          'Timeout',
          'Survived',
          'NoCoverage',
          'CompileError',
          'RuntimeError',
          'Ignored',
        ),
      },
    };
    expect(scores(report).files).toEqual([{ file: 'lib/a.ts', detected: 2, undetected: 2, score: 50 }]);
    expect(scores(report).overall).toBe(50);
  });

  test('passes at 85% overall with every file at 80% or more', () => {
    const report: MutationReport = {
      files: {
        'lib/a.ts': file(...times(8, 'Killed'), ...times(2, 'Survived')),
        'lib/b.ts': file(...times(9, 'Killed'), 'NoCoverage'),
        'lib/c.ts': file(...times(17, 'Killed'), ...times(3, 'Survived')),
      },
    };
    expect(scores(report).overall).toBeCloseTo(85);
    expect(failures(report)).toEqual([]);
  });

  test('fails on a file under 80%, naming it, even when the whole passes', () => {
    const report: MutationReport = {
      files: {
        'lib/a.ts': file(...times(95, 'Killed')),
        'lib/weak.ts': file(...times(7, 'Killed'), ...times(3, 'Survived')),
      },
    };
    expect(failures(report)).toEqual(['lib/weak.ts: 70.0% (below 80%)']);
  });

  test('fails under 85% overall though every file reaches 80%', () => {
    const report: MutationReport = {
      files: { 'lib/a.ts': file(...times(84, 'Killed'), ...times(16, 'Survived')) },
    };
    expect(failures(report)).toEqual(['overall: 84.0% (below 85%)']);
  });

  test('a file with no mutant that counts has no score and fails nothing; a report with none fails', () => {
    expect(failures({ files: { 'lib/a.ts': file('Killed'), 'lib/types.ts': file('Ignored') } })).toEqual([]);
    expect(failures({ files: {} })).toEqual(['the report has no mutant that counts: did Stryker run?']);
  });
});
