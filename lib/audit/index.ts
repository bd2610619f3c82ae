export * from './invocation-logging';
export * from './model-audit-trail';
export * from './model-invocation-alarms';
export * from './model-invocation-logging';
