/** A throwaway CA and a server certificate for 127.0.0.1, made with openssl for HTTPS tests. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './agent-harness.js';

export interface TestPki {
  caCert: string;
  serverKey: string;
  serverCert: string;
  /** A second, unrelated CA: an agent trusting only this must refuse the server. */
  otherCaCert: string;
}

/** `dnsNames`: more names the server certificate carries (an XMPP domain, say) beside 127.0.0.1 and localhost. */
export function makeTestPki(dnsNames: readonly string[] = []): TestPki {
  const dir = tempDir('pki-');
  const run = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ca = (name: string): void =>
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`);
  ca('ca');
  ca('other');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), `subjectAltName=IP:127.0.0.1,DNS:localhost${dnsNames.map((n) => `,DNS:${n}`).join('')}\n`);
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf');
  const read = (f: string): string => fs.readFileSync(path.join(dir, f), 'utf8');
  const pki = { caCert: read('ca.crt'), serverKey: read('server.key'), serverCert: read('server.crt'), otherCaCert: read('other.crt') };
  fs.rmSync(dir, { recursive: true, force: true });
  return pki;
}
