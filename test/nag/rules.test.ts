import { MODEL_ACCESS_RULES } from '../../lib';
import {
  accountTrust,
  allow,
  deny,
  bucket,
  doc,
  protectedBucket,
  role,
  template,
  trustOf,
} from '../analysis/designs';
import { check, rulesOf } from './include';
import { simulate } from '../support/simulate';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const invoke = allow('bedrock:InvokeModel');
const tune = allow('bedrock:CreateModelCustomizationJob');
const tagged = (capability: string, extra: Json = {}) => ({
  Tags: [{ Key: 'model-access:capability', Value: capability }],
  ...extra,
});
const trail = {
  Trail: {
    Type: 'AWS::CloudTrail::Trail',
    Properties: { IsLogging: true, S3BucketName: 'logs', EnableLogFileValidation: true },
  },
};

/** An AWS::IAM::Policy on one role, by name. */
const policyOn = (roleName: Json, ...statements: Json[]) => ({
  Type: 'AWS::IAM::Policy',
  Properties: { PolicyName: 'p', PolicyDocument: doc(...statements), Roles: [roleName] },
});

/** A pipeline handler whose environment names its participant roles, as the construct writes it. */
function participantsFunction(roles: Record<string, string>): Json {
  return {
    Type: 'AWS::Lambda::Function',
    Properties: {
      Code: { ZipFile: 'x' },
      Role: 'arn:aws:iam::111111111111:role/fn',
      Environment: { Variables: { PARTICIPANTS: JSON.stringify({ roles, users: [] }) } },
    },
  };
}

const otherAccountRole = { AWS: 'arn:aws:iam::222222222222:role/app' };

/** A trust that lets the account's callers assume the role and tag their sessions, within `condition`. */
const taggingTrust = (condition?: Json, principal: Json = accountTrust.Statement[0].Principal) =>
  doc(
    { Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' },
    {
      Effect: 'Allow',
      Principal: principal,
      Action: 'sts:TagSession',
      ...(condition ? { Condition: condition } : {}),
    },
  );

const userWith = (...statements: Json[]) => ({
  Type: 'AWS::IAM::User',
  Properties: { Policies: [{ PolicyName: 'p', PolicyDocument: doc(...statements) }] },
});
const accessKeyOf = (userName: Json) => ({ Type: 'AWS::IAM::AccessKey', Properties: { UserName: userName } });

/** A function whose role customizes, behind a function URL of the given auth type. */
const capabilityFunctionUrl = (AuthType: string) => ({
  R: role([doc(tune)]),
  Fn: {
    Type: 'AWS::Lambda::Function',
    Properties: { Code: { ZipFile: 'x' }, Role: { 'Fn::GetAtt': ['R', 'Arn'] } },
  },
  Url: {
    Type: 'AWS::Lambda::Url',
    Properties: { AuthType, TargetFunctionArn: { 'Fn::GetAtt': ['Fn', 'Arn'] } },
  },
});

/** For each rule: a design it flags, and a design like it that it passes. */
const FIXTURES: Record<string, { nonCompliant: Json; compliant: Json }> = {
  MergedCapabilities: {
    nonCompliant: template({ R: role([doc(invoke, tune)]) }),
    compliant: template({ R: role([doc(invoke)]) }),
  },
  WeightsAccessMerge: {
    nonCompliant: template({
      ...protectedBucket('W', 'model-artifacts'),
      R: role([doc(invoke, allow('s3:GetObject', { 'Fn::Sub': '${W.Arn}/*' }))]),
    }),
    compliant: template({
      ...protectedBucket('W', 'model-artifacts'),
      R: role([doc(tune, allow('s3:GetObject', { 'Fn::Sub': '${W.Arn}/*' }))]),
    }),
  },
  InferenceLogAccessMerge: {
    // A deployer that reads the prompts; the auditor beside it, reading them alone, passes.
    nonCompliant: template({
      ...protectedBucket('L', 'inference-logs'),
      R: role([doc(allow('sagemaker:UpdateEndpoint'), allow('s3:GetObject', { 'Fn::Sub': '${L.Arn}/*' }))]),
    }),
    compliant: template({
      ...protectedBucket('L', 'inference-logs'),
      R: role([doc(allow('s3:GetObject', { 'Fn::Sub': '${L.Arn}/*' }))]),
      D: role([doc(allow('sagemaker:UpdateEndpoint'))]),
    }),
  },
  InferenceWithoutInvocationLogging: {
    nonCompliant: template({ R: role([doc(invoke)]) }),
    compliant: template({
      R: role([doc(invoke)]),
      Logging: {
        Type: 'Custom::ModelInvocationLogging',
        Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:logging' },
      },
    }),
  },
  PrivilegeAdminMerge: {
    nonCompliant: template({
      R: role([doc(invoke, allow('iam:AttachRolePolicy', 'arn:aws:iam::111111111111:role/x'))]),
    }),
    compliant: template({ R: role([doc(invoke, allow('iam:GetRole', 'arn:aws:iam::111111111111:role/x'))]) }),
  },
  MergeThroughTrust: {
    nonCompliant: template({
      A: role([doc(invoke, allow('sts:AssumeRole', '*'))]),
      B: role([doc(tune)], { AssumeRolePolicyDocument: accountTrust }),
    }),
    compliant: template({
      A: role([doc(invoke)]),
      B: role([doc(tune)], { AssumeRolePolicyDocument: accountTrust }),
    }),
  },
  WildcardModelActions: {
    nonCompliant: template({
      R: role([doc(allow('bedrock:*', 'arn:aws:bedrock:us-east-1::foundation-model/x'))]),
    }),
    compliant: template({
      R: role([
        doc(
          allow(
            ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
            'arn:aws:bedrock:us-east-1::foundation-model/x',
          ),
        ),
      ]),
    }),
  },
  CapabilityExceedsTag: {
    nonCompliant: template({
      R: role([doc(invoke, allow('bedrock:GetFoundationModel'))], tagged('inference')),
    }),
    compliant: template({
      R: role(
        [doc(invoke)],
        tagged('inference', { PermissionsBoundary: 'arn:aws:iam::111111111111:policy/b' }),
      ),
    }),
  },
  CustomizationOutsidePipeline: {
    nonCompliant: template({ R: role([doc(tune)]) }),
    compliant: template({ R: role([doc(tune)], tagged('pipeline')) }),
  },
  DeploymentOutsidePipeline: {
    nonCompliant: template({ R: role([doc(allow('sagemaker:UpdateEndpoint'))], tagged('deployment')) }),
    compliant: template({ R: role([doc(allow('sagemaker:UpdateEndpoint'))], tagged('pipeline')) }),
  },
  RegistryBucketProtection: {
    nonCompliant: template({ W: bucket('model-artifacts') }),
    compliant: template({ ...protectedBucket('W', 'model-artifacts'), ...trail }),
  },
  RegistryWithoutTrail: {
    nonCompliant: template({ ...protectedBucket('W', 'model-artifacts') }),
    compliant: template({ ...protectedBucket('W', 'model-artifacts'), ...trail }),
  },
  CapabilityRoleLimits: {
    nonCompliant: template({ R: role([doc(tune)], tagged('customization', { MaxSessionDuration: 7200 })) }),
    compliant: template({
      R: role(
        [doc(tune)],
        tagged('customization', { PermissionsBoundary: 'arn:aws:iam::111111111111:policy/b' }),
      ),
    }),
  },
  ReadsEveryObject: {
    // AmazonS3ReadOnlyAccess-like: every object, and no model action.
    nonCompliant: template({ R: role([doc(allow(['s3:Get*', 's3:List*']))]) }),
    compliant: template({ R: role([doc(allow('s3:GetObject', 'arn:aws:s3:::app-uploads/*'))]) }),
  },
  SharedTrust: {
    nonCompliant: template({
      A: role([doc(invoke)], { AssumeRolePolicyDocument: trustOf(otherAccountRole) }),
      B: role([doc(tune)], { AssumeRolePolicyDocument: trustOf(otherAccountRole) }),
    }),
    compliant: template({
      A: role([doc(invoke)], { AssumeRolePolicyDocument: trustOf(otherAccountRole) }),
      B: role([doc(tune)], {
        AssumeRolePolicyDocument: trustOf({ AWS: 'arn:aws:iam::222222222222:role/ml' }),
      }),
    }),
  },
  WorldAssumableRole: {
    nonCompliant: template({ R: role([doc(invoke)], { AssumeRolePolicyDocument: trustOf({ AWS: '*' }) }) }),
    compliant: template({
      R: role([doc(invoke)], {
        AssumeRolePolicyDocument: trustOf(
          { AWS: '*' },
          { condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } },
        ),
      }),
    }),
  },
  CallerChosenSessionTags: {
    nonCompliant: template({ R: role([doc(invoke)], { AssumeRolePolicyDocument: taggingTrust() }) }),
    compliant: template({
      R: role([doc(invoke)], {
        AssumeRolePolicyDocument: taggingTrust({
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['project'] },
        }),
      }),
    }),
  },
  WorldReachableCapability: {
    nonCompliant: template(capabilityFunctionUrl('NONE')),
    compliant: template(capabilityFunctionUrl('AWS_IAM')),
  },
  DecidedAtDeploy: {
    nonCompliant: {
      Parameters: { Target: { Type: 'String' } },
      Resources: { P: policyOn({ Ref: 'Target' }, invoke) },
    },
    compliant: {
      Parameters: { Target: { Type: 'String', AllowedValues: ['chat-backend', 'search-backend'] } },
      Resources: { P: policyOn({ Ref: 'Target' }, invoke) },
    },
  },
  LongLivedCredentials: {
    nonCompliant: template({ Ci: userWith(invoke), CiKey: accessKeyOf({ Ref: 'Ci' }) }),
    compliant: template({
      Ci: userWith(allow('s3:PutObject', 'arn:aws:s3:::app-uploads/*')),
      CiKey: accessKeyOf({ Ref: 'Ci' }),
      Analyst: userWith(invoke),
    }),
  },
  BearerTokenCapability: {
    nonCompliant: template({ R: role([doc(invoke, allow('bedrock:CallWithBearerToken'))]) }),
    compliant: template({
      R: role([doc(invoke)]),
      Logs: role([doc(allow('bedrock:CallWithBearerToken'))]),
    }),
  },
  InferenceWithoutGuardrail: {
    nonCompliant: template({ R: role([doc(invoke)]) }),
    compliant: template({
      // Granted only with the guardrail, or denied without it, or no Bedrock invocation at all.
      Granted: role([
        doc(
          allow('bedrock:InvokeModel', '*', {
            Condition: {
              StringEquals: {
                'bedrock:GuardrailIdentifier': 'arn:aws:bedrock:us-east-1:123456789012:guardrail/g1:1',
              },
            },
          }),
        ),
      ]),
      Denied: role([
        doc(
          allow(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']),
          deny(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'], '*', {
            Condition: {
              StringNotEquals: {
                'bedrock:GuardrailIdentifier': 'arn:aws:bedrock:us-east-1:123456789012:guardrail/g1:1',
              },
            },
          }),
        ),
      ]),
      Endpoint: role([doc(allow('sagemaker:InvokeEndpoint'))]),
    }),
  },
  UnpinnedParticipants: {
    nonCompliant: template({
      F: participantsFunction({
        '${AWS::AccountId}:${Leads}': 'unverified',
        '${AWS::AccountId}:${Engineers}': 'pinned',
      }),
    }),
    compliant: template({
      F: participantsFunction({
        '${AWS::AccountId}:${Leads}': 'pinned',
        '111111111111:AWSReservedSSO_MlLead_0a1b': 'identity-center',
      }),
    }),
  },
  UnknownPermissions: {
    nonCompliant: template({ R: role([doc(allow('bedrock:InvokeModle'))]) }),
    compliant: template({ R: role([doc(invoke)]) }),
  },
};

const ruleIds = (report: ReturnType<typeof check>) =>
  report.violations.map((v) => v.ruleName.replace(/\[.*$/, ''));

describe('ModelAccess-LongLivedCredentials', () => {
  const findings = (t: Json) =>
    check(t)
      .violations.map((v) => v.ruleName)
      .filter((n) => n.startsWith('ModelAccess-LongLivedCredentials'));
  test('a user that may create its own access key is flagged as such', () => {
    const selfService = {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'keys',
        Users: [{ Ref: 'Ci' }],
        PolicyDocument: doc(allow('iam:CreateAccessKey', { 'Fn::GetAtt': ['Ci', 'Arn'] })),
      },
    };
    expect(findings(template({ Ci: userWith(invoke), SelfService: selfService }))).toEqual([
      'ModelAccess-LongLivedCredentials[may-create-access-key]',
    ]);
  });
  test('an access key of a user the template only names, whose policy grants a capability', () => {
    expect(
      findings(
        template({
          P: {
            Type: 'AWS::IAM::Policy',
            Properties: { PolicyName: 'p', Users: ['ci-bot'], PolicyDocument: doc(tune) },
          },
          Key: accessKeyOf('ci-bot'),
        }),
      ),
    ).toEqual(['ModelAccess-LongLivedCredentials[access-key]']);
  });
});

describe('ModelAccess-CallerChosenSessionTags', () => {
  const findings = (trust: Json, policies: Json[] = [doc(invoke)]) =>
    check(template({ R: role(policies, { AssumeRolePolicyDocument: trust }) }))
      .violations.map((v) => v.ruleName)
      .filter((n) => n.startsWith('ModelAccess-CallerChosenSessionTags'));

  test('any key (no aws:TagKeys limit, or a limit that is not on every key) is named', () => {
    expect(findings(taggingTrust())).toEqual(['ModelAccess-CallerChosenSessionTags[any key]']);
    // ForAnyValue tests one key: the others are still the caller's.
    const anyValue = { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['project'] } };
    expect(findings(taggingTrust(anyValue))).toEqual(['ModelAccess-CallerChosenSessionTags[any key]']);
    // sts:* covers TagSession.
    const star = doc({ Effect: 'Allow', Principal: accountTrust.Statement[0].Principal, Action: 'sts:*' });
    expect(findings(star)).toEqual(['ModelAccess-CallerChosenSessionTags[any key]']);
  });

  test("the library's own keys are named, exactly or through a pattern", () => {
    const only = (op: string, keys: string[]) => taggingTrust({ [op]: { 'aws:TagKeys': keys } });
    expect(findings(only('ForAllValues:StringEquals', ['model-access:capability']))).toEqual([
      'ModelAccess-CallerChosenSessionTags[model-access:capability]',
    ]);
    expect(findings(only('ForAllValues:StringLike', ['model-*']))).toEqual([
      'ModelAccess-CallerChosenSessionTags[model-access:capability]',
      'ModelAccess-CallerChosenSessionTags[model-access:data-class]',
      'ModelAccess-CallerChosenSessionTags[model-access:component]',
    ]);
    expect(findings(only('ForAllValues:StringEqualsIgnoreCase', ['Model-Access:Capability']))).toEqual([
      'ModelAccess-CallerChosenSessionTags[Model-Access:Capability]',
    ]);
  });

  test("keys of the user's own, a role with no capability, and tags set by a provider or a service pass", () => {
    expect(
      findings(taggingTrust({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['project', 'team'] } })),
    ).toEqual([]);
    expect(findings(taggingTrust(), [doc(allow('s3:GetObject'))])).toEqual([]);
    const saml = { Federated: 'arn:aws:iam::111111111111:saml-provider/corp' };
    expect(findings(taggingTrust(undefined, saml))).toEqual([]);
    expect(findings(taggingTrust(undefined, { Service: 'lambda.amazonaws.com' }))).toEqual([]);
  });

  test('agrees with IAM: flagged exactly where a caller of the account may tag its session with a library key or any key', async () => {
    const account = { AWS: 'arn:aws:iam::111111111111:root' };
    const trusts: Json[] = [
      taggingTrust(undefined, account),
      taggingTrust({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['project'] } }, account),
      taggingTrust({ 'ForAllValues:StringLike': { 'aws:TagKeys': ['model-*'] } }, account),
      taggingTrust({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['project', 'team'] } }, account),
      taggingTrust({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['model-access:capability'] } }, account),
      trustOf(account),
    ];
    // The caller tags the session with the key, alone or beside a key the trust names.
    const tagSession = async (trust: Json, key: string) => {
      for (const keys of [[key], [key, 'project']]) {
        const decision = await simulate({
          principal: 'arn:aws:iam::111111111111:user/mallory',
          action: 'sts:TagSession',
          resource: 'arn:aws:iam::111111111111:role/R',
          context: {
            'aws:TagKeys': keys,
            ...Object.fromEntries(keys.map((k) => [`aws:RequestTag/${k}`, 'x'])),
          },
          identityPolicies: [doc(allow('sts:TagSession'))],
          resourcePolicy: trust,
        });
        if (decision === 'Allowed') return true;
      }
      return false;
    };
    for (const trust of trusts) {
      const allowed = [];
      for (const key of ['model-access:capability', 'cost-center']) {
        if (await tagSession(trust, key)) allowed.push(key);
      }
      const flagged = findings(trust).length > 0;
      expect({ trust, flagged }).toEqual({ trust, flagged: allowed.includes('model-access:capability') });
    }
  });

  test('a hand-written role trusting a whole other account or anyone is judged the same', () => {
    expect(findings(taggingTrust(undefined, { AWS: 'arn:aws:iam::222222222222:root' }))).toEqual([
      'ModelAccess-CallerChosenSessionTags[any key]',
    ]);
    expect(findings(taggingTrust(undefined, '*'))).toEqual(['ModelAccess-CallerChosenSessionTags[any key]']);
  });
});

describe('ModelAccess-InferenceWithoutInvocationLogging', () => {
  const warned = (t: Json) =>
    rulesOf(check(t), ['warning']).includes('ModelAccess-InferenceWithoutInvocationLogging');
  test('another custom resource that turns logging on (an AwsCustomResource) counts as logging', () => {
    const awsCall = {
      Type: 'Custom::AWS',
      Properties: {
        ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:provider',
        Create: JSON.stringify({ service: 'Bedrock', action: 'PutModelInvocationLoggingConfiguration' }),
      },
    };
    const other = { ...awsCall, Properties: { ...awsCall.Properties, Create: '{"action":"ListBuckets"}' } };
    expect(warned(template({ R: role([doc(invoke)]), Logging: awsCall }))).toBe(false);
    expect(warned(template({ R: role([doc(invoke)]), Other: other }))).toBe(true);
  });
  test('only Bedrock inference asks for it: SageMaker endpoints log through data capture', () => {
    expect(warned(template({ R: role([doc(allow('sagemaker:InvokeEndpoint'))]) }))).toBe(false);
    expect(warned(template({ R: role([doc(allow('bedrock:InvokeModelWithResponseStream'))]) }))).toBe(true);
  });
});

test('every rule has fixtures', () => {
  expect(Object.keys(FIXTURES).sort()).toEqual(MODEL_ACCESS_RULES.map((r) => r.id).sort());
});

describe.each(MODEL_ACCESS_RULES.map((r) => [r.id, r] as const))('ModelAccess-%s', (id) => {
  test('flags its non-compliant fixture', () => {
    expect(ruleIds(check(FIXTURES[id].nonCompliant))).toContain(`ModelAccess-${id}`);
  });
  test('passes its compliant fixture', () => {
    expect(ruleIds(check(FIXTURES[id].compliant))).not.toContain(`ModelAccess-${id}`);
  });
});

describe('findings', () => {
  test('granular findings name what is wrong', () => {
    const names = check(FIXTURES.RegistryBucketProtection.nonCompliant).violations.map((v) => v.ruleName);
    expect(names).toEqual(
      expect.arrayContaining([
        'ModelAccess-RegistryBucketProtection[customer-kms-key]',
        'ModelAccess-RegistryBucketProtection[versioning]',
        'ModelAccess-RegistryBucketProtection[public-access-block]',
        'ModelAccess-RegistryBucketProtection[tls-only]',
      ]),
    );
  });

  test('a capability exceeding its tag names the excess', () => {
    expect(check(FIXTURES.CapabilityExceedsTag.nonCompliant).violations.map((v) => v.ruleName)).toContain(
      'ModelAccess-CapabilityExceedsTag[read]',
    );
  });

  test('a deployment role allowing sessions over one hour is named, as a customization role is', () => {
    const deploy = allow('sagemaker:UpdateEndpoint');
    const long = template({
      R: role(
        [doc(deploy)],
        tagged('deployment', {
          MaxSessionDuration: 7200,
          PermissionsBoundary: 'arn:aws:iam::111111111111:policy/b',
        }),
      ),
    });
    expect(check(long).violations.map((v) => v.ruleName)).toContain(
      'ModelAccess-CapabilityRoleLimits[session-over-1h]',
    );
  });

  test('advisory rules are warnings that do not fail on their own', () => {
    const report = check(FIXTURES.RegistryWithoutTrail.nonCompliant);
    expect(report.violations.map((v) => v.severity)).toEqual(['warning']);
    expect(report.success).toBe(true);
  });

  test('a merged-identity finding names the principal, both capabilities and a granting statement for each', () => {
    const [finding] = check(FIXTURES.MergedCapabilities.nonCompliant).violations.filter(
      (v) => v.severity === 'fatal',
    );
    expect(finding.ruleName).toBe('ModelAccess-MergedCapabilities[inference+customization]');
    expect(finding.description).toMatch(
      /Design\/Template\/R: holds inference and customization: inference from bedrock:InvokeModel in R\/p0 \(#1\) on \*; customization from bedrock:CreateModelCustomizationJob in R\/p0 \(#2\) on \*\./,
    );
  });

  test('two merged principals get a finding each, with their own evidence', () => {
    const report = check(
      template({ A: role([doc(invoke, tune)]), B: role([doc(allow('bedrock:InvokeModel*'), tune)]) }),
    );
    const merged = report.violations.filter(
      (v) => v.ruleName === 'ModelAccess-MergedCapabilities[inference+customization]',
    );
    expect(merged.map((v) => v.description.slice(0, 60))).toEqual([
      expect.stringContaining('Design/Template/A: holds inference and customization'),
      expect.stringContaining('Design/Template/B: holds inference and customization'),
    ]);
    expect(merged[1].description).toContain('inference from bedrock:InvokeModel* in B/p0');
  });

  test('merged-identity findings are errors, not fatal, only with the explicit opt-in', () => {
    const report = check(FIXTURES.MergedCapabilities.nonCompliant, {
      allowAcknowledgingMergedIdentities: true,
    });
    expect(
      report.violations.find((v) => v.ruleName.startsWith('ModelAccess-MergedCapabilities'))!.severity,
    ).toBe('error');
    expect(report.success).toBe(false);
  });
});

/**
 * Each rule stays silent on the others' cases: its fixtures draw exactly these other findings (the
 * advisories on inference, and the outside-pipeline warnings, where a fixture invokes, customizes
 * or deploys; the limits of a tagged capability role where a fixture tags one).
 */
const ALSO_DRAWN: Record<string, { flagged: string[]; compliant: string[] }> = {
  MergedCapabilities: {
    flagged: [
      'CustomizationOutsidePipeline',
      'InferenceWithoutGuardrail',
      'InferenceWithoutInvocationLogging',
    ],
    compliant: ['InferenceWithoutGuardrail', 'InferenceWithoutInvocationLogging'],
  },
  WeightsAccessMerge: {
    flagged: ['InferenceWithoutGuardrail', 'InferenceWithoutInvocationLogging', 'RegistryWithoutTrail'],
    compliant: ['CustomizationOutsidePipeline', 'RegistryWithoutTrail'],
  },
  InferenceLogAccessMerge: {
    flagged: ['DeploymentOutsidePipeline'],
    compliant: ['DeploymentOutsidePipeline'],
  },
  PrivilegeAdminMerge: {
    flagged: ['InferenceWithoutGuardrail', 'InferenceWithoutInvocationLogging'],
    compliant: ['InferenceWithoutGuardrail', 'InferenceWithoutInvocationLogging'],
  },
  MergeThroughTrust: {
    flagged: [
      'CustomizationOutsidePipeline',
      'InferenceWithoutGuardrail',
      'InferenceWithoutInvocationLogging',
    ],
    compliant: [
      'CustomizationOutsidePipeline',
      'InferenceWithoutGuardrail',
      'InferenceWithoutInvocationLogging',
    ],
  },
  SharedTrust: {
    flagged: [
      'CustomizationOutsidePipeline',
      'InferenceWithoutGuardrail',
      'InferenceWithoutInvocationLogging',
    ],
    compliant: [
      'CustomizationOutsidePipeline',
      'InferenceWithoutGuardrail',
      'InferenceWithoutInvocationLogging',
    ],
  },
  WorldAssumableRole: {
    flagged: ['InferenceWithoutGuardrail', 'InferenceWithoutInvocationLogging'],
    compliant: ['InferenceWithoutGuardrail', 'InferenceWithoutInvocationLogging'],
  },
  CallerChosenSessionTags: {
    flagged: ['InferenceWithoutGuardrail', 'InferenceWithoutInvocationLogging'],
    compliant: ['InferenceWithoutGuardrail', 'InferenceWithoutInvocationLogging'],
  },
  WorldReachableCapability: {
    flagged: ['CustomizationOutsidePipeline'],
    compliant: ['CustomizationOutsidePipeline'],
  },
  DecidedAtDeploy: {
    flagged: ['InferenceWithoutGuardrail', 'InferenceWithoutInvocationLogging'],
    compliant: ['InferenceWithoutGuardrail', 'InferenceWithoutInvocationLogging'],
  },
  ReadsEveryObject: { flagged: [], compliant: [] },
  LongLivedCredentials: {
    flagged: ['InferenceWithoutGuardrail', 'InferenceWithoutInvocationLogging'],
    compliant: ['InferenceWithoutGuardrail', 'InferenceWithoutInvocationLogging'],
  },
  BearerTokenCapability: {
    flagged: ['InferenceWithoutGuardrail', 'InferenceWithoutInvocationLogging'],
    compliant: ['InferenceWithoutGuardrail', 'InferenceWithoutInvocationLogging'],
  },
  WildcardModelActions: {
    flagged: [
      'CustomizationOutsidePipeline',
      'DeploymentOutsidePipeline',
      'InferenceWithoutGuardrail',
      'InferenceWithoutInvocationLogging',
      'MergedCapabilities',
    ],
    compliant: ['InferenceWithoutGuardrail', 'InferenceWithoutInvocationLogging'],
  },
  CapabilityExceedsTag: {
    flagged: ['CapabilityRoleLimits', 'InferenceWithoutGuardrail', 'InferenceWithoutInvocationLogging'],
    compliant: ['InferenceWithoutGuardrail', 'InferenceWithoutInvocationLogging', 'UnknownPermissions'],
  },
  CustomizationOutsidePipeline: { flagged: [], compliant: [] },
  DeploymentOutsidePipeline: { flagged: ['CapabilityRoleLimits'], compliant: [] },
  UnpinnedParticipants: { flagged: [], compliant: [] },
  RegistryBucketProtection: { flagged: ['RegistryWithoutTrail'], compliant: [] },
  RegistryWithoutTrail: { flagged: [], compliant: [] },
  InferenceWithoutInvocationLogging: {
    flagged: ['InferenceWithoutGuardrail'],
    compliant: ['InferenceWithoutGuardrail'],
  },
  InferenceWithoutGuardrail: {
    flagged: ['InferenceWithoutInvocationLogging'],
    compliant: ['InferenceWithoutInvocationLogging'],
  },
  CapabilityRoleLimits: {
    flagged: ['CustomizationOutsidePipeline'],
    compliant: ['CustomizationOutsidePipeline', 'UnknownPermissions'],
  },
  UnknownPermissions: {
    flagged: [],
    compliant: ['InferenceWithoutGuardrail', 'InferenceWithoutInvocationLogging'],
  },
};

describe('what else each fixture draws', () => {
  const drawn = (t: Json) => [
    ...new Set(check(t).violations.map((v) => v.ruleName.replace(/^ModelAccess-/, '').replace(/\[.*$/, ''))),
  ];
  test('every rule is listed', () => {
    expect(Object.keys(ALSO_DRAWN).sort()).toEqual(MODEL_ACCESS_RULES.map((r) => r.id).sort());
  });
  test.each(MODEL_ACCESS_RULES.map((r) => r.id))('ModelAccess-%s', (id) => {
    expect(drawn(FIXTURES[id].nonCompliant).sort()).toEqual([id, ...ALSO_DRAWN[id].flagged].sort());
    expect(drawn(FIXTURES[id].compliant).sort()).toEqual([...ALSO_DRAWN[id].compliant].sort());
  });
});
