export * from './access-analysis';
export * from './aws-managed-policies';
export * from './problem';
export * from './stack-template';
