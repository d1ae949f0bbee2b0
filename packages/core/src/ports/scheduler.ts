/** Opaque handle for a scheduled callback. */
export type TimerId = number;

/**
 * Time and timers for one engine. Times are milliseconds (may be fractional) on a
 * monotonic clock that starts anywhere; `wallClockMs` is the Unix epoch for file stamps.
 */
export interface Scheduler {
  now(): number;
  wallClockMs(): number;
  /** Run `fn` once `delayMs` from now. Callbacks due at the same time run in insertion order. */
  setTimer(delayMs: number, fn: () => void): TimerId;
  cancelTimer(id: TimerId): void;
}
