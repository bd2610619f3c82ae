export * from './model-access-checks';
export * from './rule';
export * from './rules';
