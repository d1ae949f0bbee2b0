// SIPp 3.6.1's -trace_stat file (CStat::dumpData), column for column.
import { cG, msToHHMMSS, msToHHMMSSus, sippTime } from './cformat.js';
import type { TimeFormatOptions } from './cformat.js';
import { FAILURE_CAUSES } from './run-stats.js';
import type { Repartition, RunStats, StatsInstant } from './run-stats.js';

/** The parts of a run that decide the CSV columns (a `RunStats` or a `Scenario` fits). */
export interface StatCsvLayout {
  rtdNames: readonly string[];
  responseTimeRepartition: readonly number[];
  callLengthRepartition: readonly number[];
  /** `counter=` names: a (P)/(C) pair each, after CallLengthStDev. */
  counterNames?: readonly string[];
}

export interface StatCsvOptions extends TimeFormatOptions {
  /** -stat_delimiter; `;` by default. */
  delimiter?: string;
}

/** `<scenario>_<pid>_.csv`: SIPp's -trace_stat file name (`-stf` replaces it whole). */
export function statCsvFileName(scenarioName: string, pid: number): string {
  return `${scenarioName}_${pid}_.csv`;
}

function repartitionHeader(bounds: readonly number[], name: string, d: string): string {
  if (bounds.length === 0) return '';
  const sorted = [...bounds].sort((a, b) => a - b);
  let s = name + d;
  for (const b of sorted) s += `${name}_<${b}${d}`;
  s += `${name}_>=${sorted[sorted.length - 1]}${d}`;
  return s;
}

/** The header row, newline included; every name is followed by the delimiter. */
export function statCsvHeader(layout: StatCsvLayout, options: StatCsvOptions = {}): string {
  const d = options.delimiter ?? ';';
  const cols = [
    'StartTime',
    'LastResetTime',
    'CurrentTime',
    'ElapsedTime(P)',
    'ElapsedTime(C)',
    'TargetRate',
    'CallRate(P)',
    'CallRate(C)',
    'IncomingCall(P)',
    'IncomingCall(C)',
    'OutgoingCall(P)',
    'OutgoingCall(C)',
    'TotalCallCreated',
    'CurrentCall',
    'SuccessfulCall(P)',
    'SuccessfulCall(C)',
    'FailedCall(P)',
    'FailedCall(C)',
  ];
  for (const { csv } of FAILURE_CAUSES) cols.push(`Failed${csv}(P)`, `Failed${csv}(C)`);
  for (const name of ['OutOfCallMsgs', 'DeadCallMsgs', 'Retransmissions', 'AutoAnswered', 'Warnings', 'FatalErrors', 'WatchdogMajor', 'WatchdogMinor']) {
    cols.push(`${name}(P)`, `${name}(C)`);
  }
  for (const r of layout.rtdNames) {
    cols.push(`ResponseTime${r}(P)`, `ResponseTime${r}(C)`, `ResponseTime${r}StDev(P)`, `ResponseTime${r}StDev(C)`);
  }
  cols.push('CallLength(P)', 'CallLength(C)', 'CallLengthStDev(P)', 'CallLengthStDev(C)');
  for (const name of layout.counterNames ?? []) cols.push(`${name}(P)`, `${name}(C)`);
  let s = cols.map((c) => c + d).join('');
  for (const r of layout.rtdNames) s += repartitionHeader(layout.responseTimeRepartition, `ResponseTimeRepartition${r}`, d);
  s += repartitionHeader(layout.callLengthRepartition, 'CallLengthRepartition', d);
  return s + '\n';
}

function repartitionInfo(table: Repartition | null, d: string): string {
  if (table === null) return '';
  return d + table.counts.map((c) => `${c}${d}`).join('');
}

/**
 * One data row for the current `log` period, newline included, as SIPp writes it at each
 * -fd tick and at exit. Start a new period after writing it: `stats.resetPeriodic('log')`.
 */
export function statCsvRow(stats: RunStats, options: StatCsvOptions = {}, at: StatsInstant = stats.instant()): string {
  const d = options.delimiter ?? ';';
  const c = stats.cumulative;
  const p = stats.log;
  const v: Array<string | number> = [
    sippTime(stats.start.wall, options),
    sippTime(stats.periodStart('log').wall, options),
    sippTime(at.wall, options),
    msToHHMMSS(stats.elapsedMs('log', at)),
    msToHHMMSS(stats.elapsedMs('cumulative', at)),
    stats.users !== undefined && stats.users >= 0 ? stats.users : cG(stats.targetRate),
    cG(stats.callRate('log', at)),
    cG(stats.callRate('cumulative', at)),
    p.incoming,
    c.incoming,
    p.outgoing,
    c.outgoing,
    c.incoming + c.outgoing,
    stats.currentCalls,
    p.successful,
    c.successful,
    p.failed,
    c.failed,
  ];
  for (let i = 0; i < FAILURE_CAUSES.length; i++) v.push(p.failedBy[i]!, c.failedBy[i]!);
  v.push(p.outOfCall, c.outOfCall, p.deadCall, c.deadCall, p.retransmissions, c.retransmissions);
  v.push(p.autoAnswered, c.autoAnswered);
  v.push(p.warnings, c.warnings, p.fatalErrors, c.fatalErrors);
  // WatchdogMajor, WatchdogMinor: we have no watchdog (always 0).
  v.push(0, 0, 0, 0);
  for (let i = 0; i < stats.rtdNames.length; i++) {
    const rp = p.rtd[i]!;
    const rc = c.rtd[i]!;
    v.push(
      msToHHMMSSus(rp.mean()),
      msToHHMMSSus(rc.mean()),
      msToHHMMSSus(rp.sippStdev('rtd')),
      msToHHMMSSus(rc.sippStdev('rtd')),
    );
  }
  v.push(
    msToHHMMSSus(p.callLength.mean()),
    msToHHMMSSus(c.callLength.mean()),
    msToHHMMSSus(p.callLength.sippStdev('call-length')),
    msToHHMMSSus(c.callLength.sippStdev('call-length')),
  );
  for (let i = 0; i < stats.counterNames.length; i++) v.push(p.counters[i]!, c.counters[i]!);
  let s = v.map((x) => `${x}${d}`).join('');
  for (const r of stats.rtdRepartitions) s += repartitionInfo(r, d);
  s += repartitionInfo(stats.callLengthRepartitionTable, d);
  return s + '\n';
}
