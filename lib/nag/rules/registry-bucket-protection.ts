import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { IModelAccessRule, RuleContext } from '../rule';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function deniesInsecureTransport(statement: Json): boolean {
  const condition = statement.Condition ?? {};
  return (
    statement.Effect === 'Deny' &&
    ['Bool', 'BoolIfExists'].some((op) => String(condition[op]?.['aws:SecureTransport']) === 'false')
  );
}

export const RegistryBucketProtection: IModelAccessRule = {
  id: 'RegistryBucketProtection',
  level: NagMessageLevel.ERROR,
  info: 'A bucket tagged as model artifacts, training data or metadata lacks SSE-KMS with a customer key, versioning, a TLS-only policy or Block Public Access.',
  explanation:
    'Weights and training data are the most valuable thing in the account. Use ModelRegistry, or give the bucket SSE-KMS with a customer-managed key, versioning, a bucket policy denying aws:SecureTransport=false, and all four Block Public Access settings.',
  check(node: CfnResource, { template, logicalId, analysis, bucketPolicyStatements }: RuleContext) {
    if (node.cfnResourceType !== 'AWS::S3::Bucket') return NagRuleCompliance.NOT_APPLICABLE;
    const props = template.Resources[logicalId].Properties ?? {};
    if (!analysis.registryDataClass(logicalId)) return NagRuleCompliance.NOT_APPLICABLE;
    const findings: string[] = [];
    const sse =
      props.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault ?? {};
    const key = JSON.stringify(sse.KMSMasterKeyID ?? '');
    if (
      !String(sse.SSEAlgorithm ?? '').startsWith('aws:kms') ||
      sse.KMSMasterKeyID === undefined ||
      key.includes('alias/aws/')
    ) {
      findings.push('customer-kms-key');
    }
    if (props.VersioningConfiguration?.Status !== 'Enabled') findings.push('versioning');
    const bpa = props.PublicAccessBlockConfiguration ?? {};
    if (
      !['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].every(
        (k) => bpa[k] === true,
      )
    ) {
      findings.push('public-access-block');
    }
    const statements = bucketPolicyStatements[logicalId] ?? [];
    if (!statements.some(deniesInsecureTransport)) findings.push('tls-only');
    return findings.length ? findings : NagRuleCompliance.COMPLIANT;
  },
};
