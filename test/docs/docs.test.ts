/**
 * The docs a newcomer reads: every relative link resolves (file and heading), every TypeScript
 * snippet compiles against the library, every Python snippet parses, the rules reference and the
 * README's rules table are what the rules say, each example has a README with its one command, and
 * the README stays a few screens long.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { README, anchorOf } from '../../scripts/rules-reference';

const root = path.join(__dirname, '..', '..');
const examples = fs
  .readdirSync(path.join(root, 'examples'))
  .filter((e) => fs.statSync(path.join(root, 'examples', e)).isDirectory());
const pages = [
  'README.md',
  'CHANGELOG.md',
  ...fs
    .readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  'examples/README.md',
  ...examples.map((e) => `examples/${e}/README.md`),
];

interface Block {
  readonly page: string;
  readonly line: number;
  readonly lang: string;
  readonly code: string;
}

/** Fenced code blocks, and the text outside them (where links and headings are). */
function parse(page: string): { blocks: Block[]; prose: string[] } {
  const lines = fs.readFileSync(path.join(root, page), 'utf8').split('\n');
  const blocks: Block[] = [];
  const prose: string[] = [];
  let open: { lang: string; line: number; code: string[] } | undefined;
  lines.forEach((l, i) => {
    const fence = /^```(\S*)/.exec(l);
    if (fence && !open) open = { lang: fence[1], line: i + 1, code: [] };
    else if (fence && open) {
      blocks.push({ page, line: open.line, lang: open.lang, code: open.code.join('\n') });
      open = undefined;
    } else if (open) open.code.push(l);
    else prose.push(l);
  });
  return { blocks, prose };
}

function headingAnchors(page: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const l of parse(page).prose) {
    const h = /^#{1,6} (.*)$/.exec(l);
    if (!h) continue;
    const base = anchorOf(h[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n ? `${base}-${n}` : base);
  }
  return anchors;
}

test('every relative link of the docs resolves, to a file and to a heading of it', () => {
  const broken: string[] = [];
  for (const page of pages) {
    const text = parse(page)
      .prose.join('\n')
      .replace(/`[^`]*`/g, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [file, anchor] = target.split('#');
      const resolved = file ? path.normalize(path.join(path.dirname(page), file)) : page;
      if (!fs.existsSync(path.join(root, resolved))) broken.push(`${page}: ${target} (no ${resolved})`);
      else if (anchor && resolved.endsWith('.md') && !headingAnchors(resolved).has(anchor)) {
        broken.push(`${page}: ${target} (no heading #${anchor} in ${resolved})`);
      }
    }
  }
  expect(broken).toEqual([]);
  expect(pages.length).toBeGreaterThan(15);
});

test('every TypeScript snippet of the docs compiles against the library', () => {
  const fixture = fs.readFileSync(path.join(__dirname, 'snippet-fixture.ts'), 'utf8');
  const snippets = pages
    .flatMap((p) => parse(p).blocks)
    .filter((b) => b.lang === 'ts' || b.lang === 'typescript');
  // Beside the project's node_modules, so that the snippets' imports resolve as an app's would.
  const cache = path.join(root, 'node_modules', '.cache');
  fs.mkdirSync(cache, { recursive: true });
  const dir = fs.mkdtempSync(path.join(cache, 'snippets-'));
  const files = snippets.map((b, i) => {
    const file = path.join(dir, `snippet-${i}.ts`);
    // A snippet with imports is a whole program; any other runs inside the fixture.
    const whole = /^import /m.test(b.code);
    fs.writeFileSync(file, whole ? `${b.code}\nexport {};\n` : fixture.replace('/// snippet', b.code));
    return { file, block: b };
  });
  const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile).config;
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const program = ts.createProgram(
    files.map((f) => f.file),
    { ...options, noUnusedLocals: false, noEmit: true, rootDir: undefined, baseUrl: root },
  );
  const errors = files.flatMap(({ file, block }) =>
    ts
      .getPreEmitDiagnostics(program, program.getSourceFile(file))
      .map((d) => `${block.page}:${block.line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`),
  );
  fs.rmSync(dir, { recursive: true, force: true });
  expect(errors).toEqual([]);
  expect(snippets.length).toBeGreaterThanOrEqual(14);
}, 120_000);

test('every Python snippet of the docs parses', () => {
  const snippets = pages.flatMap((p) => parse(p).blocks).filter((b) => b.lang === 'python');
  expect(snippets.length).toBeGreaterThanOrEqual(1);
  for (const b of snippets) {
    const check = 'import ast, sys; ast.parse(sys.stdin.read())';
    expect(() =>
      execFileSync('python3', ['-c', check], { input: b.code, stdio: ['pipe', 'pipe', 'pipe'] }),
    ).not.toThrow();
  }
});

test('the rules reference and the README rules table are what the rules say (npm run docs)', () => {
  // In its own process: prettier, which formats them, loads its plugins in a way jest cannot.
  const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
  expect(() =>
    execFileSync(tsx, ['scripts/rules-reference.ts', '--check'], { cwd: root, stdio: 'pipe' }),
  ).not.toThrow();
}, 60_000);

test('each example has a README with the one command that synthesizes it', () => {
  for (const e of examples) {
    const { blocks } = parse(`examples/${e}/README.md`);
    const commands = blocks
      .filter((b) => b.lang === 'sh')
      .flatMap((b) => b.code.split('\n').filter((l) => l.trim()));
    expect(commands).toEqual([`npx cdk synth --app 'npx tsx examples/${e}/app.ts' -o cdk.out.${e}`]);
    expect(fs.readFileSync(path.join(root, 'examples', 'README.md'), 'utf8')).toContain(`(${e}/README.md)`);
  }
});

test('the README is a few screens: what it is, the two commands, an example, the tables, links', () => {
  const readme = fs.readFileSync(README, 'utf8');
  expect(readme.split('\n').length).toBeLessThanOrEqual(220);
  expect(readme).toContain('npm ci && npx cdk synth');
  expect(readme).toContain('npm test');
  expect(readme).not.toMatch(/DESIGN\.md/);
});
