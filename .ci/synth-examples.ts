// Synthesizes every example as a user would (handlers bundled, the built-in validator's rules as
// errors) with ModelAccessChecks and the five cdk-nag packs, into cdk.out.examples/<example>/ for
// cfn-lint, once with strong cross-stack references (Fn::ImportValue) and once with weak ones
// (Fn::GetStackOutput, into <example>.weak/). Any unacknowledged finding, of any plugin, fails the run.
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { registerChecks, unacknowledgedFindings } from '../bin/app';

const root = path.join(__dirname, '..');
// Each example is a folder with its app.ts (examples/README.md indexes them).
const examples = fs
  .readdirSync(path.join(root, 'examples'))
  .filter((e) => fs.existsSync(path.join(root, 'examples', e, 'app.ts')))
  .sort();
let failed = 0;
const runs = examples.flatMap((example) =>
  (['strong', 'weak'] as const).map((references) => ({ example, references })),
);
for (const { example, references } of runs) {
  const outdir = path.join(root, 'cdk.out.examples', references === 'weak' ? `${example}.weak` : example);
  fs.rmSync(outdir, { recursive: true, force: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildApp } = require(path.join(root, 'examples', example, 'app')) as { buildApp(app: App): App };
  // As the cdk CLI synthesizes: the built-in validator's rules as errors, construct paths in templates.
  const app = new App({
    outdir,
    context: {
      '@aws-cdk/core:validateAgainstDefaultRules': true,
      'aws:cdk:enable-path-metadata': true,
      '@aws-cdk/core:defaultCrossStackReferences': references,
    },
  });
  registerChecks(app, { modelAccess: false }); // each example registers ModelAccessChecks itself
  buildApp(app);
  try {
    app.synth();
  } catch (e) {
    console.error(`${example}: synth failed: ${(e as Error).message}`);
  }
  const findings = unacknowledgedFindings(outdir);
  const templates = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
  if (findings.length > 0 || templates.length === 0) failed++;
  console.log(
    `${example} (${references} references): ${templates.length} template(s), ${findings.length} unacknowledged finding(s)`,
  );
  for (const finding of findings) console.log(`  ${finding}`);
}
if (failed > 0) {
  console.error(`${failed} of ${runs.length} example synth(s) failed`);
  process.exit(1);
}
