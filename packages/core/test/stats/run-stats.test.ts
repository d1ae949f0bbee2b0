import { describe, expect, it } from 'vitest';
import { Accumulator, Repartition, RunStats } from '../../src/stats/run-stats.js';
import type { StatsClock, StatsStep } from '../../src/stats/run-stats.js';
import type { Scenario } from '../../src/scenario/types.js';
import { makeDistribution } from '../../src/scenario/distribution.js';
import type { PauseSpec } from '../../src/scenario/distribution.js';

const defaultPause: PauseSpec = {
  kind: 'distribution',
  distribution: makeDistribution({ kind: 'default' }),
  sanityCheck: true,
  ignoredAttributes: [],
};

// Compile-time check: a loaded Scenario and an engine Scheduler are what RunStats takes.
export const fromScenario = (scenario: Scenario, clock: StatsClock): RunStats => new RunStats(scenario, clock);

function fakeClock(startWall = 1_700_000_000_000) {
  const clock = {
    t: 0,
    now: () => clock.t,
    wallClockMs: () => startWall + clock.t,
  };
  return clock;
}

const common = { crlf: false, startRtd: [] as string[], rtd: [] as string[] };
const steps: StatsStep[] = [
  { kind: 'send', isRequest: true, method: 'INVITE', retrans: 500, ...common },
  { kind: 'recv', response: 200, ...common, rtd: ['1'] },
  { kind: 'pause', pause: defaultPause, ...common },
  { kind: 'send', isRequest: true, method: 'BYE', ...common },
];

function makeStats(clock = fakeClock()) {
  return new RunStats(
    { steps, rtdNames: ['1'], responseTimeRepartition: [10, 20], callLengthRepartition: [100, 50] },
    clock,
  );
}

describe('RunStats counters', () => {
  it('counts created, current, successful and failed calls, cumulative and periodic', () => {
    const clock = fakeClock();
    const s = makeStats(clock);
    s.callCreated(false);
    s.callCreated(false);
    s.callCreated(true);
    expect(s.currentCalls).toBe(3);
    expect(s.cumulative.outgoing).toBe(2);
    expect(s.cumulative.incoming).toBe(1);
    expect(s.totalCallsCreated).toBe(3);
    clock.t = 100;
    s.callSucceeded(100);
    s.callFailed('timeout-on-recv', 50);
    expect(s.currentCalls).toBe(1);
    expect(s.log.successful).toBe(1);
    expect(s.display.failed).toBe(1);
    expect(s.cumulative.failedFor('timeout-on-recv')).toBe(1);
    expect(s.cumulative.failedFor('max-udp-retrans')).toBe(0);

    clock.t = 1000;
    s.resetPeriodic('log');
    expect(s.log.successful).toBe(0);
    expect(s.log.outgoing).toBe(0);
    expect(s.display.successful).toBe(1);
    expect(s.cumulative.successful).toBe(1);
    expect(s.periodStart('log').mono).toBe(1000);
    expect(s.periodStart('display').mono).toBe(0);

    s.resetPeriodic();
    expect(s.display.failed).toBe(0);
    expect(s.periodStart('display').mono).toBe(1000);
  });

  it('tracks the peak of open calls and when it happened', () => {
    const clock = fakeClock();
    const s = makeStats(clock);
    clock.t = 1500;
    s.callCreated(false);
    clock.t = 2500;
    s.callCreated(false);
    s.callSucceeded(10);
    clock.t = 3000;
    s.callCreated(false);
    expect(s.peakCalls).toBe(2);
    expect(s.peakAtMs).toBe(2500);
  });

  it('keeps aborted calls apart: not failed, still counted as open', () => {
    const s = makeStats();
    s.callCreated(false);
    s.callCreated(false);
    s.callSucceeded(10);
    s.callAborted(70);
    expect(s.cumulative.aborted).toBe(1);
    expect(s.cumulative.failed).toBe(0);
    expect(s.currentCalls).toBe(1);
    expect(s.cumulative.callLength.count).toBe(1);
    expect(s.abortedLengthRaw.count).toBe(1);
  });

  it('counts messages outside calls, retransmissions and per-step events', () => {
    const s = makeStats();
    s.outOfCallMessage();
    s.deadCallMessage();
    s.deadCallMessage();
    s.malformedMessage();
    s.stepSent(0);
    s.stepRetransmitted(0);
    s.stepRetransmitted(0);
    s.stepTimeout(0);
    s.stepReceived(1);
    s.retransmissionReceived(1);
    s.stepUnexpected(1);
    s.stepPaused(2);
    s.stepLost(3);
    expect(s.cumulative.outOfCall).toBe(1);
    expect(s.log.deadCall).toBe(2);
    expect(s.cumulative.malformed).toBe(1);
    expect(s.cumulative.retransmissions).toBe(2);
    expect(s.cumulative.retransmissionsReceived).toBe(1);
    expect(s.cumulative.autoAnswered).toBe(0);
    expect(s.stepCounters[0]).toMatchObject({ sent: 1, sentRetrans: 2, timeouts: 1 });
    expect(s.stepCounters[1]).toMatchObject({ received: 1, receivedRetrans: 1, unexpected: 1 });
    expect(s.stepCounters[2]!.paused).toBe(1);
    expect(s.stepCounters[3]!.lost).toBe(1);
  });

  it('computes the call rate as SIPp (created per second, single precision)', () => {
    const clock = fakeClock();
    const s = makeStats(clock);
    s.setTargetRate(10);
    expect(s.targetRate).toBe(10);
    for (let i = 0; i < 10; i++) s.callCreated(false);
    clock.t = 1001.7;
    expect(s.elapsedMs('cumulative')).toBe(1001);
    expect(s.callRate('cumulative')).toBe(Math.fround(10000 / 1001));
    clock.t = 0;
    expect(s.callRate('cumulative')).toBe(0);
  });

  it('records RTD and call length in whole ms with sum and sum of squares', () => {
    const s = makeStats();
    s.rtd('1', 4.9);
    s.rtd('1', 7.2);
    s.rtd('other', 3); // not a column of SIPp's outputs, kept for the summary
    const a = s.cumulative.rtd[0]!;
    expect([a.count, a.sum, a.sumSq]).toEqual([2, 11, 65]);
    expect(s.rtdRaw.get('1')!.max).toBeCloseTo(7.2);
    expect(s.rtdRaw.get('other')!.count).toBe(1);
  });
});

describe('SIPp averages and deviations', () => {
  it('mean and short-form sample deviation', () => {
    const a = new Accumulator();
    for (const v of [2, 4, 4, 4, 5, 5, 7, 9]) a.add(v);
    expect(a.mean()).toBe(5);
    expect(a.sippStdev('rtd')).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(a.sippStdev('call-length')).toBeCloseTo(Math.sqrt(32 / 7), 12);
  });

  it('one sample: 0 for an RTD, NaN (0/0) for the call length as SIPp 3.6.1', () => {
    const a = new Accumulator();
    expect(a.sippStdev('rtd')).toBe(0);
    expect(a.sippStdev('call-length')).toBe(0);
    a.add(8);
    expect(a.sippStdev('rtd')).toBe(0);
    expect(a.sippStdev('call-length')).toBeNaN();
  });
});

describe('repartition tables', () => {
  it('sorts bounds; row i counts v < bound i; the last row counts v >= the last bound', () => {
    const r = new Repartition([50, 10, 20]);
    expect(r.bounds).toEqual([10, 20, 50]);
    for (const v of [0, 9, 10, 19, 20, 49, 50, 1000]) r.add(v);
    expect(r.counts).toEqual([2, 2, 2, 2]);
  });

  it('RunStats fills one table per RTD and one for call lengths', () => {
    const s = makeStats();
    s.rtd('1', 9.99);
    s.rtd('1', 10);
    s.rtd('1', 25);
    s.callCreated(false);
    s.callCreated(false);
    s.callSucceeded(49.9);
    s.callFailed('call-rejected', 100);
    expect(s.rtdRepartitions[0]!.counts).toEqual([1, 1, 1]);
    expect(s.callLengthRepartition).toEqual([50, 100]);
    expect(s.callLengthRepartitionTable!.counts).toEqual([1, 0, 1]);
  });

  it('no bounds, no table', () => {
    const s = new RunStats(
      { steps: [], rtdNames: ['1'], responseTimeRepartition: [], callLengthRepartition: [] },
      fakeClock(),
    );
    s.rtd('1', 5);
    expect(s.rtdRepartitions[0]).toBeNull();
    expect(s.callLengthRepartitionTable).toBeNull();
  });

  it('tables are cumulative unless -periodic_rtd', () => {
    const info = { steps: [], rtdNames: ['1'], responseTimeRepartition: [10], callLengthRepartition: [10] };
    const plain = new RunStats(info, fakeClock());
    const periodic = new RunStats(info, fakeClock(), { periodicRtd: true });
    for (const s of [plain, periodic]) {
      s.rtd('1', 1);
      s.resetPeriodic('display');
    }
    expect(periodic.rtdRepartitions[0]!.counts).toEqual([1, 0]);
    for (const s of [plain, periodic]) s.resetPeriodic('log');
    expect(plain.rtdRepartitions[0]!.counts).toEqual([1, 0]);
    expect(periodic.rtdRepartitions[0]!.counts).toEqual([0, 0]);
  });
});
