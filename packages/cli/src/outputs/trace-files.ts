/**
 * SIPp 3.6.1's trace files besides -trace_stat and -trace_msg, written as it writes them:
 * -trace_err, -trace_shortmsg, -trace_counts, -trace_error_codes, -trace_rtt, -trace_logs,
 * -trace_calldebug (and the -trace_screen file, written by the reporter at exit).
 *
 * Every writer takes what it needs from the engine's events or from the statistics, writes
 * synchronously (BufferedFile) and is flushed by `close()`, which the run calls on every exit
 * path.
 */
import { msToHHMMSSus, sippTime } from '@gossipper/core';
import type { EngineEvent, EventSink, FailureCause, RunStats, Scenario, StatsRecorder } from '@gossipper/core';
import { BufferedFile } from './buffered-file.js';

/** `<scenario>_<pid>_<name>` as SIPp names its trace files (`name` carries the extension). */
export function traceFileName(stem: string, pid: number, name: string): string {
  return `${stem}_${pid}_${name}`;
}

// ---------------------------------------------------------------------------------------
// Reading the few fields the short message log needs from raw SIP bytes.

/** The first line of a SIP message (without its line break). */
export function firstLine(data: Buffer): string {
  const text = data.toString('latin1');
  const end = text.search(/\r?\n/);
  return end < 0 ? text : text.slice(0, end);
}

/** The value of the first `name:` header (case-insensitive), as SIPp's get_header_content. */
export function headerValue(data: Buffer, name: string): string {
  const text = data.toString('latin1');
  const bodyAt = text.search(/\r?\n\r?\n/);
  const head = bodyAt < 0 ? text : text.slice(0, bodyAt);
  const wanted = name.toLowerCase();
  for (const line of head.split(/\r?\n/).slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted) return line.slice(colon + 1).trim();
  }
  return '';
}

/** The status code of a response, undefined for a request. */
export function statusCodeOf(data: Buffer): number | undefined {
  const m = /^SIP\/2\.0\s+(\d{3})/.exec(firstLine(data));
  return m ? Number(m[1]) : undefined;
}

// ---------------------------------------------------------------------------------------

/** The step descriptions SIPp's error messages use. */
function expectingText(scenario: Scenario, stepIndex: number): string {
  const step = scenario.steps[stepIndex];
  if (step === undefined) return 'while in message type 0 ';
  switch (step.kind) {
    case 'recv':
      return step.request !== undefined ? `while expecting '${step.request}' ` : `while expecting '${step.response}' `;
    case 'send':
      return 'while sending ';
    case 'pause':
    case 'timewait':
      return 'while pausing ';
    case 'nop':
      return 'while in message type 0 ';
    case 'sendCmd':
      return 'while sending command ';
    case 'recvCmd':
      return 'while expecting command ';
  }
}

/**
 * -trace_err (`<scenario>_<pid>_errors.log`, or -error_file): SIPp's warnings and errors.
 * The file is created at the first error, starts with `The following events occurred:` and
 * holds one `<date>\t<time>\t<epoch>: <text>` entry per error. SIPp 3.6.1 writes the entries
 * without a line break between them, and so do we.
 *
 * The last error is kept even without -trace_err: the screens show it.
 */
export class ErrorLog implements EventSink {
  private file: BufferedFile | undefined;
  private lastReceived: { callId: string; data: Buffer } | undefined;
  /** The last error's text (without its time stamp), for the screens' `Last Error:` line. */
  lastError: string | undefined;
  count = 0;

  constructor(
    private readonly scenario: Scenario,
    /** Undefined: errors are counted and remembered, not written. */
    readonly path: string | undefined,
    private readonly wallClockMs: () => number,
  ) {}

  emit(event: EngineEvent): void {
    switch (event.kind) {
      case 'message-received':
        this.lastReceived = { callId: event.callId, data: event.data };
        break;
      case 'call-failed': {
        const text = this.failureText(event.callId, event.cause, event.stepIndex);
        if (text !== undefined) this.error(text);
        break;
      }
      case 'timeout-jump':
        this.error(
          event.on === 'recv'
            ? `Call-Id: ${event.callId}, receive timeout on message ${this.scenario.name}:${event.stepIndex}, jumping to label ${event.target}`
            : `Call-Id: ${event.callId}, timeout on max UDP retrans for message ${event.stepIndex}, jumping to label ${event.target} `,
        );
        break;
      case 'malformed-message': {
        const text = event.data.toString('latin1');
        this.error(`non SIP message discarded: "${text}" (${event.data.length})`);
        break;
      }
      case 'error':
        // The engine reports a malformed datagram twice: as `malformed-message` (written
        // above, in SIPp's words) and as this `error`.
        if (!event.message.startsWith('malformed SIP message')) this.error(event.message);
        break;
      default:
        break;
    }
  }

  /**
   * A received message that matched no call and could not start one (the statistics'
   * out-of-call count); it is the `message-received` just emitted.
   */
  outOfCall(): void {
    const data = this.lastReceived?.data;
    if (data === undefined) return;
    this.error(`Discarding message which can't be mapped to a known SIPp call:\n${data.toString('latin1')}`);
  }

  /** The received message that made the call fail (the last `message-received` of the call). */
  receivedFor(callId: string): Buffer | undefined {
    return this.lastReceived?.callId === callId ? this.lastReceived.data : undefined;
  }

  private failureText(callId: string, cause: FailureCause, stepIndex: number): string | undefined {
    switch (cause) {
      case 'unexpected-message': {
        const data = this.receivedFor(callId);
        return (
          `Aborting call on unexpected message for Call-Id '${callId}': ` +
          `${expectingText(this.scenario, stepIndex)}(index ${stepIndex}), ` +
          `received '${data?.toString('latin1') ?? ''}'`
        );
      }
      case 'max-udp-retrans':
        return `Aborting call on UDP retransmission timeout for Call-ID '${callId}'`;
      case 'timeout-on-recv':
        return (
          `Call-Id: ${callId}, receive timeout on message ${this.scenario.name}:${stepIndex} ` +
          'without label to jump to (ontimeout attribute): aborting call'
        );
      case 'cannot-send-message':
        return `Call-Id: ${callId}, unable to send message ${stepIndex}: aborting call`;
      default:
        return `Call-Id: ${callId}, call failed (${cause}) at message ${stepIndex}`;
    }
  }

  /** Record one error: remembered for the screens, written to the file with -trace_err. */
  error(text: string): void {
    this.count++;
    this.lastError = text;
    if (this.path === undefined) return;
    if (this.file === undefined) {
      this.file = new BufferedFile(this.path, 0);
      this.file.write('The following events occurred:\n');
    }
    this.file.write(`${sippTime(this.wallClockMs())}: ${text}`);
  }

  close(): void {
    this.file?.close();
  }
}

/**
 * -trace_shortmsg (`<scenario>_<pid>_shortmessages.log`): one line per message sent or
 * received, retransmissions included:
 * `<date>\t<time>\t<epoch>\t<S|R>\t<Call-ID>\tCSeq:<cseq>\t<first line>`.
 */
export class ShortMessageLog implements EventSink {
  private readonly file: BufferedFile;

  constructor(
    readonly path: string,
    private readonly wallClockMs: () => number,
  ) {
    this.file = new BufferedFile(path);
  }

  emit(event: EngineEvent): void {
    if (event.kind !== 'message-sent' && event.kind !== 'message-received') return;
    const direction = event.kind === 'message-sent' ? 'S' : 'R';
    this.file.write(
      `${sippTime(this.wallClockMs())}\t${direction}\t${event.callId}\tCSeq:${headerValue(event.data, 'CSeq')}\t${firstLine(event.data)}\n`,
    );
  }

  close(): void {
    this.file.close();
  }
}

/**
 * -trace_counts (`<scenario>_<pid>_counts.csv`): per-step message counters, a row at start,
 * every -fd and at exit. Header `CurrentTime;ElapsedTime;` then, per step, SIPp's columns:
 * send `<i>_<METHOD|code>_Sent;..._Retrans;` (+`_Timeout` with retrans=, +`_Lost` when the
 * scenario loses packets), recv `<i>_<name>_Recv;_Retrans;_Timeout;_Unexp;` (+`_Lost`),
 * every other step (pause, nop, sendCmd, recvCmd) `<i>_Pause_Sessions;<i>_Pause_Unexp;`: SIPp
 * takes any step that neither sends nor receives for a pause there. Rows start with
 * `<date>\t<time>\t<epoch>;HH:MM:SS:uuuuuu;` (elapsed since the start).
 */
export class CountsCsv {
  private readonly file: BufferedFile;
  private readonly losePackets: boolean;

  constructor(
    readonly path: string,
    private readonly scenario: Scenario,
    private readonly stats: RunStats,
    private readonly delimiter: string,
  ) {
    this.file = new BufferedFile(path, 0);
    this.losePackets = scenario.steps.some((s) => (s.kind === 'send' || s.kind === 'recv') && s.lost !== undefined);
    this.file.write(this.header());
  }

  header(): string {
    const d = this.delimiter;
    let s = `CurrentTime${d}ElapsedTime${d}`;
    this.scenario.steps.forEach((step, i) => {
      const cols: string[] = [];
      if (step.kind === 'send') {
        const name = `${i}_${step.isRequest ? step.method : step.statusCode}_`;
        cols.push(`${name}Sent`, `${name}Retrans`);
        if (step.retrans !== undefined) cols.push(`${name}Timeout`);
        if (this.losePackets) cols.push(`${name}Lost`);
      } else if (step.kind === 'recv') {
        const name = `${i}_${step.request ?? step.response}_`;
        cols.push(`${name}Recv`, `${name}Retrans`, `${name}Timeout`, `${name}Unexp`);
        if (this.losePackets) cols.push(`${name}Lost`);
      } else {
        cols.push(`${i}_Pause_Sessions`, `${i}_Pause_Unexp`);
      }
      for (const c of cols) s += `${c}${d}`;
    });
    return `${s}\n`;
  }

  /** One row for now (SIPp's print_count_file). */
  writeRow(): void {
    const d = this.delimiter;
    const stats = this.stats;
    const at = stats.instant();
    let s = `${sippTime(at.wall)}${d}${msToHHMMSSus(Math.trunc(stats.elapsedMs('cumulative', at)))}${d}`;
    this.scenario.steps.forEach((step, i) => {
      const c = stats.stepCounters[i]!;
      const values: number[] = [];
      if (step.kind === 'send') {
        values.push(c.sent, c.sentRetrans);
        if (step.retrans !== undefined) values.push(c.timeouts);
        if (this.losePackets) values.push(c.lost);
      } else if (step.kind === 'recv') {
        values.push(c.received, c.receivedRetrans, c.timeouts, c.unexpected);
        if (this.losePackets) values.push(c.lost);
      } else {
        values.push(c.paused, c.unexpected);
      }
      for (const v of values) s += `${v}${d}`;
    });
    this.file.write(`${s}\n`);
  }

  close(): void {
    this.file.close();
  }
}

/**
 * -trace_error_codes (`<scenario>_<pid>_error_codes.csv`): at start, every -fd and at exit a
 * row `<date>\t<time>\t<epoch>;HH:MM:SS:uuuuuu;` followed by the status code of every
 * unexpected response since the previous row, each followed by `,` (latest first, as SIPp
 * pops them off its list).
 */
export class ErrorCodesCsv implements EventSink {
  private readonly file: BufferedFile;
  private codes: number[] = [];
  private lastReceived: { callId: string; data: Buffer } | undefined;

  constructor(
    readonly path: string,
    private readonly stats: RunStats,
    private readonly delimiter: string,
  ) {
    this.file = new BufferedFile(path, 0);
  }

  emit(event: EngineEvent): void {
    if (event.kind === 'message-received') {
      this.lastReceived = { callId: event.callId, data: event.data };
    } else if (event.kind === 'call-failed' && event.cause === 'unexpected-message') {
      const data = this.lastReceived?.callId === event.callId ? this.lastReceived.data : undefined;
      const code = data !== undefined ? statusCodeOf(data) : undefined;
      if (code !== undefined) this.codes.push(code);
    }
  }

  writeRow(): void {
    const d = this.delimiter;
    const at = this.stats.instant();
    let s = `${sippTime(at.wall)}${d}${msToHHMMSSus(Math.trunc(this.stats.elapsedMs('cumulative', at)))}${d}`;
    while (this.codes.length > 0) s += `${this.codes.pop()},`;
    this.file.write(`${s}\n`);
  }

  close(): void {
    this.file.close();
  }
}

/** C++ ostream's default output of a double (`%g`, 6 significant digits). */
export function ostreamDouble(x: number): string {
  if (x === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= 6) {
    const [m, e] = x.toExponential(5).split('e') as [string, string];
    const mantissa = m.includes('.') ? m.replace(/\.?0+$/, '') : m;
    const n = Number(e);
    return `${mantissa}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const fixed = x.toFixed(Math.max(0, 5 - exp));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/**
 * -trace_rtt (`<scenario>_<pid>_rtt.csv`): every RTD sample as
 * `<ms since start>;<response time ms>;<rtd name>`. As SIPp, samples are kept and written
 * -rtt_freq at a time; the file (with its header `Date_ms;response_time_ms;rtd_no`) appears
 * with the first batch, and samples of an unfinished batch are not written at exit.
 */
export class RttCsv {
  private file: BufferedFile | undefined;
  private pending: string[] = [];

  constructor(
    readonly path: string,
    private readonly stats: RunStats,
    private readonly frequency: number,
    private readonly delimiter: string,
  ) {}

  sample(name: string, ms: number): void {
    const d = this.delimiter;
    // ms since the start, to the µs (SIPp: its microsecond clock / 1000).
    const date = Math.round((this.stats.clock.now() - this.stats.start.mono) * 1000) / 1000;
    this.pending.push(`${ostreamDouble(date)}${d}${ostreamDouble(ms)}${d}${name}\n`);
    if (this.pending.length >= this.frequency) this.dump();
  }

  private dump(): void {
    if (this.file === undefined) {
      this.file = new BufferedFile(this.path, 0);
      this.file.write(`Date_ms${this.delimiter}response_time_ms${this.delimiter}rtd_no\n`);
    }
    this.file.write(this.pending.join(''));
    this.pending = [];
  }

  close(): void {
    this.file?.close();
  }
}

/**
 * -trace_logs (`<scenario>_<pid>_logs.log`, or -log_file): the text of every `<log>` action,
 * one line each. The file appears with the first line (SIPp 3.6.1 leaves no file for a
 * scenario without `<log>`, such as `-sn uac`).
 */
export class ActionLog implements EventSink {
  private file: BufferedFile | undefined;

  constructor(readonly path: string) {}

  emit(event: EngineEvent): void {
    if (event.kind === 'log') this.logLine(event.text);
  }

  /** One `<log>` action's text (the line break is added here). */
  logLine(text: string): void {
    this.file ??= new BufferedFile(this.path);
    this.file.write(`${text}\n`);
  }

  close(): void {
    this.file?.close();
  }
}

/** A 64-bit FNV-1a hash of a message, printed where SIPp prints its message hash. */
export function messageHash(data: Buffer): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of data) h = BigInt.asUintN(64, (h ^ BigInt(byte)) * 0x100000001b3n);
  return h;
}

/**
 * -trace_calldebug (`<scenario>_<pid>_calldebug.log`): the history of every call that did not
 * succeed (failed, or still open when the run stopped), written when it ends: a line of 79
 * `-`, `Call debugging information for call <Call-ID>:`, then time-stamped entries as SIPp
 * words them: `Starting call`, `Sending UDP message for call <id> (index <step>, hash <h>):`
 * + the message, `Processing <n> byte incoming message for call-ID <id> (hash <h>):` + the
 * message, `Unexpected UDP message received (index <step>, hash <h>):`, and
 * `Aborting call <id> (index <step>).`. The hash is ours (FNV-1a), not SIPp's; SIPp's
 * internal `Processing message ... of type ...` and `Retransmisison required` lines are not
 * written. Successful calls leave nothing, so a clean run leaves an empty file, as with SIPp.
 */
export class CallDebugLog implements EventSink {
  private readonly file: BufferedFile;
  private readonly calls = new Map<string, string[]>();
  private readonly failedAt = new Map<string, number>();
  private readonly lastReceived = new Map<string, Buffer>();
  /** The last message sent, until the statistics say which step it was (`noteStep`). */
  private pending: { callId: string; stamp: string; data: Buffer } | undefined;

  constructor(
    readonly path: string,
    private readonly wallClockMs: () => number,
  ) {
    this.file = new BufferedFile(path);
  }

  private stamp(): string {
    return sippTime(this.wallClockMs());
  }

  private add(callId: string, text: string, stamp = this.stamp()): void {
    this.calls.get(callId)?.push(`${stamp} ${text}`);
  }

  /** The step index of the message just sent (from the statistics: stepSent / stepRetransmitted). */
  noteStep(index: number): void {
    this.flushPending(index);
  }

  private flushPending(index = -1): void {
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    this.add(
      p.callId,
      `Sending UDP message for call ${p.callId} (index ${index}, hash ${messageHash(p.data)}):\n${p.data.toString('latin1')}\n\n`,
      p.stamp,
    );
  }

  emit(event: EngineEvent): void {
    this.flushPending();
    switch (event.kind) {
      case 'call-started':
        this.calls.set(event.callId, []);
        this.add(event.callId, `Starting call ${event.callId}\n`);
        break;
      case 'message-sent':
        if (this.calls.has(event.callId)) this.pending = { callId: event.callId, stamp: this.stamp(), data: event.data };
        break;
      case 'message-received':
        if (!this.calls.has(event.callId)) break;
        this.lastReceived.set(event.callId, event.data);
        this.add(
          event.callId,
          `Processing ${event.data.length} byte incoming message for call-ID ${event.callId} (hash ${messageHash(event.data)}):\n${event.data.toString('latin1')}\n\n`,
        );
        break;
      case 'call-failed': {
        this.failedAt.set(event.callId, event.stepIndex);
        const data = this.lastReceived.get(event.callId);
        if (event.cause === 'unexpected-message' && data !== undefined) {
          this.add(
            event.callId,
            `Unexpected UDP message received (index ${event.stepIndex}, hash ${messageHash(data)}):\n\n${data.toString('latin1')}\n\n`,
          );
        }
        // SIPp's abortCall logs this first, then sends its ACK, CANCEL or BYE.
        this.add(event.callId, `Aborting call ${event.callId} (index ${event.stepIndex}).\n`);
        break;
      }
      case 'call-ended': {
        const entries = this.calls.get(event.callId);
        this.calls.delete(event.callId);
        this.lastReceived.delete(event.callId);
        const failed = this.failedAt.has(event.callId);
        this.failedAt.delete(event.callId);
        if (entries === undefined || event.outcome === 'success') break;
        if (!failed) entries.push(`${this.stamp()} Aborting call ${event.callId}.\n`);
        this.file.write(`${'-'.repeat(79)}\nCall debugging information for call ${event.callId}:\n${entries.join('')}`);
        break;
      }
      default:
        break;
    }
  }

  close(): void {
    this.flushPending();
    this.file.close();
  }
}

/**
 * The statistics the engine reports to, with the RTD samples also sent to -trace_rtt and the
 * out-of-call messages to -trace_err. Every call goes on to the RunStats unchanged.
 */
export function tapStats(
  stats: RunStats,
  hooks: {
    rtd?: (name: string, ms: number) => void;
    outOfCall?: () => void;
    /** The step of the message just sent (first send or retransmission). */
    sentStep?: (index: number) => void;
  },
): StatsRecorder {
  return {
    callCreated: (incoming) => stats.callCreated(incoming),
    callSucceeded: (ms) => stats.callSucceeded(ms),
    callFailed: (cause, ms, detail) => stats.callFailed(cause, ms, detail),
    callAborted: (ms, detail) => stats.callAborted(ms, detail),
    stepSent: (i) => {
      stats.stepSent(i);
      hooks.sentStep?.(i);
    },
    stepRetransmitted: (i) => {
      stats.stepRetransmitted(i);
      hooks.sentStep?.(i);
    },
    stepReceived: (i) => stats.stepReceived(i),
    stepUnexpected: (i) => stats.stepUnexpected(i),
    stepTimeout: (i) => stats.stepTimeout(i),
    retransmissionReceived: (i) => stats.retransmissionReceived(i),
    outOfCallMessage: () => {
      stats.outOfCallMessage();
      hooks.outOfCall?.();
    },
    deadCallMessage: () => stats.deadCallMessage(),
    malformedMessage: () => stats.malformedMessage(),
    rtd: (name, ms) => {
      stats.rtd(name, ms);
      hooks.rtd?.(name, ms);
    },
    stepPaused: (i) => stats.stepPaused(i),
    stepLost: (i) => stats.stepLost(i),
    callDropped: (ms) => stats.callDropped(ms),
    autoAnswered: () => stats.autoAnswered(),
    counter: (name) => stats.counter(name),
    transportEvent: (kind) => stats.transportEvent(kind),
  };
}

export interface TraceOutputParts {
  fileStem: string;
  pid: number;
  scenario: Scenario;
  stats: RunStats;
  wallClockMs: () => number;
  delimiter: string;
  options: {
    traceErr: boolean;
    errorFile?: string;
    traceShortMsg: boolean;
    shortmessageFile?: string;
    traceCounts: boolean;
    traceErrorCodes: boolean;
    traceRtt: boolean;
    rttFrequency: number;
    traceLogs: boolean;
    logFile?: string;
    traceCalldebug: boolean;
    calldebugFile?: string;
    traceScreen: boolean;
    screenFile?: string;
  };
}

/** The trace files a run writes (each only when its flag is given), and their life cycle. */
export class TraceOutputs {
  readonly errors: ErrorLog;
  readonly shortMessages: ShortMessageLog | undefined;
  readonly counts: CountsCsv | undefined;
  readonly errorCodes: ErrorCodesCsv | undefined;
  readonly rtt: RttCsv | undefined;
  readonly actionLog: ActionLog | undefined;
  readonly callDebug: CallDebugLog | undefined;
  /** -trace_screen: created (empty) at start, written at exit by the reporter. */
  readonly screenPath: string | undefined;

  constructor(parts: TraceOutputParts) {
    const { fileStem, pid, scenario, stats, wallClockMs, delimiter, options: o } = parts;
    const name = (suffix: string) => traceFileName(fileStem, pid, suffix);
    this.errors = new ErrorLog(scenario, o.traceErr ? (o.errorFile ?? name('errors.log')) : undefined, wallClockMs);
    this.shortMessages = o.traceShortMsg
      ? new ShortMessageLog(o.shortmessageFile ?? name('shortmessages.log'), wallClockMs)
      : undefined;
    this.counts = o.traceCounts ? new CountsCsv(name('counts.csv'), scenario, stats, delimiter) : undefined;
    this.errorCodes = o.traceErrorCodes ? new ErrorCodesCsv(name('error_codes.csv'), stats, delimiter) : undefined;
    this.rtt = o.traceRtt ? new RttCsv(name('rtt.csv'), stats, o.rttFrequency, delimiter) : undefined;
    this.actionLog = o.traceLogs ? new ActionLog(o.logFile ?? name('logs.log')) : undefined;
    this.callDebug = o.traceCalldebug ? new CallDebugLog(o.calldebugFile ?? name('calldebug.log'), wallClockMs) : undefined;
    this.screenPath = o.traceScreen ? (o.screenFile ?? name('screen.log')) : undefined;
    if (this.screenPath !== undefined) new BufferedFile(this.screenPath).close();
  }

  /**
   * True when errors are needed: for -trace_err, or for the `Last Error:` line of the
   * -trace_screen file. Otherwise the error log stays off the engine's path (no events at all
   * when no trace needs them).
   */
  get watchesErrors(): boolean {
    return this.errors.path !== undefined || this.screenPath !== undefined;
  }

  /** The engine event sinks among them. */
  sinks(): EventSink[] {
    const sinks: Array<EventSink | undefined> = [
      this.watchesErrors ? this.errors : undefined,
      this.shortMessages,
      this.errorCodes,
      this.actionLog,
      this.callDebug,
    ];
    return sinks.filter((s): s is EventSink => s !== undefined);
  }

  /** True when some file gets a row every -fd. */
  get periodic(): boolean {
    return this.counts !== undefined || this.errorCodes !== undefined;
  }

  /** The rows written at start, every -fd and at exit. */
  writePeriodicRows(): void {
    this.counts?.writeRow();
    this.errorCodes?.writeRow();
  }

  close(): void {
    this.errors.close();
    this.shortMessages?.close();
    this.counts?.close();
    this.errorCodes?.close();
    this.rtt?.close();
    this.actionLog?.close();
    this.callDebug?.close();
  }
}
