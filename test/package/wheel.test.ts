/**
 * The packages `npm run package` builds, as a Python user gets them. The wheel installs into a fresh
 * venv; what jsii's Python runtime would then do (load the npm tarball the wheel embeds, with the
 * packages of aws-cdk-lib, constructs and cdk-nag beside it, and create ModelAccessControl through
 * the assembly) is done here in Node.js with the tarball the venv holds, because the jsii Python
 * runtime comes only from PyPI, which these machines cannot reach.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadAssemblyFromFile } from '@jsii/spec';

const root = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const wheelDir = path.join(root, 'dist-jsii', 'python', 'dist');
const TARBALL = `cdk_model_access/_jsii/${pkg.name}@${pkg.version}.jsii.tgz`;

let work: string;
let wheel: string;
let venv: string;
/** The npm package as the kernel unpacks it: `<work>/node_modules/cdk-model-access`. */
let unpacked: string;

function sh(cmd: string, args: string[], cwd = work): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The handler bundles `npm run build` made, relative to the package root. */
function builtBundles(dir: string): string[] {
  return fs
    .readdirSync(path.join(dir, 'dist', 'lib'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.bundle/index.js'))
    .map((f) => path.join('dist', 'lib', f))
    .sort();
}

beforeAll(() => {
  const wheels = fs.existsSync(wheelDir) ? fs.readdirSync(wheelDir).filter((f) => f.endsWith('.whl')) : [];
  if (wheels.length !== 1) throw new Error(`expected one wheel in ${wheelDir}: run npm run package first`);
  wheel = path.join(wheelDir, wheels[0]);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'wheel-'));
  venv = path.join(work, 'venv');
  // A fresh venv, offline: the wheel alone (its Python dependencies come from PyPI).
  sh('python3', ['-m', 'venv', venv]);
  sh(path.join(venv, 'bin', 'pip'), ['install', '-q', '--no-index', '--no-deps', wheel]);
  const site = sh(path.join(venv, 'bin', 'python'), [
    '-c',
    'import sysconfig; print(sysconfig.get_paths()["purelib"])',
  ]);
  unpacked = path.join(work, 'node_modules', pkg.name);
  fs.mkdirSync(unpacked, { recursive: true });
  sh('tar', ['xzf', path.join(site.trim(), TARBALL), '--strip-components=1', '-C', unpacked]);
  // The peers come from their own Python packages, each carrying its npm package.
  for (const peer of Object.keys(pkg.peerDependencies)) {
    fs.symlinkSync(path.join(root, 'node_modules', peer), path.join(work, 'node_modules', peer), 'dir');
  }
}, 120_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the wheel declares what its Python package needs and carries the npm tarball', () => {
  const read = (code: string) =>
    sh('python3', ['-c', `import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); ${code}`, wheel]);
  const listing = read("print('\\n'.join(z.namelist()))").split('\n');
  expect(listing).toEqual(
    expect.arrayContaining(['cdk_model_access/__init__.py', 'cdk_model_access/py.typed', TARBALL]),
  );
  const metadata = read(`print(z.read('cdk_model_access-${pkg.version}.dist-info/METADATA').decode())`);
  const requires = metadata.split('\n').filter((l) => l.startsWith('Requires-Dist: '));
  for (const dist of ['jsii', 'aws-cdk-lib', 'constructs', 'cdk-nag']) {
    expect(requires.some((l) => l.startsWith(`Requires-Dist: ${dist}`))).toBe(true);
  }
  // The venv got the module and the command-line entry point.
  expect(fs.existsSync(path.join(venv, 'bin', 'model-access'))).toBe(true);
});

test('the tarball is the npm package: its jsii assembly, every handler bundle, its bundled dependencies', () => {
  const assembly = loadAssemblyFromFile(path.join(unpacked, '.jsii'));
  expect(assembly.name).toBe(pkg.name);
  expect(assembly.version).toBe(pkg.version);
  expect(assembly.types?.['cdk-model-access.ModelAccessControl']?.kind).toBe('class');
  expect(Object.keys(assembly.bundled ?? {}).sort()).toEqual([...pkg.bundledDependencies].sort());
  // The same bundles `npm run build` made in this checkout, byte for byte.
  const bundles = builtBundles(unpacked);
  expect(bundles).toEqual(builtBundles(root));
  expect(bundles.length).toBe(10);
  for (const b of bundles) {
    expect(fs.readFileSync(path.join(unpacked, b)).equals(fs.readFileSync(path.join(root, b)))).toBe(true);
  }
  for (const dep of pkg.bundledDependencies as string[]) {
    expect(fs.existsSync(path.join(unpacked, 'node_modules', dep, 'package.json'))).toBe(true);
  }
});

test('ModelAccessControl synthesizes from the installed package, its handlers bundled by the build, the pack silent', () => {
  // The calls the Python client makes through the kernel: the assembly's FQNs, resolved in the
  // unpacked package, with plain JSON props. Nothing of this checkout is reachable from here.
  const app = `
    const { App, Stack, Validations } = require('aws-cdk-lib');
    const iam = require('aws-cdk-lib/aws-iam');
    const assembly = JSON.parse(require('fs').readFileSync(require.resolve('cdk-model-access/.jsii'), 'utf8'));
    const lib = require('cdk-model-access');
    const type = (fqn) => {
      if (!assembly.types[fqn]) throw new Error(fqn + ' is not in the assembly');
      return fqn.split('.').slice(1).reduce((o, k) => o[k], lib);
    };
    const app = new App({ outdir: process.argv[1] });
    Validations.of(app).addPlugins(new (type('cdk-model-access.ModelAccessChecks'))(app));
    const stack = new Stack(app, 'FromPython', { env: { account: '111122223333', region: 'eu-west-1' } });
    const people = (job) => new iam.AccountRootPrincipal().withConditions({
      StringEquals: { 'aws:PrincipalTag/job': job, 'sts:RoleSessionName': '\${aws:username}' },
    });
    const titan = type('cdk-model-access.ModelTarget').bedrockFoundationModel('amazon.titan-text-express-v1');
    new (type('cdk-model-access.ModelAccessControl'))(stack, 'ModelAccess', {
      models: [titan],
      readers: people('analyst'),
      invokers: new iam.ServicePrincipal('lambda.amazonaws.com'),
      customizationRequesters: people('ml-engineer'),
      approvers: people('ml-lead'),
      baseModels: [titan],
      hyperParameters: [type('cdk-model-access.Hyperparameter').integer('epochCount', 1, 5)],
      auditors: people('security-auditor'),
    });
    app.synth();
  `;
  const outdir = path.join(work, 'cdk.out');
  const env = { PATH: process.env.PATH, HOME: work, CDK_DISABLE_VERSION_CHECK: '1' };
  execFileSync(process.execPath, ['-e', app, outdir], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const assets = fs
    .readdirSync(outdir)
    .filter((d) => d.startsWith('asset.') && fs.existsSync(path.join(outdir, d, 'index.js')))
    .map((d) => fs.readFileSync(path.join(outdir, d, 'index.js')));
  const shipped = builtBundles(unpacked).map((b) => fs.readFileSync(path.join(unpacked, b)));
  expect(assets.length).toBeGreaterThanOrEqual(5);
  for (const a of assets) expect(shipped.some((s) => s.equals(a))).toBe(true);
  // The command line the wheel installs runs the same package's CLI, its AWS SDK bundled.
  const report = sh(process.execPath, [
    path.join(unpacked, 'dist', 'bin', 'model-access.js'),
    'report',
    outdir,
    '--format',
    'json',
  ]);
  const summary = JSON.parse(report).summary;
  expect(summary.principals).toBeGreaterThan(10);
  expect(summary.mergedPrincipals).toBe(0);
}, 300_000);

test("the README's Python example names classes, methods and keyword arguments the Python package has", () => {
  const block = /```python\n([\s\S]*?)```/.exec(fs.readFileSync(path.join(root, 'README.md'), 'utf8'))?.[1];
  expect(block).toBeDefined();
  const module = path.join(root, 'dist-jsii', 'python', 'src', 'cdk_model_access', '__init__.py');
  const check = `
import ast, sys
classes = {n.name: n for n in ast.parse(open(sys.argv[1]).read()).body if isinstance(n, ast.ClassDef)}
def member(cls, name):
    return next((f for f in classes[cls].body if isinstance(f, ast.FunctionDef) and f.name == name), None)
snippet = ast.parse(sys.stdin.read())
imported, problems, calls = set(), [], 0
for node in ast.walk(snippet):
    if isinstance(node, ast.ImportFrom) and node.module == 'cdk_model_access':
        for a in node.names:
            imported.add(a.name)
            if a.name not in classes: problems.append('cdk_model_access has no ' + a.name)
for node in ast.walk(snippet):
    if not isinstance(node, ast.Call): continue
    f = node.func
    if isinstance(f, ast.Name) and f.id in imported & classes.keys():
        target, name = member(f.id, '__init__'), f.id
    elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in imported & classes.keys():
        target, name = member(f.value.id, f.attr), f.value.id + '.' + f.attr
        if target is None: problems.append('no method ' + name)
    else:
        continue
    calls += 1
    if target is None: continue
    params = {a.arg for a in target.args.args + target.args.kwonlyargs}
    problems += [name + ' has no parameter ' + k.arg for k in node.keywords if k.arg not in params]
print(calls)
print('\\n'.join(problems))
`;
  const [calls, ...problems] = execFileSync('python3', ['-c', check, module], {
    input: block,
    encoding: 'utf8',
  })
    .trim()
    .split('\n');
  expect(problems.filter(Boolean)).toEqual([]);
  expect(Number(calls)).toBeGreaterThanOrEqual(5);
});
