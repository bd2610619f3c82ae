import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { signProof } from '../../../lib/cli/pipeline-client';
import type { ProofPurpose } from '../../../lib/pipeline/handlers/identity-proof';
import { StsStandIn } from '../../support/sts-stand-in';

export const ALICE = 'arn:aws:sts::111111111111:assumed-role/Requester/alice';
export const BOB = 'arn:aws:sts::111111111111:assumed-role/Approver/bob';
export const CAROL = 'arn:aws:sts::111111111111:assumed-role/Approver/carol';
export const DAVE = 'arn:aws:sts::111111111111:assumed-role/Approver/dave';
/** Alice again, through the approver role. */
export const ALICE_AS_APPROVER = 'arn:aws:sts::111111111111:assumed-role/Approver/Alice';

let sts: Promise<StsStandIn> | undefined;

/** The STS the handlers send proofs to in these tests (started once, on loopback). */
export function stsStandIn(): Promise<StsStandIn> {
  sts ??= StsStandIn.start().then((standIn) => {
    process.env.AWS_ENDPOINT_URL_STS = standIn.endpoint;
    return standIn;
  });
  return sts;
}

/**
 * A function URL invocation as Lambda delivers it, its body carrying a proof of identity signed
 * by a key STS knows as `callerArn` (none where it is undefined), bound to the payload for the
 * pipeline the handler's environment names. The proof is for a decision where the body has one, else for a request.
 * `raw` replaces the whole body.
 */
export async function urlEvent(
  callerArn: string | undefined,
  body: unknown,
  options: { method?: string; raw?: string; base64?: boolean; purpose?: ProofPurpose } = {},
): Promise<LambdaFunctionURLEvent> {
  const payload = JSON.stringify(body);
  let text = options.raw;
  if (text === undefined) {
    const purpose =
      options.purpose ??
      (typeof body === 'object' && body !== null && 'decision' in body ? 'decision' : 'request');
    const proof = callerArn
      ? await signProof(
          (await stsStandIn()).keyFor(callerArn),
          'us-east-1',
          process.env.PIPELINE_NAME ?? 'Pipeline',
          purpose,
          payload,
        )
      : undefined;
    text = JSON.stringify({ payload, proof });
  }
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    isBase64Encoded: options.base64 ?? false,
    body: options.base64 ? Buffer.from(text).toString('base64') : text,
    requestContext: {
      accountId: '111111111111',
      apiId: 'url-id',
      domainName: 'url-id.lambda-url.us-east-1.on.aws',
      domainPrefix: 'url-id',
      http: {
        method: options.method ?? 'POST',
        path: '/',
        protocol: 'HTTP/1.1',
        sourceIp: '10.0.0.1',
        userAgent: 'test',
      },
      requestId: 'r',
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
  } as unknown as LambdaFunctionURLEvent;
}

export const RULES = {
  baseModels: ['amazon.titan-text-express-v1'],
  hyperParameters: [
    { name: 'epochCount', integer: true, min: 1, max: 5 },
    { name: 'learningRate', integer: false, min: 0.000001, max: 0.0001 },
  ],
  modelName: { pattern: '^([0-9a-zA-Z][_-]?)+$', maxLength: 63, description: "Bedrock's rule" },
};

export const SHA_HEX = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
export const SHA_B64 = Buffer.from(SHA_HEX, 'hex').toString('base64');

export function validRequest(overrides: Record<string, unknown> = {}) {
  return {
    baseModel: 'amazon.titan-text-express-v1',
    customModelName: 'support-assistant-v2',
    trainingData: { key: 'datasets/train.jsonl', versionId: 'v1', sha256: SHA_HEX },
    validationData: { key: 'datasets/valid.jsonl', versionId: 'v2', sha256: SHA_B64 },
    hyperParameters: { epochCount: 2, learningRate: '0.00001' },
    ...overrides,
  };
}

/** The handlers' environment, as the construct sets it. */
export function setHandlerEnv() {
  Object.assign(process.env, {
    TABLE_NAME: 'decisions',
    STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111111111111:stateMachine:Pipeline',
    PIPELINE_NAME: 'Pipeline',
    REQUEST_RULES: JSON.stringify(RULES),
    REQUIRED_APPROVALS: '2',
    PARTICIPANTS: JSON.stringify({
      roles: { '111111111111:Requester': 'pinned', '111111111111:Approver': 'pinned' },
      users: [],
    }),
    APPROVAL_TIMEOUT_SECONDS: '3600',
    TOKEN_KEY_ARN: 'arn:aws:kms:us-east-1:111111111111:key/token-key',
    TOPIC_ARN: 'arn:aws:sns:us-east-1:111111111111:notifications',
    TRAINING_DATA_BUCKET: 'training',
    METADATA_BUCKET: 'metadata',
    AWS_REGION: 'us-east-1',
  });
}

/**
 * The governance metrics a handler wrote while `act` ran, in CloudWatch's embedded metric format,
 * as name -> value; each line is checked to be a well-formed metric of the pipeline's namespace.
 */
export async function emittedMetrics(act: () => Promise<unknown>): Promise<Record<string, number>> {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  try {
    await act();
  } finally {
    log.mockRestore();
  }
  const metrics: Record<string, number> = {};
  for (const line of lines) {
    const emf = JSON.parse(line);
    const [directive] = emf._aws.CloudWatchMetrics;
    expect(directive).toMatchObject({ Namespace: 'ModelAccess/Pipelines', Dimensions: [['Pipeline']] });
    expect(typeof emf._aws.Timestamp).toBe('number');
    expect(emf.Pipeline).toBe('Pipeline');
    for (const { Name } of directive.Metrics) metrics[Name] = emf[Name];
  }
  return metrics;
}

/**
 * Keeps the handlers' metric lines (CloudWatch's embedded metric format, written to stdout) out of
 * the test output; `emittedMetrics` still reads them where a test asks.
 */
export function quietMetricLines(): void {
  let spy: jest.SpyInstance | undefined;
  beforeEach(() => {
    spy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => spy?.mockRestore());
}
