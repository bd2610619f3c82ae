/**
 * The tests `npm run mutation` runs against each mutant of the analysis, the capability catalog
 * and the pack: those that pin their judgement. Compiled without type checks, since a mutant need
 * not type-check to be judged (Stryker marks mutated files @ts-nocheck), and without the
 * differential test against iam-simulate, whose 300 generated templates take most of a minute for
 * each mutant it covers; `npm test` runs it.
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/analysis', '<rootDir>/test/capabilities', '<rootDir>/test/nag'],
  testPathIgnorePatterns: [...base.testPathIgnorePatterns, '<rootDir>/test/analysis/differential.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
};
