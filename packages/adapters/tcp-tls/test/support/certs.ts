/**
 * Throwaway TLS material for tests, made with the openssl CLI in a temporary directory:
 * a CA, a server certificate it signs (SANs localhost, sip.test, 127.0.0.1, ::1), an expired
 * one, a revoked one with the CA's CRL that lists it, and a second CA that signed nothing of
 * the peer's (the "wrong CA").
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';

export interface TestCerts {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  expiredCert: string;
  expiredKey: string;
  otherCaCert: string;
  revokedCert: string;
  revokedKey: string;
  /** The CA's CRL: lists revokedCert. */
  crl: string;
  cleanup(): void;
}

export const OPENSSL_MISSING_WARNING =
  'SKIPPED: the openssl command is missing; install the Debian package openssl (apt-get install -y openssl)';

export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'gossipper-tls-'));
  writeFileSync(
    join(dir, 'san.cnf'),
    'subjectAltName=DNS:localhost,DNS:sip.test,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\n',
  );
  const ca = (name: string): void =>
    openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`,
      '-subj', `/CN=${name}`, '-days', '2');
  const leaf = (name: string, days: string): void => {
    openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=sip.test');
    // -days -1 makes notAfter a day before notBefore: an expired certificate.
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(Date.now()),
      '-days', days, '-extfile', 'san.cnf', '-out', `${name}.pem`);
  };
  ca('ca');
  ca('other-ca');
  leaf('server', '2');
  leaf('expired', '-1');
  leaf('revoked', '2');
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'crlnumber'), '01\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\ncrlnumber=crlnumber\ndefault_md=sha256\ndefault_crl_days=1\n',
  );
  openssl(dir, 'ca', '-config', 'ca.cnf', '-revoke', 'revoked.pem', '-keyfile', 'ca.key', '-cert', 'ca.pem');
  openssl(dir, 'ca', '-config', 'ca.cnf', '-gencrl', '-keyfile', 'ca.key', '-cert', 'ca.pem', '-out', 'crl.pem');
  return {
    dir,
    caCert: join(dir, 'ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    expiredCert: join(dir, 'expired.pem'),
    expiredKey: join(dir, 'expired.key'),
    otherCaCert: join(dir, 'other-ca.pem'),
    revokedCert: join(dir, 'revoked.pem'),
    revokedKey: join(dir, 'revoked.key'),
    crl: join(dir, 'crl.pem'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

let warned = false;

/**
 * A describe block whose tests use throwaway certificates: made before its tests, removed
 * after them. Without the openssl command the block is skipped with one line naming the
 * package, or fails under CI=true.
 */
export function describeWithCerts(name: string, factory: (certs: TestCerts) => void): void {
  if (!opensslAvailable()) {
    if (process.env.CI === 'true') {
      describe(name, () => it('has the openssl command', () => {
        throw new Error('the openssl command is missing: CI must install openssl (apt-get install -y openssl)');
      }));
      return;
    }
    if (!warned) console.warn(OPENSSL_MISSING_WARNING);
    warned = true;
    describe.skip(name, () => factory({} as TestCerts));
    return;
  }
  describe(name, () => {
    // Filled in before the block's tests run: its tests read the paths, never at collection.
    const certs = {} as TestCerts;
    beforeAll(() => {
      Object.assign(certs, makeTestCerts());
    });
    afterAll(() => certs.cleanup?.());
    factory(certs);
  });
}
