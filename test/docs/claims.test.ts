import * as fs from 'fs';
import * as path from 'path';
import { claimsOf, documentedFiles, problemsOf, TestResults } from '../../scripts/check-claims';

const ROOT = path.join(__dirname, '..', '..');
const proof = (name: string, file = 'test/x.test.ts') => `<!-- proof: ${file} "${name}" -->`;
const results: TestResults = new Map([
  [
    'test/x.test.ts',
    [
      { fullName: 'roles refuse star', title: 'refuse star', status: 'passed' },
      { fullName: 'roles skipped one', title: 'skipped one', status: 'pending' },
      { fullName: 'roles failing one', title: 'failing one', status: 'failed' },
    ],
  ],
]);
const problems = (markdown: string) => problemsOf(claimsOf(markdown, 'doc.md'), results);

describe('the claims check', () => {
  test('passes claims whose proofs passed, by full name or title, in tables, lists and sentences', () => {
    const doc = [
      '# Page',
      '',
      'Outside a claims region nothing is checked.',
      '',
      '<!-- claims -->',
      '',
      '| guarantee | test |',
      '| --------- | ---- |',
      `| Roles refuse \`*\` ${proof('roles refuse star')} | x |`,
      '',
      `- Roles refuse \`*\`, said again. ${proof('refuse star')}`,
      '  Over two lines.',
      '',
      `One sentence. ${proof('refuse star')} Another, proved twice. ${proof('refuse star')} ${proof('roles refuse star')}`,
    ].join('\n');
    expect(claimsOf(doc, 'doc.md').map((c) => [c.text, c.proofs.length])).toEqual([
      ['| Roles refuse `*` | x |', 1],
      ['- Roles refuse `*`, said again. Over two lines.', 1],
      ['One sentence.', 1],
      ['Another, proved twice.', 2],
    ]);
    expect(problems(doc)).toEqual([]);
  });

  test('fails on a claim without a proof: a row, an item, a sentence', () => {
    const doc = [
      '<!-- claims -->',
      '| guarantee |',
      '| --------- |',
      '| Nothing proves this row |',
      '- nor this item',
      '',
      `Proved. ${proof('refuse star')} Not proved.`,
      '## Next heading',
      'Out of the region again.',
    ].join('\n');
    expect(problems(doc)).toEqual([
      'doc.md:4: no proof for the claim "| Nothing proves this row |"',
      'doc.md:5: no proof for the claim "- nor this item"',
      'doc.md:7: no proof for the claim "Not proved."',
    ]);
  });

  test('fails on a proof whose test does not exist, is skipped, failed or did not run', () => {
    const doc = [
      '<!-- claims -->',
      `- a ${proof('no such test')}`,
      `- b ${proof('skipped one')}`,
      `- c ${proof('failing one')}`,
      `- d ${proof('anything', 'test/not-there.test.ts')}`,
      `- e ${proof('anything', 'test/docs/claims.test.ts')}`,
      '<!-- /claims -->',
      '- outside',
    ].join('\n');
    expect(problems(doc)).toEqual([
      'doc.md:2: test/x.test.ts has no test named "no such test"',
      'doc.md:3: the test "roles skipped one" in test/x.test.ts is pending, not passed',
      'doc.md:4: the test "roles failing one" in test/x.test.ts is failed, not passed',
      'doc.md:5: the proof names test/not-there.test.ts, which does not exist',
      'doc.md:6: the proof names test/docs/claims.test.ts, which did not run in the last full npm test',
    ]);
  });

  test('ignores code blocks in a region', () => {
    const doc = ['<!-- claims -->', '```sh', 'npm test', '```'].join('\n');
    expect(claimsOf(doc, 'doc.md')).toEqual([]);
  });
});

describe("the repository's claims", () => {
  const claims = documentedFiles(ROOT).flatMap((f) =>
    claimsOf(fs.readFileSync(path.join(ROOT, f), 'utf8'), f),
  );

  test('the bypasses table, the rules tables and the guarantees are claims regions', () => {
    const files = new Set(claims.map((c) => c.file));
    expect([...files].sort()).toEqual(
      expect.arrayContaining(['README.md', 'docs/bypasses.md', 'docs/rules.md']),
    );
  });

  test('every claim has a proof, naming a test file that exists', () => {
    // Whether the named test ran and passed, the test run decides (npm run check-claims).
    const unproved = claims.filter((c) => c.proofs.length === 0).map((c) => `${c.file}:${c.line}`);
    expect(unproved).toEqual([]);
    for (const { file } of claims.flatMap((c) => c.proofs)) {
      expect({ file, exists: fs.existsSync(path.join(ROOT, file)) }).toEqual({ file, exists: true });
    }
  });
});
