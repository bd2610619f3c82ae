// The built package works as a user gets it: its entry point exports the public API, and a
// pipeline built from dist/ takes its handlers as `npm run build` bundled them.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { App, Duration, Stack } = require('aws-cdk-lib');
const s3 = require('aws-cdk-lib/aws-s3');
const m = require('..');

const exported = [
  'ModelRegistry',
  'ModelInferenceRole',
  'ModelAccessChecks',
  'AccessAnalysis',
  'CustomizationPipeline',
  'ModelAuditTrail',
  'ModelAccessControl',
];
const missing = exported.filter((k) => !m[k]);
if (missing.length) throw new Error(`dist lacks ${missing.join(', ')}`);

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dist-check-'));
const app = new App({ outdir, builtinCloudFormationValidation: false });
const stack = new Stack(app, 'DistCheck');
const registry = new m.ModelRegistry(stack, 'Registry', {
  metadataObjectLockRetention: s3.ObjectLockRetention.governance(Duration.days(1)),
});
new m.CustomizationPipeline(stack, 'Pipeline', {
  registry,
  baseModels: [m.ModelTarget.bedrockFoundationModel('amazon.titan-text-express-v1')],
});
const assembly = app.synth();
const bundles = fs
  .readdirSync(assembly.directory)
  .filter((d) => d.startsWith('asset.') && fs.existsSync(path.join(assembly.directory, d, 'index.js')));
if (bundles.length !== 5) throw new Error(`expected 5 bundled handlers from dist/, found ${bundles.length}`);
// Each is a bundle `npm run build` made: the user's synth bundles nothing, and needs no esbuild.
const prebuilt = new Set(
  fs
    .readdirSync(path.join(__dirname, '..', 'dist', 'lib'), { recursive: true })
    .filter((f) => f.endsWith('.bundle/index.js'))
    .map((f) => fs.readFileSync(path.join(__dirname, '..', 'dist', 'lib', f), 'utf8')),
);
for (const b of bundles) {
  if (!prebuilt.has(fs.readFileSync(path.join(assembly.directory, b, 'index.js'), 'utf8'))) {
    throw new Error(`${b} is not one of the bundles npm run build made: the synth bundled it`);
  }
}
fs.rmSync(outdir, { recursive: true, force: true });

// The package's bin runs from dist/ as a user's npx runs it.
const { execFileSync } = require('child_process');
const bin = require('../package.json').bin['model-access'];
const help = execFileSync(process.execPath, [path.join(__dirname, '..', bin), '--help'], {
  encoding: 'utf8',
});
if (!help.includes('model-access report')) throw new Error(`${bin} --help printed: ${help}`);
// --version finds the package's own package.json from dist/, as from an installed package.
const version = execFileSync(process.execPath, [path.join(__dirname, '..', bin), '--version'], {
  encoding: 'utf8',
}).trim();
if (version !== require('../package.json').version) throw new Error(`${bin} --version printed: ${version}`);
console.log(
  `dist: exports ${exported.length} constructs; a pipeline takes its 5 handlers prebuilt from dist/; ${bin} runs (version ${version})`,
);
