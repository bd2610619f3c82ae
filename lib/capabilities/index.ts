export * from './capability';
export * from './catalog';
export * from './actions';
export * from './model-target';
export * from './merge';
export * from './capability-catalog';
