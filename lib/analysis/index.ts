export * from './access-analysis';
export * from './aws-managed-policies';
