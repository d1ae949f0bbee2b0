/**
 * End to end over SIP over WebSocket (RFC 7118): the `gossipper` command against itself, ws
 * and wss, a connection for all calls and one per call. Needs a built CLI (`npm run build`).
 * Ports: 14200..14299.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { killAllTracked, session } from './support/procs.js';
import { assertTcpPortsFree, waitForTcpListening } from './support/net.js';
import { finalCounts, readMessageTrace, readStatCsv, readSummary, statCsvName } from './support/files.js';
import { describeWithCerts } from '../../adapters/tcp-tls/test/support/certs.js';

afterAll(killAllTracked);

const HOST = '127.0.0.1';

describe('WebSocket', () => {
  for (const [mode, ports] of [
    ['w1', [14201, 14202]],
    ['wn', [14203, 14204]],
  ] as const) {
    it.concurrent(`${mode}: gossipper uac -> gossipper uas, 50 calls; Via, Contact and traces say WS`, async (ctx) => {
      const s = session(ctx);
      const [uasPort, uacPort] = ports;
      assertTcpPortsFree(uasPort, uacPort);
      const uas = s.gossipper(['-sn', 'uas', '-t', mode, '-i', HOST, '-p', String(uasPort), '-m', '50']);
      await waitForTcpListening(uasPort, uas);
      const uac = s.gossipper([
        '-sn', 'uac', '-t', mode, `${HOST}:${uasPort}`, '-i', HOST, '-p', String(uacPort),
        '-m', '50', '-r', '100', '-trace_msg', '-trace_stat', '-summary_json', 'uac.json',
      ]);
      expect((await uac.wait(20_000)).code, uac.describe()).toBe(0);
      expect(finalCounts(readStatCsv(s.path(statCsvName('uac', uac.pid))))).toMatchObject({ outgoing: 50, successful: 50, failed: 0 });
      const trace = readMessageTrace(s.path(`uac_${uac.pid}_messages.log`));
      const invite = trace.find((b) => b.direction === 'sent')!.message.toString('latin1');
      expect(invite).toContain(`Via: SIP/2.0/WS ${HOST}:`);
      // The built-in uas's 200 renders its Contact's transport=[transport].
      const ok = trace.find((b) => b.direction === 'received' && b.message.toString('latin1').startsWith('SIP/2.0 200'))!;
      expect(ok.message.toString('latin1')).toContain(`;transport=WS>`);
      expect(readSummary(s.path('uac.json')).messages.retransmissions).toBe(0);
      expect((await uas.wait(15_000)).code, uas.describe()).toBe(0);
    }, 40_000);
  }

  it.concurrent('refused at start: exit 255 with the endpoint and the reason', async (ctx) => {
    const s = session(ctx);
    assertTcpPortsFree(14211);
    const uac = s.gossipper(['-sn', 'uac', '-t', 'w1', `${HOST}:14211`, '-i', HOST, '-p', '14212', '-m', '1']);
    expect((await uac.wait(10_000)).code, uac.describe()).toBe(255);
    expect(uac.stderr).toContain(`cannot connect to ${HOST}:14211 over WS: connection refused (ECONNREFUSED)`);
  });
});

describeWithCerts('secure WebSocket', (certs) => {

  it.concurrent('wss1 verified with -tls_ca and -tls_sni: 30 calls, Via says WSS', async (ctx) => {
    const s = session(ctx);
    const [uasPort, uacPort] = [14221, 14222];
    assertTcpPortsFree(uasPort, uacPort);
    const uas = s.gossipper(['-sn', 'uas', '-t', 'wss1', '-tls_cert', certs.serverCert, '-tls_key', certs.serverKey, '-i', HOST, '-p', String(uasPort), '-m', '30']);
    await waitForTcpListening(uasPort, uas);
    const uac = s.gossipper([
      '-sn', 'uac', '-t', 'wss', '-tls_ca', certs.caCert, '-tls_sni', 'sip.test', `${HOST}:${uasPort}`, '-i', HOST,
      '-p', String(uacPort), '-m', '30', '-r', '100', '-trace_msg',
    ]);
    expect((await uac.wait(20_000)).code, uac.describe()).toBe(0);
    const trace = readMessageTrace(s.path(`uac_${uac.pid}_messages.log`));
    expect(trace.find((b) => b.direction === 'sent')!.message.toString('latin1')).toContain(`Via: SIP/2.0/WSS ${HOST}:`);
    expect((await uas.wait(15_000)).code, uas.describe()).toBe(0);
  }, 40_000);

  it.concurrent('wss with a CA that did not sign the server: exit 255, the handshake failure named', async (ctx) => {
    const s = session(ctx);
    const [uasPort, uacPort] = [14231, 14232];
    assertTcpPortsFree(uasPort, uacPort);
    const uas = s.gossipper(['-sn', 'uas', '-t', 'wss1', '-tls_cert', certs.serverCert, '-tls_key', certs.serverKey, '-i', HOST, '-p', String(uasPort), '-m', '1', '-timeout', '8s']);
    await waitForTcpListening(uasPort, uas);
    const uac = s.gossipper(['-sn', 'uac', '-t', 'wss1', '-tls_ca', certs.otherCaCert, `${HOST}:${uasPort}`, '-i', HOST, '-p', String(uacPort), '-m', '1']);
    expect((await uac.wait(10_000)).code, uac.describe()).toBe(255);
    expect(uac.stderr).toMatch(new RegExp(`cannot connect to ${HOST}:${uasPort} over WSS: TLS handshake failed: `));
    uas.signal('SIGINT');
    await uas.wait(10_000);
  }, 30_000);
});
