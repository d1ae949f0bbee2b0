// SIPp 3.6.1's screens (ScreenPrinter): the scenario screen with its per-step counters, the
// statistics screen and the repartition screens, line for line. Every function returns text
// where each line ends with "\n", as SIPp prints it.
import { pauseScreenText } from '../scenario/distribution.js';
import { cFixed, cut, left, msToHHMMSSus, right, sippTime, sippTimeString } from './cformat.js';
import type { TimeFormatOptions } from './cformat.js';
import type { Repartition, RunStats, StatsInstant, StatsStep } from './run-stats.js';

/** The last line of a screen: SIPp's state at the time it was drawn. */
export type ScreenFooter =
  | 'terminated'
  | 'quitting'
  | 'paused'
  | 'running'
  | 'cpu-congested'
  | 'outbound-congestion';

/** Run facts the scenario screen shows that statistics do not keep. Unset numbers are 0. */
export interface ScreenInfo extends TimeFormatOptions {
  /** Default: from the scenario (server when it starts with a recv). */
  mode?: 'client' | 'server';
  /** `UDP`, `TCP`, `TLS`, ... */
  transport: string;
  localPort: number;
  remoteHost?: string;
  remotePort?: number;
  /** -r */
  rate?: number;
  /** -rp in ms (1000 by default). */
  ratePeriodMs?: number;
  /** -users: replaces the rate on the first line. */
  users?: number;
  /** -d in ms: the length of a `<pause/>` without milliseconds, shown on the rate line. */
  durationMs?: number;
  /** -m; unset = no limit. */
  callLimit?: number;
  /** SIPp's open call limit (-l, or its computed default). */
  openCallsAllowed?: number;
  /** SIPp's clock_tick: ms since the program started. Default: the run's elapsed time. */
  totalTimeMs?: number;
  /** ms since the last screen refresh (0 on the exit screens). */
  msSinceLastReport?: number;
  schedulingLoops?: number;
  running?: number;
  paused?: number;
  wokenUp?: number;
  openSockets?: number;
  netErrors?: { send: number; recv: number; cong: number };
  rtpPacketsSent?: number;
  /** RTP bytes in the last period (shown only when msSinceLastReport > 0). */
  rtpBytes?: number;
  /** -lost or a `lost=` in the scenario: the screen gets a Lost column. */
  losePackets?: boolean;
  /** The last error message (without its time stamp); shown unless the footer is `terminated`. */
  lastError?: string;
  footer?: ScreenFooter;
  /**
   * SIPp 3.6.1 formats both columns of the Elapsed Time, Response Time and Call Length rows
   * of its statistics screen into one static buffer, so the Cumulative column repeats the
   * Periodic value. We do the same unless this is true.
   */
  trueCumulativeTimes?: boolean;
}

const SCENARIO_TITLE = '------------------------------ Scenario Screen -------- [1-9]: Change Screen --';
const STATS_TITLE = '----------------------------- Statistics Screen ------- [1-9]: Change Screen --';
const REPARTITION_TITLE = '---------------------------- Repartition Screen ------- [1-9]: Change Screen --';
const CROSS = '-------------------------+---------------------------+--------------------------';

/** SIPp's footer line for a state. */
export function footerLine(footer: ScreenFooter, mode: 'client' | 'server'): string {
  switch (footer) {
    case 'terminated':
      return '------------------------------ Test Terminated --------------------------------';
    case 'quitting':
      return '------- Waiting for active calls to end. Press [q] again to force exit. -------';
    case 'paused':
      return '----------------- Traffic Paused - Press [p] again to resume ------------------';
    case 'cpu-congested':
      return '-------------------------------- CPU CONGESTED ---------------------------------';
    case 'outbound-congestion':
      return '------------------------------ OUTBOUND CONGESTION -----------------------------';
    case 'running':
      return mode === 'server'
        ? '------------------------------ SIPp Server Mode -------------------------------'
        : '------ [+|-|*|/]: Adjust rate ---- [q]: Soft exit ---- [p]: Pause traffic -----';
  }
}

function modeOf(stats: RunStats, info: Pick<ScreenInfo, 'mode'>): 'client' | 'server' {
  return info.mode ?? (stats.serverMode ? 'server' : 'client');
}

function finish(lines: string[], stats: RunStats, info: Pick<ScreenInfo, 'lastError' | 'footer' | 'mode'>): string {
  const footer = info.footer ?? 'running';
  if (footer !== 'terminated' && info.lastError) {
    // SIPp: "%.60s..." when longer than 60 characters, the whole text otherwise.
    const text = info.lastError.length > 60 ? `${info.lastError.slice(0, 60)}...` : info.lastError;
    lines.push(cut(`Last Error: ${text}`, 80));
  }
  lines.push(footerLine(footer, modeOf(stats, info)));
  return lines.map((l) => l + '\n').join('');
}

/** `%-9lu`-style column. */
const col9 = (v: string | number): string => left(String(v), 9, false);

function stepLine(stats: RunStats, step: StatsStep, index: number, info: ScreenInfo, server: boolean): string {
  const c = stats.stepCounters[index]!;
  const lostStr = info.losePackets && c.lost ? String(c.lost) : '';
  const rtdTag =
    step.startRtd.length > 0
      ? ` B-RTD${stats.rtdNumber(step.startRtd[0]!)} `
      : step.rtd.length > 0
        ? ` E-RTD${stats.rtdNumber(step.rtd[0]!)} `
        : '        ';
  switch (step.kind) {
    case 'send': {
      const what = step.isRequest ? (step.method ?? '') : String(step.statusCode ?? 0);
      let s = server ? `  <---------- ${left(what, 10, false)} ` : `  ${right(what, 10)} ----------> `;
      s += rtdTag;
      s += step.retrans
        ? `${col9(c.sent)} ${col9(c.sentRetrans)} ${col9(c.timeouts)} ${col9('')} ${col9(lostStr)}`
        : `${col9(c.sent)} ${col9(c.sentRetrans)} ${col9('')} ${col9('')} ${col9(lostStr)}`;
      return cut(s, 80);
    }
    case 'recv': {
      const what = step.response !== undefined ? String(step.response) : (step.request ?? '');
      let s = server ? `  ----------> ${left(what, 10, false)} ` : `  ${right(what, 10)} <---------- `;
      s += rtdTag;
      s += `${col9(c.received)} ${col9(c.receivedRetrans)} ${col9(c.timeouts)} ${col9(c.unexpected)} ${col9(lostStr)}`;
      return cut(s, 80);
    }
    case 'pause':
    case 'timewait': {
      const desc = pauseScreenText(step.pause, info.durationMs ?? 0);
      const len = Math.max(desc.length, 9);
      const leftPart = server
        ? `  [${right(desc, 9)}] Pause${' '.repeat(Math.max(0, 23 - len))}`
        : `       Pause [${right(desc, 9)}]${' '.repeat(Math.max(0, 18 - len))}`;
      return cut(`${cut(leftPart, 40)}${col9(c.paused)}                     ${col9(c.unexpected)}`, 80);
    }
    case 'nop':
      return step.display !== undefined ? cut(` ${step.display}`, 80) : '              [ NOP ]              ';
    // 3PCC twin commands: SIPp 3.6.1 prints these 72 columns wide, without a lost column.
    case 'sendCmd':
      return `        [ Sent Command ]         ${col9(c.sent)} ${col9('')}           ${col9('')}`;
    case 'recvCmd':
      return `    [ Received Command ]         ${col9(c.received)} ${col9('')} ${col9('')} ${col9('')}`;
  }
}

/** SIPp's scenario screen ("Scenario Screen"), footer included. */
export function renderScenarioScreen(stats: RunStats, info: ScreenInfo, at: StatsInstant = stats.instant()): string {
  const mode = modeOf(stats, info);
  const server = mode === 'server';
  const lines: string[] = [SCENARIO_TITLE];
  const tick = Math.max(0, Math.floor(info.totalTimeMs ?? stats.elapsedMs('cumulative', at)));
  const totalTime = `${right(Math.floor(tick / 1000), 6)}.${String(Math.floor((tick % 1000) / 10)).padStart(2, '0')} s`;
  const total = stats.totalCallsCreated;
  const remote = `${info.remoteHost ?? ''}:${info.remotePort ?? 0}(${info.transport})`;
  if (server) {
    lines.push('  Port   Total-time  Total-calls  Transport');
    lines.push(cut(`  ${left(String(info.localPort), 5, false)} ${totalTime}     ${right(total, 8)}  ${info.transport}`, 80));
  } else if (info.users !== undefined && info.users >= 0) {
    lines.push('  Users (length)   Port   Total-time  Total-calls  Remote-host');
    lines.push(
      cut(
        `  ${info.users} (${Math.trunc(info.durationMs ?? 0)} ms)   ${left(String(info.localPort), 5, false)} ${totalTime}     ${right(total, 8)}  ${remote}`,
        80,
      ),
    );
  } else {
    lines.push('  Call rate (length)   Port   Total-time  Total-calls  Remote-host');
    const rate = right(cFixed(info.rate ?? 0, 1), 3);
    const period = right(cFixed((info.ratePeriodMs ?? 1000) / 1000, 3), 5);
    lines.push(
      cut(
        `  ${rate}(${Math.trunc(info.durationMs ?? 0)} ms)/${period}s   ${left(String(info.localPort), 5, false)} ${totalTime}     ${right(total, 8)}  ${remote}`,
        80,
      ),
    );
  }
  lines.push('');
  const since = Math.max(0, Math.floor(info.msSinceLastReport ?? 0));
  const d = stats.display;
  const leftLong =
    info.callLimit === undefined || total < info.callLimit
      ? `${d.incoming + d.outgoing} new calls during ${Math.floor(since / 1000)}.${String(since % 1000).padStart(3, '0')} s period`
      : `Call limit ${info.callLimit} hit, ${cFixed(since / 100, 1)} s period `;
  const rightBuf = `${Math.floor(since / Math.max(info.schedulingLoops ?? 1, 1))} ms scheduler resolution`;
  lines.push(cut(`  ${left(cut(leftLong, 60), 38)}  ${left(cut(rightBuf, 40), 37)}`, 80));
  const callsBuf = server
    ? `${stats.currentCalls} calls`
    : `${stats.currentCalls} calls (limit ${info.openCallsAllowed ?? 0})`;
  lines.push(
    cut(
      `  ${left(cut(callsBuf, 40), 38, false)}  Peak was ${stats.peakCalls} calls, after ${Math.floor(stats.peakAtMs / 1000)} s`,
      80,
    ),
  );
  lines.push(cut(`  ${info.running ?? 0} Running, ${info.paused ?? 0} Paused, ${info.wokenUp ?? 0} Woken up`, 80));
  const dead = left(cut(`${stats.cumulative.deadCall} dead call msg (discarded)`, 40), 38, false);
  lines.push(cut(server ? `  ${dead}` : `  ${dead}  ${stats.cumulative.outOfCall} out-of-call msg (discarded)`, 80));
  const errors = info.netErrors ?? { send: 0, recv: 0, cong: 0 };
  const socketsLine = cut(
    `  ${left(cut(`${info.openSockets ?? 0} open sockets`, 40), 38, false)}  ${errors.send}/${errors.recv}/${errors.cong} ${info.transport} errors (send/recv/cong)`,
    80,
  );
  lines.push(socketsLine);
  // SIPp 3.6.1 always draws its RTP line; with no time since the last refresh (the exit
  // screens) it does not rebuild the line and repeats the previous one instead.
  if (since > 0) {
    const bytes = Math.floor(info.rtpBytes ?? 0);
    const rtpLeft = cut(`${info.rtpPacketsSent ?? 0} Total RTP pckts sent `, 40);
    lines.push(
      cut(
        `  ${left(rtpLeft, 38, false)}  ${Math.floor(bytes / since)}.${String(bytes % since).padStart(3, '0')} last period RTP rate (kB/s)`,
        80,
      ),
    );
  } else {
    lines.push(socketsLine);
  }
  lines.push('');
  lines.push(
    info.losePackets
      ? '                                 Messages  Retrans   Timeout   Unexp.    Lost'
      : '                                 Messages  Retrans   Timeout   Unexpected-Msg',
  );
  stats.steps.forEach((step, i) => {
    if (step.hide === true) return;
    lines.push(stepLine(stats, step, i, info, server));
    if (step.crlf) lines.push('');
  });
  return finish(lines, stats, info);
}

const txt = (t: string, v: string): string => `  ${left(t, 22)} | ${left(v, 52)} `;
const timeCol = (t: string, v1: string, v2: string): string => `  ${left(t, 22)} | ${left(v1, 25)} | ${left(v2, 24)} `;
const twoVal = (t: string, v1: number, v2: number): string =>
  `  ${left(t, 22)} | ${right(v1, 8)}                  | ${right(v2, 8)}                 `;

/** SIPp's statistics screen ("Statistics Screen"): the `display` period and the cumulative values. */
export function renderStatsScreen(
  stats: RunStats,
  info: Pick<ScreenInfo, 'lastError' | 'footer' | 'mode' | 'utc' | 'trueCumulativeTimes'> = {},
  at: StatsInstant = stats.instant(),
): string {
  const pd = stats.display;
  const c = stats.cumulative;
  const txtCol = (t: string, periodic: string, cumulative: string): string =>
    timeCol(t, periodic, info.trueCumulativeTimes === true ? cumulative : periodic);
  const lines = [STATS_TITLE];
  lines.push(txt('Start Time  ', sippTime(stats.start.wall, info)));
  lines.push(txt('Last Reset Time', sippTime(stats.periodStart('display').wall, info)));
  lines.push(txt('Current Time', sippTime(at.wall, info)));
  lines.push(CROSS, '  Counter Name           | Periodic value            | Cumulative value', CROSS);
  lines.push(txtCol('Elapsed Time', msToHHMMSSus(stats.elapsedMs('display', at)), msToHHMMSSus(stats.elapsedMs('cumulative', at))));
  lines.push(
    `  ${left('Call Rate', 22)} | ${right(cFixed(stats.callRate('display', at), 3), 8)} cps              | ${right(cFixed(stats.callRate('cumulative', at), 3), 8)} cps             `,
  );
  lines.push(CROSS);
  lines.push(twoVal('Incoming calls created', pd.incoming, c.incoming));
  lines.push(twoVal('Outgoing calls created', pd.outgoing, c.outgoing));
  lines.push(`  ${left('Total Calls created', 22)} |                           | ${right(c.incoming + c.outgoing, 8)}                 `);
  lines.push(`  ${left('Current Calls', 22)} | ${right(stats.currentCalls, 8)}                  |                          `);
  lines.push(CROSS);
  if (stats.counterNames.length > 0) {
    stats.counterNames.forEach((name, i) => lines.push(twoVal(`Counter ${name}`, pd.counters[i]!, c.counters[i]!)));
    lines.push(CROSS);
  }
  lines.push(twoVal('Successful call', pd.successful, c.successful));
  lines.push(twoVal('Failed call', pd.failed, c.failed));
  lines.push(CROSS);
  stats.rtdNames.forEach((name, i) => {
    lines.push(txtCol(cut(`Response Time ${name}`, 80), msToHHMMSSus(pd.rtd[i]!.mean()), msToHHMMSSus(c.rtd[i]!.mean())));
  });
  lines.push(txtCol('Call Length', msToHHMMSSus(pd.callLength.mean()), msToHHMMSSus(c.callLength.mean())));
  return finish(lines, stats, info);
}

const info77 = (t: string): string => `  ${left(t, 77)}`;

function repartitionLines(table: Repartition | null): string[] {
  if (table === null) return [info77('  <No repartion defined>')];
  const b = table.bounds;
  const out: string[] = [];
  for (let i = 0; i < b.length; i++) {
    out.push(`    ${right(i === 0 ? 0 : b[i - 1]!, 10)} ms <= n < ${right(b[i]!, 10)} ms : ${right(table.counts[i]!, 10)}`);
  }
  out.push(`    ${' '.repeat(14)} n >= ${right(b[b.length - 1]!, 10)} ms : ${right(table.counts[b.length]!, 10)}`);
  return out;
}

/**
 * SIPp's repartition screen for RTD number `which` (1-based): screen 1 ("Repartition
 * Screen") adds the call length table; the others are "Repartition <n> Screen".
 */
export function renderRepartitionScreen(
  stats: RunStats,
  which = 1,
  info: Pick<ScreenInfo, 'lastError' | 'footer' | 'mode'> = {},
): string {
  const lines = [
    which === 1
      ? REPARTITION_TITLE
      : `--------------------------- Repartition ${which} Screen ------ [1-9]: Change Screen --`,
  ];
  if (which > stats.rtdNames.length) {
    lines.push(info77('  <No repartion defined>'));
  } else {
    lines.push(info77(cut(`Average Response Time Repartition ${stats.rtdNames[which - 1]}`, 80)));
    lines.push(...repartitionLines(stats.rtdRepartitions[which - 1] ?? null));
    if (which === 1) {
      lines.push(info77('Average Call Length Repartition'));
      lines.push(...repartitionLines(stats.callLengthRepartitionTable));
    }
  }
  return finish(lines, stats, info);
}

/**
 * What SIPp prints on stdout when it exits (not in -bg mode): the scenario screen, then the
 * statistics screen, each ending with "Test Terminated".
 */
export function renderClosingScreens(stats: RunStats, info: ScreenInfo, at: StatsInstant = stats.instant()): string {
  const last: ScreenInfo = { ...info, footer: 'terminated' };
  return renderScenarioScreen(stats, last, at) + renderStatsScreen(stats, last, at);
}

/**
 * The -trace_screen file (`<scenario>_<pid>_screen.log`): scenario, statistics and
 * repartition screens, then one repartition screen per further RTD, each with the footer of
 * the current state (`quitting` when written at exit).
 */
export function renderScreenLog(stats: RunStats, info: ScreenInfo, at: StatsInstant = stats.instant()): string {
  let s = renderScenarioScreen(stats, info, at) + renderStatsScreen(stats, info, at) + renderRepartitionScreen(stats, 1, info);
  for (let i = 2; i <= stats.rtdNames.length; i++) s += renderRepartitionScreen(stats, i, info);
  return s;
}

/** `<scenario>_<pid>_screen.log` (SIPp's help says `_screens.log`; the program does not). */
export function screenLogFileName(scenarioName: string, pid: number): string {
  return `${scenarioName}_${pid}_screen.log`;
}
