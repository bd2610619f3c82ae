import { ChildProcess, spawn } from 'child_process';
import * as net from 'net';

/**
 * A moto server on loopback (FACTS.md), one request at a time: each call is then atomic, as a
 * conditional write on one DynamoDB item is, so races between callers are decided as AWS decides them.
 */
/**
 * IAM's service-specific credentials (Bedrock API keys), which moto 5.2 does not have: created for a
 * user, listed for one user or for all, with IAM's query-protocol replies. Only what the audit reads.
 */
const SERVICE_CREDENTIALS = `
import datetime, uuid
from moto.iam.responses import IamResponse
CREDENTIALS = []
XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/'
def _member(c):
    return ''.join('<%s>%s</%s>' % (k, v, k) for k, v in c.items())
def create_service_specific_credential(self):
    c = {
        'UserName': self._get_param('UserName'),
        'ServiceName': self._get_param('ServiceName'),
        'ServiceUserName': self._get_param('UserName') + '-at-' + self.current_account,
        'ServiceSpecificCredentialId': 'ACCA' + uuid.uuid4().hex[:17].upper(),
        'Status': 'Active',
        'CreateDate': datetime.datetime.utcnow().strftime('%Y-%m-%dT%H:%M:%SZ'),
    }
    CREDENTIALS.append(c)
    return ('<CreateServiceSpecificCredentialResponse xmlns="%s"><CreateServiceSpecificCredentialResult>'
            '<ServiceSpecificCredential>%s<ServicePassword>secret</ServicePassword></ServiceSpecificCredential>'
            '</CreateServiceSpecificCredentialResult></CreateServiceSpecificCredentialResponse>') % (XMLNS, _member(c))
def list_service_specific_credentials(self):
    user, service = self._get_param('UserName'), self._get_param('ServiceName')
    found = [c for c in CREDENTIALS if (user is None or c['UserName'] == user) and (service is None or c['ServiceName'] == service)]
    return ('<ListServiceSpecificCredentialsResponse xmlns="%s"><ListServiceSpecificCredentialsResult>'
            '<ServiceSpecificCredentials>%s</ServiceSpecificCredentials><IsTruncated>false</IsTruncated>'
            '</ListServiceSpecificCredentialsResult></ListServiceSpecificCredentialsResponse>') % (
        XMLNS, ''.join('<member>%s</member>' % _member(c) for c in found))
IamResponse.create_service_specific_credential = create_service_specific_credential
IamResponse.list_service_specific_credentials = list_service_specific_credentials
`;

export class MotoServer {
  public static async start(): Promise<MotoServer> {
    const port = await freePort();
    const script = [
      'import sys',
      'from moto.server import DomainDispatcherApplication, create_backend_app',
      'from werkzeug.serving import run_simple',
      SERVICE_CREDENTIALS,
      'run_simple("127.0.0.1", int(sys.argv[1]), DomainDispatcherApplication(create_backend_app), threaded=False)',
    ].join('\n');
    const child = spawn('python3', ['-c', script, String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const endpoint = `http://127.0.0.1:${port}`;
    for (let waited = 0; ; waited += 100) {
      if (child.exitCode !== null) throw new Error(`moto server exited: ${stderr}`);
      if (await reachable(endpoint)) break;
      if (waited > 30_000) {
        child.kill();
        throw new Error(`moto server did not answer within 30 s: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return new MotoServer(endpoint, child);
  }

  private constructor(
    public readonly endpoint: string,
    private readonly child: ChildProcess,
  ) {}

  public stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill();
    });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function reachable(endpoint: string): Promise<boolean> {
  try {
    await fetch(`${endpoint}/moto-api/`);
    return true;
  } catch {
    return false;
  }
}
