import { writeFileSync } from 'node:fs';
import {
  progressLine,
  renderClosingScreens,
  renderScreenLog,
  statCsvFileName,
  statCsvHeader,
  statCsvRow,
  summaryJson,
} from '@gossipper/core';
import type { Engine, EngineResult, RunStats, ScreenInfo, TimerHandle, RealTimeScheduler } from '@gossipper/core';
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

  constructor(private readonly parts: ReporterParts) {}

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
    if (!quiet && !options.background) {
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
      // SIPp dumps its screens as they stand while it quits, with the last error.
      const lastError = traces.errors.lastError;
      writeFileSync(
        traces.screenPath,
        renderScreenLog(stats, {
          ...this.screenInfo(),
          footer: 'quitting',
          ...(lastError !== undefined ? { lastError } : {}),
        }),
        'latin1',
      );
    }
    if (!quiet && !options.background) process.stdout.write(renderClosingScreens(stats, this.screenInfo()));
    if (options.summaryJson !== undefined) {
      const summary = summaryJson(stats, {
        scenario: loaded.fileStem,
        scenarioFile: options.scenarioFile ?? loaded.scenario.file,
        exitCode,
        stopReason: result?.reason ?? 'fatal',
      });
      writeFileSync(options.summaryJson, `${JSON.stringify(summary, null, 2)}\n`);
    }
  }

  private screenInfo(): ScreenInfo {
    const { options, engine } = this.parts;
    const remote = engine.config.remote;
    return {
      transport: 'UDP',
      localPort: engine.localEndpoint?.port ?? 0,
      ...(remote !== undefined ? { remoteHost: remote.address, remotePort: remote.port } : {}),
      rate: engine.targetRate,
      ratePeriodMs: options.ratePeriodMs,
      durationMs: options.callDurationMs,
      ...(options.maxCalls !== undefined ? { callLimit: options.maxCalls } : {}),
      openCallsAllowed: engine.config.callLimit,
      footer: 'terminated',
    };
  }
}
