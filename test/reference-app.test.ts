import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ReferenceStack, unacknowledgedFindings } from '../bin/app';

// The one test file that runs aws-cdk-lib's built-in CloudFormation validator.
function synthWithValidator(build: (app: App) => void): string[] {
  const previous = process.env.CDK_VALIDATION;
  delete process.env.CDK_VALIDATION;
  try {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-access-'));
    const app = new App({ outdir, context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
    build(app);
    return unacknowledgedFindings(app.synth().directory);
  } finally {
    process.env.CDK_VALIDATION = previous;
  }
}

test('the reference app has no finding of the built-in validator', () => {
  expect(synthWithValidator((app) => new ReferenceStack(app, 'Reference'))).toEqual([]);
});

test('the built-in validator runs here: a bad property is a finding', () => {
  const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  const findings = synthWithValidator((app) => {
    new s3.CfnBucket(new Stack(app, 'Bad'), 'Bucket', { versioningConfiguration: { status: 'On' } });
  });
  log.mockRestore();
  warn.mockRestore();
  expect(findings).toEqual([
    expect.stringMatching(/W3030 at .*: VersioningConfiguration.Status: 'On' is not one of/),
  ]);
});
