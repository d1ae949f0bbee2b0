/** A scheduled callback; `cancel` is idempotent and safe after the callback ran. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * Time and timers for one engine. `now` is milliseconds (may be fractional) on a monotonic
 * clock that starts anywhere; `wallClockMs` is the Unix epoch in ms for file stamps.
 */
export interface Scheduler {
  now(): number;
  wallClockMs(): number;
  /** Run `fn` once, `delayMs` from now. Callbacks due at the same time run in insertion order. */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
}
