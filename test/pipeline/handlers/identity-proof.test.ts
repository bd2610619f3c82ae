import * as http from 'http';
import { AddressInfo } from 'net';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { signProof } from '../../../lib/cli/pipeline-client';
import { handler } from '../../../lib/pipeline/handlers/approval-handler';
import { BINDING_HEADER, proofProblem } from '../../../lib/pipeline/handlers/identity-proof';
import { Credentials, StsStandIn } from '../../support/sts-stand-in';
import { DecisionTable, decisionTable, REQUEST_ID } from './decision-table';
import { quietMetricLines, urlEvent } from './events';

quietMetricLines();

/**
 * Who approves is who STS says signed the proof, on a real IAM (moto: users, access keys, role
 * sessions) behind an STS that checks presigned signatures as AWS does: a proof signed with bob's
 * key is bob. Every attack replays what an attacker with `lambda:InvokeFunction` on the approval
 * function (common: `function:*`) could send, and must leave the record unapproved.
 */
const MOTO_ACCOUNT = '123456789012';
const PIPELINE = 'ModelCustomizationPipeline';
let table: DecisionTable;
let sts: StsStandIn;
let iam: IAMClient;
const sfn = mockClient(SFNClient);
const keys: Record<string, Credentials> = {};

async function user(name: string): Promise<Credentials> {
  await iam.send(new CreateUserCommand({ UserName: name }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  const credentials = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  sts.register(credentials);
  return credentials;
}

async function session(roleName: string, sessionName: string, as: Credentials): Promise<Credentials> {
  const role = `arn:aws:iam::${MOTO_ACCOUNT}:role/${roleName.split('/').pop()}`;
  const { Credentials: c } = await new STSClient({
    endpoint: table.endpoint,
    region: 'us-east-1',
    credentials: as,
  }).send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: sessionName }));
  const credentials = {
    accessKeyId: c!.AccessKeyId!,
    secretAccessKey: c!.SecretAccessKey!,
    sessionToken: c!.SessionToken!,
  };
  sts.register(credentials);
  return credentials;
}

const decision = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({ requestId: REQUEST_ID, decision: 'approve', ...overrides });

/** A function URL event whose body is `payload` with a proof signed by `signer` for `proved` (default: the payload). */
async function event(
  signer: Credentials | undefined,
  payload: string,
  options: { proved?: string; audience?: string; signedAt?: Date; proof?: string; claimed?: string } = {},
): Promise<LambdaFunctionURLEvent> {
  const proof =
    options.proof ??
    (signer
      ? await signProof(
          signer,
          'us-east-1',
          options.audience ?? PIPELINE,
          'decision',
          options.proved ?? payload,
          options.signedAt,
        )
      : undefined);
  const base = await urlEvent(undefined, {}, { raw: JSON.stringify({ payload, proof }) });
  // What an attacker invoking the function directly writes: the URL's IAM authorizer, claiming anyone.
  const authorizer = options.claimed
    ? { iam: { userArn: options.claimed, accountId: MOTO_ACCOUNT } }
    : undefined;
  return { ...base, requestContext: { ...base.requestContext, authorizer } } as LambdaFunctionURLEvent;
}

const approvals = async () => Object.keys((await table.stored()).approvals as object).sort();
const errors = (r: { body?: string }) => JSON.parse(r.body ?? '{}').errors as string[];

beforeAll(async () => {
  table = await decisionTable({
    PIPELINE_NAME: PIPELINE,
    PARTICIPANTS: JSON.stringify({
      roles: {
        [`${MOTO_ACCOUNT}:Approver`]: 'pinned',
        [`${MOTO_ACCOUNT}:AWSReservedSSO_MlLead_0123456789abcdef`]: 'identity-center',
      },
      users: [`${MOTO_ACCOUNT}:bob`, `${MOTO_ACCOUNT}:carol`],
    }),
  });
  sts = await StsStandIn.start({ moto: table.endpoint });
  process.env.AWS_ENDPOINT_URL_STS = sts.endpoint;
  iam = new IAMClient({ endpoint: table.endpoint, region: 'us-east-1' });
  for (const name of ['alice', 'bob', 'carol', 'mallory']) keys[name] = await user(name);
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: MOTO_ACCOUNT }, Action: 'sts:AssumeRole' }],
  });
  await iam.send(new CreateRoleCommand({ RoleName: 'Approver', AssumeRolePolicyDocument: trust }));
  await iam.send(new CreateRoleCommand({ RoleName: 'Admin', AssumeRolePolicyDocument: trust }));
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'AWSReservedSSO_MlLead_0123456789abcdef',
      Path: '/aws-reserved/sso.amazonaws.com/',
      AssumeRolePolicyDocument: trust,
    }),
  );
}, 60_000);
afterAll(async () => {
  await sts?.stop();
  await table?.stop();
});
beforeEach(async () => {
  sfn.reset();
  await table.reset();
});

describe('two real people complete a request, whatever their kind of identity', () => {
  test('IAM users bob and carol, each proven by their own access key', async () => {
    expect((await handler(await event(keys.bob, decision()))).statusCode).toBe(200);
    expect((await handler(await event(keys.carol, decision()))).statusCode).toBe(200);
    expect(await approvals()).toEqual(['bob', 'carol']);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  test('pinned role sessions and an Identity Center session count as the people they name', async () => {
    const bob = await session('Approver', 'bob', keys.bob);
    const carol = await session('AWSReservedSSO_MlLead_0123456789abcdef', 'carol@example.com', keys.carol);
    expect((await handler(await event(bob, decision()))).statusCode).toBe(200);
    expect((await handler(await event(carol, decision()))).statusCode).toBe(200);
    expect(await approvals()).toEqual(['bob', 'carol@example.com']);
  });
});

describe('forged identities approve nothing', () => {
  test('a direct invoke whose event claims bob, with no proof, is refused and names the pipeline to prove for', async () => {
    const result = await handler(
      await event(undefined, decision(), { claimed: `arn:aws:iam::${MOTO_ACCOUNT}:user/bob` }),
    );
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body!).audience).toBe(PIPELINE);
    expect(await approvals()).toEqual([]);
  });

  test("mallory's own valid proof, in an event claiming bob, is mallory, who was not granted", async () => {
    const result = await handler(
      await event(keys.mallory, decision(), { claimed: `arn:aws:iam::${MOTO_ACCOUNT}:user/bob` }),
    );
    expect(result.statusCode).toBe(403);
    expect(errors(result)).toEqual([
      `arn:aws:iam::${MOTO_ACCOUNT}:user/mallory was not granted this endpoint (grantRequest or grantApprove)`,
    ]);
    expect(await approvals()).toEqual([]);
  });

  test('a session of a role the pipeline was not granted, named bob, counts for nobody', async () => {
    const admin = await session('Admin', 'bob', keys.mallory);
    const result = await handler(await event(admin, decision()));
    expect(result.statusCode).toBe(403);
    expect(await approvals()).toEqual([]);
  });

  test("bob's proof for one decision, replayed for another request or a rejection, fails at STS", async () => {
    const signedFor = decision();
    for (const other of [
      decision({ requestId: '00000000-0000-4000-8000-000000000000' }),
      decision({ decision: 'reject' }),
    ]) {
      const result = await handler(await event(keys.bob, other, { proved: signedFor }));
      expect(result.statusCode).toBe(401);
      expect(errors(result)[0]).toMatch(/^STS refused the proof \(403 SignatureDoesNotMatch\)/);
    }
    expect(await approvals()).toEqual([]);
  });

  test("bob's proof for another pipeline is refused here", async () => {
    const result = await handler(await event(keys.bob, decision(), { audience: 'SomeOtherPipeline' }));
    expect(result.statusCode).toBe(401);
    expect(await approvals()).toEqual([]);
  });

  test('a proof that expired, or that would live longer than five minutes, is refused before it is sent', async () => {
    const before = sts.answered.length;
    const old = await handler(
      await event(keys.bob, decision(), { signedAt: new Date(Date.now() - 10 * 60_000) }),
    );
    expect(errors(old)).toEqual(['the proof has expired; sign a new one']);
    const proof = (await signProof(keys.bob, 'us-east-1', PIPELINE, 'decision', decision())).replace(
      'X-Amz-Expires=300',
      'X-Amz-Expires=3600',
    );
    const long = await handler(await event(keys.bob, decision(), { proof }));
    expect(errors(long)).toEqual(['the proof must expire within 300 seconds (X-Amz-Expires 3600)']);
    expect(sts.answered.length).toBe(before);
    expect(await approvals()).toEqual([]);
  });

  test("a proof addressed to the attacker's own server, which would answer 'bob', is never sent", async () => {
    let contacted = 0;
    const liar = http.createServer((_req, res) => {
      contacted++;
      res.end(
        `<GetCallerIdentityResult><Arn>arn:aws:iam::${MOTO_ACCOUNT}:user/bob</Arn><Account>${MOTO_ACCOUNT}</Account></GetCallerIdentityResult>`,
      );
    });
    await new Promise<void>((r) => liar.listen(0, '127.0.0.1', r));
    const port = (liar.address() as AddressInfo).port;
    const genuine = await signProof(keys.mallory, 'us-east-1', PIPELINE, 'decision', decision());
    try {
      for (const proof of [
        genuine.replace('https://sts.us-east-1.amazonaws.com/', `http://127.0.0.1:${port}/`),
        genuine.replace('sts.us-east-1.amazonaws.com', 'sts.us-east-1.amazonaws.com.evil.example'),
        genuine.replace('sts.us-east-1.amazonaws.com', 'sts.us-east-1.amazonaws.com:8443'),
        genuine.replace('Action=GetCallerIdentity', 'Action=AssumeRole'),
        `${genuine}&Action=GetCallerIdentity`,
      ]) {
        const result = await handler(await event(undefined, decision(), { proof }));
        expect(result.statusCode).toBe(401);
      }
    } finally {
      liar.close();
    }
    expect(contacted).toBe(0);
    expect(await approvals()).toEqual([]);
  });

  test('a proof that does not sign the binding header is refused: it would prove any payload', () => {
    const now = new Date('2026-12-07T10:00:00Z');
    const base =
      'https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256' +
      '&X-Amz-Credential=AKIA%2F20261207%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20261207T095900Z&X-Amz-Expires=300&X-Amz-Signature=00';
    expect(proofProblem(`${base}&X-Amz-SignedHeaders=host`, 'us-east-1', now)).toBe(
      `the proof must sign exactly the headers host and ${BINDING_HEADER}, not host`,
    );
    expect(
      proofProblem(`${base}&X-Amz-SignedHeaders=host%3B${BINDING_HEADER}`, 'us-east-1', now),
    ).toBeUndefined();
    expect(proofProblem(`${base}&X-Amz-SignedHeaders=host%3B${BINDING_HEADER}`, 'cn-north-1', now)).toMatch(
      /must be an https URL of an STS endpoint of this partition/,
    );
  });
});
