/**
 * SIP over WebSocket against a SIP stack we did not write: SIP.js (npm) in headless Chromium
 * (Debian's chromium, driven by Playwright) calling our UAS directly, and answering our UAC's
 * calls through Kamailio, where it registered over WebSocket as a browser phone does.
 * Needs a built CLI. Ports: 14250..14269.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_PATH, KAMAILIO, describeWithPeers } from './support/peers.js';
import { startKamailio } from './support/kamailio.js';
import { makeTestCerts, type TestCerts } from '../../adapters/tcp-tls/test/support/certs.js';
import { killAllTracked, session } from './support/procs.js';
import { assertTcpPortsFree, waitForTcpListening } from './support/net.js';
import { readSummary } from './support/files.js';

const HOST = '127.0.0.1';
const PAGE = fileURLToPath(new URL('./fixtures/browser/sipjs-phone.html', import.meta.url));
const SIPJS_LIB = dirname(createRequire(import.meta.url).resolve('sip.js'));

/** Serves the phone page and SIP.js's ES modules on loopback. */
async function servePhone(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    let file: string | undefined;
    if (path === '/') file = PAGE;
    else if (path.startsWith('/sip.js/lib/')) {
      const candidate = normalize(join(SIPJS_LIB, path.slice('/sip.js/lib/'.length)));
      if (candidate.startsWith(SIPJS_LIB)) file = candidate;
    }
    if (file === undefined || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': file.endsWith('.html') ? 'text/html' : 'text/javascript' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return { server, url: `http://${HOST}:${(server.address() as { port: number }).port}/` };
}

/** Chromium with the phone page served, for the tests of one describe block. */
function browserPhone(): { openPhone(): Promise<Page> } {
  let browser: Browser | undefined;
  let phone: { server: Server; url: string } | undefined;

  beforeAll(async () => {
    phone = await servePhone();
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (phone?.server ? phone.server.close(() => resolve()) : resolve()));
    await killAllTracked();
  });

  return {
    async openPhone(): Promise<Page> {
      const page = await browser!.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(phone!.url);
      await page.waitForFunction(() => typeof (window as unknown as { startPhone?: unknown }).startPhone === 'function', undefined, { timeout: 10_000 }).catch(() => {
        throw new Error(`the phone page did not load: ${errors.join('; ')}`);
      });
      return page;
    },
  };
}

interface PhoneWindow {
  startPhone(server: string, user: string, options?: { register?: boolean; answer?: boolean }): Promise<void>;
  callOut(target: string, count: number, holdMs: number): Promise<string[]>;
  phoneLog: string[];
}

describeWithPeers([CHROMIUM], 'SIP.js in Chromium over WebSocket', () => {
  const { openPhone } = browserPhone();

  it('SIP.js calls our UAS (-t w1): 3 calls, INVITE to BYE, every call successful on both sides', async (ctx) => {
    const s = session(ctx);
    const port = 14251;
    assertTcpPortsFree(port);
    const uas = s.gossipper(['-sn', 'uas', '-t', 'w1', '-i', HOST, '-p', String(port), '-m', '3', '-summary_json', 'uas.json', '-trace_msg']);
    await waitForTcpListening(port, uas);
    const page = await openPhone();
    await page.evaluate((server) => (window as unknown as PhoneWindow).startPhone(server, 'alice'), `ws://${HOST}:${port}`);
    const callIds = await page.evaluate((target) => (window as unknown as PhoneWindow).callOut(target, 3, 100), `sip:service@${HOST}:${port}`);
    expect(callIds).toHaveLength(3);
    expect((await uas.wait(15_000)).code, uas.describe()).toBe(0);
    const summary = readSummary(s.path('uas.json'));
    expect(summary.calls).toMatchObject({ incoming: 3, successful: 3, failed: 0 });
    // Each SIP.js Call-ID is one of our calls, received over WebSocket.
    const log = readFileSync(s.path(`uas_${uas.pid}_messages.log`), 'latin1');
    for (const id of callIds) expect(log).toContain(`Call-ID: ${id}`);
    expect(log).toMatch(/^WS message received/m);
    await page.close();
  }, 40_000);
});

describeWithPeers([CHROMIUM, KAMAILIO], 'SIP.js in Chromium, registered at Kamailio over WebSocket', () => {
  const { openPhone } = browserPhone();
  const certs = {} as TestCerts;
  beforeAll(() => {
    Object.assign(certs, makeTestCerts());
  });
  afterAll(() => certs.cleanup?.());

  for (const [transport, remote, uacPort] of [['u1', 'udp', 14265], ['w1', 'ws', 14266]] as const) {
    it(`SIP.js answers our UAC (-t ${transport} to Kamailio, which finds the phone by its registration): 3 calls, all successful`, async (ctx) => {
      const s = session(ctx);
      const ports = { udp: 14260, tcp: 14261, tls: 14262, ws: 14263, wss: 14264 };
      assertTcpPortsFree(ports.tcp, ports.tls, ports.ws, ports.wss);
      const proxy = await startKamailio({ ports, cert: certs.serverCert, key: certs.serverKey, registrar: true });
      ctx.onTestFinished(() => proxy.stop());
      const page = await openPhone();
      // The phone registers as "service", the user SIPp's built-in uac calls.
      await page.evaluate((server) => (window as unknown as PhoneWindow).startPhone(server, 'service', { register: true, answer: true }), `ws://${HOST}:${ports.ws}`);
      const uac = s.gossipper([
        '-sn', 'uac', '-t', transport, `${HOST}:${ports[remote]}`, '-i', HOST, '-p', String(uacPort), '-m', '3', '-r', '5', '-d', '200',
        '-summary_json', 'uac.json',
      ]);
      expect((await uac.wait(20_000)).code, `${uac.describe()}\nkamailio:\n${proxy.log().slice(-3000)}`).toBe(0);
      expect(readSummary(s.path('uac.json')).calls).toMatchObject({ outgoing: 3, successful: 3, failed: 0 });
      const log = await page.evaluate(() => (window as unknown as PhoneWindow).phoneLog);
      expect(log.filter((l) => l.startsWith('incoming '))).toHaveLength(3);
      expect(log.filter((l) => l === 'answered Terminated')).toHaveLength(3);
      await page.close();
    }, 40_000);
  }
});
