import type { Scheduler, TimerHandle } from '../ports/scheduler.js';

class HeapTimer implements TimerHandle {
  fn: (() => void) | undefined;
  constructor(
    readonly due: number,
    readonly seq: number,
    fn: () => void,
  ) {
    this.fn = fn;
  }
  cancel(): void {
    this.fn = undefined;
  }
}

function earlier(a: HeapTimer, b: HeapTimer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

/**
 * One binary heap of timers per engine: tens of thousands of per-call retransmission and
 * timeout timers cost one host timer, not one each. Cancelled timers are dropped lazily.
 */
export class TimerHeap {
  private readonly heap: HeapTimer[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  add(due: number, fn: () => void): HeapTimer {
    const timer = new HeapTimer(due, this.seq++, fn);
    const heap = this.heap;
    let i = heap.push(timer) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(timer, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = timer;
    return timer;
  }

  /** Due time of the earliest live timer, or undefined. */
  nextDue(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.due;
  }

  /** Run every timer due at or before `now`, including ones added by callbacks that are due. */
  runDue(now: number): void {
    for (;;) {
      this.dropCancelled();
      const top = this.heap[0];
      if (top === undefined || top.due > now) return;
      this.pop();
      const fn = top.fn!;
      top.fn = undefined;
      fn();
    }
  }

  clear(): void {
    this.heap.length = 0;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0]!.fn === undefined) this.pop();
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && earlier(heap[right]!, heap[left]!) ? right : left;
      if (!earlier(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}

/** A Scheduler whose clock only moves when a test says so. */
export class VirtualScheduler implements Scheduler {
  private readonly timers = new TimerHeap();
  private current = 0;

  constructor(private readonly epochMs = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  wallClockMs(): number {
    return this.epochMs + this.current;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    return this.timers.add(this.current + Math.max(0, delayMs), fn);
  }

  /** Move the clock forward by `ms`, running every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      const due = this.timers.nextDue();
      if (due === undefined || due > end) break;
      this.current = Math.max(this.current, due);
      this.timers.runDue(this.current);
    }
    this.current = end;
  }

  /** Run timers until none is left or `limitMs` of virtual time has passed. */
  runUntilIdle(limitMs = 3_600_000): void {
    const end = this.current + limitMs;
    for (;;) {
      const due = this.timers.nextDue();
      if (due === undefined || due > end) return;
      this.current = Math.max(this.current, due);
      this.timers.runDue(this.current);
    }
  }
}

/** The real-time Scheduler: one host timer armed for the earliest due entry of the heap. */
export class RealTimeScheduler implements Scheduler {
  private readonly timers = new TimerHeap();
  private hostTimer: ReturnType<typeof setTimeout> | undefined;
  private hostDue = Infinity;
  private running = false;

  now(): number {
    return performance.now();
  }

  /** Wall clock with microseconds (SIPp's gettimeofday), kept in step with the monotonic clock. */
  wallClockMs(): number {
    return performance.timeOrigin + performance.now();
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const due = performance.now() + Math.max(0, delayMs);
    const timer = this.timers.add(due, fn);
    if (!this.running && due < this.hostDue) this.arm(due);
    return timer;
  }

  /** Cancel every pending timer so the process can exit. */
  dispose(): void {
    this.timers.clear();
    if (this.hostTimer !== undefined) clearTimeout(this.hostTimer);
    this.hostTimer = undefined;
    this.hostDue = Infinity;
  }

  private arm(due: number): void {
    if (this.hostTimer !== undefined) clearTimeout(this.hostTimer);
    this.hostDue = due;
    this.hostTimer = setTimeout(this.fire, Math.max(0, due - performance.now()));
  }

  private readonly fire = (): void => {
    this.hostTimer = undefined;
    this.hostDue = Infinity;
    this.running = true;
    try {
      this.timers.runDue(performance.now());
    } finally {
      this.running = false;
      const next = this.timers.nextDue();
      if (next !== undefined) this.arm(next);
    }
  };
}
