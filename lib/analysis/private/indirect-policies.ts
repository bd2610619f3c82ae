import * as fs from 'fs';
import * as path from 'path';
import { scalar } from '../../private/intrinsics';
import { AwsManagedPolicies } from '../aws-managed-policies';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Metadata a resource the analysis adds carries: the resource of the template that deploys it. */
export const GENERATED_BY = 'model-access:generated-by';
/** Metadata on a resource that may grant at deploy time in a way the analysis cannot read: why. */
export const UNJUDGED = 'model-access:unjudged';
/** Metadata on a custom resource whose IAM call the analysis read and judged. */
export const JUDGED_CALL = 'model-access:judged-call';

const SAM_DATA = path.join(__dirname, '..', 'data', 'sam-policy-templates.json');
let samTemplates: Record<string, { Parameters: string[]; Definition: Json }> | undefined;

// The role SAM creates for a function or state machine that names none: trust, and managed policies it always adds.
const SAM_ROLES: Record<string, { service: string; managed: string[] }> = {
  'AWS::Serverless::Function': {
    service: 'lambda.amazonaws.com',
    managed: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
  },
  'AWS::Serverless::StateMachine': { service: 'states.amazonaws.com', managed: [] },
};

/**
 * A template's resources with what deploys policies indirectly written out as the IAM resources
 * it stands for, each marked with the resource that deploys it (`GENERATED_BY`):
 * - a SAM function or state machine with no `Role` as the role SAM creates (`<Id>Role`), its
 *   `Policies` as policy documents, AWS-managed policy names and ARNs, and SAM policy templates
 *   (from the SAM translator's own data);
 * - a custom resource that calls IAM at deploy time with its parameters in its properties
 *   (`AwsCustomResource`: `iam:PutRolePolicy`, `PutUserPolicy`, `PutGroupPolicy`, `AttachRolePolicy`,
 *   `AttachUserPolicy`, `AttachGroupPolicy`) as the policy it attaches.
 * What cannot be read is marked `UNJUDGED` with the reason: a SAM policy template the data does
 * not have, a call whose document is not JSON, a StackSet whose template is not inline JSON.
 */
export function withIndirectPolicies(resources: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = { ...resources };
  const mark = (id: string, reason: string) => {
    const r = out[id];
    out[id] = { ...r, Metadata: { ...(r.Metadata ?? {}), [UNJUDGED]: reason } };
  };
  for (const [id, r] of Object.entries<Json>(resources)) {
    const sam = SAM_ROLES[r?.Type];
    if (sam && r.Properties?.Role === undefined) {
      const { role, problems } = samRole(id, r.Properties ?? {}, sam);
      out[`${id}Role`] = { ...role, Metadata: { [GENERATED_BY]: id } };
      if (problems.length) mark(id, problems.join('; '));
    } else if (
      r?.Type === 'Custom::AWS' ||
      r?.Type === 'AWS::CloudFormation::CustomResource' ||
      /^Custom::/.test(r?.Type ?? '')
    ) {
      const calls = ['Create', 'Update'].map((k) => r.Properties?.[k]).filter((c) => c !== undefined);
      for (const [i, call] of calls.entries()) {
        const read = iamCall(call);
        if (read === undefined) continue;
        if (typeof read === 'string') {
          mark(id, read);
          continue;
        }
        out[`${id}Call${i}`] = { ...read, Metadata: { [GENERATED_BY]: id } };
        out[id] = { ...out[id], Metadata: { ...(out[id].Metadata ?? {}), [JUDGED_CALL]: true } };
      }
    } else if (r?.Type === 'AWS::CloudFormation::StackSet') {
      if (
        typeof r.Properties?.TemplateBody !== 'string' ||
        inlineJson(r.Properties.TemplateBody) === undefined
      ) {
        mark(
          id,
          'the StackSet template is not inline JSON (a TemplateURL or YAML), so its roles and policies are not judged',
        );
      }
    }
  }
  return out;
}

/** A StackSet's inline template, when it is JSON. */
export function inlineJson(body: string): Json | undefined {
  try {
    const parsed = JSON.parse(body);
    return parsed && typeof parsed === 'object' && parsed.Resources ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function samRole(id: string, props: Json, sam: { service: string; managed: string[] }) {
  samTemplates ??= JSON.parse(fs.readFileSync(SAM_DATA, 'utf8')).templates as Record<
    string,
    { Parameters: string[]; Definition: Json }
  >;
  const problems: string[] = [];
  const documents: Json[] = [];
  const managed = [...sam.managed];
  const policies =
    props.Policies === undefined ? [] : Array.isArray(props.Policies) ? props.Policies : [props.Policies];
  for (const policy of policies) {
    if (
      typeof policy === 'string' ||
      (policy &&
        typeof policy === 'object' &&
        !policy.Statement &&
        Object.keys(policy).some((k) => k === 'Ref' || k.startsWith('Fn::')))
    ) {
      const name = scalar(policy);
      managed.push(
        name.startsWith('arn:') || name.startsWith('${') ? policy : `arn:aws:iam::aws:policy/${name}`,
      );
    } else if (policy?.Statement !== undefined) {
      documents.push(policy);
    } else if (policy && typeof policy === 'object') {
      for (const [name, values] of Object.entries<Json>(policy)) {
        const known = samTemplates[name];
        if (!known) {
          problems.push(`the SAM policy template ${name} is not in the SAM translator's data`);
          continue;
        }
        documents.push(bindParameters(known.Definition, values ?? {}));
      }
    }
  }
  const role = {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: props.AssumeRolePolicyDocument ?? {
        Statement: [{ Effect: 'Allow', Principal: { Service: sam.service }, Action: 'sts:AssumeRole' }],
      },
      ManagedPolicyArns: managed,
      Policies: documents.map((PolicyDocument, i) => ({ PolicyName: `${id}Policy${i}`, PolicyDocument })),
      ...(props.PermissionsBoundary !== undefined ? { PermissionsBoundary: props.PermissionsBoundary } : {}),
      ...(props.Tags && !Array.isArray(props.Tags)
        ? { Tags: Object.entries(props.Tags).map(([Key, Value]) => ({ Key, Value })) }
        : {}),
    },
  };
  return { role, problems };
}

/** A SAM policy template's definition with its parameters (`Ref: BucketName`) bound to the values given. */
function bindParameters(definition: Json, values: Json): Json {
  const bind = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(bind);
    if (!v || typeof v !== 'object') return v;
    if (typeof v.Ref === 'string' && Object.keys(v).length === 1 && values[v.Ref] !== undefined)
      return values[v.Ref];
    return Object.fromEntries(Object.entries<Json>(v).map(([k, x]) => [k, bind(x)]));
  };
  return bind(definition);
}

const PUT: Record<string, [string, string, string]> = {
  putrolepolicy: ['AWS::IAM::Policy', 'Roles', 'RoleName'],
  putuserpolicy: ['AWS::IAM::Policy', 'Users', 'UserName'],
  putgrouppolicy: ['AWS::IAM::Policy', 'Groups', 'GroupName'],
  attachrolepolicy: ['AWS::IAM::Policy', 'Roles', 'RoleName'],
  attachuserpolicy: ['AWS::IAM::Policy', 'Users', 'UserName'],
  attachgrouppolicy: ['AWS::IAM::Policy', 'Groups', 'GroupName'],
};
// IAM calls that change who may do what but are not attachments: the analysis cannot replay them.
const OTHER_GRANTS =
  /^(createpolicyversion|updateassumerolepolicy|addusertogroup|deleterolepermissionsboundary|deleteuserpermissionsboundary|putrolepermissionsboundary|putuserpermissionsboundary|setdefaultpolicyversion)$/;

/**
 * The policy resource an `AwsCustomResource` call to IAM attaches (its `Create` or `Update`, a JSON
 * string with intrinsics written in), a reason when it changes IAM in a way the analysis cannot
 * read, or undefined when it is no IAM call.
 */
function iamCall(call: Json): Json | string | undefined {
  let parsed: Json;
  try {
    parsed = typeof call === 'string' ? JSON.parse(call) : JSON.parse(scalar(call));
  } catch {
    return /iam/i.test(JSON.stringify(call))
      ? 'a custom resource call that names IAM but is not JSON the analysis can read'
      : undefined;
  }
  const service = String(parsed?.service ?? '')
    .toLowerCase()
    .replace(/^@aws-sdk\/client-/, '');
  if (service !== 'iam') return undefined;
  const action = String(parsed.action ?? '')
    .toLowerCase()
    .replace(/command$/, '');
  const params = parsed.parameters ?? {};
  if (OTHER_GRANTS.test(action))
    return `a custom resource calls iam:${parsed.action} at deploy time, which the analysis does not replay`;
  const put = PUT[action];
  if (!put) return undefined;
  const [type, list, nameKey] = put;
  let document: Json;
  if (action.startsWith('put')) {
    try {
      document =
        typeof params.PolicyDocument === 'string' ? JSON.parse(params.PolicyDocument) : params.PolicyDocument;
    } catch {
      return `a custom resource calls iam:${parsed.action} with a policy document that is not JSON`;
    }
  } else {
    const known = AwsManagedPolicies.of(String(params.PolicyArn ?? ''));
    if (!known) return `a custom resource attaches ${params.PolicyArn}, a policy the analysis cannot read`;
    document = { Statement: known.statements };
  }
  if (!document?.Statement) return `a custom resource calls iam:${parsed.action} with no policy document`;
  return {
    Type: type,
    Properties: {
      PolicyName: String(params.PolicyName ?? 'attached'),
      PolicyDocument: document,
      [list]: [params[nameKey]],
    },
  };
}
