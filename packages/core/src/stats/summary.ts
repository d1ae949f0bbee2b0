// The run summary (our format, JSON-ready): everything SIPp counts plus what it does not.
import { pauseScreenText } from '../scenario/distribution.js';
import { FAILURE_CAUSES } from './run-stats.js';
import type { RawStat, Repartition, RunStats, StatsInstant, StatsStep } from './run-stats.js';
import type { FailedCallDetail, FailureCause } from './types.js';
import type { MediaCounters } from '../ports/media.js';

export const SUMMARY_SCHEMA = 'gossipper.run-summary/1';

export interface SummaryMeta {
  /** Scenario name (the `-sf` basename or `-sn` name). */
  scenario: string;
  /** Scenario file, or `builtin:<name>`. */
  scenarioFile?: string;
  /** Process exit code once known; null until then. */
  exitCode?: number | null;
  /** Why the run stopped (`completed`, `timeout`, `signal`, `fatal`), when known. */
  stopReason?: string;
  /** The synthetic RTP of the run (-media_scale), when it had any. */
  media?: MediaCounters;
}

/**
 * The `media` object: names as Gossipper (Go) writes them, so one jq line reads both
 * (`.media.rtp_packets_sent`).
 */
export interface MediaSummary {
  send_path: string;
  threads: number;
  streams_started: number;
  streams_active: number;
  streams_peak: number;
  rtp_packets_sent: number;
  rtp_bytes_sent: number;
  rtp_send_errors: number;
  socket_errors: number;
  rtp_packets_skipped: number;
  max_lateness_ms: number;
  late_packets: number;
  late_threshold_ms: number;
  lateness_p50_ms: number;
  lateness_p99_ms: number;
  lateness_max_ms: number;
}

export function mediaSummary(c: MediaCounters): MediaSummary {
  return {
    send_path: c.sendPath,
    threads: c.threads,
    streams_started: c.streamsStarted,
    streams_active: c.streamsActive,
    streams_peak: c.streamsPeak,
    rtp_packets_sent: c.rtpPacketsSent,
    rtp_bytes_sent: c.rtpBytesSent,
    rtp_send_errors: c.sendErrors,
    socket_errors: c.socketErrors,
    rtp_packets_skipped: c.skippedPackets,
    max_lateness_ms: c.maxLatenessMs,
    late_packets: c.latePackets,
    late_threshold_ms: c.lateThresholdMs,
    lateness_p50_ms: c.latenessP50Ms,
    lateness_p99_ms: c.latenessP99Ms,
    lateness_max_ms: c.latenessMaxMs,
  };
}

/** One repartition row: `from <= ms < to`, or `ms >= from` when `to` is null. */
export interface RepartitionRow {
  from: number;
  to: number | null;
  count: number;
}

/** Exact (not truncated) values in ms; zeros when `count` is 0. Stddev is the sample one. */
export interface TimingSummary {
  count: number;
  avgMs: number;
  stddevMs: number;
  minMs: number;
  maxMs: number;
  /** Percentiles, within 1.6 % (log-linear histogram), kept inside [min, max]. */
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Empty when the scenario defines no repartition table. */
  repartition: RepartitionRow[];
}

export interface RtdSummary extends TimingSummary {
  name: string;
}

export interface StepSummary {
  index: number;
  kind: StatsStep['kind'];
  /** `send INVITE`, `send 200`, `recv 180`, `recv BYE`, `pause 0ms`, `timewait 4000ms`, `nop`. */
  label: string;
  sent: number;
  sentRetransmissions: number;
  received: number;
  receivedRetransmissions: number;
  timeouts: number;
  unexpected: number;
  lost: number;
  /** Calls that entered a pause or timewait step. */
  paused: number;
}

export interface RunSummary {
  schema: typeof SUMMARY_SCHEMA;
  scenario: string;
  scenarioFile: string | null;
  /** ISO 8601 (UTC) start and end of the run; elapsed on the monotonic clock. */
  startTime: string;
  endTime: string;
  elapsedMs: number;
  exitCode: number | null;
  stopReason: string | null;
  targetRate: number;
  users: number | null;
  calls: {
    created: number;
    incoming: number;
    outgoing: number;
    successful: number;
    failed: number;
    /** Calls still open when the run stopped (-timeout, signal); not counted as failed. */
    aborted: number;
    /** Calls open at the end (includes the aborted ones). */
    current: number;
    peak: number;
    peakAtMs: number;
    /** Calls created per second over the whole run. */
    ratePerSecond: number;
  };
  /** Failed calls per SIPp failure cause; every cause is present. */
  failures: Record<FailureCause, number>;
  messages: {
    /** Messages we sent again (SIPp's Retransmissions). */
    retransmissions: number;
    /** Retransmissions received from the peer. */
    retransmissionsReceived: number;
    outOfCall: number;
    deadCall: number;
    malformed: number;
    autoAnswered: number;
  };
  /** Stream transports (TCP, TLS): connections lost, TLS handshakes that failed. */
  transport: { connectionsLost: number; tlsHandshakeFailures: number };
  steps: StepSummary[];
  rtd: RtdSummary[];
  callLength: TimingSummary;
  /** The first failed calls (at most FAILED_CALLS_KEPT): where, why, and what arrived. */
  failedCalls: FailedCallSummary[];
  /** The first calls still open when -timeout or a signal stopped the run: where they were. */
  abortedCalls: Array<FailedCallDetail & { atMs: number }>;
  /** Synthetic RTP (-media_scale runs only). */
  media?: MediaSummary;
}

export interface FailedCallSummary extends FailedCallDetail {
  cause: FailureCause;
  /** When it failed, ms after the start of the run. */
  atMs: number;
}

function rows(table: Repartition | null): RepartitionRow[] {
  if (table === null) return [];
  const b = table.bounds;
  const out: RepartitionRow[] = b.map((to, i) => ({ from: i === 0 ? 0 : b[i - 1]!, to, count: table.counts[i]! }));
  out.push({ from: b[b.length - 1]!, to: null, count: table.counts[b.length]! });
  return out;
}

function timing(raw: RawStat | undefined, table: Repartition | null): TimingSummary {
  const has = raw !== undefined && raw.count > 0;
  return {
    count: has ? raw.count : 0,
    avgMs: has ? raw.mean() : 0,
    stddevMs: has ? raw.stddev() : 0,
    minMs: has ? raw.min : 0,
    maxMs: has ? raw.max : 0,
    p50Ms: has ? raw.percentile(0.5) : 0,
    p90Ms: has ? raw.percentile(0.9) : 0,
    p99Ms: has ? raw.percentile(0.99) : 0,
    repartition: rows(table),
  };
}

function stepLabel(step: StatsStep): string {
  switch (step.kind) {
    case 'send':
      return `send ${step.isRequest ? (step.method ?? '') : String(step.statusCode ?? '')}`;
    case 'recv':
      return `recv ${step.response !== undefined ? String(step.response) : (step.request ?? '')}`;
    case 'pause':
    case 'timewait':
      // A <pause/> waits -d, which the summary's step list does not know.
      if (step.pause.kind === 'distribution' && step.pause.distribution.kind === 'default') return step.kind;
      return `${step.kind} ${pauseScreenText(step.pause)}`;
    case 'nop':
      return step.display !== undefined ? `nop ${step.display}` : 'nop';
    case 'sendCmd':
      return 'sendCmd';
    case 'recvCmd':
      return 'recvCmd';
  }
}

/** A plain object with stable field names (see `RunSummary`), ready for JSON.stringify. */
export function summaryJson(stats: RunStats, meta: SummaryMeta, at: StatsInstant = stats.instant()): RunSummary {
  const c = stats.cumulative;
  const elapsedMs = Math.max(0, at.mono - stats.start.mono);
  const created = c.incoming + c.outgoing;
  const failures = {} as Record<FailureCause, number>;
  FAILURE_CAUSES.forEach(({ cause }, i) => {
    failures[cause] = c.failedBy[i]!;
  });
  const rtdIndex = new Map(stats.rtdNames.map((n, i) => [n, i]));
  const rtd: RtdSummary[] = [...stats.rtdRaw.keys()].map((name) => {
    const i = rtdIndex.get(name);
    return { name, ...timing(stats.rtdRaw.get(name), i === undefined ? null : (stats.rtdRepartitions[i] ?? null)) };
  });
  return {
    schema: SUMMARY_SCHEMA,
    scenario: meta.scenario,
    scenarioFile: meta.scenarioFile ?? null,
    startTime: new Date(stats.start.wall).toISOString(),
    endTime: new Date(at.wall).toISOString(),
    elapsedMs,
    exitCode: meta.exitCode ?? null,
    stopReason: meta.stopReason ?? null,
    targetRate: stats.targetRate,
    users: stats.users ?? null,
    calls: {
      created,
      incoming: c.incoming,
      outgoing: c.outgoing,
      successful: c.successful,
      failed: c.failed,
      aborted: c.aborted,
      current: stats.currentCalls,
      peak: stats.peakCalls,
      peakAtMs: stats.peakAtMs,
      ratePerSecond: elapsedMs > 0 ? (created * 1000) / elapsedMs : 0,
    },
    failures,
    messages: {
      retransmissions: c.retransmissions,
      retransmissionsReceived: c.retransmissionsReceived,
      outOfCall: c.outOfCall,
      deadCall: c.deadCall,
      malformed: c.malformed,
      autoAnswered: c.autoAnswered,
    },
    transport: { ...stats.transportEvents },
    steps: stats.steps.map((step, index) => {
      const s = stats.stepCounters[index]!;
      return {
        index,
        kind: step.kind,
        label: stepLabel(step),
        sent: s.sent,
        sentRetransmissions: s.sentRetrans,
        received: s.received,
        receivedRetransmissions: s.receivedRetrans,
        timeouts: s.timeouts,
        unexpected: s.unexpected,
        lost: s.lost,
        paused: s.paused,
      };
    }),
    rtd,
    callLength: timing(stats.callLengthRaw, stats.callLengthRepartitionTable),
    failedCalls: stats.failedCalls.map((f) => ({ ...f })),
    abortedCalls: stats.abortedCalls.map((a) => ({ ...a })),
    ...(meta.media !== undefined ? { media: mediaSummary(meta.media) } : {}),
  };
}
