/**
 * SIP over WebSocket against a SIP stack we did not write: SIP.js (npm) in headless Chromium
 * (Debian's chromium, driven by Playwright) calling our UAS. Needs a built CLI.
 * Ports: 14250..14269.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllTracked, session } from './support/procs.js';
import { assertTcpPortsFree, waitForTcpListening } from './support/net.js';
import { readSummary } from './support/files.js';

const CHROMIUM = '/usr/bin/chromium';
const HOST = '127.0.0.1';
const PAGE = fileURLToPath(new URL('./fixtures/browser/sipjs-phone.html', import.meta.url));
const SIPJS_LIB = dirname(createRequire(import.meta.url).resolve('sip.js'));

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI must install chromium (apt-get install -y chromium)`);
  console.warn('SKIPPED: Chromium not found; install the Debian package chromium (apt-get install -y chromium)');
}

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

describe.skipIf(!haveChromium)('SIP.js in Chromium over WebSocket', () => {
  let browser: Browser;
  let phone: { server: Server; url: string };

  beforeAll(async () => {
    phone = await servePhone();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (phone?.server ? phone.server.close(() => resolve()) : resolve()));
    await killAllTracked();
  });

  async function openPhone(): Promise<Page> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(phone.url);
    await page.waitForFunction(() => typeof (window as unknown as { startPhone?: unknown }).startPhone === 'function', undefined, { timeout: 10_000 }).catch(() => {
      throw new Error(`the phone page did not load: ${errors.join('; ')}`);
    });
    return page;
  }

  it('SIP.js calls our UAS (-t w1): 3 calls, INVITE to BYE, every call successful on both sides', async (ctx) => {
    const s = session(ctx);
    const port = 14251;
    assertTcpPortsFree(port);
    const uas = s.gossipper(['-sn', 'uas', '-t', 'w1', '-i', HOST, '-p', String(port), '-m', '3', '-summary_json', 'uas.json', '-trace_msg']);
    await waitForTcpListening(port, uas);
    const page = await openPhone();
    await page.evaluate((server) => (window as unknown as { startPhone: (s: string, u: string) => Promise<void> }).startPhone(server, 'alice'), `ws://${HOST}:${port}`);
    const callIds = await page.evaluate(
      (target) => (window as unknown as { callOut: (t: string, n: number, ms: number) => Promise<string[]> }).callOut(target, 3, 100),
      `sip:service@${HOST}:${port}`,
    );
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
