/**
 * TCP, TLS and WebSocket through a real proxy: gossipper <-> Kamailio 5.6 <-> SIPp 3.6.1 over
 * UDP, on 127.0.0.1 (the Debian SIPp has neither TLS nor WebSocket, so Kamailio is the peer
 * that is not us). Every
 * test starts its own Kamailio (support/kamailio.ts) with throwaway certificates made here,
 * runs a bounded number of calls and stops everything by PID. Needs a built CLI
 * (`npm run build`). Ports: 14600..14799, ten per test.
 */
import { afterAll, beforeAll, expect, it, type TestContext } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithPeers, KAMAILIO, OPENSSL, SIPP } from './support/peers.js';
import { killAllTracked, session, waitFor, type Proc, type Session } from './support/procs.js';
import { assertTcpPortsFree, assertUdpPortsFree, waitForTcpListening, waitForUdpBound } from './support/net.js';
import { finalCounts, readStatCsv, readSummary, statCsvName } from './support/files.js';
import { startKamailio, type KamailioOptions } from './support/kamailio.js';
import { makeTestCerts, type TestCerts } from '../../adapters/tcp-tls/test/support/certs.js';

afterAll(killAllTracked);

const HOST = '127.0.0.1';
const CALLS = 20;
const RATE = '20';

interface TransportSummary {
  transport: { connectionsLost: number; tlsHandshakeFailures: number };
}

/** A test's ports: Kamailio's five listeners, SIPp's and ours. */
function portsFrom(base: number) {
  return {
    kamailio: { udp: base, tcp: base + 1, tls: base + 2, ws: base + 3, wss: base + 4 },
    sipp: base + 5,
    ours: base + 6,
  };
}
type Ports = ReturnType<typeof portsFrom>;

describeWithPeers([SIPP, KAMAILIO, OPENSSL], 'through Kamailio 5.6 (TCP, TLS, WebSocket) to and from the real SIPp', () => {
  let certs: TestCerts;
  beforeAll(() => {
    certs = makeTestCerts();
    return () => certs.cleanup();
  });

  /** Kamailio on `ports`, relaying UDP to our `inner` side and the rest to SIPp; stopped when the test ends. */
  async function kamailio(ctx: TestContext, ports: Ports, inner: NonNullable<KamailioOptions['inner']>['transport']) {
    const k = ports.kamailio;
    assertUdpPortsFree(k.udp, ports.sipp);
    assertTcpPortsFree(k.tcp, k.tls, k.ws, k.wss, ports.ours);
    const proxy = await startKamailio({
      ports: k,
      cert: certs.serverCert,
      key: certs.serverKey,
      inner: { port: ports.ours, transport: inner },
      outer: { port: ports.sipp },
    });
    ctx.onTestFinished(async () => {
      if (ctx.task.result?.state === 'fail') {
        const file = join(mkdtempSync(join(tmpdir(), 'gossipper-kamailio-log-')), 'kamailio.log');
        writeFileSync(file, proxy.log());
        console.warn(`--- kamailio (pid ${proxy.pid}) log kept in ${file}; its end:\n${proxy.log().slice(-4000)}`);
      }
      await proxy.stop();
    });
    return proxy;
  }

  /** SIPp's built-in uas over UDP, for CALLS calls, bound before this returns. */
  async function sippUas(s: Session, ports: Ports): Promise<Proc> {
    const sipp = s.sipp(['-sn', 'uas', '-i', HOST, '-p', String(ports.sipp), '-m', String(CALLS)]);
    await waitForUdpBound(ports.sipp, sipp);
    return sipp;
  }

  /** Our UAC ran CALLS calls to Kamailio and SIPp's uas answered them all. */
  async function expectAllSuccessful(s: Session, uac: Proc, sipp: Proc): Promise<void> {
    expect((await uac.wait(30_000)).code, uac.describe()).toBe(0);
    expect(finalCounts(readStatCsv(s.path(statCsvName('uac', uac.pid))))).toMatchObject({
      outgoing: CALLS,
      successful: CALLS,
      failed: 0,
    });
    const summary = readSummary(s.path('uac.json')) as ReturnType<typeof readSummary> & TransportSummary;
    expect(summary.calls).toMatchObject({ outgoing: CALLS, successful: CALLS, failed: 0 });
    expect(summary.transport).toMatchObject({ connectionsLost: 0, tlsHandshakeFailures: 0 });
    expect((await sipp.wait(15_000)).code, sipp.describe()).toBe(0);
    expect(sipp.stdout).toMatch(new RegExp(`Successful call\\s*\\|\\s*\\d+\\s*\\|\\s*${CALLS}\\b`));
  }

  const outbound = [
    { mode: 't1', listener: 'tcp', base: 14600 },
    { mode: 'l1', listener: 'tls', base: 14610 },
    { mode: 'ln', listener: 'tls', base: 14620 },
    { mode: 'w1', listener: 'ws', base: 14660 },
    { mode: 'wss1', listener: 'wss', base: 14670 },
    { mode: 'wssn', listener: 'wss', base: 14680 },
  ] as const;
  for (const { mode, listener, base } of outbound) {
    const tls = listener === 'tls' || listener === 'wss';
    const verifying = tls ? ', verifying its certificate' : '';
    it.concurrent(`gossipper -sn uac -t ${mode} -> Kamailio (${listener}${verifying}) -> sipp -sn uas over UDP: ${CALLS} calls`, async (ctx) => {
      const s = session(ctx);
      const ports = portsFrom(base);
      await kamailio(ctx, ports, 'tcp');
      const sipp = await sippUas(s, ports);
      const uac = s.gossipper([
        '-sn', 'uac', '-t', mode, `${HOST}:${ports.kamailio[listener]}`, '-i', HOST, '-p', String(ports.ours),
        ...(tls ? ['-tls_ca', certs.caCert] : []),
        '-m', String(CALLS), '-r', RATE, '-trace_stat', '-summary_json', 'uac.json',
      ]);
      await expectAllSuccessful(s, uac, sipp);
      if (tls) expect(uac.stderr).not.toContain('not verified');
    }, 60_000);
  }

  /** SIPp's uac over UDP to Kamailio, which relays to our uas: every call successful on both sides. */
  async function callOurUasThroughKamailio(s: Session, ports: Ports, uas: Proc): Promise<void> {
    const sipp = s.sipp([
      '-sn', 'uac', `${HOST}:${ports.kamailio.udp}`, '-i', HOST, '-p', String(ports.sipp),
      '-m', String(CALLS), '-r', RATE, '-trace_stat', '-stf', 'sipp.csv',
    ]);
    expect((await sipp.wait(30_000)).code, sipp.describe()).toBe(0);
    expect(finalCounts(readStatCsv(s.path('sipp.csv')))).toMatchObject({ outgoing: CALLS, successful: CALLS, failed: 0 });
    expect((await uas.wait(15_000)).code, uas.describe()).toBe(0);
    const summary = readSummary(s.path('uas.json')) as ReturnType<typeof readSummary> & TransportSummary;
    expect(summary.calls).toMatchObject({ incoming: CALLS, successful: CALLS, failed: 0 });
    expect(summary.transport).toMatchObject({ connectionsLost: 0, tlsHandshakeFailures: 0 });
  }

  const inbound = [
    { mode: 't1', inner: 'tcp', base: 14630 },
    { mode: 'l1', inner: 'tls', base: 14640 },
  ] as const;
  for (const { mode, inner, base } of inbound) {
    it.concurrent(`sipp -sn uac over UDP -> Kamailio -> gossipper -sn uas -t ${mode} (Kamailio connects to us): ${CALLS} calls`, async (ctx) => {
      const s = session(ctx);
      const ports = portsFrom(base);
      await kamailio(ctx, ports, inner);
      const uas = s.gossipper([
        '-sn', 'uas', '-t', mode, '-i', HOST, '-p', String(ports.ours),
        ...(inner === 'tls' ? ['-tls_cert', certs.serverCert, '-tls_key', certs.serverKey] : []),
        '-m', String(CALLS), '-summary_json', 'uas.json',
      ]);
      await waitForTcpListening(ports.ours, uas);
      await callOurUasThroughKamailio(s, ports, uas);
    }, 60_000);
  }

  // Kamailio cannot open a WebSocket connection: our UAS, given Kamailio's address, connects
  // out to its ws/wss listener from its -p port, and Kamailio routes the calls from SIPp to
  // that connection by its address (sip:127.0.0.1:PORT;transport=ws).
  const behindGateway = [
    { mode: 'w1', inner: 'ws', base: 14690 },
    { mode: 'wss1', inner: 'wss', base: 14700 },
  ] as const;
  for (const { mode, inner, base } of behindGateway) {
    it.concurrent(`sipp -sn uac over UDP -> Kamailio -> gossipper -sn uas -t ${mode}, connected out to Kamailio: ${CALLS} calls`, async (ctx) => {
      const s = session(ctx);
      const ports = portsFrom(base);
      await kamailio(ctx, ports, inner);
      const uas = s.gossipper([
        '-sn', 'uas', '-t', mode, `${HOST}:${ports.kamailio[inner]}`, '-i', HOST, '-p', String(ports.ours),
        ...(inner === 'wss' ? ['-tls_cert', certs.serverCert, '-tls_key', certs.serverKey, '-tls_ca', certs.caCert] : []),
        '-m', String(CALLS), '-trace_stat', '-stf', 'uas.csv', '-summary_json', 'uas.json',
      ]);
      // The run starts (and writes its statistics header) once its connection is up, upgrade included.
      await waitFor(`${uas.label} to connect to Kamailio`, () => {
        if (!uas.alive) throw new Error(`gossipper uas exited before connecting\n${uas.describe()}`);
        return existsSync(s.path('uas.csv')) && readFileSync(s.path('uas.csv'), 'utf8').length > 0;
      }, 10_000);
      await callOurUasThroughKamailio(s, ports, uas);
    }, 60_000);
  }

  it.concurrent('-tls_verify with a CA that did not sign Kamailio\'s certificate: exit 255, the reason, the failure counted', async (ctx) => {
    const s = session(ctx);
    const ports = portsFrom(14650);
    await kamailio(ctx, ports, 'tcp');
    const uac = s.gossipper([
      '-sn', 'uac', '-t', 'l1', `${HOST}:${ports.kamailio.tls}`, '-i', HOST, '-p', String(ports.ours),
      '-tls_verify', '-tls_ca', certs.otherCaCert, '-m', '1', '-summary_json', 'uac.json',
    ]);
    expect((await uac.wait(15_000)).code, uac.describe()).toBe(255);
    expect(uac.stderr).toContain(
      `cannot connect to ${HOST}:${ports.kamailio.tls} over TLS: TLS handshake failed: unable to verify the first certificate`,
    );
    const summary = readSummary(s.path('uac.json')) as ReturnType<typeof readSummary> & TransportSummary;
    expect(summary.exitCode).toBe(255);
    expect(summary.transport.tlsHandshakeFailures).toBe(1);
    expect(summary.calls.successful).toBe(0);
  }, 30_000);
});
