import { afterEach, describe, expect, it } from 'vitest';
import {
  cFixed,
  cG,
  cUnsignedLong,
  msToHHMMSS,
  msToHHMMSSus,
  sippCallRate,
  sippTime,
  sippTimeString,
} from '../../src/stats/cformat.js';

describe('printf conversions', () => {
  it('%.Nf rounds exact ties to even like glibc', () => {
    expect(cFixed(0.0625, 3)).toBe('0.062');
    expect(cFixed(0.1875, 3)).toBe('0.188');
    expect(cFixed(2.5, 0)).toBe('2');
    expect(cFixed(3.5, 0)).toBe('4');
    expect(cFixed(9.945300102233887, 3)).toBe('9.945');
    expect(cFixed(10, 1)).toBe('10.0');
    expect(cFixed(0, 3)).toBe('0.000');
    expect(cFixed(-1.25, 1)).toBe('-1.2');
  });

  it('%g (C++ ostream default) keeps 6 significant digits and drops trailing zeros', () => {
    expect(cG(10)).toBe('10');
    expect(cG(0)).toBe('0');
    expect(cG(0.5)).toBe('0.5');
    expect(cG(Math.fround(10000 / 1001))).toBe('9.99001');
    expect(cG(Math.fround(20000 / 2009))).toBe('9.9552');
    expect(cG(1234567)).toBe('1.23457e+06');
    expect(cG(123456)).toBe('123456');
    expect(cG(0.0000925926)).toBe('9.25926e-05');
    expect(cG(0.0001)).toBe('0.0001');
  });

  it("SIPp's call rate is computed in single precision", () => {
    // Values read from a real SIPp 3.6.1 -trace_stat file.
    expect(cG(sippCallRate(10, 1001))).toBe('9.99001');
    expect(cG(sippCallRate(10, 1007))).toBe('9.93049');
    expect(cG(sippCallRate(20, 2011))).toBe('9.9453');
    expect(cG(sippCallRate(4, 1002))).toBe('3.99202');
    expect(cG(sippCallRate(1, 139))).toBe('7.19424');
    expect(sippCallRate(5, 0)).toBe(0);
    expect(cFixed(sippCallRate(20, 2011), 3)).toBe('9.945');
  });
});

describe('SIPp time helpers', () => {
  it('msToHHMMSS prints whole seconds', () => {
    expect(msToHHMMSS(0)).toBe('00:00:00');
    expect(msToHHMMSS(1999)).toBe('00:00:01');
    expect(msToHHMMSS(3_723_000)).toBe('01:02:03');
    expect(msToHHMMSS(100 * 3_600_000)).toBe('100:00:00');
  });

  it('msToHHMMSSus prints whole ms as microseconds', () => {
    expect(msToHHMMSSus(0)).toBe('00:00:00:000000');
    expect(msToHHMMSSus(6)).toBe('00:00:00:006000');
    expect(msToHHMMSSus(6.99)).toBe('00:00:00:006000');
    expect(msToHHMMSSus(61_034)).toBe('00:01:01:034000');
  });

  it('a NaN becomes 2^63 ms, as SIPp prints the deviation of one call length', () => {
    expect(cUnsignedLong(Number.NaN)).toBe(1n << 63n);
    expect(msToHHMMSSus(Number.NaN)).toBe('2562047788015:12:55:808000');
  });

  describe('formatTime', () => {
    const saved = process.env.TZ;
    afterEach(() => {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    });

    it('prints date, time and epoch with microseconds, tab separated', () => {
      expect(sippTime(1795425831264.22, { utc: true })).toBe('2026-11-23\t09:23:51.264220\t1795425831.264220');
      expect(sippTime(0.5, { utc: true })).toBe('1970-01-01\t00:00:00.000500\t0000000000.000500');
    });

    it('uses the local time zone like localtime(3)', () => {
      process.env.TZ = 'Asia/Kolkata';
      // Captured from `TZ=Asia/Kolkata sipp ... -trace_stat`.
      expect(sippTime(1795425981540.69)).toBe('2026-11-23\t14:56:21.540690\t1795425981.540690');
      process.env.TZ = 'UTC';
      expect(sippTime(1795425981540.69)).toBe('2026-11-23\t09:26:21.540690\t1795425981.540690');
    });
  });

  it('time_string describes pause lengths', () => {
    expect(sippTimeString(0)).toBe('0ms');
    expect(sippTimeString(30)).toBe('30ms');
    expect(sippTimeString(4000)).toBe('4000ms');
    expect(sippTimeString(12.5)).toBe('12.50ms');
    expect(sippTimeString(1500.5)).toBe('1500.5ms');
    expect(sippTimeString(12_000)).toBe('12.0s');
    expect(sippTimeString(90_000)).toBe('1:30');
    expect(sippTimeString(3_723_000)).toBe('1:02:03');
  });
});
