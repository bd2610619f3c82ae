/**
 * `npm run update-sam-policy-templates`: regenerates lib/analysis/data/sam-policy-templates.json from
 * the policy templates of the AWS SAM translator (aws-sam-translator, Apache-2.0), the maintained
 * source SAM itself expands `Policies: [{ S3ReadPolicy: { BucketName: ... } }]` from. The Python
 * package comes with cfn-lint, which CI already needs.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const OUT = path.join(__dirname, '..', 'lib', 'analysis', 'data', 'sam-policy-templates.json');

function main() {
  const locate =
    'import json, os, samtranslator; print(json.dumps([samtranslator.__version__, os.path.join(os.path.dirname(samtranslator.__file__), "policy_templates_data", "policy_templates.json")]))';
  let found: [string, string];
  try {
    found = JSON.parse(execFileSync('python3', ['-c', locate], { encoding: 'utf8' }));
  } catch (e) {
    console.error(`cannot find aws-sam-translator (pip install cfn-lint brings it): ${(e as Error).message}`);
    process.exit(1);
  }
  const [version, file] = found;
  const { Templates } = JSON.parse(fs.readFileSync(file, 'utf8'));
  const templates = Object.fromEntries(
    Object.keys(Templates)
      .sort()
      .map((name) => [
        name,
        { Parameters: Object.keys(Templates[name].Parameters ?? {}), Definition: Templates[name].Definition },
      ]),
  );
  fs.writeFileSync(OUT, `${JSON.stringify({ source: `aws-sam-translator ${version}`, templates })}\n`);
  console.log(`${Object.keys(templates).length} SAM policy templates from aws-sam-translator ${version}`);
}

main();
