import { appendFileSync, writeFileSync } from 'node:fs';
import {
  progressLine,
  renderClosingScreens,
  renderScreenLog,
  statCsvFileName,
  statCsvHeader,
  statCsvRow,
  summaryJson,
} from '@gossipper/core';
import type { Engine, EngineResult, FailedCallDetail, MediaCounters, RunStats, ScreenInfo, TimerHandle, RealTimeScheduler } from '@gossipper/core';
import type { RunOptions } from '../options.js';
import type { LoadedScenario } from '../run.js';
import { BufferedFile } from './buffered-file.js';
import type { TraceOutputs } from './trace-files.js';

export interface ReporterParts {
  options: RunOptions;
  loaded: LoadedScenario;
  pid: number;
  stats: RunStats;
  engine: Engine;
  scheduler: RealTimeScheduler;
  /** The demo's embedded UAS prints nothing. */
  quiet: boolean;
  /** -trace_err, -trace_counts, -trace_error_codes, -trace_screen, ... */
  traces?: TraceOutputs;
  /** -media_scale: RTP counters for the screens and the summary. */
  media?: { counters(): MediaCounters } | undefined;
}

const PROGRESS_INTERVAL_MS = 1000;

/**
 * Everything a run writes: the -trace_stat CSV every -fd, a progress line on stderr every
 * second, and at the end the final CSV rows, SIPp's closing screens and the summary JSON.
 * `finish` is synchronous so it completes on every exit path.
 */
export class RunReporter {
  private csv: BufferedFile | undefined;
  private csvTimer: TimerHandle | undefined;
  private progressTimer: TimerHandle | undefined;
  private finished = false;
  /** SIPp's live screen on the terminal (terminal/run-console.ts): it replaces the progress line. */
  private live: { close(): void } | undefined;

  constructor(readonly parts: ReporterParts) {}

  /** A live screen is shown: no progress line; it is closed before the closing screens. */
  useLiveScreen(live: { close(): void }): void {
    this.live = live;
  }

  start(): void {
    const { options, loaded, pid, stats, scheduler, quiet, traces } = this.parts;
    if (options.traceStat) {
      this.csv = new BufferedFile(options.statFile ?? statCsvFileName(loaded.fileStem, pid), 0);
      this.csv.write(statCsvHeader(loaded.scenario, { delimiter: options.statDelimiter }));
    }
    // SIPp writes the statistics, counts and error codes rows together: at start, every -fd
    // and at exit.
    if (this.csv !== undefined || traces?.periodic === true) {
      this.writeCsvRow();
      const every = options.statFrequencyMs;
      const tick = () => {
        this.writeCsvRow();
        this.csvTimer = scheduler.setTimer(every, tick);
      };
      this.csvTimer = scheduler.setTimer(every, tick);
    }
    if (!quiet && !options.background && this.live === undefined) {
      const tick = () => {
        process.stderr.write(`${progressLine(stats)}\n`);
        stats.resetPeriodic('display');
        this.progressTimer = scheduler.setTimer(PROGRESS_INTERVAL_MS, tick);
      };
      this.progressTimer = scheduler.setTimer(PROGRESS_INTERVAL_MS, tick);
    }
  }

  private writeCsvRow(): void {
    const { options, stats, traces } = this.parts;
    if (this.csv !== undefined) {
      this.csv.write(statCsvRow(stats, { delimiter: options.statDelimiter }));
      stats.resetPeriodic('log');
    }
    traces?.writePeriodicRows();
  }

  /** Final outputs. Safe to call more than once; only the first call writes. */
  finish(result: EngineResult | undefined, exitCode: number): void {
    if (this.finished) return;
    this.finished = true;
    // The terminal back to normal before anything is printed, as SIPp's screen_exit.
    this.live?.close();
    this.csvTimer?.cancel();
    this.progressTimer?.cancel();
    const { options, loaded, stats, quiet, traces } = this.parts;
    if (this.csv !== undefined || traces?.periodic === true) {
      // SIPp writes the last row twice when a run completes (the period, then an empty one),
      // and once when it is stopped by a signal or a -timeout.
      this.writeCsvRow();
      if (result?.reason === 'completed') this.writeCsvRow();
      this.csv?.close();
    }
    if (traces?.screenPath !== undefined) {
      // SIPp dumps its screens as they stand while it quits, with the last error, after any
      // dump SIGUSR2 wrote during the run (the file was created empty at start).
      const lastError = traces.errors.lastError;
      appendFileSync(
        traces.screenPath,
        renderScreenLog(stats, {
          ...this.screenInfo(),
          footer: 'quitting',
          ...(lastError !== undefined ? { lastError } : {}),
        }),
        'latin1',
      );
    }
    if (!quiet && !options.background) {
      process.stdout.write(renderClosingScreens(stats, this.screenInfo()));
      process.stderr.write(explainFailures(stats));
    }
    this.writeSummary(result, exitCode);
  }

  /**
   * The -summary_json file alone (ours). Also written when the run cannot start because the
   * remote cannot be reached (SIPp writes nothing then), so scripts read the refused
   * connection or the failed TLS handshake in `transport` instead of finding no file.
   */
  writeSummary(result: EngineResult | undefined, exitCode: number): void {
    const { options, loaded, stats } = this.parts;
    if (options.summaryJson === undefined) return;
    const summary = summaryJson(stats, {
      scenario: loaded.fileStem,
      scenarioFile: options.scenarioFile ?? loaded.scenario.file,
      exitCode,
      stopReason: result?.reason ?? 'fatal',
      ...(this.parts.media !== undefined ? { media: this.parts.media.counters() } : {}),
    });
    writeFileSync(options.summaryJson, `${JSON.stringify(summary, null, 2)}\n`);
  }

  /** What the screens show that statistics do not keep, as it stands now. */
  screenInfo(): ScreenInfo {
    const { options, engine } = this.parts;
    const remote = engine.config.remote;
    return {
      transport: engine.deps.transport.protocolName,
      localPort: engine.localEndpoint?.port ?? 0,
      ...(remote !== undefined ? { remoteHost: remote.address, remotePort: remote.port } : {}),
      rate: engine.targetRate,
      ratePeriodMs: options.ratePeriodMs,
      durationMs: options.callDurationMs,
      ...(options.maxCalls !== undefined ? { callLimit: options.maxCalls } : {}),
      ...(options.users !== undefined ? { users: engine.userCount } : {}),
      openCallsAllowed: engine.openCallLimit,
      ...(this.parts.media !== undefined ? { rtpPacketsSent: this.parts.media.counters().rtpPacketsSent } : {}),
      footer: 'terminated',
    };
  }
}

/** How many failed or aborted calls the end-of-run explanation names. */
const EXPLAINED_CALLS = 3;

/**
 * In words, for the first failed and aborted calls: which call, which step (file:line), what
 * it expected, and what arrived instead. '' when every call succeeded.
 */
export function explainFailures(stats: RunStats): string {
  const lines: string[] = [];
  const describe = (call: FailedCallDetail, what: string): void => {
    const at = call.place === '' ? '' : ` at ${call.place}`;
    lines.push(`  call ${call.callNumber} (${call.callId}) ${what}${at}, expecting ${call.expected}: ${call.reason}`);
    if (call.received !== undefined) lines.push(`    received: ${call.received.split('\n').join(' | ')}`);
  };
  const failed = stats.cumulative.failed;
  if (failed > 0) {
    lines.push(`gossipper: ${failed} call${failed === 1 ? '' : 's'} failed${failed > EXPLAINED_CALLS ? `; the first ${EXPLAINED_CALLS}` : ''}:`);
    for (const call of stats.failedCalls.slice(0, EXPLAINED_CALLS)) describe(call, `failed (${call.cause})`);
  }
  const aborted = stats.cumulative.aborted;
  if (aborted > 0) {
    lines.push(`gossipper: ${aborted} call${aborted === 1 ? ' was' : 's were'} still open when the run stopped${aborted > EXPLAINED_CALLS ? `; the first ${EXPLAINED_CALLS}` : ''}:`);
    for (const call of stats.abortedCalls.slice(0, EXPLAINED_CALLS)) describe(call, 'was open');
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
