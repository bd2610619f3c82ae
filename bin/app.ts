#!/usr/bin/env node
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ModelRegistry } from '../lib';

/** The reference app: what `npx cdk synth` builds, and what CI lints. */
export class ReferenceStack extends Stack {
  public readonly registry: ModelRegistry;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.registry = new ModelRegistry(this, 'Registry', {
      metadataObjectLockRetention: s3.ObjectLockRetention.governance(Duration.days(365)),
      accessLogsExpiration: Duration.days(400),
    });
  }
}

const app = new App();
new ReferenceStack(app, 'ModelAccessReference');
const assembly = app.synth();

// The built-in validator makes only its errors fatal; its warnings (W-rules) fail this app too.
const reportFile = path.join(assembly.directory, 'validation-report.json');
if (fs.existsSync(reportFile)) {
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as { pluginReports: { violations: unknown[] }[] };
  const findings = report.pluginReports.reduce((n, r) => n + r.violations.length, 0);
  if (findings > 0) {
    console.error(`${findings} validation finding(s): see ${reportFile}`);
    process.exitCode = 1;
  }
}
