import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, PolicyValidationPluginReport, Stack } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { ModelAccessChecks, ModelAccessChecksProps } from '../../lib';

/** Brings a hand-written template into an app with `cloudformation-include`, as a user would. */
export function includeTemplate(template: object): App {
  const app = new App();
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'design-')), 'template.json');
  fs.writeFileSync(file, JSON.stringify(template));
  new CfnInclude(new Stack(app, 'Design'), 'Template', { templateFile: file });
  return app;
}

/** The pack's report on a hand-written template. */
export function check(template: object, props?: ModelAccessChecksProps): PolicyValidationPluginReport {
  return new ModelAccessChecks(undefined, props).validateScope(includeTemplate(template));
}

/** Rule ids (without granular findings) of a report's violations of the given severities. */
export function rulesOf(report: PolicyValidationPluginReport, severities = ['error', 'fatal']): string[] {
  return [
    ...new Set(
      report.violations
        .filter((v) => severities.includes(v.severity ?? ''))
        .map((v) => v.ruleName.replace(/\[.*$/, '')),
    ),
  ].sort();
}
