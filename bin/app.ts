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

/** The findings of every validation plugin (the built-in validator's included) in a cloud assembly. */
export function validationFindings(assemblyDir: string): string[] {
  const reportFile = path.join(assemblyDir, 'validation-report.json');
  if (!fs.existsSync(reportFile)) return [];
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as {
    pluginReports: { pluginName: string; violations: { ruleName: string; description: string }[] }[];
  };
  return report.pluginReports.flatMap((r) =>
    r.violations.map((v) => `${r.pluginName} ${v.ruleName}: ${v.description}`),
  );
}

if (require.main === module) {
  const app = new App();
  new ReferenceStack(app, 'ModelAccessReference');
  const assembly = app.synth();
  // The built-in validator makes only its errors fatal; its warnings fail this app too.
  const findings = validationFindings(assembly.directory);
  if (findings.length > 0) {
    console.error(`${findings.length} validation finding(s):\n${findings.join('\n')}`);
    process.exitCode = 1;
  }
}
