import { LatencyHistogram } from './histogram.js';
import type { NopStep, PauseStep, RecvStep, SendStep, StepCommon, TimewaitStep } from '../scenario/types.js';
import type { RecvCmdStep, SendCmdStep } from '../scenario/types.js';
import { sippCallRate } from './cformat.js';
import type { FailedCallDetail, FailureCause, StatsRecorder, TransportEventKind } from './types.js';

/**
 * SIPp's failure causes in -trace_stat column order, with their CSV names (`Failed<name>(P)`).
 * SIPp 3.6.1 has 17; every one is a column pair even when the scenario cannot produce it.
 */
export const FAILURE_CAUSES: ReadonlyArray<{ cause: FailureCause; csv: string }> = [
  { cause: 'cannot-send-message', csv: 'CannotSendMessage' },
  { cause: 'max-udp-retrans', csv: 'MaxUDPRetrans' },
  { cause: 'tcp-connect', csv: 'TcpConnect' },
  { cause: 'tcp-closed', csv: 'TcpClosed' },
  { cause: 'unexpected-message', csv: 'UnexpectedMessage' },
  { cause: 'call-rejected', csv: 'CallRejected' },
  { cause: 'cmd-not-sent', csv: 'CmdNotSent' },
  { cause: 'regexp-doesnt-match', csv: 'RegexpDoesntMatch' },
  { cause: 'regexp-shouldnt-match', csv: 'RegexpShouldntMatch' },
  { cause: 'regexp-hdr-not-found', csv: 'RegexpHdrNotFound' },
  { cause: 'outbound-congestion', csv: 'OutboundCongestion' },
  { cause: 'timeout-on-recv', csv: 'TimeoutOnRecv' },
  { cause: 'timeout-on-send', csv: 'TimeoutOnSend' },
  { cause: 'test-doesnt-match', csv: 'TestDoesntMatch' },
  { cause: 'test-shouldnt-match', csv: 'TestShouldntMatch' },
  { cause: 'strcmp-doesnt-match', csv: 'StrcmpDoesntMatch' },
  { cause: 'strcmp-shouldnt-match', csv: 'StrcmpShouldntMatch' },
];

/** How many failed calls the summary describes. */
export const FAILED_CALLS_KEPT = 10;

const CAUSE_INDEX = new Map<FailureCause, number>(FAILURE_CAUSES.map((c, i) => [c.cause, i]));

/** The step fields statistics and the scenario screen need (a real `Step` fits). */
type StatsCommon = Pick<StepCommon, 'crlf' | 'display' | 'startRtd' | 'rtd' | 'hide'>;
export type StatsStep =
  | (Pick<SendStep, 'kind' | 'isRequest' | 'method' | 'statusCode' | 'retrans' | 'lost'> & StatsCommon)
  | (Pick<RecvStep, 'kind' | 'request' | 'response' | 'lost'> & StatsCommon)
  | (Pick<PauseStep, 'kind' | 'milliseconds' | 'pause'> & StatsCommon)
  | (Pick<NopStep, 'kind'> & StatsCommon)
  | (Pick<TimewaitStep, 'kind' | 'milliseconds' | 'pause'> & StatsCommon)
  | (Pick<SendCmdStep, 'kind'> & StatsCommon)
  | (Pick<RecvCmdStep, 'kind'> & StatsCommon);

/** What RunStats needs from the scenario (a `Scenario` fits). */
export interface StatsScenarioInfo {
  steps: readonly StatsStep[];
  /** RTD timer names in SIPp's numbering order (index + 1 is the `B-RTD<n>` number). */
  rtdNames: readonly string[];
  /**
   * `<ResponseTimeRepartition>` bounds; empty = none (SIPp then has no repartition columns).
   * Sorted here as SIPp does.
   */
  responseTimeRepartition: readonly number[];
  /** `<CallLengthRepartition>` bounds; empty = none. */
  callLengthRepartition: readonly number[];
  /** True when the scenario starts with a recv (SIPp's server mode: the screen arrows turn). */
  startsWithRecv?: boolean;
  /** `counter="name"` counters in first-use order (SIPp's generic counters). */
  counterNames?: readonly string[];
}

export interface StatsClock {
  /** Monotonic ms (may be fractional). */
  now(): number;
  /** Unix epoch ms, for the printed times. */
  wallClockMs(): number;
}

export interface RunStatsOptions {
  /** SIPp's -periodic_rtd: repartition tables restart with each -trace_stat period. */
  periodicRtd?: boolean;
}

/**
 * SIPp keeps two periodic sets beside the cumulative one: `display` (PD: the statistics
 * screen, reset at each screen refresh) and `log` (PL: the -trace_stat rows, reset after each
 * row is written).
 */
export type PeriodKind = 'display' | 'log';

/** Count, sum and sum of squares of whole ms, as SIPp keeps them (it computes from these). */
export class Accumulator {
  count = 0;
  sum = 0;
  sumSq = 0;

  add(ms: number): void {
    this.count++;
    this.sum += ms;
    this.sumSq += ms * ms;
  }

  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.sumSq = 0;
  }

  /** SIPp's computeMean: 0 with no sample. */
  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /**
   * SIPp's short-form sample standard deviation sqrt((n*sumsq - sum^2) / (n*(n-1))).
   * `rtd` variant (computeRtdStdev): 0 for fewer than 2 samples. Call length variant
   * (computeStdev): 0 only with no sample, so one sample gives NaN (0/0), as SIPp 3.6.1.
   */
  sippStdev(variant: 'rtd' | 'call-length'): number {
    const n = this.count;
    if (variant === 'rtd' ? n <= 1 : n <= 0) return 0;
    const numerator = n * this.sumSq - this.sum * this.sum;
    const denominator = n * (n - 1);
    return Math.sqrt(numerator / denominator);
  }
}

/** Exact values (not truncated to whole ms) for our summary: mean, sample stddev, min, max. */
export class RawStat {
  count = 0;
  sum = 0;
  sumSq = 0;
  min = Infinity;
  max = -Infinity;
  /** For percentiles. */
  readonly histogram = new LatencyHistogram();

  add(v: number): void {
    this.histogram.add(v);
    this.count++;
    this.sum += v;
    this.sumSq += v * v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** Sample standard deviation; 0 for fewer than 2 values. */
  /** The p-quantile (0..1) within the bucket precision, kept inside [min, max]. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    return Math.min(this.max, Math.max(this.min, this.histogram.percentile(p)));
  }

  stddev(): number {
    if (this.count < 2) return 0;
    const v = (this.sumSq - (this.sum * this.sum) / this.count) / (this.count - 1);
    return v > 0 ? Math.sqrt(v) : 0;
  }
}

/**
 * A repartition table with SIPp's semantics: bounds sorted ascending; row i counts values
 * `v < bounds[i]` not counted by an earlier row; the last row counts `v >= bounds[last]`.
 */
export class Repartition {
  readonly bounds: readonly number[];
  readonly counts: number[];

  constructor(bounds: readonly number[]) {
    this.bounds = [...bounds].sort((a, b) => a - b);
    this.counts = new Array<number>(this.bounds.length + 1).fill(0);
  }

  add(ms: number): void {
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (ms < b[i]!) {
        this.counts[i]!++;
        return;
      }
    }
    this.counts[b.length]!++;
  }

  reset(): void {
    this.counts.fill(0);
  }
}

/** One set of SIPp counters: the cumulative one or one of the two periodic ones. */
export class Tally {
  incoming = 0;
  outgoing = 0;
  successful = 0;
  failed = 0;
  /** Per cause, in `FAILURE_CAUSES` order. */
  readonly failedBy: number[] = new Array<number>(FAILURE_CAUSES.length).fill(0);
  /** Ours: calls still open when the run stopped (not in SIPp's outputs). */
  aborted = 0;
  outOfCall = 0;
  deadCall = 0;
  /** Messages we sent again (SIPp's Retransmissions). */
  retransmissions = 0;
  /** Ours: retransmissions received from the peer. */
  retransmissionsReceived = 0;
  /** Always 0: we do not answer out-of-call requests automatically (yet). */
  autoAnswered = 0;
  /** Ours: datagrams that did not parse as SIP. */
  malformed = 0;
  /** SIPp's Warnings and FatalErrors columns (reported with `warning()` / `fatalError()`). */
  warnings = 0;
  fatalErrors = 0;
  readonly callLength = new Accumulator();
  /** Per RTD, in `rtdNames` order. */
  readonly rtd: Accumulator[];
  /** The scenario's `counter=` counters, in `counterNames` order. */
  readonly counters: number[];

  constructor(rtdCount: number, counterCount = 0) {
    this.rtd = Array.from({ length: rtdCount }, () => new Accumulator());
    this.counters = new Array<number>(counterCount).fill(0);
  }

  failedFor(cause: FailureCause): number {
    return this.failedBy[CAUSE_INDEX.get(cause)!]!;
  }

  reset(): void {
    this.incoming = 0;
    this.outgoing = 0;
    this.successful = 0;
    this.failed = 0;
    this.failedBy.fill(0);
    this.aborted = 0;
    this.outOfCall = 0;
    this.deadCall = 0;
    this.retransmissions = 0;
    this.retransmissionsReceived = 0;
    this.autoAnswered = 0;
    this.malformed = 0;
    this.warnings = 0;
    this.fatalErrors = 0;
    this.callLength.reset();
    for (const a of this.rtd) a.reset();
    this.counters.fill(0);
  }
}

/** Per-step counters shown on SIPp's scenario screen. */
export interface StepCounters {
  sent: number;
  sentRetrans: number;
  received: number;
  receivedRetrans: number;
  timeouts: number;
  unexpected: number;
  lost: number;
  /** Calls that entered this pause / timewait (SIPp's `sessions`). */
  paused: number;
}

/** A moment on both clocks. */
export interface StatsInstant {
  mono: number;
  wall: number;
}

/**
 * SIPp's counters for one run. The engine reports through `StatsRecorder`; the CSV, screen,
 * progress and summary renderers read the public fields.
 */
export class RunStats implements StatsRecorder {
  readonly steps: readonly StatsStep[];
  readonly rtdNames: readonly string[];
  /** Sorted bounds; empty = no table. */
  readonly responseTimeRepartition: readonly number[];
  readonly callLengthRepartition: readonly number[];
  readonly serverMode: boolean;
  readonly periodicRtd: boolean;

  readonly cumulative: Tally;
  readonly display: Tally;
  readonly log: Tally;
  /** When the run (SIPp's CStat) started. */
  readonly start: StatsInstant;
  private displayStart: StatsInstant;
  private logStart: StatsInstant;

  /** Calls open now (created - succeeded - failed; aborted calls stay counted, as SIPp shows them at exit). */
  currentCalls = 0;
  peakCalls = 0;
  /** ms since start when the peak was reached. */
  peakAtMs = 0;

  /** Per RTD (rtdNames order): null when there is no ResponseTimeRepartition. */
  readonly rtdRepartitions: Array<Repartition | null>;
  readonly callLengthRepartitionTable: Repartition | null;

  readonly stepCounters: StepCounters[];
  /** Exact RTD values by name (including names outside `rtdNames`), for the summary. */
  readonly rtdRaw = new Map<string, RawStat>();
  /** The first failed calls, with where and why (for the summary). */
  readonly failedCalls: Array<FailedCallDetail & { cause: FailureCause; atMs: number }> = [];
  /** The first calls still open when -timeout or a signal stopped the run, with where they were. */
  readonly abortedCalls: Array<FailedCallDetail & { atMs: number }> = [];
  readonly callLengthRaw = new RawStat();
  readonly abortedLengthRaw = new RawStat();

  private readonly all: readonly Tally[];
  private rate = 0;
  private usersValue: number | undefined;
  private readonly rtdIndex: Map<string, number>;
  readonly counterNames: readonly string[];
  private readonly counterIndex: Map<string, number>;

  constructor(
    scenario: StatsScenarioInfo,
    readonly clock: StatsClock,
    options: RunStatsOptions = {},
  ) {
    this.steps = scenario.steps;
    this.rtdNames = [...scenario.rtdNames];
    this.rtdIndex = new Map(this.rtdNames.map((n, i) => [n, i]));
    this.responseTimeRepartition = [...scenario.responseTimeRepartition].sort((a, b) => a - b);
    this.callLengthRepartition = [...scenario.callLengthRepartition].sort((a, b) => a - b);
    this.serverMode = scenario.startsWithRecv === true;
    this.periodicRtd = options.periodicRtd === true;
    const n = this.rtdNames.length;
    this.counterNames = [...(scenario.counterNames ?? [])];
    this.counterIndex = new Map(this.counterNames.map((name, i) => [name, i]));
    const k = this.counterNames.length;
    this.cumulative = new Tally(n, k);
    this.display = new Tally(n, k);
    this.log = new Tally(n, k);
    this.all = [this.cumulative, this.display, this.log];
    this.start = this.instant();
    this.displayStart = this.start;
    this.logStart = this.start;
    this.rtdRepartitions = this.rtdNames.map(() =>
      this.responseTimeRepartition.length > 0 ? new Repartition(this.responseTimeRepartition) : null,
    );
    this.callLengthRepartitionTable =
      this.callLengthRepartition.length > 0 ? new Repartition(this.callLengthRepartition) : null;
    for (const name of this.rtdNames) this.rtdRaw.set(name, new RawStat());
    this.stepCounters = this.steps.map(() => ({
      sent: 0,
      sentRetrans: 0,
      received: 0,
      receivedRetrans: 0,
      timeouts: 0,
      unexpected: 0,
      lost: 0,
      paused: 0,
    }));
  }

  // ---- StatsRecorder --------------------------------------------------------------------

  callCreated(incoming: boolean): void {
    for (const t of this.all) {
      if (incoming) t.incoming++;
      else t.outgoing++;
    }
    this.currentCalls++;
    if (this.currentCalls > this.peakCalls) {
      this.peakCalls = this.currentCalls;
      this.peakAtMs = this.clock.now() - this.start.mono;
    }
  }

  callSucceeded(lengthMs: number): void {
    for (const t of this.all) t.successful++;
    this.currentCalls--;
    this.addCallLength(lengthMs);
  }

  callFailed(cause: FailureCause, lengthMs: number, detail?: FailedCallDetail): void {
    if (detail !== undefined && this.failedCalls.length < FAILED_CALLS_KEPT) {
      this.failedCalls.push({ ...detail, cause, atMs: this.clock.now() - this.start.mono });
    }
    const i = CAUSE_INDEX.get(cause);
    for (const t of this.all) {
      t.failed++;
      if (i !== undefined) t.failedBy[i]!++;
    }
    this.currentCalls--;
    this.addCallLength(lengthMs);
  }

  callDropped(_lengthMs: number): void {
    this.currentCalls--;
  }

  /** A step with `counter="name"` completed. */
  counter(name: string): void {
    const i = this.counterIndex.get(name);
    if (i === undefined) return;
    for (const t of this.all) t.counters[i]!++;
  }

  autoAnswered(): void {
    for (const t of this.all) t.autoAnswered++;
  }

  callAborted(lengthMs: number, detail?: FailedCallDetail): void {
    if (detail !== undefined && this.abortedCalls.length < FAILED_CALLS_KEPT) {
      this.abortedCalls.push({ ...detail, atMs: this.clock.now() - this.start.mono });
    }
    for (const t of this.all) t.aborted++;
    this.abortedLengthRaw.add(lengthMs);
  }

  stepSent(stepIndex: number): void {
    const c = this.stepCounters[stepIndex];
    if (c) c.sent++;
  }

  stepRetransmitted(stepIndex: number): void {
    const c = this.stepCounters[stepIndex];
    if (c) c.sentRetrans++;
    for (const t of this.all) t.retransmissions++;
  }

  stepReceived(stepIndex: number): void {
    const c = this.stepCounters[stepIndex];
    if (c) c.received++;
  }

  stepUnexpected(stepIndex: number): void {
    const c = this.stepCounters[stepIndex];
    if (c) c.unexpected++;
  }

  stepTimeout(stepIndex: number): void {
    const c = this.stepCounters[stepIndex];
    if (c) c.timeouts++;
  }

  stepPaused(stepIndex: number): void {
    const c = this.stepCounters[stepIndex];
    if (c) c.paused++;
  }

  stepLost(stepIndex: number): void {
    const c = this.stepCounters[stepIndex];
    if (c) c.lost++;
  }

  /** Ours (summary JSON only): connections lost and TLS handshakes failed over the run. */
  readonly transportEvents = { connectionsLost: 0, tlsHandshakeFailures: 0 };

  transportEvent(kind: TransportEventKind): void {
    if (kind === 'connection-lost') this.transportEvents.connectionsLost++;
    else this.transportEvents.tlsHandshakeFailures++;
  }

  retransmissionReceived(stepIndex?: number): void {
    for (const t of this.all) t.retransmissionsReceived++;
    if (stepIndex !== undefined) {
      const c = this.stepCounters[stepIndex];
      if (c) c.receivedRetrans++;
    }
  }

  outOfCallMessage(): void {
    for (const t of this.all) t.outOfCall++;
  }

  deadCallMessage(): void {
    for (const t of this.all) t.deadCall++;
  }

  malformedMessage(): void {
    for (const t of this.all) t.malformed++;
  }

  /** Not part of StatsRecorder: whoever logs a warning counts it here (SIPp's Warnings column). */
  warning(): void {
    for (const t of this.all) t.warnings++;
  }

  /** A fatal error (SIPp's FatalErrors column). */
  fatalError(): void {
    for (const t of this.all) t.fatalErrors++;
  }

  rtd(name: string, ms: number): void {
    let raw = this.rtdRaw.get(name);
    if (raw === undefined) {
      raw = new RawStat();
      this.rtdRaw.set(name, raw);
    }
    raw.add(ms);
    const i = this.rtdIndex.get(name);
    if (i === undefined) return; // not a column of SIPp's outputs
    const v = wholeMs(ms);
    this.cumulative.rtd[i]!.add(v);
    this.display.rtd[i]!.add(v);
    this.log.rtd[i]!.add(v);
    this.rtdRepartitions[i]?.add(v);
  }

  // ---- settings and periods -------------------------------------------------------------

  /** The -r rate (calls per rate period) shown in the CSV TargetRate column. */
  setTargetRate(rate: number): void {
    this.rate = rate;
  }

  get targetRate(): number {
    return this.rate;
  }

  /** -users: when set, the TargetRate column shows it instead of the rate (as SIPp). */
  setUsers(users: number | undefined): void {
    this.usersValue = users;
  }

  get users(): number | undefined {
    return this.usersValue;
  }

  /**
   * Starts a new period (SIPp's LastResetTime): `log` after each -trace_stat row, `display`
   * after each screen refresh; both by default.
   */
  resetPeriodic(which: PeriodKind | 'both' = 'both'): void {
    const at = this.instant();
    if (which !== 'log') {
      this.display.reset();
      this.displayStart = at;
    }
    if (which !== 'display') {
      this.log.reset();
      this.logStart = at;
      if (this.periodicRtd) {
        for (const r of this.rtdRepartitions) r?.reset();
        this.callLengthRepartitionTable?.reset();
      }
    }
  }

  // ---- reading --------------------------------------------------------------------------

  /** Both clocks now. */
  instant(): StatsInstant {
    return { mono: this.clock.now(), wall: this.clock.wallClockMs() };
  }

  periodStart(which: PeriodKind): StatsInstant {
    return which === 'display' ? this.displayStart : this.logStart;
  }

  periodic(which: PeriodKind): Tally {
    return which === 'display' ? this.display : this.log;
  }

  /** Whole ms elapsed since the start of the run (`cumulative`) or of a period, as SIPp (truncated). */
  elapsedMs(which: PeriodKind | 'cumulative', at: StatsInstant = this.instant()): number {
    const from = which === 'cumulative' ? this.start : this.periodStart(which);
    return Math.max(0, Math.floor(at.mono - from.mono));
  }

  /** SIPp's call rate (incoming + outgoing created per second, single precision). */
  callRate(which: PeriodKind | 'cumulative', at: StatsInstant = this.instant()): number {
    const t = which === 'cumulative' ? this.cumulative : this.periodic(which);
    return sippCallRate(t.incoming + t.outgoing, this.elapsedMs(which, at));
  }

  get totalCallsCreated(): number {
    return this.cumulative.incoming + this.cumulative.outgoing;
  }

  /** 1-based RTD number as SIPp shows it (`B-RTD2`), or 0 when unknown. */
  rtdNumber(name: string): number {
    const i = this.rtdIndex.get(name);
    return i === undefined ? 0 : i + 1;
  }

  private addCallLength(lengthMs: number): void {
    this.callLengthRaw.add(lengthMs);
    const v = wholeMs(lengthMs);
    this.cumulative.callLength.add(v);
    this.display.callLength.add(v);
    this.log.callLength.add(v);
    this.callLengthRepartitionTable?.add(v);
  }
}

/** SIPp measures in whole milliseconds (an unsigned long). */
function wholeMs(ms: number): number {
  return ms > 0 ? Math.floor(ms) : 0;
}
