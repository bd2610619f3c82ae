import { AccessAnalysis, Capability } from '../../lib';
import { allow, bucket, doc, role, template } from '../analysis/designs';
import { check } from './include';

/**
 * Every pair of capabilities, held by one role: the pack reports exactly the forbidden ones, each
 * by the one rule that owns it and naming the pair, and stays silent on the rest. The forbidden
 * pairs are written out here from the architecture's definition of a merged identity, not taken
 * from lib/.
 */
const {
  READ,
  INFERENCE,
  CUSTOMIZATION,
  DEPLOYMENT,
  WEIGHTS_ACCESS,
  APPROVAL,
  INFERENCE_LOG_ACCESS,
  PRIVILEGE_ADMIN,
} = Capability;

// One grant that confers each capability alone.
const GRANT: Record<Capability, object> = {
  [READ]: allow('bedrock:GetFoundationModel'),
  [INFERENCE]: allow('bedrock:InvokeModel'),
  [CUSTOMIZATION]: allow('bedrock:CreateModelCustomizationJob'),
  [DEPLOYMENT]: allow('sagemaker:CreateEndpoint'),
  [WEIGHTS_ACCESS]: allow('bedrock:CreateModelCopyJob'),
  [APPROVAL]: allow('sagemaker:UpdateModelPackage'),
  [INFERENCE_LOG_ACCESS]: allow('s3:GetObject', { 'Fn::Sub': '${Logs.Arn}/*' }),
  [PRIVILEGE_ADMIN]: allow('iam:PutRolePolicy'),
};
const ALL = Object.keys(GRANT) as Capability[];

// Two of inference, customization, deployment and approval; inference or read with weights
// access; inference, customization or deployment with the inference logs; any model capability
// with privilege administration.
const FORBIDDEN: Record<string, string> = {
  'customization+inference': 'MergedCapabilities',
  'deployment+inference': 'MergedCapabilities',
  'approval+inference': 'MergedCapabilities',
  'customization+deployment': 'MergedCapabilities',
  'approval+customization': 'MergedCapabilities',
  'approval+deployment': 'MergedCapabilities',
  'inference+weights-access': 'WeightsAccessMerge',
  'read+weights-access': 'WeightsAccessMerge',
  'inference+inference-log-access': 'InferenceLogAccessMerge',
  'customization+inference-log-access': 'InferenceLogAccessMerge',
  'deployment+inference-log-access': 'InferenceLogAccessMerge',
  'privilege-admin+read': 'PrivilegeAdminMerge',
  'inference+privilege-admin': 'PrivilegeAdminMerge',
  'customization+privilege-admin': 'PrivilegeAdminMerge',
  'deployment+privilege-admin': 'PrivilegeAdminMerge',
  'privilege-admin+weights-access': 'PrivilegeAdminMerge',
  'approval+privilege-admin': 'PrivilegeAdminMerge',
  'inference-log-access+privilege-admin': 'PrivilegeAdminMerge',
};

/** A pair as the findings name it, its two capabilities in a fixed order. */
const pairName = (pair: string[]) => [...pair].sort().join('+');

const design = (...capabilities: Capability[]) =>
  template({ Logs: bucket('inference-logs'), R: role([doc(...capabilities.map((c) => GRANT[c]))]) });

/** The merged-identity findings on the role: `Rule[pair]`, pairs in a fixed order. */
function mergeFindings(...capabilities: Capability[]): string[] {
  return mergeFindingsOf(design(...capabilities));
}

function mergeFindingsOf(t: object): string[] {
  return check(t)
    .violations.filter((v) => v.severity === 'fatal')
    .map((v) => {
      const match = /^ModelAccess-(\w+)\[([^\]]*)\]$/.exec(v.ruleName);
      return match ? `${match[1]}[${pairName(match[2].split('+'))}]` : v.ruleName;
    })
    .sort();
}

const PAIRS = ALL.flatMap((a, i) => ALL.slice(i + 1).map((b) => [a, b] as [Capability, Capability]));

test('each grant confers its capability alone', () => {
  for (const c of ALL) {
    const analysis = AccessAnalysis.fromTemplate(design(c));
    expect([c, analysis.principals.find((p) => p.id === 'R')!.capabilities]).toEqual([c, [c]]);
  }
});

test('there are 28 pairs, 18 of them forbidden', () => {
  expect(PAIRS).toHaveLength(28);
  expect(Object.keys(FORBIDDEN)).toHaveLength(18);
  for (const name of Object.keys(FORBIDDEN)) expect(PAIRS.map(pairName)).toContain(name);
});

describe('a role holding two capabilities', () => {
  test.each(PAIRS.map((p) => [pairName(p), p] as const))('%s', (name, pair) => {
    const rule = FORBIDDEN[name];
    expect(mergeFindings(...pair)).toEqual(rule ? [`${rule}[${name}]`] : []);
    // The analysis names the same pair, and only it.
    const merges = AccessAnalysis.fromTemplate(design(...pair)).mergesOf('R');
    expect(merges.map((m) => pairName(m.capabilities))).toEqual(rule ? [name] : []);
  });
});

test('each finding says what the role holds and which grant gives each', () => {
  const action = (c: Capability) => (GRANT[c] as { Action: string }).Action;
  for (const [a, b] of PAIRS.filter((p) => FORBIDDEN[pairName(p)])) {
    const [finding] = check(design(a, b)).violations.filter((v) => v.severity === 'fatal');
    for (const c of [a, b]) {
      expect([a, b, finding.description]).toEqual([
        a,
        b,
        expect.stringContaining(`${c} from ${action(c)} in R`),
      ]);
    }
    expect(finding.description).toMatch(/^Design\/Template\/R: holds /);
  }
});

test('a role holding every capability is reported once for each forbidden pair, by its rule', () => {
  const expected = Object.entries(FORBIDDEN)
    .map(([name, rule]) => `${rule}[${name}]`)
    .sort();
  expect(mergeFindings(...ALL)).toEqual(expected);
});

test('reading every object, with no registry bucket named, is one acknowledgeable finding and no merge, even beside privilege administration', () => {
  const t = template({ R: role([doc(allow(['s3:GetObject', 'iam:PutRolePolicy']))]) });
  const principal = AccessAnalysis.fromTemplate(t).principal('R')!;
  expect(principal.capabilities).toEqual([PRIVILEGE_ADMIN]);
  expect(principal.readsEveryObject?.action).toBe('s3:GetObject');
  expect(check(t).violations.map((v) => [v.ruleName, v.severity])).toEqual([
    ['ModelAccess-ReadsEveryObject', 'error'],
  ]);
  // Named, a registry bucket's objects are weights: then it is a merge.
  const named = template({
    W: bucket('model-artifacts'),
    R: role([doc(allow(['s3:GetObject', 'iam:PutRolePolicy']))]),
  });
  expect(mergeFindingsOf(named)).toContain('PrivilegeAdminMerge[privilege-admin+weights-access]');
});
