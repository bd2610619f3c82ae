// Unit tests skip aws-cdk-lib's built-in template validator (about 3 s per test file);
// test/reference-app.test.ts and .ci/run synthesize with it.
process.env.CDK_VALIDATION = process.env.CDK_VALIDATION ?? 'false';
