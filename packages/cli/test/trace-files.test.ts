/**
 * SIPp's trace files (-trace_err, -trace_counts, -trace_shortmsg, -trace_rtt,
 * -trace_error_codes, -trace_screen, -trace_logs, -trace_calldebug): the real SIPp 3.6.1 and
 * `gossipper` run the same situation side by side, each against its own peer, and their
 * files are compared for name, header, separators, time formats, columns and (where the
 * situation is deterministic) counts. Needs a built CLI (`npx tsc -b packages/cli`).
 * Ports: 13260..13299.
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunStats, Scenario } from '@gossipper/core';
import { loadBuiltinScenario, compileTemplate, RunStats as Stats } from '@gossipper/core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/options.js';
import { ActionLog, CountsCsv, ostreamDouble, RttCsv, TraceOutputs } from '../src/outputs/trace-files.js';
import { describeWithSipp } from './support/peers.js';
import { readMessageTrace } from './support/files.js';
import { delay, killAllTracked, session, waitFor } from './support/procs.js';
import type { Proc, Session } from './support/procs.js';
import { assertUdpPortsFree, silentPeer, waitForUdpBound } from './support/net.js';
import {
  callDebugBlocks,
  ERRORS_HEADER,
  SIPP_ELAPSED,
  SIPP_TIME,
  errorEntries,
  lines,
  normalise,
  readTrace,
  traceFile,
} from './support/traces.js';

afterAll(killAllTracked);

const HOST = '127.0.0.1';

const ALL_TRACES = [
  '-trace_err',
  '-trace_counts',
  '-trace_shortmsg',
  '-trace_rtt',
  '-rtt_freq', '1',
  '-trace_error_codes',
  '-trace_screen',
  '-trace_logs',
  '-trace_calldebug',
];

/** A `-fd`-style row: `<date>\t<time>\t<epoch>;HH:MM:SS:uuuuuu;` then the rest. */
const ROW_PREFIX = new RegExp(`^${SIPP_TIME.source};${SIPP_ELAPSED.source};`);

/** A UAS that answers every INVITE with 486 Busy Here (SIPp plays it). */
const BUSY_UAS = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="busy">
  <recv request="INVITE" />
  <send>
    <![CDATA[
      SIP/2.0 486 Busy Here
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
  <recv request="ACK" optional="true"/>
</scenario>
`;

interface Side {
  label: 'sipp' | 'gossipper';
  proc: Proc;
  s: Session;
}

/** Run `uac` (SIPp's or ours) in session `s` with `args`, wait for its exit. */
async function runUac(s: Session, label: Side['label'], args: string[], timeoutMs = 15_000): Promise<Side> {
  const proc = label === 'sipp' ? s.sipp(args) : s.gossipper(args);
  await proc.wait(timeoutMs);
  return { label, proc, s };
}

function read(side: Side, suffix: string, stem = 'uac'): string {
  return readTrace(side.s.dir, stem, side.proc.pid, suffix);
}

/** The scenario-screen lines that show per-step counters (between the column titles and the blank line). */
function stepLines(screen: string): string[] {
  const all = lines(screen.replaceAll('\r', ''));
  const start = all.findIndex((l) => l.includes('Messages  Retrans   Timeout   Unexpected-Msg'));
  if (start < 0) throw new Error(`no scenario screen:\n${screen.slice(0, 400)}`);
  const out: string[] = [];
  for (const l of all.slice(start + 1)) {
    if (/^(Last Error|-{3,})/.test(l)) break;
    out.push(l.trimEnd());
  }
  while (out.at(-1) === '') out.pop();
  return out;
}

const SCREEN_TITLES = [
  '------------------------------ Scenario Screen -------- [1-9]: Change Screen --',
  '----------------------------- Statistics Screen ------- [1-9]: Change Screen --',
  '---------------------------- Repartition Screen ------- [1-9]: Change Screen --',
];

describeWithSipp('trace files: a clean run (uac against SIPp uas, 3 calls)', () => {
  it.concurrent('every file has SIPp\'s name, header, separators, time format and counts', async (ctx) => {
    const s1 = session(ctx);
    const s2 = session(ctx);
    const [uasA, sippPort, uasB, ourPort] = [13260, 13261, 13262, 13263];
    assertUdpPortsFree(uasA, sippPort, uasB, ourPort);
    const peerA = s1.sipp(['-sn', 'uas', '-i', HOST, '-p', String(uasA), '-m', '3']);
    const peerB = s2.sipp(['-sn', 'uas', '-i', HOST, '-p', String(uasB), '-m', '3']);
    await waitForUdpBound(uasA, peerA);
    await waitForUdpBound(uasB, peerB);
    const common = ['-sn', 'uac', '-i', HOST, '-m', '3', '-r', '10', ...ALL_TRACES];
    const [sipp, ours] = await Promise.all([
      runUac(s1, 'sipp', [...common, `${HOST}:${uasA}`, '-p', String(sippPort)]),
      runUac(s2, 'gossipper', [...common, `${HOST}:${uasB}`, '-p', String(ourPort)]),
    ]);
    expect((await sipp.proc.exited).code, sipp.proc.describe()).toBe(0);
    expect((await ours.proc.exited).code, ours.proc.describe()).toBe(0);

    // -trace_counts: same header; a row at start and the closing row twice; same final counts.
    const counts = [sipp, ours].map((side) => lines(read(side, 'counts.csv')));
    expect(counts[1]![0]).toBe(counts[0]![0]);
    expect(counts[0]![0]).toMatch(/^CurrentTime;ElapsedTime;0_INVITE_Sent;0_INVITE_Retrans;0_INVITE_Timeout;1_100_Recv;/);
    for (const c of counts) {
      expect(c).toHaveLength(4);
      for (const row of c.slice(1)) {
        expect(row).toMatch(ROW_PREFIX);
        expect(row.split(';')).toHaveLength(c[0]!.split(';').length);
      }
    }
    const values = (row: string) => row.split(';').slice(2);
    expect(values(counts[1]![3]!)).toEqual(values(counts[0]![3]!));
    expect(values(counts[1]![1]!)).toEqual(values(counts[0]![1]!)); // all zero at start

    // -trace_shortmsg: one line per message, same fields and the same messages per call.
    const shortLines = [sipp, ours].map((side) =>
      lines(normalise(read(side, 'shortmessages.log'), { PID: side.proc.pid })),
    );
    for (const l of shortLines) {
      expect(l).toHaveLength(18);
      for (const line of l) expect(line).toMatch(new RegExp(`^${SIPP_TIME.source}\\t[SR]\\t\\d+-PID@127\\.0\\.0\\.1\\tCSeq:\\d+ [A-Z]+\\t.+$`));
    }
    const withoutTime = (l: string[]) => l.map((x) => x.split('\t').slice(3).join('\t').replace(/:1326\d/g, ':PORT')).sort();
    expect(withoutTime(shortLines[1]!)).toEqual(withoutTime(shortLines[0]!));

    // -trace_rtt -rtt_freq 1: header, then one row per call for RTD "1".
    const rtt = [sipp, ours].map((side) => lines(read(side, 'rtt.csv')));
    expect(rtt[1]![0]).toBe(rtt[0]![0]);
    expect(rtt[0]![0]).toBe('Date_ms;response_time_ms;rtd_no');
    for (const r of rtt) {
      expect(r).toHaveLength(4);
      for (const row of r.slice(1)) expect(row).toMatch(/^\d+(\.\d+)?;\d+(\.\d+)?;1$/);
    }

    // -trace_error_codes: no unexpected response: three rows of time and elapsed time only.
    for (const side of [sipp, ours]) {
      const rows = lines(read(side, 'error_codes.csv'));
      expect(rows).toHaveLength(3);
      for (const row of rows) expect(row).toMatch(new RegExp(`${ROW_PREFIX.source}$`));
    }

    // -trace_screen: the same screens in the same order, the same per-step lines.
    const screens = [sipp, ours].map((side) => read(side, 'screen.log').replaceAll('\r', ''));
    for (const screen of screens) {
      let at = -1;
      for (const title of SCREEN_TITLES) {
        const next = screen.indexOf(title, at + 1);
        expect(next, title).toBeGreaterThan(at);
        at = next;
      }
    }
    expect(stepLines(screens[1]!)).toEqual(stepLines(screens[0]!));

    // -trace_calldebug: every call succeeded: an empty file.
    for (const side of [sipp, ours]) expect(read(side, 'calldebug.log')).toBe('');
    // -trace_logs: -sn uac has no <log>: no file. -trace_err: no error (but SIPp's own host warnings).
    for (const side of [sipp, ours]) {
      expect(traceFile(side.s.dir, 'uac', side.proc.pid, 'logs.log')).toBeUndefined();
      const errors = traceFile(side.s.dir, 'uac', side.proc.pid, 'errors.log');
      if (errors !== undefined) expect(errorEntries(readFileSync(errors, 'latin1')).texts).toEqual([]);
    }
    expect(traceFile(ours.s.dir, 'uac', ours.proc.pid, 'errors.log')).toBeUndefined();
  }, 30_000);
});

describeWithSipp('trace files: a clean run (uas answering SIPp uac, 3 calls)', () => {
  it.concurrent('-trace_counts, -trace_shortmsg, -trace_error_codes, -trace_screen of a server as SIPp', async (ctx) => {
    const s1 = session(ctx);
    const s2 = session(ctx);
    const [uasA, uacA, uasB, uacB] = [13292, 13293, 13294, 13295];
    assertUdpPortsFree(uasA, uacA, uasB, uacB);
    const traces = ['-trace_counts', '-trace_shortmsg', '-trace_error_codes', '-trace_screen', '-trace_err', '-trace_calldebug'];
    const common = ['-sn', 'uas', '-i', HOST, '-m', '3', ...traces];
    const sippUas = s1.sipp([...common, '-p', String(uasA)]);
    const ourUas = s2.gossipper([...common, '-p', String(uasB)]);
    await waitForUdpBound(uasA, sippUas);
    await waitForUdpBound(uasB, ourUas);
    const clientA = s1.sipp(['-sn', 'uac', `${HOST}:${uasA}`, '-i', HOST, '-p', String(uacA), '-m', '3', '-r', '10']);
    const clientB = s2.sipp(['-sn', 'uac', `${HOST}:${uasB}`, '-i', HOST, '-p', String(uacB), '-m', '3', '-r', '10']);
    await Promise.all([clientA.wait(15_000), clientB.wait(15_000), sippUas.wait(20_000), ourUas.wait(20_000)]);
    expect((await sippUas.exited).code, sippUas.describe()).toBe(0);
    expect((await ourUas.exited).code, ourUas.describe()).toBe(0);
    const sipp: Side = { label: 'sipp', proc: sippUas, s: s1 };
    const ours: Side = { label: 'gossipper', proc: ourUas, s: s2 };

    const counts = [sipp, ours].map((side) => lines(read(side, 'counts.csv', 'uas')));
    expect(counts[1]![0]).toBe(counts[0]![0]);
    expect(counts[1]!.length).toBe(counts[0]!.length);
    for (const c of counts) for (const row of c.slice(1)) expect(row).toMatch(ROW_PREFIX);
    expect(counts[1]!.at(-1)!.split(';').slice(2)).toEqual(counts[0]!.at(-1)!.split(';').slice(2));

    // The same messages, received (R) and sent (S), per call; the client is SIPp both times.
    const short = [sipp, ours].map((side) =>
      lines(normalise(read(side, 'shortmessages.log', 'uas'), { CLIENT: (side === sipp ? clientA : clientB).pid }))
        .map((l) => l.split('\t').slice(3).join('\t').replace(/:1329\d/g, ':PORT'))
        .sort(),
    );
    expect(short[0]).toHaveLength(18);
    expect(short[1]).toEqual(short[0]);

    for (const side of [sipp, ours]) {
      const rows = lines(read(side, 'error_codes.csv', 'uas'));
      for (const row of rows) expect(row).toMatch(new RegExp(`${ROW_PREFIX.source}$`));
      expect(read(side, 'calldebug.log', 'uas')).toBe('');
    }
    expect(lines(read(ours, 'error_codes.csv', 'uas')).length).toBe(lines(read(sipp, 'error_codes.csv', 'uas')).length);
    const screens = [sipp, ours].map((side) => read(side, 'screen.log', 'uas').replaceAll('\r', ''));
    expect(stepLines(screens[1]!)).toEqual(stepLines(screens[0]!));
    expect(traceFile(ours.s.dir, 'uas', ours.proc.pid, 'errors.log')).toBeUndefined();
  }, 40_000);
});

describeWithSipp('trace files: a silent peer', () => {
  for (const [what, flags, ports, entry] of [
    [
      '-max_retrans 1',
      ['-max_retrans', '1'],
      [13264, 13265, 13266, 13267],
      (n: number) => `Aborting call on UDP retransmission timeout for Call-ID '${n}-PID@127.0.0.1'`,
    ],
    [
      '-recv_timeout 500',
      ['-recv_timeout', '500'],
      [13268, 13269, 13270, 13271],
      (n: number) =>
        `Call-Id: ${n}-PID@127.0.0.1, receive timeout on message Basic Sipstone UAC:1 without label to jump to (ontimeout attribute): aborting call`,
    ],
  ] as const) {
    it.concurrent(`${what}: -trace_err, -trace_calldebug, -trace_counts, -trace_error_codes as SIPp`, async (ctx) => {
      const s1 = session(ctx);
      const s2 = session(ctx);
      const [peerA, sippPort, peerB, ourPort] = ports;
      assertUdpPortsFree(peerA, sippPort, peerB, ourPort);
      const silentA = await silentPeer(peerA);
      const silentB = await silentPeer(peerB);
      ctx.onTestFinished(async () => {
        await silentA.close();
        await silentB.close();
      });
      const common = ['-sn', 'uac', '-i', HOST, '-m', '2', '-r', '10', ...flags, ...ALL_TRACES];
      const [sipp, ours] = await Promise.all([
        runUac(s1, 'sipp', [...common, `${HOST}:${peerA}`, '-p', String(sippPort)]),
        runUac(s2, 'gossipper', [...common, `${HOST}:${peerB}`, '-p', String(ourPort)]),
      ]);
      expect((await sipp.proc.exited).code, sipp.proc.describe()).toBe(1);
      expect((await ours.proc.exited).code, ours.proc.describe()).toBe(1);

      // -trace_err: the header, then one entry per failed call, the same words.
      for (const side of [sipp, ours]) {
        const text = read(side, 'errors.log');
        expect(text.startsWith(ERRORS_HEADER)).toBe(true);
        const { texts } = errorEntries(normalise(text, { PID: side.proc.pid }));
        expect(texts.sort(), side.label).toEqual([entry(1), entry(2)]);
        // SIPp 3.6.1 puts no line break after an entry.
        expect(text.endsWith('\n'), side.label).toBe(false);
      }

      // -trace_calldebug: one block per failed call, ending with the abort at index 1.
      for (const side of [sipp, ours]) {
        const text = normalise(read(side, 'calldebug.log'), { PID: side.proc.pid });
        const blocks = text.split(`${'-'.repeat(79)}\n`).filter((b) => b !== '');
        expect(blocks, side.label).toHaveLength(2);
        for (const block of blocks) {
          const n = /^Call debugging information for call (\d+)-PID@127\.0\.0\.1:\n/.exec(block)?.[1];
          expect(n, block.slice(0, 200)).toBeDefined();
          expect(block).toMatch(new RegExp(`^Call debugging information for call ${n}-PID@127\\.0\\.0\\.1:\\n${SIPP_TIME.source} Starting call ${n}-PID@127\\.0\\.0\\.1\\n`));
          expect(block).toMatch(new RegExp(`\\n${SIPP_TIME.source} Aborting call ${n}-PID@127\\.0\\.0\\.1 \\(index 1\\)\\.\\n$`));
        }
      }

      if (what === '-max_retrans 1') {
        // Each call: the INVITE, its one retransmission, the abort.
        for (const side of [sipp, ours]) {
          for (const { callId, entries } of callDebugBlocks(normalise(read(side, 'calldebug.log'), { PID: side.proc.pid }))) {
            expect(entries, side.label).toEqual([
              `Starting call ${callId}`,
              `Sending UDP message for call ${callId} (index 0, hash H):`,
              `Sending UDP message for call ${callId} (index 0, hash H):`,
              `Aborting call ${callId} (index 1).`,
            ]);
          }
        }
      }

      // -trace_counts: the same header and the same final counters (with -recv_timeout 500
      // the INVITE's first retransmission, also due at 500 ms, may or may not go out first).
      const counts = [sipp, ours].map((side) => lines(read(side, 'counts.csv')));
      expect(counts[1]![0]).toBe(counts[0]![0]);
      const header = counts[0]![0]!.split(';');
      const finalCounters = (c: string[]) =>
        c.at(-1)!.split(';').filter((_, i) => i >= 2 && !(what === '-recv_timeout 500' && header[i]!.endsWith('_Retrans')));
      expect(finalCounters(counts[1]!)).toEqual(finalCounters(counts[0]!));

      // -trace_error_codes: no response at all, so no code.
      for (const side of [sipp, ours]) {
        for (const row of lines(read(side, 'error_codes.csv'))) expect(row).toMatch(new RegExp(`${ROW_PREFIX.source}$`));
      }
      // -trace_rtt: no response time: no file (SIPp opens it with the first batch).
      for (const side of [sipp, ours]) expect(traceFile(side.s.dir, 'uac', side.proc.pid, 'rtt.csv')).toBeUndefined();
    }, 30_000);
  }
});

describeWithSipp('trace files: stray datagrams', () => {
  it.concurrent('-trace_err logs out-of-call messages and non-SIP datagrams in SIPp\'s words', async (ctx) => {
    const s1 = session(ctx);
    const s2 = session(ctx);
    const [peerA, sippPort, peerB, ourPort] = [13286, 13287, 13288, 13289];
    assertUdpPortsFree(peerA, sippPort, peerB, ourPort);
    const silentA = await silentPeer(peerA);
    const silentB = await silentPeer(peerB);
    ctx.onTestFinished(async () => {
      await silentA.close();
      await silentB.close();
    });
    const common = ['-sn', 'uac', '-i', HOST, '-m', '1', '-max_retrans', '1', '-trace_err'];
    const sippProc = s1.sipp([...common, `${HOST}:${peerA}`, '-p', String(sippPort)]);
    const ourProc = s2.gossipper([...common, `${HOST}:${peerB}`, '-p', String(ourPort)]);
    const stray = [
      ['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-1', 'From: <sip:a@b>;tag=1', 'To: <sip:c@d>;tag=2',
        'Call-ID: stray-1@x', 'CSeq: 1 INVITE', 'Content-Length: 0', '', ''].join('\r\n'),
      'garbage that is not sip\r\n\r\n',
      ['OPTIONS sip:x@127.0.0.1 SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-2', 'From: <sip:a@b>;tag=1',
        'To: <sip:c@d>', 'Call-ID: stray-2@x', 'CSeq: 1 OPTIONS', 'Content-Length: 0', '', ''].join('\r\n'),
    ];
    const sender = createSocket('udp4');
    ctx.onTestFinished(() => new Promise<void>((resolve) => sender.close(() => resolve())));
    await Promise.all([
      waitFor('the first INVITE at SIPp\'s silent peer', () => silentA.received > 0, 5_000),
      waitFor('the first INVITE at our silent peer', () => silentB.received > 0, 5_000),
    ]);
    for (const text of stray) {
      for (const port of [sippPort, ourPort]) {
        await new Promise<void>((resolve, reject) => sender.send(text, port, HOST, (e) => (e ? reject(e) : resolve())));
      }
      await delay(50);
    }
    await Promise.all([sippProc.wait(15_000), ourProc.wait(15_000)]);
    const sipp: Side = { label: 'sipp', proc: sippProc, s: s1 };
    const ours: Side = { label: 'gossipper', proc: ourProc, s: s2 };
    const entries = [sipp, ours].map((side) => errorEntries(normalise(read(side, 'errors.log'), { PID: side.proc.pid })).texts);
    expect(entries[0]).toEqual([
      `Discarding message which can't be mapped to a known SIPp call:\n${stray[0]}`,
      `non SIP message discarded: "${stray[1]}" (${stray[1]!.length})`,
      `Discarding message which can't be mapped to a known SIPp call:\n${stray[2]}`,
      "Aborting call on UDP retransmission timeout for Call-ID '1-PID@127.0.0.1'",
    ]);
    expect(entries[1]).toEqual(entries[0]);
  }, 30_000);
});

/** An OPTIONS to a silent peer whose timeout jumps to a label instead of failing the call. */
function jumpScenario(on: 'recv' | 'retrans'): string {
  const sendAttr = on === 'retrans' ? ' retrans="100" ontimeout="done"' : '';
  const recvAttr = on === 'recv' ? ' timeout="300" ontimeout="done"' : '';
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="jump ${on}">
  <send${sendAttr}>
    <![CDATA[
      OPTIONS sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"${recvAttr}/>
  <label id="done"/>
  <pause milliseconds="10"/>
</scenario>
`;
}

describeWithSipp('trace files: ontimeout jumps', () => {
  it.concurrent('-trace_err logs a timeout that jumps to a label, in SIPp\'s words', async (ctx) => {
    const s1 = session(ctx);
    const s2 = session(ctx);
    const [peerA, sippPort, peerB, ourPort] = [13296, 13297, 13298, 13299];
    assertUdpPortsFree(peerA, sippPort, peerB, ourPort);
    const silentA = await silentPeer(peerA);
    const silentB = await silentPeer(peerB);
    ctx.onTestFinished(async () => {
      await silentA.close();
      await silentB.close();
    });
    for (const on of ['recv', 'retrans'] as const) {
      const file = `jump_${on}.xml`;
      writeFileSync(s1.path(file), jumpScenario(on));
      writeFileSync(s2.path(file), jumpScenario(on));
      const common = ['-sf', file, '-i', HOST, '-m', '1', '-max_retrans', '1', '-trace_err'];
      const [sipp, ours] = await Promise.all([
        runUac(s1, 'sipp', [...common, `${HOST}:${peerA}`, '-p', String(sippPort)]),
        runUac(s2, 'gossipper', [...common, `${HOST}:${peerB}`, '-p', String(ourPort)]),
      ]);
      const expected =
        on === 'recv'
          ? 'Call-Id: 1-PID@127.0.0.1, receive timeout on message jump recv:1, jumping to label 2'
          : 'Call-Id: 1-PID@127.0.0.1, timeout on max UDP retrans for message 1, jumping to label 2 ';
      for (const side of [sipp, ours]) {
        expect((await side.proc.exited).code, side.proc.describe()).toBe(0);
        const text = readTrace(side.s.dir, `jump_${on}`, side.proc.pid, 'errors.log');
        expect(errorEntries(normalise(text, { PID: side.proc.pid })).texts, `${side.label} ${on}`).toEqual([expected]);
      }
    }
  }, 30_000);
});

describeWithSipp('trace files: a UAS that answers 486', () => {
  it.concurrent('-trace_err and -trace_error_codes record the unexpected 486 as SIPp does', async (ctx) => {
    const s1 = session(ctx);
    const s2 = session(ctx);
    const [uasA, sippPort, uasB, ourPort] = [13272, 13273, 13274, 13275];
    assertUdpPortsFree(uasA, sippPort, uasB, ourPort);
    writeFileSync(s1.path('busy.xml'), BUSY_UAS);
    writeFileSync(s2.path('busy.xml'), BUSY_UAS);
    const peerA = s1.sipp(['-sf', 'busy.xml', '-i', HOST, '-p', String(uasA), '-m', '2']);
    const peerB = s2.sipp(['-sf', 'busy.xml', '-i', HOST, '-p', String(uasB), '-m', '2']);
    await waitForUdpBound(uasA, peerA);
    await waitForUdpBound(uasB, peerB);
    const common = ['-sn', 'uac', '-i', HOST, '-m', '2', '-r', '10', ...ALL_TRACES, '-trace_msg'];
    const [sipp, ours] = await Promise.all([
      runUac(s1, 'sipp', [...common, `${HOST}:${uasA}`, '-p', String(sippPort)]),
      runUac(s2, 'gossipper', [...common, `${HOST}:${uasB}`, '-p', String(ourPort)]),
    ]);
    expect((await sipp.proc.exited).code, sipp.proc.describe()).toBe(1);
    expect((await ours.proc.exited).code, ours.proc.describe()).toBe(1);

    // SIPp's default behaviour: the aborted call ACKs the 486, with SIPp's own ACK text.
    const sentAcks = ({ side, peer, port, uas }: { side: Side; peer: Proc; port: number; uas: number }) =>
      readMessageTrace(join(side.s.dir, `uac_${side.proc.pid}_messages.log`))
        .filter((b) => b.direction === 'sent' && b.message.toString('latin1').startsWith('ACK '))
        .map((b) =>
          normalise(b.message.toString('latin1'), { PID: side.proc.pid, PEER: peer.pid })
            .replaceAll(`:${port}`, ':UACPORT')
            .replaceAll(`:${uas}`, ':UASPORT'),
        );
    const theirAcks = sentAcks({ side: sipp, peer: peerA, port: sippPort, uas: uasA });
    expect(theirAcks).toHaveLength(2);
    expect(sentAcks({ side: ours, peer: peerB, port: ourPort, uas: uasB })).toEqual(theirAcks);

    const entries = [
      { side: sipp, peer: peerA, port: sippPort, uas: uasA },
      { side: ours, peer: peerB, port: ourPort, uas: uasB },
    ].map(({ side, peer, port, uas }) => {
      const text = normalise(read(side, 'errors.log'), { PID: side.proc.pid, PEER: peer.pid })
        .replaceAll(`:${port}`, ':UACPORT')
        .replaceAll(`:${uas}`, ':UASPORT');
      return errorEntries(text).texts.sort();
    });
    expect(entries[0]).toHaveLength(2);
    expect(entries[0]![0]).toMatch(
      /^Aborting call on unexpected message for Call-Id '1-PID@127\.0\.0\.1': while expecting '100' \(index 1\), received 'SIP\/2\.0 486 Busy Here\r\n[^]*\r\n\r\n'$/,
    );
    expect(entries[1]).toEqual(entries[0]);

    // -trace_calldebug: per call, the INVITE sent, the 486 processed and found unexpected, the abort.
    for (const [side, peer] of [[sipp, peerA], [ours, peerB]] as const) {
      // (The 486's size depends on the digits of the PIDs and ports in it.)
      const blocks = callDebugBlocks(
        normalise(read(side, 'calldebug.log'), { PID: side.proc.pid, PEER: peer.pid }).replace(/Processing \d+ byte/g, 'Processing N byte'),
      );
      expect(blocks.map((b) => b.callId).sort(), side.label).toEqual(['1-PID@127.0.0.1', '2-PID@127.0.0.1']);
      for (const { callId, entries } of blocks) {
        // Both then ACK the 486 (checked above); what follows differs in detail.
        expect(entries.slice(0, 5), side.label).toEqual([
          `Starting call ${callId}`,
          `Sending UDP message for call ${callId} (index 0, hash H):`,
          `Processing N byte incoming message for call-ID ${callId} (hash H):`,
          'Unexpected UDP message received (index 1, hash H):',
          `Aborting call ${callId} (index 1).`,
        ]);
      }
    }

    // -trace_error_codes: 486 twice, each followed by ',', in the closing rows.
    for (const side of [sipp, ours]) {
      const rows = lines(read(side, 'error_codes.csv'));
      for (const row of rows) expect(row).toMatch(new RegExp(`${ROW_PREFIX.source}(\\d{3},)*$`));
      expect(rows.map((r) => r.replace(ROW_PREFIX, '')).join(''), side.label).toBe('486,486,');
    }

    // -trace_counts: the unexpected messages are counted on the step the calls were at.
    const counts = [sipp, ours].map((side) => lines(read(side, 'counts.csv')));
    expect(counts[1]![0]).toBe(counts[0]![0]);
    const finalRow = (c: string[]) => Object.fromEntries(c[0]!.split(';').map((h, i) => [h, c.at(-1)!.split(';')[i]]));
    expect(finalRow(counts[0]!)['1_100_Unexp']).toBe('2');
    expect(finalRow(counts[1]!)['1_100_Unexp']).toBe('2');
  }, 30_000);
});

describeWithSipp('trace files: -trace_logs', () => {
  it.concurrent('a <log> action writes its text and a line break, as SIPp does', async (ctx) => {
    const s = session(ctx);
    const [peerPort, sippPort] = [13276, 13277];
    assertUdpPortsFree(peerPort, sippPort);
    const silent = await silentPeer(peerPort);
    ctx.onTestFinished(() => silent.close());
    writeFileSync(
      s.path('logx.xml'),
      `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="logx">
  <send>
    <![CDATA[
      OPTIONS sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <nop>
    <action>
      <log message="hello [call_number] from [call_id]"/>
    </action>
  </nop>
</scenario>
`,
    );
    const sipp = await runUac(s, 'sipp', ['-sf', 'logx.xml', `${HOST}:${peerPort}`, '-i', HOST, '-p', String(sippPort), '-m', '2', '-r', '10', '-trace_logs']);
    expect((await sipp.proc.exited).code, sipp.proc.describe()).toBe(0);
    const theirs = read(sipp, 'logs.log', 'logx');

    // Ours, fed the same two texts as the engine's `log` events would carry them.
    const dir = mkdtempSync(join(tmpdir(), 'gossipper-logs-'));
    try {
      const path = join(dir, 'logs.log');
      const log = new ActionLog(path);
      for (const n of [1, 2]) {
        log.emit({ kind: 'log', at: 0, callId: `${n}-${sipp.proc.pid}@127.0.0.1`, text: `hello ${n} from ${n}-${sipp.proc.pid}@127.0.0.1` });
      }
      log.close();
      expect(readFileSync(path, 'latin1')).toBe(theirs);
      expect(theirs).toBe(`hello 1 from 1-${sipp.proc.pid}@127.0.0.1\nhello 2 from 2-${sipp.proc.pid}@127.0.0.1\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);
});

describe('trace files: every exit path flushes them', () => {
  for (const [what, ports, stop] of [
    ['-timeout 1s', [13278, 13279], 'timeout'],
    ['SIGTERM', [13280, 13281], 'SIGTERM'],
    ['SIGINT', [13282, 13283], 'SIGINT'],
    ['-timeout 1s -timeout_error', [13284, 13285], 'timeout_error'],
  ] as const) {
    it.concurrent(`${what}: counts, error codes, short messages, screen and call debug are complete`, async (ctx) => {
      const s = session(ctx);
      const [peerPort, ourPort] = ports;
      assertUdpPortsFree(peerPort, ourPort);
      const silent = await silentPeer(peerPort);
      ctx.onTestFinished(() => silent.close());
      const timeout = stop === 'timeout' ? ['-timeout', '1s'] : stop === 'timeout_error' ? ['-timeout', '1s', '-timeout_error'] : [];
      const uac = s.gossipper([
        '-sn', 'uac', `${HOST}:${peerPort}`, '-i', HOST, '-p', String(ourPort), '-m', '100', '-r', '10', ...timeout, ...ALL_TRACES,
      ]);
      if (stop === 'SIGTERM' || stop === 'SIGINT') {
        await waitFor('the first INVITE at the silent peer', () => silent.received > 0, 5_000);
        await delay(500);
        uac.signal(stop);
      }
      const exit = await uac.wait(10_000);
      expect(exit.code, uac.describe()).toBe(stop === 'timeout' ? 97 : stop === 'timeout_error' ? 255 : 0);
      const counts = lines(read({ label: 'gossipper', proc: uac, s }, 'counts.csv'));
      expect(counts.length).toBeGreaterThanOrEqual(3); // header, start row, closing row
      const invites = Number(counts.at(-1)!.split(';')[2]);
      expect(invites).toBeGreaterThan(0);
      const short = lines(read({ label: 'gossipper', proc: uac, s }, 'shortmessages.log'));
      expect(short.filter((l) => /\tS\t.*\tCSeq:1 INVITE\tINVITE /.test(l)).length).toBeGreaterThanOrEqual(invites);
      expect(lines(read({ label: 'gossipper', proc: uac, s }, 'error_codes.csv')).length).toBeGreaterThanOrEqual(2);
      expect(read({ label: 'gossipper', proc: uac, s }, 'screen.log')).toContain(SCREEN_TITLES[0]);
      // The calls still open when the run stopped are aborted: each has its debug block.
      const debug = read({ label: 'gossipper', proc: uac, s }, 'calldebug.log');
      expect(debug.split('Call debugging information for call ').length - 1).toBe(invites);
    }, 20_000);
  }
});

describe('trace files: flags', () => {
  it('bad values name the flag', () => {
    for (const [args, flag] of [
      [['-rtt_freq', '0'], '-rtt_freq'],
      [['-rtt_freq', 'abc'], '-rtt_freq'],
      [['-rtt_freq', '-3'], '-rtt_freq'],
      [['-error_file', ''], '-error_file'],
      [['-screen_file', ''], '-screen_file'],
      [['-log_file', ''], '-log_file'],
    ] as const) {
      const parsed = parseCommandLine(['-sn', 'uac', '127.0.0.1', ...args]);
      expect(parsed.kind, args.join(' ')).toBe('error');
      if (parsed.kind === 'error') expect(parsed.message.startsWith(`${flag}:`), parsed.message).toBe(true);
    }
  });

  it('each -trace_* flag turns its file on; -*_file names it', () => {
    const parsed = parseCommandLine([
      '-sn', 'uac', '127.0.0.1', ...ALL_TRACES, '-error_file', 'e.log', '-screen_file', 's.log', '-log_file', 'l.log',
    ]);
    expect(parsed.kind).toBe('run');
    if (parsed.kind !== 'run') return;
    expect(parsed.options).toMatchObject({
      traceErr: true,
      traceCounts: true,
      traceShortMsg: true,
      traceRtt: true,
      rttFrequency: 1,
      traceErrorCodes: true,
      traceScreen: true,
      traceLogs: true,
      traceCalldebug: true,
      errorFile: 'e.log',
      screenFile: 's.log',
      logFile: 'l.log',
    });
  });

  it('-error_file without -trace_err writes nothing (as SIPp)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gossipper-err-'));
    try {
      const scenario = loadBuiltinScenario('uac', (c, p) => compileTemplate(c, p, { keys: {} }));
      const stats = new Stats(scenario, { now: () => 0, wallClockMs: () => 0 });
      const traces = new TraceOutputs({
        fileStem: 'uac',
        pid: 1,
        scenario,
        stats,
        wallClockMs: () => 0,
        delimiter: ';',
        options: { ...offOptions(), errorFile: join(dir, 'e.log') },
      });
      traces.errors.error('something');
      traces.close();
      expect(traceFile(dir, 'uac', 1, 'errors.log')).toBeUndefined();
      expect(() => readFileSync(join(dir, 'e.log'))).toThrow();
      expect(traces.errors.lastError).toBe('something');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function offOptions() {
  return {
    traceErr: false,
    traceShortMsg: false,
    traceCounts: false,
    traceErrorCodes: false,
    traceRtt: false,
    rttFrequency: 200,
    traceLogs: false,
    traceCalldebug: false,
    traceScreen: false,
  };
}

describe('trace files: formats', () => {
  it('-trace_rtt numbers print as C++ streams print doubles (6 significant digits)', () => {
    expect(ostreamDouble(0)).toBe('0');
    expect(ostreamDouble(104.001)).toBe('104.001');
    expect(ostreamDouble(2.534861)).toBe('2.53486');
    expect(ostreamDouble(10)).toBe('10');
    expect(ostreamDouble(1234567)).toBe('1.23457e+06');
    expect(ostreamDouble(0.0000123)).toBe('1.23e-05');
  });

  it('-trace_rtt writes -rtt_freq samples at a time; an unfinished batch is not written (as SIPp)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gossipper-rtt-'));
    try {
      const scenario: Scenario = loadBuiltinScenario('uac', (c, p) => compileTemplate(c, p, { keys: {} }));
      let now = 0;
      const stats: RunStats = new Stats(scenario, { now: () => now, wallClockMs: () => now });
      const path = join(dir, 'rtt.csv');
      const rtt = new RttCsv(path, stats, 2, ';');
      now = 104.001;
      rtt.sample('1', 2.5);
      expect(() => readFileSync(path)).toThrow(); // no file before the first batch
      now = 204;
      rtt.sample('1', 10);
      now = 304;
      rtt.sample('1', 3);
      rtt.close();
      expect(readFileSync(path, 'latin1')).toBe('Date_ms;response_time_ms;rtd_no\n104.001;2.5;1\n204;10;1\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('-trace_counts uses -stat_delimiter and SIPp\'s columns for pauses and lost packets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gossipper-counts-'));
    try {
      const scenario: Scenario = loadBuiltinScenario('uas', (c, p) => compileTemplate(c, p, { keys: {} }));
      const stats: RunStats = new Stats(scenario, { now: () => 0, wallClockMs: () => 0 });
      const counts = new CountsCsv(join(dir, 'c.csv'), scenario, stats, ',');
      counts.writeRow();
      counts.close();
      const [header, row] = lines(readFileSync(join(dir, 'c.csv'), 'latin1'));
      // What sipp -sn uas -trace_counts writes (SIPp 3.6.1), with ',' for ';'.
      expect(header).toBe(
        'CurrentTime;ElapsedTime;0_INVITE_Recv;0_INVITE_Retrans;0_INVITE_Timeout;0_INVITE_Unexp;1_180_Sent;1_180_Retrans;2_200_Sent;2_200_Retrans;2_200_Timeout;3_ACK_Recv;3_ACK_Retrans;3_ACK_Timeout;3_ACK_Unexp;4_BYE_Recv;4_BYE_Retrans;4_BYE_Timeout;4_BYE_Unexp;5_200_Sent;5_200_Retrans;6_Pause_Sessions;6_Pause_Unexp;'.replaceAll(';', ','),
      );
      expect(row!.split(',')).toHaveLength(header!.split(',').length);
      expect(row).toMatch(new RegExp(`^${SIPP_TIME.source},${SIPP_ELAPSED.source},(0,)+$`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
