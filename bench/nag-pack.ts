/**
 * `npm run bench`: ModelAccessChecks against cdk-nag's AwsSolutionsChecks on the same generated
 * apps of 500, 2,000 and 8,000 resources, in three shapes (service roles in one stack; roles that
 * all trust the account, every other one a person's that may assume the next; the service shape
 * split over stacks of 40 resources that refer to each other); `model-access report` on a cloud assembly of 200 stacks
 * against reading its templates; then the cold time of loading the library and judging a role
 * with ReadOnlyAccess, in fresh processes.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ModelAccessChecks } from '../lib';
import { readStacks } from '../lib/cli/inputs';
import { buildReport } from '../lib/cli/report';

const SIZES = [500, 2000, 8000];

type Shape = 'service' | 'people' | 'stacks';
const SHAPES: Shape[] = ['service', 'people', 'stacks'];

/**
 * An app of `size` resources: in fours, a role, its policy, a bucket (every tenth a registry one),
 * a queue. `people`: every role trusts the account, and every other one (a person's) may assume
 * the next. `stacks`: 40 resources a stack, each policy granting the bucket of the one before.
 */
function generate(size: number, shape: Shape, outdir?: string): App {
  const app = new App({ outdir });
  let stack = new Stack(app, `Bench${size}`);
  let previous: s3.CfnBucket | undefined;
  for (let i = 0; i < size / 4; i++) {
    if (shape === 'stacks' && i % 10 === 0) stack = new Stack(app, `Bench${size}Part${i / 10}`);
    const principal =
      shape === 'people'
        ? { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }
        : { Service: 'lambda.amazonaws.com' };
    const role = new iam.CfnRole(stack, `Role${i}`, {
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }],
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
            Resource: {
              'Fn::Join': ['', [(shape === 'stacks' ? (previous ?? bucket) : bucket).attrArn, '/*']],
            },
          },
          // People's roles: every other role is a person's, who may assume the next one.
          ...(shape === 'people' && i % 2 === 0
            ? [
                {
                  Effect: 'Allow',
                  Action: 'sts:AssumeRole',
                  Resource: { 'Fn::GetAtt': [`Role${i + 1}`, 'Arn'] },
                },
              ]
            : []),
        ],
      },
    });
    new sqs.CfnQueue(stack, `Queue${i}`);
    previous = bucket;
  }
  return app;
}

function time(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

for (const shape of SHAPES) {
  const rows = SIZES.map((size) => {
    const app = generate(size, shape);
    const resources = app.node
      .findAll()
      .filter((c) => (c as { cfnResourceType?: string }).cfnResourceType).length;
    const ours = time(() => new ModelAccessChecks().validateScope(app));
    const theirs = time(() => new AwsSolutionsChecks().validateScope(app));
    return { size: resources, ours, theirs };
  });
  const ms = (n: number) => `${Math.round(n)} ms`.padStart(10);
  console.log(`\n${shape}:\n`);
  console.log('| resources | ModelAccessChecks | AwsSolutionsChecks | ModelAccess / AwsSolutions |');
  console.log('|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(`| ${r.size} | ${ms(r.ours)} | ${ms(r.theirs)} | ${(r.ours / r.theirs).toFixed(2)}x |`);
  const at = (n: number) => rows.find((r) => r.size === n)!;
  console.log(
    `\nGrowth from 2,000 to 8,000 resources (4x the size; linear is 4x): ModelAccessChecks ${(at(8000).ours / at(2000).ours).toFixed(1)}x, AwsSolutionsChecks ${(at(8000).theirs / at(2000).theirs).toFixed(1)}x`,
  );
}

// model-access report on a cloud assembly of 200 stacks (8,000 resources), against reading it.
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-report-'));
try {
  generate(8000, 'stacks', outdir).synth();
  const reading = time(() => readStacks([outdir]));
  const stacks = readStacks([outdir]);
  const reporting = time(() => buildReport(outdir, stacks));
  console.log(
    `\nmodel-access report on ${stacks.length} stacks: reading ${Math.round(reading)} ms, judging ${Math.round(reporting)} ms (${(reporting / reading).toFixed(1)}x reading)`,
  );
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}

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
