/**
 * TCP against the real SIPp 3.6.1 (`-t t1`, `-t tn`) in both roles, on 127.0.0.1.
 * Needs a built CLI (`npm run build`). Ports: 14200..14299.
 *
 * SIPp's tn side opens up to -max_socket connections and refuses to start when that is not
 * below `ulimit -n` (its default is 50000), so every SIPp tn here gets `-max_socket 1000`.
 */
import { afterAll, expect, it } from 'vitest';
import { describeWithSipp } from './support/peers.js';
import { killAllTracked, session } from './support/procs.js';
import { assertTcpPortsFree, waitForTcpListening } from './support/net.js';
import { finalCounts, readStatCsv, readSummary, statCsvName } from './support/files.js';

afterAll(killAllTracked);

const HOST = '127.0.0.1';
const CALLS = 300;

describeWithSipp('TCP interop with the real SIPp', () => {
  for (const mode of ['t1', 'tn'] as const) {
    it.concurrent(`gossipper -sn uac -t ${mode} -> sipp -sn uas -t ${mode}: ${CALLS} calls, all successful`, async (ctx) => {
      const s = session(ctx);
      const [sippPort, ourPort] = mode === 't1' ? [14201, 14202] : [14211, 14212];
      assertTcpPortsFree(sippPort, ourPort);
      const sipp = s.sipp(['-sn', 'uas', '-t', mode, '-max_socket', '1000', '-i', HOST, '-p', String(sippPort), '-m', String(CALLS)]);
      await waitForTcpListening(sippPort, sipp);
      const uac = s.gossipper([
        '-sn', 'uac', '-t', mode, `${HOST}:${sippPort}`, '-i', HOST, '-p', String(ourPort),
        '-m', String(CALLS), '-r', '200', '-trace_stat', '-summary_json', 'uac.json',
      ]);
      expect((await uac.wait(25_000)).code, uac.describe()).toBe(0);
      expect(finalCounts(readStatCsv(s.path(statCsvName('uac', uac.pid))))).toMatchObject({
        outgoing: CALLS,
        successful: CALLS,
        failed: 0,
      });
      expect(readSummary(s.path('uac.json')).messages.retransmissions).toBe(0);
      // SIPp's uas saw every call. It counts a call still in its 4 s timewait when we close
      // the connection as failed (tcp-closed), as it does against its own uac: exit 0 or 1.
      const sippExit = await sipp.wait(15_000);
      expect([0, 1], sipp.describe()).toContain(sippExit.code);
      expect(sipp.stdout).toMatch(new RegExp(`Incoming calls created\\s*\\|\\s*\\d+\\s*\\|\\s*${CALLS}\\b`));
    }, 45_000);

    it.concurrent(`sipp -sn uac -t ${mode} -> gossipper -sn uas -t ${mode}: SIPp counts ${CALLS} successful`, async (ctx) => {
      const s = session(ctx);
      const [ourPort, sippPort] = mode === 't1' ? [14221, 14222] : [14231, 14232];
      assertTcpPortsFree(ourPort, sippPort);
      const uas = s.gossipper(['-sn', 'uas', '-t', mode, '-i', HOST, '-p', String(ourPort), '-m', String(CALLS), '-summary_json', 'uas.json']);
      await waitForTcpListening(ourPort, uas);
      const sipp = s.sipp([
        '-sn', 'uac', '-t', mode, '-max_socket', '1000', `${HOST}:${ourPort}`, '-i', HOST, '-p', String(sippPort),
        '-m', String(CALLS), '-r', '200', '-trace_stat', '-stf', 'sipp.csv',
      ]);
      expect((await sipp.wait(25_000)).code, sipp.describe()).toBe(0);
      expect(finalCounts(readStatCsv(s.path('sipp.csv')))).toMatchObject({ outgoing: CALLS, successful: CALLS, failed: 0 });
      expect((await uas.wait(15_000)).code, uas.describe()).toBe(0);
      expect(readSummary(s.path('uas.json')).calls).toMatchObject({ incoming: CALLS, successful: CALLS, failed: 0 });
    }, 45_000);
  }

  it.concurrent('connection refused at start: SIPp and gossipper both exit 255', async (ctx) => {
    const s = session(ctx);
    const port = 14241;
    assertTcpPortsFree(port);
    const sipp = s.sipp(['-sn', 'uac', '-t', 't1', `${HOST}:${port}`, '-i', HOST, '-p', '14242', '-m', '1']);
    const ours = s.gossipper(['-sn', 'uac', '-t', 't1', `${HOST}:${port}`, '-i', HOST, '-p', '14243', '-m', '1']);
    const [sippExit, ourExit] = await Promise.all([sipp.wait(10_000), ours.wait(10_000)]);
    expect(sippExit.code, sipp.describe()).toBe(255);
    expect(ourExit.code, ours.describe()).toBe(255);
    expect(sipp.stderr).toContain('Connection refused');
    expect(ours.stderr).toContain('connection refused (ECONNREFUSED)');
  }, 20_000);
});
