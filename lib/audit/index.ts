export * from './model-audit-trail';
