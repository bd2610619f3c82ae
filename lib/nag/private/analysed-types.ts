// What the rules and the analysis read; resolving the rest of a stack would only cost time.
const ANALYSED_TYPES =
  /^(AWS::(IAM::|S3::Bucket$|S3::BucketPolicy$|KMS::Key$|Lambda::Function$|StepFunctions::StateMachine$|Events::Rule$|SNS::Topic$|DynamoDB::Table$|CloudTrail::Trail$|Logs::LogGroup$|CloudFormation::CustomResource$|CloudFormation::Stack$|CloudFormation::StackSet$|Serverless::)|Custom::)/;

/** Whether the pack reads resources of a type: the rules judge no other. */
export function isAnalysedType(type: string): boolean {
  return ANALYSED_TYPES.test(type);
}
