/**
 * End to end over TCP and TLS: the `gossipper` command against itself on 127.0.0.1 and ::1,
 * and what happens when connections fail. Needs a built CLI (`npm run build`).
 * Ports: 14000..14199.
 */
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { delay, killAllTracked, session } from './support/procs.js';
import { assertTcpPortsFree, waitForTcpEstablished, waitForTcpListening } from './support/net.js';
import { finalCounts, readMessageTrace, readStatCsv, readSummary, statCsvName } from './support/files.js';
import { describeWithCerts } from '../../adapters/tcp-tls/test/support/certs.js';

afterAll(killAllTracked);

const HOST = '127.0.0.1';

interface TransportSummary {
  transport: { connectionsLost: number; tlsHandshakeFailures: number };
}

describe('TCP', () => {
  it.concurrent('connection refused at start: exit 255 at once with the endpoint and the reason, as SIPp', async (ctx) => {
    const s = session(ctx);
    const port = 14001;
    assertTcpPortsFree(port);
    const uac = s.gossipper(['-sn', 'uac', '-t', 't1', `${HOST}:${port}`, '-i', HOST, '-p', '14002', '-m', '1']);
    const exit = await uac.wait(10_000);
    expect(exit.code, uac.describe()).toBe(255);
    expect(uac.stderr).toContain(`cannot connect to ${HOST}:${port} over TCP: connection refused (ECONNREFUSED)`);
  });

  it.concurrent('t1: gossipper uac -> gossipper uas, 100 calls over one connection, Via and traces say TCP', async (ctx) => {
    const s = session(ctx);
    const [uasPort, uacPort] = [14011, 14012];
    assertTcpPortsFree(uasPort, uacPort);
    const uas = s.gossipper(['-sn', 'uas', '-t', 't1', '-i', HOST, '-p', String(uasPort), '-m', '100', '-summary_json', 'uas.json']);
    await waitForTcpListening(uasPort, uas);
    const uac = s.gossipper([
      '-sn', 'uac', '-t', 't1', `${HOST}:${uasPort}`, '-i', HOST, '-p', String(uacPort),
      '-m', '100', '-r', '200', '-trace_msg', '-trace_stat', '-summary_json', 'uac.json',
    ]);
    expect((await uac.wait(20_000)).code, uac.describe()).toBe(0);
    expect(finalCounts(readStatCsv(s.path(statCsvName('uac', uac.pid))))).toMatchObject({ outgoing: 100, successful: 100, failed: 0 });
    const trace = readMessageTrace(s.path(`uac_${uac.pid}_messages.log`));
    const invite = trace.find((b) => b.direction === 'sent')!.message.toString('latin1');
    expect(invite).toMatch(/^INVITE sip:/);
    expect(invite).toContain(`Via: SIP/2.0/TCP ${HOST}:${uacPort};branch=`);
    // No retransmission on a reliable transport.
    expect(readSummary(s.path('uac.json')).messages.retransmissions).toBe(0);
    expect((await uas.wait(15_000)).code, uas.describe()).toBe(0);
    const uasSummary = readSummary(s.path('uas.json'));
    expect(uasSummary.calls).toMatchObject({ incoming: 100, successful: 100, failed: 0 });
  }, 40_000);

  it.concurrent('tn with -max_socket: a connection per call, shared past the limit; both sides succeed', async (ctx) => {
    const s = session(ctx);
    const [uasPort, uacPort] = [14021, 14022];
    assertTcpPortsFree(uasPort, uacPort);
    const uas = s.gossipper(['-sn', 'uas', '-t', 'tn', '-i', HOST, '-p', String(uasPort), '-m', '60']);
    await waitForTcpListening(uasPort, uas);
    const uac = s.gossipper([
      '-sn', 'uac', '-t', 'tn', '-max_socket', '5', `${HOST}:${uasPort}`, '-i', HOST, '-p', String(uacPort),
      '-m', '60', '-r', '100', '-trace_stat',
    ]);
    expect((await uac.wait(20_000)).code, uac.describe()).toBe(0);
    expect(finalCounts(readStatCsv(s.path(statCsvName('uac', uac.pid))))).toMatchObject({ outgoing: 60, successful: 60, failed: 0 });
    expect((await uas.wait(15_000)).code, uas.describe()).toBe(0);
  }, 40_000);

  it.concurrent('the peer dies mid-run without -max_reconnect: open calls fail tcp-closed, exit 255, every output written', async (ctx) => {
    const s = session(ctx);
    const [uasPort, uacPort] = [14031, 14032];
    assertTcpPortsFree(uasPort, uacPort);
    const uas = s.gossipper(['-sn', 'uas', '-t', 't1', '-i', HOST, '-p', String(uasPort)]);
    await waitForTcpListening(uasPort, uas);
    const uac = s.gossipper([
      '-sn', 'uac', '-t', 't1', `${HOST}:${uasPort}`, '-i', HOST, '-p', String(uacPort),
      '-r', '20', '-d', '2000', '-m', '200', '-trace_stat', '-trace_err', '-summary_json', 'uac.json',
    ]);
    await waitForTcpEstablished(uasPort, uac);
    await delay(500);
    await uas.kill();
    const exit = await uac.wait(15_000);
    expect(exit.code, uac.describe()).toBe(255);
    expect(uac.stderr).toMatch(/connection to 127\.0\.0\.1:14031 lost \(.*\) and -max_reconnect allows no new one/);
    const summary = readSummary(s.path('uac.json')) as ReturnType<typeof readSummary> & TransportSummary;
    expect(summary.failures['tcp-closed']).toBeGreaterThan(0);
    expect(summary.transport.connectionsLost).toBe(1);
    expect(existsSync(s.path(statCsvName('uac', uac.pid)))).toBe(true);
    expect(existsSync(s.path(`uac_${uac.pid}_errors.log`))).toBe(true);
  }, 40_000);

  it.concurrent('with -max_reconnect the run goes on over a new connection to a restarted peer', async (ctx) => {
    const s = session(ctx);
    const [uasPort, uacPort] = [14041, 14042];
    assertTcpPortsFree(uasPort, uacPort);
    const first = s.gossipper(['-sn', 'uas', '-t', 't1', '-i', HOST, '-p', String(uasPort)]);
    await waitForTcpListening(uasPort, first);
    // 8 s of new calls: time for the second peer to start on a busy machine.
    const uac = s.gossipper([
      '-sn', 'uac', '-t', 't1', `${HOST}:${uasPort}`, '-i', HOST, '-p', String(uacPort),
      '-r', '10', '-d', '500', '-m', '80', '-max_reconnect', '30', '-reconnect_sleep', '300',
      '-trace_stat', '-trace_err', '-summary_json', 'uac.json',
    ]);
    await waitForTcpEstablished(uasPort, uac);
    await delay(700);
    await first.kill();
    const second = s.gossipper(['-sn', 'uas', '-t', 't1', '-i', HOST, '-p', String(uasPort), '-summary_json', 'uas2.json']);
    const exit = await uac.wait(25_000);
    // Calls open when the connection went fail: the run ends with failures (exit 1), not fatally.
    expect(exit.code, uac.describe()).toBe(1);
    const summary = readSummary(s.path('uac.json')) as ReturnType<typeof readSummary> & TransportSummary;
    expect(summary.calls.outgoing).toBe(80);
    expect(summary.failures['tcp-closed']).toBeGreaterThan(0);
    expect(summary.transport.connectionsLost).toBe(1);
    expect(existsSync(s.path(statCsvName('uac', uac.pid)))).toBe(true);
    expect(existsSync(s.path(`uac_${uac.pid}_errors.log`))).toBe(true);
    // New calls went to the restarted peer over the new connection, and succeeded.
    second.signal('SIGTERM');
    await second.wait(10_000);
    const resumed = readSummary(s.path('uas2.json'));
    expect(resumed.calls.incoming).toBeGreaterThan(0);
    expect(resumed.calls.successful).toBeGreaterThan(0);
  }, 60_000);

  it.concurrent('3PCC over t1: the four gossipper roles; controller B opens its connection on its first send', async (ctx) => {
    const s = session(ctx);
    const [a, b, cb, twin, ca] = [14061, 14062, 14063, 14064, 14065];
    assertTcpPortsFree(a, b, cb, twin, ca);
    const common = ['-t', 't1', '-i', HOST, '-m', '3', '-timeout', '30s'];
    const partyA = s.gossipper(['-sn', '3pcc-A', '-p', String(a), ...common]);
    const partyB = s.gossipper(['-sn', '3pcc-B', '-p', String(b), ...common]);
    await waitForTcpListening(a, partyA);
    await waitForTcpListening(b, partyB);
    const controllerB = s.gossipper(['-sn', '3pcc-C-B', `${HOST}:${b}`, '-p', String(cb), '-3pcc', `${HOST}:${twin}`, ...common]);
    await waitForTcpListening(twin, controllerB);
    const controllerA = s.gossipper(['-sn', '3pcc-C-A', `${HOST}:${a}`, '-p', String(ca), '-3pcc', `${HOST}:${twin}`, '-r', '10', ...common]);
    for (const party of [controllerA, controllerB, partyA, partyB]) {
      expect((await party.wait(30_000)).code, party.describe()).toBe(0);
      expect(party.stdout).toMatch(/Successful call\s*\|\s*\d+\s*\|\s*3\b/);
    }
  }, 45_000);

  it.concurrent('IPv6: t1 over ::1', async (ctx) => {
    const s = session(ctx);
    const [uasPort, uacPort] = [14051, 14052];
    assertTcpPortsFree(uasPort, uacPort);
    const uas = s.gossipper(['-sn', 'uas', '-t', 't1', '-i', '::1', '-p', String(uasPort), '-m', '10']);
    await waitForTcpListening(uasPort, uas);
    const uac = s.gossipper(['-sn', 'uac', '-t', 't1', `[::1]:${uasPort}`, '-i', '::1', '-p', String(uacPort), '-m', '10', '-r', '50', '-trace_msg']);
    expect((await uac.wait(15_000)).code, uac.describe()).toBe(0);
    const invite = readMessageTrace(s.path(`uac_${uac.pid}_messages.log`))[0]!.message.toString('latin1');
    expect(invite).toContain(`Via: SIP/2.0/TCP [::1]:${uacPort};branch=`);
    expect((await uas.wait(15_000)).code, uas.describe()).toBe(0);
  }, 30_000);
});

describeWithCerts('TLS', (certs) => {

  it.concurrent('sl server and cl client: 50 calls unverified, with one warning line', async (ctx) => {
    const s = session(ctx);
    const [uasPort, uacPort] = [14101, 14102];
    assertTcpPortsFree(uasPort, uacPort);
    const uas = s.gossipper(['-sn', 'uas', '-t', 'sl', '-tls_cert', certs.serverCert, '-tls_key', certs.serverKey,
      '-i', HOST, '-p', String(uasPort), '-m', '50']);
    await waitForTcpListening(uasPort, uas);
    const uac = s.gossipper(['-sn', 'uac', '-t', 'cl', `${HOST}:${uasPort}`, '-i', HOST, '-p', String(uacPort),
      '-m', '50', '-r', '100', '-trace_msg', '-trace_stat']);
    expect((await uac.wait(20_000)).code, uac.describe()).toBe(0);
    expect(finalCounts(readStatCsv(s.path(statCsvName('uac', uac.pid))))).toMatchObject({ outgoing: 50, successful: 50, failed: 0 });
    expect(uac.stderr.split('\n').filter((l) => l.includes('not verified'))).toEqual([
      'gossipper: warning: TLS: the peer certificate is not verified (as SIPp); give -tls_verify or -tls_ca to verify it',
    ]);
    const invite = readMessageTrace(s.path(`uac_${uac.pid}_messages.log`))[0]!.message.toString('latin1');
    expect(invite).toContain(`Via: SIP/2.0/TLS ${HOST}:`);
    expect((await uas.wait(15_000)).code, uas.describe()).toBe(0);
  }, 40_000);

  it.concurrent('ln verified with -tls_ca and SNI, over ::1; no warning', async (ctx) => {
    const s = session(ctx);
    const [uasPort, uacPort] = [14111, 14112];
    assertTcpPortsFree(uasPort, uacPort);
    const uas = s.gossipper(['-sn', 'uas', '-t', 'ln', '-tls_cert', certs.serverCert, '-tls_key', certs.serverKey,
      '-i', '::1', '-p', String(uasPort), '-m', '20']);
    await waitForTcpListening(uasPort, uas);
    const uac = s.gossipper(['-sn', 'uac', '-t', 'cln', `[::1]:${uasPort}`, '-i', '::1', '-p', String(uacPort),
      '-tls_ca', certs.caCert, '-tls_sni', 'sip.test', '-tls_version', '1.3', '-m', '20', '-r', '50', '-trace_stat']);
    expect((await uac.wait(20_000)).code, uac.describe()).toBe(0);
    expect(uac.stderr).not.toContain('not verified');
    expect(finalCounts(readStatCsv(s.path(statCsvName('uac', uac.pid))))).toMatchObject({ outgoing: 20, successful: 20, failed: 0 });
    expect((await uas.wait(15_000)).code, uas.describe()).toBe(0);
  }, 40_000);

  it.concurrent('a wrong CA: the client exits 255 with the handshake reason; the server counts the failed handshake', async (ctx) => {
    const s = session(ctx);
    const [uasPort, uacPort] = [14121, 14122];
    assertTcpPortsFree(uasPort, uacPort);
    const uas = s.gossipper(['-sn', 'uas', '-t', 'l1', '-tls_cert', certs.serverCert, '-tls_key', certs.serverKey,
      '-i', HOST, '-p', String(uasPort), '-timeout', '8s', '-summary_json', 'uas.json']);
    await waitForTcpListening(uasPort, uas);
    const uac = s.gossipper(['-sn', 'uac', '-t', 'l1', `${HOST}:${uasPort}`, '-i', HOST, '-p', String(uacPort),
      '-tls_ca', certs.otherCaCert, '-m', '1']);
    expect((await uac.wait(10_000)).code, uac.describe()).toBe(255);
    expect(uac.stderr).toContain(`cannot connect to ${HOST}:${uasPort} over TLS: TLS handshake failed: unable to verify the first certificate`);
    expect((await uas.wait(15_000)).code, uas.describe()).toBe(97);
    const summary = readSummary(s.path('uas.json')) as ReturnType<typeof readSummary> & TransportSummary;
    expect(summary.transport.tlsHandshakeFailures).toBe(1);
  }, 30_000);

  it.concurrent('an expired server certificate is refused by a verifying client, with that reason', async (ctx) => {
    const s = session(ctx);
    const [uasPort, uacPort] = [14131, 14132];
    assertTcpPortsFree(uasPort, uacPort);
    const uas = s.gossipper(['-sn', 'uas', '-t', 'l1', '-tls_cert', certs.expiredCert, '-tls_key', certs.expiredKey,
      '-i', HOST, '-p', String(uasPort), '-timeout', '8s']);
    await waitForTcpListening(uasPort, uas);
    const uac = s.gossipper(['-sn', 'uac', '-t', 'l1', `${HOST}:${uasPort}`, '-i', HOST, '-p', String(uacPort),
      '-tls_ca', certs.caCert, '-m', '1']);
    expect((await uac.wait(10_000)).code, uac.describe()).toBe(255);
    expect(uac.stderr).toContain('TLS handshake failed: certificate has expired (CERT_HAS_EXPIRED)');
    await uas.wait(15_000);
  }, 30_000);

  it.concurrent('a TLS server without its key, or with a file it cannot read: exit 1 naming the flag and the file', async (ctx) => {
    const s = session(ctx);
    const noKey = s.gossipper(['-sn', 'uas', '-t', 'sl', '-tls_cert', certs.serverCert, '-i', HOST, '-p', '14141']);
    expect((await noKey.wait(10_000)).code, noKey.describe()).toBe(1);
    expect(noKey.stderr).toContain('gossipper: -tls_key: a TLS server needs a private key (-tls_key FILE)');
    const missing = s.gossipper(['-sn', 'uas', '-t', 'l1', '-tls_cert', '/nonexistent/server.pem', '-tls_key', certs.serverKey,
      '-i', HOST, '-p', '14142']);
    expect((await missing.wait(10_000)).code, missing.describe()).toBe(1);
    expect(missing.stderr).toContain('gossipper: -tls_cert: cannot read "/nonexistent/server.pem": no such file');
  }, 30_000);
});
