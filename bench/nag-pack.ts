/**
 * `npm run bench`: ModelAccessChecks against cdk-nag's AwsSolutionsChecks on the same generated
 * stacks of 500, 2,000 and 8,000 resources, in one run; then the cold time of loading the library
 * and judging a role with ReadOnlyAccess, in fresh processes.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ModelAccessChecks } from '../lib';

const SIZES = [500, 2000, 8000];

/** A stack of `size` resources: in fours, a role, its policy, a bucket (every tenth a registry one), a queue. */
function generate(size: number): App {
  const app = new App();
  const stack = new Stack(app, `Bench${size}`);
  for (let i = 0; i < size / 4; i++) {
    const role = new iam.CfnRole(stack, `Role${i}`, {
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      },
    });
    const bucket = new s3.CfnBucket(stack, `Bucket${i}`, {
      tags: i % 10 === 0 ? [{ key: 'model-access:data-class', value: 'metadata' }] : undefined,
    });
    new iam.CfnPolicy(stack, `Policy${i}`, {
      policyName: `p${i}`,
      roles: [role.ref],
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: i % 2 ? 'bedrock:InvokeModel' : 'bedrock:GetFoundationModel',
            Resource: '*',
          },
          {
            Effect: 'Allow',
            Action: ['s3:GetObject', 'logs:PutLogEvents'],
            Resource: { 'Fn::Join': ['', [bucket.attrArn, '/*']] },
          },
        ],
      },
    });
    new sqs.CfnQueue(stack, `Queue${i}`);
  }
  return app;
}

function time(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

const rows = SIZES.map((size) => {
  const app = generate(size);
  const resources = app.node
    .findAll()
    .filter((c) => (c as { cfnResourceType?: string }).cfnResourceType).length;
  const ours = time(() => new ModelAccessChecks().validateScope(app));
  const theirs = time(() => new AwsSolutionsChecks().validateScope(app));
  return { size: resources, ours, theirs };
});

const ms = (n: number) => `${Math.round(n)} ms`.padStart(10);
console.log('| resources | ModelAccessChecks | AwsSolutionsChecks | AwsSolutions / ModelAccess |');
console.log('|---:|---:|---:|---:|');
for (const r of rows)
  console.log(`| ${r.size} | ${ms(r.ours)} | ${ms(r.theirs)} | ${(r.theirs / r.ours).toFixed(1)}x |`);
const at = (n: number) => rows.find((r) => r.size === n)!;
console.log(
  `\nGrowth from 2,000 to 8,000 resources (4x the size; linear is 4x): ModelAccessChecks ${(at(8000).ours / at(2000).ours).toFixed(1)}x, AwsSolutionsChecks ${(at(8000).theirs / at(2000).theirs).toFixed(1)}x`,
);

// Cold: a fresh node loads the built library (npm run build first) and judges one role.
const COLD = `
  const { performance } = require('perf_hooks');
  const start = performance.now();
  const { AccessAnalysis } = require(process.argv[1]);
  AccessAnalysis.fromTemplate({ Resources: { R: { Type: 'AWS::IAM::Role', Properties: {
    AssumeRolePolicyDocument: { Statement: [] },
    ManagedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] } } } }).mergesOf('R');
  console.log(performance.now() - start);
`;
const dist = path.join(__dirname, '..', 'dist', 'lib', 'index.js');
const runs = Array.from({ length: 7 }, () =>
  Number(execFileSync(process.execPath, ['-e', COLD, dist], { encoding: 'utf8' })),
);
const median = runs.sort((a, b) => a - b)[3];
console.log(
  `\nCold start (load dist/ and judge a role with ReadOnlyAccess), median of ${runs.length} fresh processes: ${Math.round(median)} ms`,
);
