/**
 * End to end: how the `gossipper` command runs as a process — start-up, one PID, the
 * `sipp` alias, the demo. Needs a built CLI (`npx tsc -b packages/cli`). Ports: 12400..12499.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { delay, GOSSIPPER_BIN, killAllTracked, session } from './support/procs.js';
import { assertUdpPortsFree, waitForUdpBound } from './support/net.js';
import { finalCounts, readMessageTrace, readStatCsv, readSummary, statCsvName } from './support/files.js';

afterAll(killAllTracked);

const HOST = '127.0.0.1';

/** Field 4 of /proc/PID/stat (after the parenthesised command name): the parent PID. */
function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined; // gone
  }
}

/** PIDs whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((p) => parentPid(p) === pid);
}

describe('the gossipper process', () => {
  it.concurrent('a one-call run starts, runs and exits quickly, as a single process with the spawned PID', async (ctx) => {
    const s = session(ctx);
    const [uasPort, shortPort, longPort] = [12401, 12402, 12403];
    assertUdpPortsFree(uasPort, shortPort, longPort);
    const CALLS_AT_UAS = 1 + 40;
    const uas = s.gossipper(['-sn', 'uas', '-i', HOST, '-p', String(uasPort), '-m', String(CALLS_AT_UAS)]);
    await waitForUdpBound(uasPort, uas);

    // Scripts start SIPp, wait a second, and look whether it is still alive.
    const short = s.gossipper([
      '-sn', 'uac', `${HOST}:${uasPort}`, '-p', String(shortPort), '-m', '1', '-r', '1', '-trace_stat',
    ]);
    const shortExit = await short.wait(10_000);
    console.log(`gossipper -sn uac -m 1 -r 1: ${shortExit.elapsedMs.toFixed(0)} ms wall time, spawn to exit`);
    expect(shortExit.code, short.describe()).toBe(0);
    // Its output is named after the PID we spawned: no wrapper process in between.
    expect(finalCounts(readStatCsv(s.path(statCsvName('uac', short.pid))))).toMatchObject({
      outgoing: 1,
      successful: 1,
      failed: 0,
    });

    // A longer run, looked at while it runs.
    const long = s.gossipper([
      '-sn', 'uac', `${HOST}:${uasPort}`, '-i', HOST, '-p', String(longPort), '-m', '40', '-r', '20', '-trace_msg',
    ]);
    await waitForUdpBound(longPort, long);
    await delay(300);
    expect(long.alive, long.describe()).toBe(true);
    expect(parentPid(long.pid)).toBe(process.pid);
    expect(readFileSync(`/proc/${long.pid}/cmdline`, 'utf8').split('\0')).toContain(GOSSIPPER_BIN);
    const threads = readdirSync(`/proc/${long.pid}/task`).length;
    const children = childrenOf(long.pid);
    console.log(`pid ${long.pid}: ${threads} threads, child processes: [${children.join(', ')}]`);
    expect(children).toEqual([]);
    expect(long.alive, 'still running after the checks: they looked at a live run').toBe(true);

    const longExit = await long.wait(15_000);
    expect(longExit.code, long.describe()).toBe(0);
    // Call-IDs carry the PID of the process that made the calls ([call_id] = N-PID@ip).
    const invites = readMessageTrace(s.path(`uac_${long.pid}_messages.log`))
      .filter((b) => b.direction === 'sent')
      .map((b) => b.message.toString('latin1'))
      .filter((m) => m.startsWith('INVITE '));
    expect(invites.length).toBeGreaterThanOrEqual(40);
    for (const m of invites) expect(m).toMatch(new RegExp(`\\r\\nCall-ID: \\d+-${long.pid}@127\\.0\\.0\\.1\\r\\n`));
  }, 30_000);

  it.concurrent('`gossipper sipp -sn uac ...` is the same as `gossipper -sn uac ...`', async (ctx) => {
    const s = session(ctx);
    const [uasPort, uacPort] = [12411, 12412];
    assertUdpPortsFree(uasPort, uacPort);
    const uas = s.gossipper(['-sn', 'uas', '-i', HOST, '-p', String(uasPort), '-m', '10']);
    await waitForUdpBound(uasPort, uas);

    const args = (summary: string) => [
      '-sn', 'uac', `${HOST}:${uasPort}`, '-i', HOST, '-p', String(uacPort), '-m', '5', '-r', '50',
      '-trace_stat', '-summary_json', summary,
    ];
    const plain = s.gossipper(args('plain.json'));
    const plainExit = await plain.wait(10_000);
    const alias = s.gossipper(['sipp', ...args('alias.json')]);
    const aliasExit = await alias.wait(10_000);

    expect(plainExit.code, plain.describe()).toBe(0);
    expect(aliasExit.code, alias.describe()).toBe(0);
    const plainCsv = readStatCsv(s.path(statCsvName('uac', plain.pid)));
    const aliasCsv = readStatCsv(s.path(statCsvName('uac', alias.pid)));
    expect(aliasCsv.headerLine).toBe(plainCsv.headerLine);
    expect(finalCounts(aliasCsv)).toEqual(finalCounts(plainCsv));
    expect(finalCounts(aliasCsv)).toMatchObject({ outgoing: 5, successful: 5, failed: 0 });
    const plainSummary = readSummary(s.path('plain.json'));
    const aliasSummary = readSummary(s.path('alias.json'));
    // The peak of simultaneous calls and the rate depend on timing, not on the front end.
    const counters = ({ peak: _p, peakAtMs: _a, ratePerSecond: _b, ...rest }: Record<string, number>) => rest;
    expect(counters(aliasSummary.calls)).toEqual(counters(plainSummary.calls));
    expect(aliasSummary.failures).toEqual(plainSummary.failures);
    expect(aliasSummary.stopReason).toBe(plainSummary.stopReason);
    // The closing screens match once times and other numbers are blanked.
    const shape = (screen: string) => screen.replace(/\d+/g, '#').replace(/[ \t]+/g, ' ');
    expect(alias.stdout).toContain('Statistics Screen');
    expect(shape(alias.stdout)).toBe(shape(plain.stdout));

    for (const flags of [['-v'], ['-foo']]) {
      const a = s.gossipper(['sipp', ...flags]);
      const b = s.gossipper(flags);
      const [ea, eb] = await Promise.all([a.wait(10_000), b.wait(10_000)]);
      expect(ea.code, a.describe()).toBe(eb.code);
      expect(a.stdout).toBe(b.stdout);
    }
  }, 30_000);

  it.concurrent('`gossipper demo -m 200 -r 200` (npm run demo) shows SIPp\'s statistics with 200 successful calls', async (ctx) => {
    const s = session(ctx);
    const demo = s.gossipper(['demo', '-m', '200', '-r', '200']);
    const exit = await demo.wait(20_000);
    expect(exit.code, demo.describe()).toBe(0);
    expect(demo.stdout).toContain('Statistics Screen');
    expect(demo.stdout).toContain('Successful call');
    // "  Successful call        |      200                  |      200                 "
    expect(demo.stdout).toMatch(/^ {2}Successful call +\| +\d+ +\| +200 +$/m);
    expect(demo.stdout).toMatch(/^ {2}Failed call +\| +0 +\| +0 +$/m);
    expect(demo.stdout).toMatch(/^ {2}Outgoing calls created +\| +\d+ +\| +200 +$/m);
  }, 30_000);
});
