// Percentiles of response times and call lengths in fixed memory: a log-linear histogram over
// microseconds (64 buckets per power of two, so a bucket is at most 1/64 = 1.6 % wide), the
// layout HDR histograms use. Adding a value is a few integer operations, no allocation.

const SUB_BITS = 6;
const SUB_COUNT = 1 << SUB_BITS;
/** Values up to 2^31 µs (about 36 minutes) get their own bucket; longer ones share the last. */
const MAX_EXPONENT = 31;
const BUCKETS = SUB_COUNT + (MAX_EXPONENT - SUB_BITS) * SUB_COUNT;

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  total = 0;

  add(ms: number): void {
    const us = ms > 0 ? Math.min(Math.round(ms * 1000), 0x7fffffff) : 0;
    this.counts[bucketOf(us)]!++;
    this.total++;
  }

  /**
   * The value (ms) below which a fraction `p` of the values fall: the middle of the bucket
   * holding the value of rank ceil(p * total). 0 when empty.
   */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(p * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return middleOf(i) / 1000;
    }
    return middleOf(BUCKETS - 1) / 1000;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }
}

/** Values below 64 µs have a bucket each; above, 64 buckets per power of two. */
function bucketOf(us: number): number {
  if (us < SUB_COUNT) return us;
  const exponent = 31 - Math.clz32(us);
  const shift = exponent - SUB_BITS;
  return SUB_COUNT + shift * SUB_COUNT + ((us >>> shift) - SUB_COUNT);
}

/** The middle of a bucket, in µs. */
function middleOf(bucket: number): number {
  if (bucket < SUB_COUNT) return bucket;
  const k = bucket - SUB_COUNT;
  const width = 2 ** Math.floor(k / SUB_COUNT);
  const low = (SUB_COUNT + (k % SUB_COUNT)) * width;
  return low + (width - 1) / 2;
}
