export * from './customization-pipeline';
export * from './customization-backend';
export * from './hyperparameter';
export * from './governance-dashboard';
