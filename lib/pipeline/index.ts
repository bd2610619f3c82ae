export * from './customization-pipeline';
export * from './customization-backend';
export * from './data-capture';
export * from './deployment-pipeline';
export * from './deployment-target';
export * from './hyperparameter';
export * from './governance-dashboard';
export * from './model-pipeline';
