// Our one-line progress report for stderr (not a SIPp format).
import type { RunStats, StatsInstant } from './run-stats.js';

/**
 * `12.0s | 2400 calls (200.0/s) | current 3 | ok 2397 | failed 0 | retrans 0 | rtd avg 0.4 ms`
 *
 * Cumulative values: elapsed seconds, calls created and their rate per second, open calls,
 * successful, failed, retransmissions sent. Then `aborted N` when some calls were aborted, and
 * the mean of each RTD timer (`rtd avg X ms` for one timer, `rtd A 1.0 ms, B 2.0 ms` for
 * several; left out when the scenario has none). No trailing newline.
 */
export function progressLine(stats: RunStats, at: StatsInstant = stats.instant()): string {
  const c = stats.cumulative;
  const elapsedMs = Math.max(0, at.mono - stats.start.mono);
  const created = c.incoming + c.outgoing;
  const rate = elapsedMs > 0 ? (created * 1000) / elapsedMs : 0;
  const parts = [
    `${(elapsedMs / 1000).toFixed(1)}s`,
    `${created} calls (${rate.toFixed(1)}/s)`,
    `current ${stats.currentCalls}`,
    `ok ${c.successful}`,
    `failed ${c.failed}`,
    `retrans ${c.retransmissions}`,
  ];
  if (c.aborted > 0) parts.push(`aborted ${c.aborted}`);
  const names = stats.rtdNames;
  const avg = (name: string): string => `${(stats.rtdRaw.get(name)?.mean() ?? 0).toFixed(1)} ms`;
  if (names.length === 1) parts.push(`rtd avg ${avg(names[0]!)}`);
  else if (names.length > 1) parts.push(`rtd ${names.map((n) => `${n} ${avg(n)}`).join(', ')}`);
  return parts.join(' | ');
}
