export * from './capabilities';
export * from './registry';
export * from './roles';
export * from './analysis';
export * from './nag';
export * from './pipeline';
export * from './audit';
export * from './control';
