/**
 * End to end: the `gossipper` command when things go wrong — no peer, signals, -timeout,
 * garbage on the wire, a broken scenario, a bad command line, a busy port. Exit codes are
 * SIPp's. Needs a built CLI (`npx tsc -b packages/cli`). Ports: 12200..12299.
 */
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { describeWithSipp } from './support/peers.js';
import { delay, killAllTracked, session } from './support/procs.js';
import type { Session } from './support/procs.js';
import {
  assertUdpPortsFree,
  bind,
  closeSocket,
  send,
  silentPeer,
  udpReceiveBufferErrors,
  waitForUdpBound,
} from './support/net.js';
import { finalCounts, readStatCsv, readSummary, statCsvName } from './support/files.js';
import { waitFor } from './support/procs.js';

afterAll(killAllTracked);

const HOST = '127.0.0.1';

describe('a peer that is missing or silent', () => {
  for (const [what, flags, cause, ports] of [
    ['-max_retrans 1', ['-max_retrans', '1'], 'max-udp-retrans', [12201, 12202]],
    ['-recv_timeout 1s', ['-recv_timeout', '1s'], 'timeout-on-recv', [12203, 12204]],
  ] as const) {
    it.concurrent(`no peer (${what}): the calls fail, exit 1, CSV and summary say 2 failed`, async (ctx) => {
      const s = session(ctx);
      const [closedPort, ourPort] = ports;
      assertUdpPortsFree(closedPort, ourPort);
      const uac = s.gossipper([
        '-sn', 'uac', `${HOST}:${closedPort}`, '-p', String(ourPort), '-m', '2', '-r', '10', ...flags,
        '-trace_stat', '-summary_json', 'summary.json',
      ]);
      const exit = await uac.wait(15_000);
      expect(exit.code, uac.describe()).toBe(1);
      expect(finalCounts(readStatCsv(s.path(statCsvName('uac', uac.pid))))).toMatchObject({
        outgoing: 2,
        successful: 0,
        failed: 2,
      });
      const summary = readSummary(s.path('summary.json'));
      expect(summary.calls).toMatchObject({ outgoing: 2, successful: 0, failed: 2, aborted: 0 });
      expect(summary.failures[cause]).toBe(2);
      expect(summary.exitCode).toBe(1);
      // In words, at the end: which call, which step (file:line), what it expected.
      // (The INVITE went out; the call waits at the recv of the 100 while it is retransmitted.)
      expect(uac.stderr).toContain(`gossipper: 2 calls failed:\n  call 1 (1-${uac.pid}@`);
      expect(uac.stderr).toContain(`failed (${cause}) at builtin:uac:51, expecting <recv response="100">`);
    }, 20_000);
  }

  for (const [sig, ports] of [
    ['SIGINT', [12211, 12212]],
    ['SIGTERM', [12213, 12214]],
  ] as const) {
    it.concurrent(`${sig} mid-run: exits within 2 s, code 0 (aborted calls are not failures), outputs written`, async (ctx) => {
      const s = session(ctx);
      const [peerPort, ourPort] = ports;
      assertUdpPortsFree(peerPort, ourPort);
      const peer = await silentPeer(peerPort);
      ctx.onTestFinished(() => peer.close());
      const uac = s.gossipper([
        '-sn', 'uac', `${HOST}:${peerPort}`, '-p', String(ourPort), '-m', '1000', '-r', '10',
        '-trace_stat', '-summary_json', 'summary.json',
      ]);
      await waitFor('the first INVITE at the silent peer', () => peer.received > 0, 5_000);
      await delay(1_000);
      expect(uac.alive, uac.describe()).toBe(true);
      const signalledAt = performance.now();
      uac.signal(sig);
      const exit = await uac.wait(5_000);
      const stopMs = performance.now() - signalledAt;
      console.log(`${sig}: exited ${stopMs.toFixed(0)} ms after the signal`);
      expect(exit.signal, uac.describe()).toBeNull();
      expect(exit.code, uac.describe()).toBe(0);
      expect(stopMs).toBeLessThan(2_000);

      const summary = readSummary(s.path('summary.json'));
      expect(summary.calls.aborted).toBeGreaterThan(0);
      expect(summary.calls.failed).toBe(0);
      expect(summary.calls.successful).toBe(0);
      expect(summary.stopReason).toBe('signal');
      expect(summary.exitCode).toBe(0);
      const counts = finalCounts(readStatCsv(s.path(statCsvName('uac', uac.pid))));
      expect(counts.outgoing).toBe(summary.calls.outgoing);
      expect(counts.outgoing).toBeGreaterThan(0);
      expect(counts.failed).toBe(0);
      // The closing screens, as SIPp prints them on the way out.
      expect(uac.stdout).toContain('Statistics Screen');
    }, 20_000);
  }

  it.concurrent('-timeout 2s is a hard stop: exits in < 4 s, code 97 (no call completed), summary shows aborted calls', async (ctx) => {
    const s = session(ctx);
    const [peerPort, ourPort] = [12231, 12232];
    assertUdpPortsFree(peerPort, ourPort);
    const peer = await silentPeer(peerPort);
    ctx.onTestFinished(() => peer.close());
    const uac = s.gossipper([
      '-sn', 'uac', `${HOST}:${peerPort}`, '-p', String(ourPort), '-m', '100', '-timeout', '2s',
      '-trace_stat', '-summary_json', 'summary.json',
    ]);
    const exit = await uac.wait(10_000);
    const runMs = performance.now() - peer.firstAt!;
    console.log(
      `-timeout 2s: exited ${exit.elapsedMs.toFixed(0)} ms after spawn, ${runMs.toFixed(0)} ms after the first INVITE`,
    );
    expect(exit.code, uac.describe()).toBe(97);
    // Measured from the first INVITE (the run under way), not from spawn: start-up under a
    // loaded test machine is not what -timeout is about. SIPp 3.6.1 would hang here.
    expect(runMs).toBeGreaterThanOrEqual(1_800);
    expect(runMs).toBeLessThan(4_000);
    const summary = readSummary(s.path('summary.json'));
    expect(summary.calls.aborted).toBeGreaterThan(0);
    expect(summary.calls.failed).toBe(0);
    expect(summary.stopReason).toBe('timeout');
    // The calls still open are listed, with where they were.
    expect((summary as unknown as { abortedCalls: Array<{ place: string; expected: string }> }).abortedCalls[0]).toMatchObject({
      place: 'builtin:uac:51',
      expected: '<recv response="100">',
    });
    expect(uac.stderr).toContain('still open when the run stopped');
    expect(finalCounts(readStatCsv(s.path(statCsvName('uac', uac.pid)))).outgoing).toBe(summary.calls.outgoing);
  }, 20_000);

  it.concurrent('-timeout 2s -timeout_error: exit 255, the CSV final row still written', async (ctx) => {
    const s = session(ctx);
    const [peerPort, ourPort] = [12241, 12242];
    assertUdpPortsFree(peerPort, ourPort);
    const peer = await silentPeer(peerPort);
    ctx.onTestFinished(() => peer.close());
    const uac = s.gossipper([
      '-sn', 'uac', `${HOST}:${peerPort}`, '-p', String(ourPort), '-m', '100', '-timeout', '2s', '-timeout_error',
      '-trace_stat', '-summary_json', 'summary.json',
    ]);
    const exit = await uac.wait(10_000);
    const runMs = performance.now() - peer.firstAt!;
    expect(exit.code, uac.describe()).toBe(255);
    expect(runMs).toBeGreaterThanOrEqual(1_800);
    expect(runMs).toBeLessThan(4_000);
    const csv = readStatCsv(s.path(statCsvName('uac', uac.pid)));
    // The first row is written at start with nothing counted; the final one once after the
    // stop (SIPp doubles it only when a run completes).
    expect(csv.rows.length).toBe(2);
    const counts = finalCounts(csv);
    expect(counts.outgoing).toBeGreaterThan(0);
    expect(counts.failed).toBe(0);
    const summary = readSummary(s.path('summary.json'));
    expect(counts.outgoing).toBe(summary.calls.outgoing);
    expect(summary.exitCode).toBe(255);
  }, 20_000);
});

/** Deterministic datagrams that are not SIP, none of them only CR/LF (a keep-alive). */
function malformedDatagram(i: number): Buffer {
  const kinds = [
    () => `garbage ${i}`,
    () => `INVITE sip:a@127.0.0.1 SIP/2.0\r\nVia SIP/2.0/UDP 127.0.0.1\r\nCall-ID: m${i}\r\n\r\n`,
    () => `SIP/2.0 999 Nope\r\nCall-ID: m${i}\r\nCSeq: 1 INVITE\r\n\r\n`,
    () => `OPTIONS sip:a@127.0.0.1 SIP/3.0\r\nCall-ID: m${i}\r\n\r\n`,
    () => `INVITE sip:a@127.0.0.1 SIP/2.0\r\nCall-ID: m${i}\r\nCSeq: 1 INVITE\r\n`,
    () => `BYE  SIP/2.0\r\n\r\n`,
    () => `${'A'.repeat(1400)}${i}`,
    () => `\u0000\u0001\u0002\u00ff${i}\r\n\r\n`,
  ];
  const bytes = Buffer.from(kinds[i % kinds.length]!(), 'latin1');
  if (i % 8 === 7) {
    // Pseudo-random binary (a fixed LCG), first byte kept non-CR/LF.
    let x = i * 2654435761;
    for (let k = 1; k < bytes.length; k++) {
      x = (x * 1103515245 + 12345) >>> 0;
      bytes[k] = x >>> 24;
    }
  }
  return bytes;
}

describe('garbage on the wire', () => {
  it.concurrent('10,000 malformed datagrams at a running uas: 200 calls still succeed, no crash, counted', async (ctx) => {
    const s = session(ctx);
    const [uasPort, uacPort, sprayPort] = [12251, 12252, 12253];
    assertUdpPortsFree(uasPort, uacPort, sprayPort);
    const uas = s.gossipper([
      '-sn', 'uas', '-i', HOST, '-p', String(uasPort), '-m', '200', '-summary_json', 'uas.json',
    ]);
    await waitForUdpBound(uasPort, uas);

    const spray = createSocket('udp4');
    await bind(spray, sprayPort);
    ctx.onTestFinished(() => closeSocket(spray));
    const dropsBefore = udpReceiveBufferErrors();

    const uac = s.gossipper([
      '-sn', 'uac', `${HOST}:${uasPort}`, '-i', HOST, '-p', String(uacPort), '-m', '200', '-r', '100',
      '-summary_json', 'uac.json',
    ]);
    // 10,000 datagrams in 200 batches of 50, one batch every 8 ms: during the calls.
    const TOTAL = 10_000;
    const BATCH = 50;
    for (let sent = 0; sent < TOTAL; sent += BATCH) {
      expect(uas.alive, uas.describe()).toBe(true);
      await Promise.all(
        Array.from({ length: BATCH }, (_, k) => send(spray, malformedDatagram(sent + k), uasPort)),
      );
      await delay(8);
    }

    const uacExit = await uac.wait(20_000);
    expect(uacExit.code, uac.describe()).toBe(0);
    expect(readSummary(s.path('uac.json')).calls).toMatchObject({ outgoing: 200, successful: 200, failed: 0 });

    const uasExit = await uas.wait(12_000);
    expect(uasExit.signal, uas.describe()).toBeNull();
    expect(uasExit.code, uas.describe()).toBe(0);
    const drops = udpReceiveBufferErrors() - dropsBefore;
    const summary = readSummary(s.path('uas.json'));
    console.log(`malformed counted by the uas: ${summary.messages.malformed} of ${TOTAL} (kernel drops, all sockets: ${drops})`);
    expect(summary.calls).toMatchObject({ incoming: 200, successful: 200, failed: 0 });
    expect(summary.messages.malformed).toBeLessThanOrEqual(TOTAL);
    expect(summary.messages.malformed).toBeGreaterThanOrEqual(TOTAL - drops);
    expect(summary.messages.malformed).toBeGreaterThan(0);
  }, 40_000);
});

function brokenScenario(s: Session): { file: string; line: number } {
  const lines = [
    '<?xml version="1.0" encoding="ISO-8859-1" ?>',
    '<scenario name="broken">',
    '  <send retrans="500">',
    '    <![CDATA[',
    '      OPTIONS sip:[service]@[remote_ip]:[remote_port] SIP/2.0',
    '      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]',
    '      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[call_number]',
    '      To: sut <sip:[service]@[remote_ip]:[remote_port]>',
    '      Call-ID: [call_id]',
    '      CSeq: 1 OPTIONS',
    '      Content-Length: 0',
    '    ]]>',
    '  </send>',
    '',
    '  <recv response="200">', // line 15: never closed
    '',
    '</scenario>', // line 17: where the parser finds </scenario> instead of </recv>
    '',
  ];
  const file = s.path('broken.xml');
  writeFileSync(file, lines.join('\n'));
  return { file: 'broken.xml', line: 17 };
}

describe('a bad scenario or command line', () => {
  it.concurrent('-sf broken.xml (an unclosed tag): exit 1, stderr names broken.xml and the line', async (ctx) => {
    const s = session(ctx);
    const { file, line } = brokenScenario(s);
    const g = s.gossipper(['-sf', file, `${HOST}:12261`, '-p', '12262', '-m', '1']);
    const exit = await g.wait(10_000);
    expect(exit.code, g.describe()).toBe(1);
    expect(g.stderr).toContain(`broken.xml:${line}`);
    expect(g.stderr).not.toMatch(new RegExp(`broken\\.xml:(?!${line}\\b)\\d`));
  }, 15_000);

  it.concurrent('unknown flag -foo: exit 1, stderr names -foo', async (ctx) => {
    const s = session(ctx);
    const g = s.gossipper(['-sn', 'uac', '-foo', `${HOST}:12263`]);
    const exit = await g.wait(10_000);
    expect(exit.code, g.describe()).toBe(1);
    expect(g.stderr).toContain('-foo');
  }, 15_000);

  for (const [name, what] of [['uac_pcap', 'is not supported yet'], ['nosuch', 'does not exist']] as const) {
    it.concurrent(`-sn ${name}: exit 1, one line saying the built-in ${what}`, async (ctx) => {
      const s = session(ctx);
      const g = s.gossipper(['-sn', name, `${HOST}:12263`, '-m', '1']);
      const exit = await g.wait(10_000);
      expect(exit.code, g.describe()).toBe(1);
      const line = name === 'uac_pcap' ? `gossipper: built-in scenario "uac_pcap" is not supported yet (available: uac, uas,` : `gossipper: unknown built-in scenario "nosuch" (available: uac, uas,`;
      expect(g.stderr.startsWith(line), g.stderr).toBe(true);
      expect(g.stderr.trimEnd().split('\n')).toHaveLength(1);
    }, 15_000);
  }

  for (const args of [['-v'], ['-h'], ['-sn', 'uac', '-h']]) {
    it.concurrent(`gossipper ${args.join(' ')}: exit 99, text on stdout`, async (ctx) => {
      const s = session(ctx);
      const g = s.gossipper(args);
      const exit = await g.wait(10_000);
      expect(exit.code, g.describe()).toBe(99);
      expect(g.stdout.length).toBeGreaterThan(0);
    }, 15_000);
  }

  it.concurrent('port in use: gossipper -sn uas -p THATPORT exits 254', async (ctx) => {
    const s = session(ctx);
    const [busy] = [12271];
    assertUdpPortsFree(busy);
    const holder = createSocket('udp4');
    await bind(holder, busy);
    ctx.onTestFinished(() => closeSocket(holder));
    for (const args of [
      ['-sn', 'uas', '-p', String(busy)],
      ['-sn', 'uas', '-i', HOST, '-p', String(busy)],
      ['-sn', 'uac', `${HOST}:12272`, '-i', HOST, '-p', String(busy), '-m', '1'],
    ]) {
      const g = s.gossipper(args);
      const exit = await g.wait(10_000);
      expect(exit.code, g.describe()).toBe(254);
      expect(g.stderr).toContain(String(busy));
    }
  }, 20_000);
});

describeWithSipp('the same as the real SIPp', () => {
  for (const name of ['uac', 'uas', 'regexp', 'branchc', 'branchs']) {
    it.concurrent(`-sd ${name}: exit 99 and stdout byte for byte what sipp -sd ${name} prints`, async (ctx) => {
      const s = session(ctx);
      const ours = s.gossipper(['-sd', name]);
      const theirs = s.sipp(['-sd', name]);
      const [ourExit, theirExit] = await Promise.all([ours.wait(10_000), theirs.wait(10_000)]);
      expect(theirExit.code, theirs.describe()).toBe(99);
      expect(ourExit.code, ours.describe()).toBe(99);
      expect(ours.stdout.length).toBeGreaterThan(0);
      expect(ours.stdout).toBe(theirs.stdout);
    }, 15_000);
  }

  it.concurrent('-sn uas -timeout 1s with nobody calling: both exit 97', async (ctx) => {
    const s = session(ctx);
    const [ourPort, theirPort] = [12284, 12285];
    assertUdpPortsFree(ourPort, theirPort);
    const ours = s.gossipper(['-sn', 'uas', '-i', HOST, '-p', String(ourPort), '-timeout', '1s']);
    const theirs = s.sipp(['-sn', 'uas', '-i', HOST, '-p', String(theirPort), '-timeout', '1s']);
    const [ourExit, theirExit] = await Promise.all([ours.wait(10_000), theirs.wait(10_000)]);
    expect(theirExit.code, theirs.describe()).toBe(97);
    expect(ourExit.code, ours.describe()).toBe(97);
  }, 15_000);

  it.concurrent('broken XML: both exit 1', async (ctx) => {
    const s = session(ctx);
    const { file } = brokenScenario(s);
    const ours = s.gossipper(['-sf', file, `${HOST}:12281`, '-p', '12282', '-m', '1']);
    const theirs = s.sipp(['-sf', file, `${HOST}:12281`, '-p', '12283', '-m', '1']);
    const [ourExit, theirExit] = await Promise.all([ours.wait(10_000), theirs.wait(10_000)]);
    expect(theirExit.code, theirs.describe()).toBe(1);
    expect(ourExit.code, ours.describe()).toBe(theirExit.code);
  }, 15_000);
});
