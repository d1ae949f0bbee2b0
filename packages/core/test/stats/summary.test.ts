import { describe, expect, it } from 'vitest';
import { progressLine } from '../../src/stats/progress.js';
import { RunStats } from '../../src/stats/run-stats.js';
import type { StatsStep } from '../../src/stats/run-stats.js';
import { SUMMARY_SCHEMA, summaryJson } from '../../src/stats/summary.js';
import { makeDistribution } from '../../src/scenario/distribution.js';
import type { PauseSpec } from '../../src/scenario/distribution.js';

const fixedPause = (value: number): PauseSpec => ({
  kind: 'distribution',
  distribution: makeDistribution({ kind: 'fixed', value }),
  sanityCheck: true,
  ignoredAttributes: [],
});
const defaultPause: PauseSpec = {
  kind: 'distribution',
  distribution: makeDistribution({ kind: 'default' }),
  sanityCheck: true,
  ignoredAttributes: [],
};

const START = Date.UTC(2026, 10, 23, 9, 0, 0);
function fakeClock() {
  const clock = { t: 0, now: () => clock.t, wallClockMs: () => START + clock.t };
  return clock;
}

const c = { crlf: false, startRtd: [] as string[], rtd: [] as string[] };
const steps: StatsStep[] = [
  { kind: 'send', isRequest: true, method: 'INVITE', retrans: 500, ...c },
  { kind: 'recv', response: 200, ...c, rtd: ['1'] },
  { kind: 'send', isRequest: true, method: 'ACK', ...c },
  { kind: 'pause', pause: defaultPause, ...c },
  { kind: 'timewait', milliseconds: 4000, pause: fixedPause(4000), ...c },
  { kind: 'nop', ...c },
  { kind: 'send', isRequest: false, statusCode: 200, ...c },
  { kind: 'recv', request: 'BYE', ...c },
];

function run(rtdNames = ['1']) {
  const clock = fakeClock();
  const s = new RunStats({ steps, rtdNames, responseTimeRepartition: [10, 20], callLengthRepartition: [100] }, clock);
  s.setTargetRate(200);
  for (let i = 0; i < 2400; i++) {
    clock.t = i * 5;
    s.callCreated(false);
    s.stepSent(0);
    s.stepReceived(1);
    for (const name of rtdNames) s.rtd(name, i % 2 === 0 ? 0.2 : 0.6);
    if (i < 2396) s.callSucceeded(50 + (i % 3));
  }
  s.callFailed('timeout-on-recv', 32000);
  s.stepRetransmitted(0);
  clock.t = 12000;
  return { s, clock };
}

describe('progress line', () => {
  it('one line of cumulative values', () => {
    const { s } = run();
    expect(progressLine(s)).toBe(
      '12.0s | 2400 calls (200.0/s) | current 3 | ok 2396 | failed 1 | retrans 1 | rtd avg 0.4 ms',
    );
  });

  it('names each RTD when there are several, none when there is none; shows aborted calls', () => {
    const { s } = run(['inv', 'call']);
    s.callAborted(1000);
    expect(progressLine(s)).toBe(
      '12.0s | 2400 calls (200.0/s) | current 3 | ok 2396 | failed 1 | retrans 1 | aborted 1 | rtd inv 0.4 ms, call 0.4 ms',
    );
    const empty = new RunStats({ steps: [], rtdNames: [], responseTimeRepartition: [], callLengthRepartition: [] }, fakeClock());
    expect(progressLine(empty)).toBe('0.0s | 0 calls (0.0/s) | current 0 | ok 0 | failed 0 | retrans 0');
  });
});

describe('summary JSON', () => {
  it('has every counter with stable names', () => {
    const { s } = run();
    s.callAborted(900);
    s.outOfCallMessage();
    s.deadCallMessage();
    s.malformedMessage();
    s.retransmissionReceived(1);
    s.stepPaused(3);
    const sum = summaryJson(s, { scenario: 'uac', scenarioFile: 'builtin:uac' });
    expect(sum.schema).toBe(SUMMARY_SCHEMA);
    expect(sum.scenario).toBe('uac');
    expect(sum.scenarioFile).toBe('builtin:uac');
    expect(sum.startTime).toBe('2026-11-23T09:00:00.000Z');
    expect(sum.endTime).toBe('2026-11-23T09:00:12.000Z');
    expect(sum.elapsedMs).toBe(12000);
    expect(sum.exitCode).toBeNull();
    expect(sum.stopReason).toBeNull();
    expect(sum.targetRate).toBe(200);
    expect(sum.users).toBeNull();
    expect(sum.calls).toEqual({
      created: 2400,
      incoming: 0,
      outgoing: 2400,
      successful: 2396,
      failed: 1,
      aborted: 1,
      current: 3,
      peak: 4,
      peakAtMs: 11995,
      ratePerSecond: 200,
    });
    expect(Object.keys(sum.failures)).toHaveLength(17);
    expect(sum.failures['timeout-on-recv']).toBe(1);
    expect(sum.failures['strcmp-shouldnt-match']).toBe(0);
    expect(sum.messages).toEqual({
      retransmissions: 1,
      retransmissionsReceived: 1,
      outOfCall: 1,
      deadCall: 1,
      malformed: 1,
      autoAnswered: 0,
    });
    expect(sum.steps.map((x) => x.label)).toEqual([
      'send INVITE',
      'recv 200',
      'send ACK',
      'pause',
      'timewait 4000ms',
      'nop',
      'send 200',
      'recv BYE',
    ]);
    expect(sum.steps[0]).toEqual({
      index: 0,
      kind: 'send',
      label: 'send INVITE',
      sent: 2400,
      sentRetransmissions: 1,
      received: 0,
      receivedRetransmissions: 0,
      timeouts: 0,
      unexpected: 0,
      lost: 0,
      paused: 0,
    });
    expect(sum.steps[1]!.receivedRetransmissions).toBe(1);
    expect(sum.steps[3]!.paused).toBe(1);
    expect(sum.rtd).toHaveLength(1);
    const rtd = sum.rtd[0]!;
    expect(rtd.name).toBe('1');
    expect(rtd.count).toBe(2400);
    expect(rtd.avgMs).toBeCloseTo(0.4, 10);
    expect(rtd.minMs).toBe(0.2);
    expect(rtd.maxMs).toBe(0.6);
    expect(rtd.stddevMs).toBeCloseTo(0.2, 3);
    expect(rtd.repartition).toEqual([
      { from: 0, to: 10, count: 2400 },
      { from: 10, to: 20, count: 0 },
      { from: 20, to: null, count: 0 },
    ]);
    expect(sum.callLength.count).toBe(2397);
    expect(sum.callLength.maxMs).toBe(32000);
    expect(sum.callLength.minMs).toBe(50);
    expect(sum.callLength.repartition).toEqual([
      { from: 0, to: 100, count: 2396 },
      { from: 100, to: null, count: 1 },
    ]);
    // Plain data: survives a JSON round trip unchanged.
    expect(JSON.parse(JSON.stringify(sum))).toEqual(sum);
  });

  it('takes the exit code and stop reason from meta; zeros when nothing happened', () => {
    const s = new RunStats({ steps: [], rtdNames: ['1'], responseTimeRepartition: [], callLengthRepartition: [] }, fakeClock());
    s.setUsers(10);
    const sum = summaryJson(s, { scenario: 'x', exitCode: 0, stopReason: 'completed' });
    expect(sum.exitCode).toBe(0);
    expect(sum.stopReason).toBe('completed');
    expect(sum.users).toBe(10);
    expect(sum.calls.ratePerSecond).toBe(0);
    const zeros = { count: 0, avgMs: 0, stddevMs: 0, minMs: 0, maxMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, repartition: [] };
    expect(sum.rtd).toEqual([{ name: '1', ...zeros }]);
    expect(sum.callLength).toEqual(zeros);
    expect(sum.failedCalls).toEqual([]);
  });
});
