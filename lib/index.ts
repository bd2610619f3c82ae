export * from './capabilities';
export * from './registry';
