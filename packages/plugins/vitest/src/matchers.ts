// The augmentation below needs vitest's types in scope (erased at run time).
import type {} from 'vitest';
// Checks on a scenario's result, thresholds style: `expect(r).toHaveSucceeded()`, ...
// Install once with `expect.extend(sipMatchers)` (a setup file is the usual place).
import type { ScenarioResult } from './index.js';

interface MatcherResult {
  pass: boolean;
  message: () => string;
}

function isResult(value: unknown): value is ScenarioResult {
  return typeof value === 'object' && value !== null && 'summary' in value && 'passed' in value;
}

function notAResult(received: unknown): MatcherResult {
  return { pass: false, message: () => `expected the result of runScenario(), got ${typeof received}` };
}

export const sipMatchers = {
  /** Every call succeeded and the run ended by itself. */
  toHaveSucceeded(received: unknown): MatcherResult {
    if (!isResult(received)) return notAResult(received);
    const { calls } = received.summary;
    return {
      pass: received.passed,
      message: () =>
        received.passed
          ? `expected the scenario to fail, but all ${calls.successful} calls succeeded`
          : `expected every call to succeed: ${calls.successful} of ${calls.created} did\n${received.explanation}`,
    };
  },

  /** Exactly `count` calls succeeded. */
  toHaveCompletedCalls(received: unknown, count: number): MatcherResult {
    if (!isResult(received)) return notAResult(received);
    const done = received.summary.calls.successful;
    return {
      pass: done === count,
      message: () => `expected ${count} successful calls, got ${done}\n${received.explanation}`,
    };
  },

  /**
   * A response time stays below `ms` at the given percentile (0.99 by default; 1 for the
   * maximum). `name` is an `rtd=`/`start_rtd=` timer of the scenario or, when it has none of
   * that name, a request method this side sent (`'invite'`: from the INVITE's first sending to
   * its final response).
   */
  toHaveResponseTimeBelow(received: unknown, name: string, ms: number, percentile = 0.99): MatcherResult {
    if (!isResult(received)) return notAResult(received);
    const timer = received.summary.rtd.find((t) => t.name === name && t.count > 0) ?? received.responseTimes[name.toUpperCase()];
    if (timer === undefined || timer.count === 0) {
      const timers = received.summary.rtd.filter((t) => t.count > 0).map((t) => t.name);
      const known = [...timers.map((t) => `rtd ${t}`), ...Object.keys(received.responseTimes)].join(', ') || 'none';
      return { pass: false, message: () => `no response time "${name}" was measured (measured: ${known})` };
    }
    const value = percentile >= 1 ? timer.maxMs : percentile >= 0.99 ? timer.p99Ms : percentile >= 0.9 ? timer.p90Ms : timer.p50Ms;
    const label = percentile >= 1 ? 'max' : `p${Math.round(percentile * 100)}`;
    return {
      pass: value < ms,
      message: () => `expected response time "${name}" ${label} below ${ms} ms, got ${value.toFixed(3)} ms over ${timer.count} calls`,
    };
  },
};

declare module 'vitest' {
  interface Assertion<T> {
    toHaveSucceeded(): T;
    toHaveCompletedCalls(count: number): T;
    toHaveResponseTimeBelow(rtd: string, ms: number, percentile?: number): T;
  }
}
