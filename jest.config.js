/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // test/browser/ needs Debian's chromium, which .ci/run installs: `npm run test:browser`.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/browser/', '<rootDir>/test/package/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Unit tests switch off aws-cdk-lib's built-in template validator for speed;
  // test/reference-app.test.ts and .ci/run synthesize with it on.
  // Examples import the package by name, as a user's app does.
  moduleNameMapper: { '^cdk-model-access$': '<rootDir>/lib/index.ts' },
  setupFiles: ['<rootDir>/test/support/env.ts'],
};
