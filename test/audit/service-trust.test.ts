import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ReferenceStack } from '../../bin/app';
import { simulate } from '../support/simulate';
import { ACCOUNT, ResolvedTemplate } from '../support/template';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Confused deputy: each role the library creates for a service is the service's only for this account. */
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const t = new ResolvedTemplate(Template.fromStack(new ReferenceStack(app, 'Reference')).toJSON());
const serviceRoles = t.ofType('AWS::IAM::Role').flatMap((id) => {
  const statement = t.props(id).AssumeRolePolicyDocument.Statement[0];
  const service = [statement.Principal?.Service ?? []].flat()[0] as string | undefined;
  return service ? [{ id, service, trust: t.props(id).AssumeRolePolicyDocument }] : [];
});
const OTHER = '222222222222';

function assume(trust: Json, service: string, context: Record<string, string>) {
  return simulate({
    principal: service,
    action: 'sts:AssumeRole',
    resource: `arn:aws:iam::${ACCOUNT}:role/r`,
    resourcePolicy: trust,
    context: { 'aws:PrincipalArn': service, 'aws:PrincipalServiceName': service, ...context },
  });
}
// The pipeline's own function roles, not the invokers' role the app asked for.
const roleOf = (service: string) =>
  serviceRoles.find((r) => r.service === service && r.trust.Statement[0].Condition?.ArnLikeIfExists) ??
  serviceRoles.find((r) => r.service === service)!;

test('every role the library creates for a service names this account in its trust', () => {
  expect(serviceRoles.map((r) => r.service).sort()).toEqual(
    expect.arrayContaining([
      'bedrock.amazonaws.com',
      'cloudtrail.amazonaws.com',
      'lambda.amazonaws.com',
      'states.amazonaws.com',
    ]),
  );
  for (const { id, trust } of serviceRoles) {
    const condition = trust.Statement[0].Condition ?? {};
    const account =
      condition.StringEquals?.['aws:SourceAccount'] ?? condition.StringEqualsIfExists?.['aws:SourceAccount'];
    expect([id, account]).toEqual([id, ACCOUNT]);
  }
});

test.each([
  [
    'lambda.amazonaws.com',
    `arn:aws:lambda:us-east-1:${OTHER}:function:theirs`,
    `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`,
  ],
  [
    'cloudtrail.amazonaws.com',
    `arn:aws:cloudtrail:us-east-1:${OTHER}:trail/theirs`,
    `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/t`,
  ],
  [
    'states.amazonaws.com',
    `arn:aws:states:us-east-1:${OTHER}:stateMachine:theirs`,
    `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:p`,
  ],
  [
    'bedrock.amazonaws.com',
    `arn:aws:bedrock:us-east-1:${OTHER}:model-customization-job/j`,
    `arn:aws:bedrock:us-east-1:${ACCOUNT}:model-customization-job/j`,
  ],
])('%s may assume its role for this account, never for another', async (service, theirs, ours) => {
  const { trust } = roleOf(service);
  expect(await assume(trust, service, { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': ours })).toBe(
    'Allowed',
  );
  expect(await assume(trust, service, { 'aws:SourceAccount': OTHER, 'aws:SourceArn': theirs })).not.toBe(
    'Allowed',
  );
  expect(await assume(trust, service, { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': theirs })).not.toBe(
    'Allowed',
  );
});

test('where the service documents the keys they are required; elsewhere a call without them still works', async () => {
  expect(await assume(roleOf('states.amazonaws.com').trust, 'states.amazonaws.com', {})).not.toBe('Allowed');
  expect(await assume(roleOf('bedrock.amazonaws.com').trust, 'bedrock.amazonaws.com', {})).not.toBe(
    'Allowed',
  );
  expect(await assume(roleOf('cloudtrail.amazonaws.com').trust, 'cloudtrail.amazonaws.com', {})).toBe(
    'Allowed',
  );
  expect(await assume(roleOf('lambda.amazonaws.com').trust, 'lambda.amazonaws.com', {})).toBe('Allowed');
  expect(
    await assume(roleOf('lambda.amazonaws.com').trust, 'lambda.amazonaws.com', {
      'aws:SourceAccount': OTHER,
    }),
  ).not.toBe('Allowed');
});
