/**
 * Lateness of packets against their due time, in 0.1 ms buckets up to 2 s (one more bucket
 * for anything later). A flat array: recording is one increment, and shards merge by adding.
 */
export const LATENESS_BUCKET_MS = 0.1;
const BUCKETS_PER_MS = 10;
export const LATENESS_BUCKETS = 20_001;

export class LatenessHistogram {
  readonly buckets = new Float64Array(LATENESS_BUCKETS);
  count = 0;
  maxMs = 0;

  record(latenessMs: number): void {
    const ms = latenessMs > 0 ? latenessMs : 0;
    let bucket = Math.floor(ms / LATENESS_BUCKET_MS);
    if (bucket >= LATENESS_BUCKETS) bucket = LATENESS_BUCKETS - 1;
    this.buckets[bucket]++;
    this.count++;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  merge(buckets: ArrayLike<number>, count: number, maxMs: number): void {
    for (let i = 0; i < LATENESS_BUCKETS; i++) this.buckets[i] += buckets[i];
    this.count += count;
    if (maxMs > this.maxMs) this.maxMs = maxMs;
  }

  /** The upper edge of the bucket holding the q-quantile (never above the max seen). */
  quantileMs(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < LATENESS_BUCKETS; i++) {
      seen += this.buckets[i];
      if (seen >= rank) return Math.min((i + 1) / BUCKETS_PER_MS, this.maxMs);
    }
    return this.maxMs;
  }
}
