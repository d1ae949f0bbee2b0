/**
 * End to end: the `gossipper` command against the real SIPp 3.6.1 and against itself, on
 * 127.0.0.1. Needs a built CLI (`npx tsc -b packages/cli`). Ports: 12000..12099.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { describeWithSipp } from './support/peers.js';
import { killAllTracked, session } from './support/procs.js';
import { assertUdpPortsFree, waitForUdpBound } from './support/net.js';
import { finalCounts, readMessageTrace, readStatCsv, readSummary, statCsvName } from './support/files.js';

afterAll(killAllTracked);

const HOST = '127.0.0.1';

describeWithSipp('interop with the real SIPp', () => {
  it.concurrent('gossipper -sn uac -> sipp -sn uas: 1,000 calls at 200/s, all successful', async (ctx) => {
    const s = session(ctx);
    const [sippPort, ourPort] = [12001, 12002];
    assertUdpPortsFree(sippPort, ourPort);
    const sipp = s.sipp(['-sn', 'uas', '-i', HOST, '-p', String(sippPort), '-m', '1000']);
    await waitForUdpBound(sippPort, sipp);

    const uac = s.gossipper([
      '-sn', 'uac', `${HOST}:${sippPort}`, '-p', String(ourPort),
      '-m', '1000', '-r', '200', '-trace_stat', '-summary_json', 'summary.json',
    ]);
    const exit = await uac.wait(25_000);
    expect(exit.code, uac.describe()).toBe(0);

    const counts = finalCounts(readStatCsv(s.path(statCsvName('uac', uac.pid))));
    expect(counts).toMatchObject({ outgoing: 1000, successful: 1000, failed: 0 });
    const summary = readSummary(s.path('summary.json'));
    expect(summary.calls).toMatchObject({ outgoing: 1000, successful: 1000, failed: 0 });
    expect(summary.exitCode).toBe(0);

    // SIPp's uas ends by itself once its 1,000th call's timewait (4 s) is over: 0 = no failure.
    const sippExit = await sipp.wait(15_000);
    expect(sippExit.code, sipp.describe()).toBe(0);
  }, 45_000);

  it.concurrent('sipp -sn uac -> gossipper -sn uas: 1,000 calls at 200/s, SIPp counts 1,000 successful', async (ctx) => {
    const s = session(ctx);
    const [ourPort, sippPort] = [12011, 12012];
    assertUdpPortsFree(ourPort, sippPort);
    const uas = s.gossipper([
      '-sn', 'uas', '-i', HOST, '-p', String(ourPort), '-m', '1000', '-trace_stat', '-summary_json', 'uas.json',
    ]);
    await waitForUdpBound(ourPort, uas);

    const sipp = s.sipp([
      '-sn', 'uac', `${HOST}:${ourPort}`, '-i', HOST, '-p', String(sippPort),
      '-m', '1000', '-r', '200', '-trace_stat', '-stf', 'sipp.csv',
    ]);
    const sippExit = await sipp.wait(25_000);
    expect(sippExit.code, sipp.describe()).toBe(0);
    expect(finalCounts(readStatCsv(s.path('sipp.csv')))).toMatchObject({
      outgoing: 1000,
      successful: 1000,
      failed: 0,
    });

    // Ours stops by itself: -m 1000 reached, then the last call's 4 s timewait.
    const uasExit = await uas.wait(12_000);
    expect(uasExit.code, uas.describe()).toBe(0);
    expect(finalCounts(readStatCsv(s.path(statCsvName('uas', uas.pid))))).toMatchObject({
      incoming: 1000,
      successful: 1000,
      failed: 0,
    });
    expect(readSummary(s.path('uas.json')).calls).toMatchObject({ incoming: 1000, successful: 1000, failed: 0 });
  }, 45_000);

  it.concurrent('-trace_stat writes the same header line as SIPp for -sn uac', async (ctx) => {
    const s = session(ctx);
    const [uasPort, sippPort, ourPort] = [12041, 12042, 12043];
    assertUdpPortsFree(uasPort, sippPort, ourPort);
    const uas = s.gossipper(['-sn', 'uas', '-i', HOST, '-p', String(uasPort), '-m', '6']);
    await waitForUdpBound(uasPort, uas);

    const sipp = s.sipp([
      '-sn', 'uac', `${HOST}:${uasPort}`, '-i', HOST, '-p', String(sippPort),
      '-m', '3', '-r', '50', '-trace_stat', '-stf', 'sipp.csv',
    ]);
    const ours = s.gossipper([
      '-sn', 'uac', `${HOST}:${uasPort}`, '-i', HOST, '-p', String(ourPort), '-m', '3', '-r', '50', '-trace_stat',
    ]);
    const [sippExit, ourExit] = await Promise.all([sipp.wait(15_000), ours.wait(15_000)]);
    expect(sippExit.code, sipp.describe()).toBe(0);
    expect(ourExit.code, ours.describe()).toBe(0);

    const theirs = readStatCsv(s.path('sipp.csv'));
    const mine = readStatCsv(s.path(statCsvName('uac', ours.pid)));
    expect(mine.headerLine).toBe(theirs.headerLine);
    // A run that completes writes a row at start and its closing row twice, as SIPp does.
    expect(mine.rows.length).toBe(theirs.rows.length);
    // Same number of fields in the data rows as in the header, as SIPp.
    for (const row of mine.rows) expect(row.length).toBe(theirs.header.length);
    expect(finalCounts(mine)).toMatchObject({ outgoing: 3, successful: 3, failed: 0 });
  }, 30_000);
});

describe('gossipper against itself', () => {
  for (const transport of ['u1', 'un'] as const) {
    const [uasPort, uacPort] = transport === 'u1' ? [12021, 12022] : [12031, 12032];
    it.concurrent(`-t ${transport}: 200 calls at 100/s, both sides exit 0, all successful`, async (ctx) => {
      const s = session(ctx);
      assertUdpPortsFree(uasPort, uacPort);
      const uas = s.gossipper([
        '-sn', 'uas', '-t', transport, '-i', HOST, '-p', String(uasPort), '-m', '200', '-summary_json', 'uas.json',
      ]);
      await waitForUdpBound(uasPort, uas);
      const uac = s.gossipper([
        '-sn', 'uac', '-t', transport, `${HOST}:${uasPort}`, '-i', HOST, '-p', String(uacPort),
        '-m', '200', '-r', '100', '-trace_stat', '-summary_json', 'uac.json',
      ]);
      const uacExit = await uac.wait(20_000);
      expect(uacExit.code, uac.describe()).toBe(0);
      expect(finalCounts(readStatCsv(s.path(statCsvName('uac', uac.pid))))).toMatchObject({
        outgoing: 200,
        successful: 200,
        failed: 0,
      });
      expect(readSummary(s.path('uac.json')).calls).toMatchObject({ outgoing: 200, successful: 200, failed: 0 });

      const uasExit = await uas.wait(12_000);
      expect(uasExit.code, uas.describe()).toBe(0);
      expect(readSummary(s.path('uas.json')).calls).toMatchObject({ incoming: 200, successful: 200, failed: 0 });
    }, 40_000);
  }

  it.concurrent('-trace_msg logs every message with its exact byte count', async (ctx) => {
    const s = session(ctx);
    const [uasPort, uacPort] = [12051, 12052];
    assertUdpPortsFree(uasPort, uacPort);
    const uas = s.gossipper(['-sn', 'uas', '-i', HOST, '-p', String(uasPort), '-m', '5', '-trace_msg']);
    await waitForUdpBound(uasPort, uas);
    const uac = s.gossipper([
      '-sn', 'uac', `${HOST}:${uasPort}`, '-i', HOST, '-p', String(uacPort), '-m', '5', '-r', '50', '-trace_msg',
    ]);
    const exit = await uac.wait(15_000);
    expect(exit.code, uac.describe()).toBe(0);

    const blocks = readMessageTrace(s.path(`uac_${uac.pid}_messages.log`));
    const sent = blocks.filter((b) => b.direction === 'sent');
    const received = blocks.filter((b) => b.direction === 'received');
    // 5 calls: INVITE, ACK, BYE out; 180, 200, 200 in (at least: retransmissions may add).
    expect(sent.length).toBeGreaterThanOrEqual(15);
    expect(received.length).toBeGreaterThanOrEqual(15);
    for (const block of blocks) {
      expect(block.message.length, block.message.toString('latin1')).toBe(block.announced);
    }
    const text = (b: { message: Buffer }) => b.message.toString('latin1');
    expect(text(sent[0]!)).toMatch(/^INVITE sip:service@127\.0\.0\.1:12051 SIP\/2\.0\r\n/);
    expect(sent.filter((b) => text(b).startsWith('INVITE ')).length).toBeGreaterThanOrEqual(5);
    expect(sent.filter((b) => text(b).startsWith('BYE ')).length).toBeGreaterThanOrEqual(5);
    for (const b of sent) expect(text(b)).toContain('\r\n\r\n');

    // What we logged as sent is byte for byte what the peer logged as received.
    uas.signal('SIGTERM');
    await uas.wait(5_000);
    const peerReceived = new Set(
      readMessageTrace(s.path(`uas_${uas.pid}_messages.log`))
        .filter((b) => b.direction === 'received')
        .map(text),
    );
    for (const b of sent) expect(peerReceived.has(text(b)), text(b)).toBe(true);
  }, 30_000);
});
