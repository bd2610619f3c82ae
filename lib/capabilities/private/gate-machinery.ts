// The pipelines' machinery, as the catalog, the boundaries, the gate and the registry name it.
import { Component } from '../capability';

/** The pipelines' state machines. */
export const PIPELINE_STATE_MACHINES = [Component.CUSTOMIZATION_PIPELINE, Component.DEPLOYMENT_PIPELINE];
/** Every function of the pipelines. */
export const PIPELINE_FUNCTIONS = [
  Component.APPROVAL_ENDPOINT,
  Component.REQUEST_ENDPOINT,
  Component.PIPELINE_FUNCTION,
];
/** Everything that enforces the separation and tells of its breach: changing any of it is privilege administration. */
export const GATE_MACHINERY = [
  ...PIPELINE_STATE_MACHINES,
  ...PIPELINE_FUNCTIONS,
  Component.DECISION_TABLE,
  Component.ALERT_RULE,
  Component.ALERT_TOPIC,
];

/** Writes of the items of a decision table, which its resource policy lets only the gate's roles make. */
export const DECISION_RECORD_WRITES: readonly string[] = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
];

/** Where the pipelines write their records in a metadata bucket. */
export const RECORD_PREFIXES: readonly string[] = ['provenance/', 'deployments/'];
