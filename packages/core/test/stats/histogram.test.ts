import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/stats/histogram.js';

describe('LatencyHistogram', () => {
  it('is exact below 64 µs and within 1.6 % above', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 100; i++) h.add(i); // 1..100 ms
    expect(h.percentile(0.5)).toBeCloseTo(50, 0);
    expect(Math.abs(h.percentile(0.9) - 90) / 90).toBeLessThan(0.016);
    expect(Math.abs(h.percentile(0.99) - 99) / 99).toBeLessThan(0.016);
    expect(Math.abs(h.percentile(1) - 100) / 100).toBeLessThan(0.016);
    const small = new LatencyHistogram();
    small.add(0.010);
    small.add(0.020);
    small.add(0.030);
    expect(small.percentile(0.5)).toBe(0.02);
  });

  it('orders every bucket: percentiles never go down as p rises', () => {
    const h = new LatencyHistogram();
    let x = 7;
    for (let i = 0; i < 10_000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      h.add((x % 5_000_000) / 1000); // 0 .. 5000 ms
    }
    let last = -1;
    for (let p = 0.01; p <= 1; p += 0.01) {
      const v = h.percentile(p);
      expect(v).toBeGreaterThanOrEqual(last);
      last = v;
    }
    expect(h.total).toBe(10_000);
  });

  it('is 0 when empty, and clamps negative and huge values', () => {
    const h = new LatencyHistogram();
    expect(h.percentile(0.5)).toBe(0);
    h.add(-5);
    expect(h.percentile(1)).toBe(0);
    h.add(1e12);
    expect(h.percentile(1)).toBeGreaterThan(2_000_000);
  });
});
