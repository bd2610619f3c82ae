import { createHash, createHmac, randomBytes } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

/** An access key as STS and IAM hand them out. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * STS as the pipelines' handlers meet it, on loopback: it checks a presigned GetCallerIdentity
 * request as AWS does (SigV4 query signing, written here independently of the client's signer:
 * the signed headers as received, the credential scope, expiry and session token) and answers
 * with the signer's identity. moto's STS cannot stand in alone: it verifies no presigned
 * signature and names a default user for one. With `moto`, the identity is moto's answer for the
 * same credentials (IAM users and role sessions moto made); without, the ARN each key was
 * registered with.
 */
export class StsStandIn {
  public static async start(options: { moto?: string } = {}): Promise<StsStandIn> {
    const standIn = new StsStandIn(options.moto);
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    standIn.server.unref();
    return standIn;
  }

  /** Calls it answered, by what it answered: `ok` or the refusal's code. */
  public readonly answered: string[] = [];
  private readonly keys = new Map<string, { credentials: Credentials; arn?: string }>();
  private readonly server: http.Server;

  private constructor(private readonly moto?: string) {
    this.server = http.createServer((req, res) => {
      this.answer(req)
        .then(({ status, xml }) => {
          res.writeHead(status, { 'content-type': 'text/xml' });
          res.end(xml);
        })
        .catch((e) => {
          res.writeHead(500);
          res.end(String(e));
        });
    });
  }

  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Makes STS know a key; without moto, as signing for `arn`. */
  public register(credentials: Credentials, arn?: string): void {
    this.keys.set(credentials.accessKeyId, { credentials, arn });
  }

  /** A new key for `arn`, known to this STS. */
  public keyFor(arn: string): Credentials {
    const credentials = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: randomBytes(32).toString('base64'),
    };
    this.register(credentials, arn);
    return credentials;
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async answer(req: http.IncomingMessage): Promise<{ status: number; xml: string }> {
    const refused = (code: string, message: string) => {
      this.answered.push(code);
      return {
        status: 403,
        xml: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error></ErrorResponse>`,
      };
    };
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const q = url.searchParams;
    if (req.method !== 'GET' || q.get('Action') !== 'GetCallerIdentity') {
      return refused('InvalidAction', 'only a presigned GetCallerIdentity is served here');
    }
    const [keyId, date, region, service, terminal] = (q.get('X-Amz-Credential') ?? '').split('/');
    const known = this.keys.get(keyId);
    if (!known)
      return refused('InvalidClientTokenId', 'The security token included in the request is invalid.');
    if ((q.get('X-Amz-Security-Token') ?? undefined) !== known.credentials.sessionToken) {
      return refused('InvalidClientTokenId', 'The security token included in the request is invalid.');
    }
    const amzDate = q.get('X-Amz-Date') ?? '';
    const signedAt = Date.parse(
      amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
    );
    if (!(signedAt + Number(q.get('X-Amz-Expires')) * 1000 > Date.now())) {
      return refused('ExpiredToken', 'Signature expired');
    }
    const signedHeaders = (q.get('X-Amz-SignedHeaders') ?? '').split(';');
    const canonicalQuery = [...q.entries()]
      .filter(([k]) => k !== 'X-Amz-Signature')
      .map(([k, v]) => [rfc3986(k), rfc3986(v)])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const canonicalHeaders = signedHeaders
      .map((h) => `${h}:${String(req.headers[h] ?? '').trim()}\n`)
      .join('');
    const canonicalRequest = [
      'GET',
      url.pathname,
      canonicalQuery,
      canonicalHeaders,
      signedHeaders.join(';'),
      sha256(''),
    ].join('\n');
    const scope = `${date}/${region}/${service}/${terminal}`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
    let key: Buffer = hmac(`AWS4${known.credentials.secretAccessKey}`, date);
    for (const part of [region, service, terminal]) key = hmac(key, part);
    if (hmac(key, stringToSign).toString('hex') !== q.get('X-Amz-Signature')) {
      return refused(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
    }
    const identity = await this.identityOf(known);
    this.answered.push('ok');
    return {
      status: 200,
      xml:
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
        `<Arn>${identity.arn}</Arn><UserId>${identity.userId}</UserId><Account>${identity.account}</Account>` +
        '</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
    };
  }

  private async identityOf(known: { credentials: Credentials; arn?: string }) {
    if (!this.moto) {
      const arn = known.arn!;
      return { arn, userId: known.credentials.accessKeyId, account: arn.split(':')[4] };
    }
    const sts = new STSClient({ endpoint: this.moto, region: 'us-east-1', credentials: known.credentials });
    const answer = await sts.send(new GetCallerIdentityCommand({}));
    return { arn: answer.Arn!, userId: answer.UserId!, account: answer.Account! };
  }
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
