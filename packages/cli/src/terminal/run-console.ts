// What SIPp 3.6.1 does while a run goes on besides SIP: its full-screen display with the keys
// 1-9 + - * / p q Q s when stdin is a terminal, and its signals SIGUSR1 (soft exit, as `q`)
// and SIGUSR2 (dump the screens to the screen file), which work with or without a terminal.
import { appendFileSync, writeFileSync } from 'node:fs';
import {
  footerLine,
  renderRepartitionScreen,
  renderScenarioScreen,
  renderScreenLog,
  renderStatsScreen,
  screenLogFileName,
} from '@gossipper/core';
import type { Scenario, ScreenFooter, ScreenInfo, TimerHandle } from '@gossipper/core';
import { defaultCallLimit } from '../options.js';
import type { RunReporter } from '../outputs/reporter.js';
import { KeyHandler } from './keys.js';
import type { RunControl } from './keys.js';
import { tdmScreenLines, variablesScreenLines } from './extra-screens.js';
import { TtyScreen } from './tty-screen.js';

export interface ConsoleIO {
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
}

/** Sum of a scenario's pauses: SIPp's scenario length in its default open-call limit. */
function scenarioPauseTotal(scenario: Scenario, defaultPauseMs: number): number {
  let total = 0;
  for (const step of scenario.steps) {
    if (step.kind === 'pause') total += step.milliseconds ?? defaultPauseMs;
  }
  return total;
}

/**
 * The run's keyboard, live screen and control signals. `start` before the engine starts,
 * `close` on every way out (also done by the reporter before it prints the closing screens,
 * so the terminal is back to normal first, as SIPp's screen_exit).
 */
export class RunConsole {
  readonly keys: KeyHandler;
  private tty: TtyScreen | undefined;
  private refreshTimer: TimerHandle | undefined;
  /** When the live screen last started a display period (SIPp's last_report_time). */
  private lastReportAt = 0;
  private closed = false;
  /** `set limit` fixed the open-call limit: rate changes no longer move it (SIPp's open_calls_user_setting). */
  private fixedLimit: boolean;
  /** The last command warning, and the count of run errors when it came (the later one is shown). */
  private warning: { text: string; errorsBefore: number } | undefined;
  private screenDumped = false;
  private readonly onUsr1 = (): void => this.keys.softExit();
  private readonly onUsr2 = (): void => this.dumpScreens();

  constructor(
    private readonly reporter: RunReporter,
    private readonly io: ConsoleIO = { input: process.stdin, output: process.stdout },
  ) {
    const { engine, options, stats } = reporter.parts;
    this.fixedLimit = options.callLimit !== undefined;
    const control: RunControl = {
      serverMode: engine.mode === 'server',
      hasTdmMap: engine.tdmMap !== undefined,
      rateScale: options.rateScale,
      usersMode: engine.config.users >= 0,
      traceScreen: options.traceScreen,
      rate: () => engine.targetRate,
      setRate: (rate) => {
        engine.setRate(rate);
        stats.setTargetRate(rate);
        // SIPp's set_rate: without -l (or -users) the open-call limit follows the rate.
        if (!this.fixedLimit && engine.mode === 'client') {
          engine.setCallLimit(
            defaultCallLimit({
              rate,
              ratePeriodMs: options.ratePeriodMs,
              callDurationMs: options.callDurationMs,
              scenarioDurationMs: scenarioPauseTotal(engine.scenario, options.callDurationMs),
            }),
          );
        }
      },
      users: () => engine.userCount,
      setUsers: (users) => engine.setUsers(users),
      paused: () => engine.paused,
      setPaused: (paused) => engine.setPaused(paused),
      stopNewCalls: () => engine.stopNewCalls(),
      quitNow: () => engine.stop('signal'),
      dumpScreens: () => this.dumpScreens(),
      setCallLimit: (limit) => {
        this.fixedLimit = true;
        engine.setCallLimit(limit);
      },
      warn: (text) => {
        this.warning = { text, errorsBefore: reporter.parts.traces?.errors.count ?? 0 };
      },
    };
    this.keys = new KeyHandler(control);
  }

  /** True when this run shows SIPp's live screen: stdin and stdout are terminals, no -nostdin / -bg. */
  get interactive(): boolean {
    const { options, quiet } = this.reporter.parts;
    return !quiet && !options.noStdin && !options.background && this.io.input.isTTY === true && this.io.output.isTTY === true;
  }

  start(): void {
    process.on('SIGUSR1', this.onUsr1);
    process.on('SIGUSR2', this.onUsr2);
    if (!this.interactive) return;
    const { options, scheduler } = this.reporter.parts;
    this.tty = new TtyScreen(this.io, (key) => {
      if (this.keys.key(key)) this.draw();
    });
    this.reporter.useLiveScreen(this);
    this.tty.open();
    // SIPp draws at start (and resets the periodic counters), then every -f. Its first screen
    // has no time since the last report, so it repeats the sockets line for the RTP line.
    this.lastReportAt = scheduler.now();
    this.report();
    const every = options.reportFrequencyMs;
    if (every > 0) {
      const tick = (): void => {
        this.report();
        this.refreshTimer = scheduler.setTimer(every, tick);
      };
      this.refreshTimer = scheduler.setTimer(every, tick);
    }
  }

  /** Give the terminal back and stop listening. Safe to call more than once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.refreshTimer?.cancel();
    process.off('SIGUSR1', this.onUsr1);
    process.off('SIGUSR2', this.onUsr2);
    this.tty?.close();
  }

  /** SIPp's screentask::report: draw, then start a new display period. */
  private report(): void {
    const { stats, scheduler } = this.reporter.parts;
    this.draw();
    stats.resetPeriodic('display');
    this.lastReportAt = scheduler.now();
  }

  private draw(): void {
    this.tty?.draw(this.render());
  }

  /** The state line at the bottom of every screen. */
  footer(): ScreenFooter {
    const { engine, options, stats } = this.reporter.parts;
    const limitHit = options.maxCalls !== undefined && stats.totalCallsCreated >= options.maxCalls;
    if (this.keys.quitting > 0 || limitHit) return 'quitting';
    if (engine.paused) return 'paused';
    return 'running';
  }

  private info(): ScreenInfo {
    const { scheduler, traces, stats } = this.reporter.parts;
    const errors = traces?.errors;
    const warning = this.warning;
    const lastError =
      warning !== undefined && (errors === undefined || errors.count === warning.errorsBefore) ? warning.text : errors?.lastError;
    return {
      ...this.reporter.screenInfo(),
      footer: this.footer(),
      // Without a live screen the progress line starts the display periods (each second).
      msSinceLastReport: this.tty !== undefined ? scheduler.now() - this.lastReportAt : stats.elapsedMs('display'),
      ...(lastError !== undefined ? { lastError } : {}),
    };
  }

  /** The screen the keys chose, as it stands now; while a command is typed, SIPp's `Command:` line under it. */
  render(): string {
    const screen = this.renderScreen();
    return this.keys.command === undefined ? screen : `${screen}\nCommand: ${this.keys.command}\n`;
  }

  private renderScreen(): string {
    const { stats, engine } = this.reporter.parts;
    const info = this.info();
    const { screen, which } = this.keys.choice;
    switch (screen) {
      case 'scenario':
        return renderScenarioScreen(stats, info);
      case 'stats':
        return renderStatsScreen(stats, info);
      case 'repartition':
        return renderRepartitionScreen(stats, which, info);
      case 'variables':
      case 'tdm': {
        const lines =
          screen === 'tdm' && engine.tdmMap !== undefined
            ? tdmScreenLines(engine.tdmMap, engine.scenario.steps.length)
            : variablesScreenLines(engine.scenario);
        if (info.lastError) {
          const text = info.lastError.length > 60 ? `${info.lastError.slice(0, 60)}...` : info.lastError;
          lines.push(`Last Error: ${text}`.slice(0, 79));
        }
        lines.push(footerLine(info.footer ?? 'running', engine.mode));
        return lines.map((l) => `${l}\n`).join('');
      }
    }
  }

  /**
   * SIGUSR2 (and `s` with -trace_screen): every screen, as -trace_screen writes them at exit,
   * into `<scenario>_<pid>_screen.log` (or -screen_file). With -trace_screen the file is open
   * for the whole run, so dumps add up (and the exit dump follows them); without it SIPp
   * opens the file anew for each dump, so it holds the last one.
   */
  dumpScreens(): void {
    const { options, loaded, pid, stats } = this.reporter.parts;
    const path = this.reporter.parts.traces?.screenPath ?? options.screenFile ?? screenLogFileName(loaded.fileStem, pid);
    const text = renderScreenLog(stats, this.info());
    try {
      if (options.traceScreen) appendFileSync(path, text, 'latin1');
      else writeFileSync(path, text, 'latin1');
      this.screenDumped = true;
    } catch (error) {
      if (!this.tty) process.stderr.write(`gossipper: cannot write the screens to ${path}: ${(error as Error).message}\n`);
    }
  }

  /** True once a dump was written (tests). */
  get dumped(): boolean {
    return this.screenDumped;
  }
}
