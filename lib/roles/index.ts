export * from './access-conditions';
export * from './capability-boundary';
export * from './capability-role';
export * from './model-read-role';
export * from './model-inference-role';
export * from './model-customization-role';
export * from './self-bounded-role';
export * from './customization-participant-roles';
