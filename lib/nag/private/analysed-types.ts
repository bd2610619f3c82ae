import { TAKEOVER_PATHS } from '../../analysis/private/escalation-paths';
import { RESOURCE_POLICY_TYPES } from '../../analysis/private/resource-policies';

// What the rules and the analysis read; resolving the rest of a stack would only cost time.
const ANALYSED_TYPES =
  /^(AWS::(IAM::|S3::Bucket$|S3::BucketPolicy$|KMS::Key$|Lambda::(Function|Url|Permission|EventSourceMapping)$|StepFunctions::StateMachine$|Events::(Rule|EventBus|EventBusPolicy)$|SNS::(Topic|TopicPolicy|Subscription)$|SQS::QueuePolicy$|DynamoDB::Table$|CloudTrail::Trail$|Bedrock::EnforcedGuardrailConfiguration$|Logs::LogGroup$|CloudFormation::CustomResource$|CloudFormation::Stack$|CloudFormation::StackSet$|Serverless::)|Custom::)/;
// Compute that runs as a role, whose takeover the analysis judges; resources whose policies grant.
const COMPUTE_TYPES = new Set([...TAKEOVER_PATHS.map((p) => p.type), ...RESOURCE_POLICY_TYPES]);

/** Whether the pack reads resources of a type: the rules judge no other. */
export function isAnalysedType(type: string): boolean {
  return ANALYSED_TYPES.test(type) || COMPUTE_TYPES.has(type);
}
