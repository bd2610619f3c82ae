import { execFile } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { AddressInfo } from 'net';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lib/pipeline/handlers/approval-handler';
import { handler as requestHandler } from '../../lib/pipeline/handlers/request-handler';
import { DecisionTable, decisionTable, REQUEST_ID } from '../pipeline/handlers/decision-table';
import { quietMetricLines, validRequest } from '../pipeline/handlers/events';
import { StsStandIn } from '../support/sts-stand-in';
import { run } from './run';

quietMetricLines();

/**
 * `model-access approve` and `reject` as an approver runs them: their own AWS credentials (an IAM
 * user's access key, on moto), a function URL that hands the POST to the real approval handler,
 * and STS checking the proof the command signed. The handler decides who they are by the proof.
 */
const MOTO_ACCOUNT = '123456789012';
const PARTICIPANTS = JSON.stringify({
  roles: {},
  users: [`${MOTO_ACCOUNT}:bob`, `${MOTO_ACCOUNT}:carol`, `${MOTO_ACCOUNT}:bob-python`],
});
const CLIENT = path.join(__dirname, '..', '..', 'clients', 'python', 'model_access_client.py');
let table: DecisionTable;
let sts: StsStandIn;
let url: string;
let server: http.Server;
let posts: { signed: boolean; body: Record<string, unknown> }[] = [];
const sfn = mockClient(SFNClient);
const saved = { ...process.env };

async function signInAs(name: string) {
  const iam = new IAMClient({ endpoint: table.endpoint, region: 'us-east-1' });
  await iam.send(new CreateUserCommand({ UserName: name }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  sts.register({ accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
  return { AWS_ACCESS_KEY_ID: AccessKey!.AccessKeyId!, AWS_SECRET_ACCESS_KEY: AccessKey!.SecretAccessKey! };
}

beforeAll(async () => {
  table = await decisionTable({
    PIPELINE_NAME: 'CustomizationPipeline',
    PARTICIPANTS,
  });
  sts = await StsStandIn.start({ moto: table.endpoint });
  process.env.AWS_ENDPOINT_URL_STS = sts.endpoint;
  // The function URL: IAM auth is AWS's to check; here, that the POST is SigV4-signed for Lambda.
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const signed = /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/us-east-1\/lambda\/aws4_request/.test(
        String(req.headers.authorization),
      );
      posts.push({ signed, body: JSON.parse(body) });
      const handle = req.url === '/request' ? requestHandler : handler;
      const answer = await handle({
        body,
        isBase64Encoded: false,
        requestContext: { http: { method: req.method } },
      } as never);
      res.writeHead(answer.statusCode!, { 'content-type': 'application/json' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}, 60_000);
afterAll(async () => {
  server?.close();
  await sts?.stop();
  await table?.stop();
  process.env = saved;
});
beforeEach(async () => {
  sfn.reset();
  posts = [];
  await table.reset();
});

test('two approvers, each with their own credentials, complete the request; each proof names its signer', async () => {
  Object.assign(process.env, await signInAs('bob'));
  const bob = await run('approve', url, REQUEST_ID, '--region', 'us-east-1');
  expect(bob.stderr).toBe('');
  expect(bob.code).toBe(0);
  expect(JSON.parse(bob.stdout)).toMatchObject({
    requestId: REQUEST_ID,
    approvals: 1,
    status: 'AWAITING_APPROVAL',
  });
  Object.assign(process.env, await signInAs('carol'));
  const carol = await run('approve', url, REQUEST_ID, '-r', 'us-east-1', '--reason', 'reviewed the data');
  expect(carol.code).toBe(0);
  expect(JSON.parse(carol.stdout)).toMatchObject({ status: 'APPROVED', approvals: 2 });
  expect(Object.keys((await table.stored()).approvals as object).sort()).toEqual(['bob', 'carol']);
  expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  // First a POST without a proof (the endpoint names the pipeline to bind to), then the proof.
  expect(posts.every((p) => p.signed)).toBe(true);
  expect(posts.map((p) => typeof p.body.proof)).toEqual(['undefined', 'string', 'undefined', 'string']);
});

test('the Python client (clients/python) proves its caller the same way: one not granted is refused by name, one granted counts', async () => {
  const bob = await signInAs('dave-python');
  // dave-python is not granted: refused by name. Then bob, who is.
  // Asynchronously: the function URL answering it is in this process.
  const run = (credentials: Record<string, string>) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        'python3',
        [CLIENT, 'approve', url, REQUEST_ID, '--region', 'us-east-1'],
        {
          env: {
            PATH: process.env.PATH,
            HOME: os.tmpdir(),
            AWS_CONFIG_FILE: '/dev/null',
            AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
            ...credentials,
          },
          timeout: 30_000,
        },
        (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );
  const refused = await run(bob);
  expect(refused.stderr).toContain(
    `arn:aws:iam::${MOTO_ACCOUNT}:user/dave-python was not granted this endpoint`,
  );
  expect(refused.status).toBe(1);
  const approved = await run(await signInAs('bob-python'));
  expect(approved.stderr).toBe('');
  expect(approved.status).toBe(0);
  expect(JSON.parse(approved.stdout)).toMatchObject({ approvals: 1 });
  expect(Object.keys((await table.stored()).approvals as object)).toEqual(['bob-python']);
});

test('a request, from a file, is recorded under the identity its proof names', async () => {
  Object.assign(process.env, await signInAs('erin'));
  process.env.PARTICIPANTS = JSON.stringify({ roles: {}, users: [`${MOTO_ACCOUNT}:erin`] });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'model-access-')), 'request.json');
  fs.writeFileSync(file, JSON.stringify(validRequest()));
  try {
    const result = await run('request', `${url}request`, file, '--region', 'us-east-1');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { requestId, status } = JSON.parse(result.stdout);
    expect(status).toBe('SUBMITTED');
    const { documents } = await import('../../lib/pipeline/handlers/runtime');
    const { Item } = await documents.send(new GetCommand({ TableName: 'decisions', Key: { requestId } }));
    expect(Item).toMatchObject({
      requester: `arn:aws:iam::${MOTO_ACCOUNT}:user/erin`,
      requesterPerson: 'erin',
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  } finally {
    process.env.PARTICIPANTS = saved.PARTICIPANTS ?? PARTICIPANTS;
  }
});

test('someone the pipeline was not granted is refused with the reason, exit 1', async () => {
  Object.assign(process.env, await signInAs('mallory'));
  const result = await run('reject', url, REQUEST_ID, '--region', 'us-east-1', '--reason', 'no');
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(
    `model-access: reject refused (403): arn:aws:iam::${MOTO_ACCOUNT}:user/mallory was not granted this endpoint (grantRequest or grantApprove)\n`,
  );
  expect((await table.stored()).status).toBe('AWAITING_APPROVAL');
});

describe('bad input gets a clear message, exit 2, and sends nothing', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-access-'));
  const notJson = path.join(dir, 'request.json');
  fs.writeFileSync(notJson, '{ not json');
  test.each([
    [
      ['approve', 'https://abc.lambda-url.us-east-1.on.aws/'],
      "approve takes the pipeline's URL and a REQUEST_ID; see 'model-access approve --help'.",
    ],
    [['reject', 'https://abc.lambda-url.us-east-1.on.aws/', REQUEST_ID], 'reject needs --reason: say why.'],
    [
      ['approve', 'not a url', REQUEST_ID],
      "'not a url' is not a URL; give the pipeline's requestUrl or approvalUrl (https://...).",
    ],
    [
      ['approve', 'https://example.com/', REQUEST_ID],
      'cannot tell the region of https://example.com/; give --region.',
    ],
    [
      ['approve', 'http://abc.lambda-url.us-east-1.on.aws/', REQUEST_ID],
      "'http://abc.lambda-url.us-east-1.on.aws/' is not https; a pipeline's URLs are (plain http only to this machine, for testing).",
    ],
    [
      ['request', 'https://abc.lambda-url.us-east-1.on.aws/', path.join(dir, 'missing.json')],
      `cannot read ${path.join(dir, 'missing.json')}: ENOENT`,
    ],
    [
      ['request', 'https://abc.lambda-url.us-east-1.on.aws/', notJson],
      `${notJson} is not a JSON object; a request is one, as docs/customization-pipeline.md shows.`,
    ],
    [
      ['request', 'https://abc.lambda-url.us-east-1.on.aws/', notJson, '--reason', 'x'],
      "request has no option --reason; see 'model-access request --help'.",
    ],
  ])('%j', async (argv, message) => {
    const result = await run(...(argv as string[]));
    expect(result.stderr).toBe(`model-access: ${message}\n`);
    expect(result.code).toBe(2);
    expect(posts).toEqual([]);
  });
});
