import { describe, expect, it } from 'vitest';
import { parseTdmMap, TdmMap } from '../../src/engine/tdm-map.js';

describe('-tdmmap', () => {
  it('reads SIPp\'s {x-X}{h}{y-Y}{z-Z} as sscanf does', () => {
    expect(parseTdmMap('{0-3}{99}{5-8}{1-31}')).toEqual({ x: 0, a: 3, h: 99, y: 5, b: 3, z: 1, c: 30 });
    expect(parseTdmMap('{ 1- 2}{7}{-3--2}{0-0}trailing')).toEqual({ x: 1, a: 1, h: 7, y: -3, b: 1, z: 0, c: 0 });
    for (const bad of ['x', '{0-1}{99}{5-6}', '{0-1}{99}{5-6}{1 -2}', '{3-1}{0}{0-0}{0-0}', '{0-1023}{0}{0-1023}{0-1}']) {
      expect(parseTdmMap(bad)).toBeUndefined();
    }
  });

  it('takes circuits as SIPp 3.6.1 does with its unseeded rand(), and renders them as it did', () => {
    const map = new TdmMap(parseTdmMap('{0-1}{99}{5-6}{1-2}')!);
    const numbers = Array.from({ length: 8 }, () => map.take());
    expect(numbers).toEqual([7, 6, 1, 3, 2, 8, 4, 5]);
    // What SIPp 3.6.1 sent for calls 1..8 with -tdmmap {0-1}{99}{5-6}{1-2} -users 8.
    expect(numbers.map((n) => map.render(n))).toEqual([
      '1.99.6/2', '1.99.6/1', '0.99.5/2', '0.99.6/2', '0.99.6/1', '0.99.5/1', '1.99.5/1', '1.99.5/2',
    ]);
    expect(map.take()).toBe(0);
    // SIPp's release clears the circuit after the call's own (index n for circuit n).
    map.release(3);
    expect(map.take()).toBe(4);
    map.release(8); // past the table: nothing
    map.release(0); // a call that got no circuit frees the first
    expect(map.take()).toBe(1);
  });

  it('one call at a time: SIPp 3.6.1 fails every third call with two circuits (its release quirk)', () => {
    for (const [spec, expected] of [
      // What SIPp 3.6.1 sent with -users 1 -m 6; 0 = the call failed (all circuits busy).
      ['{0-0}{0}{0-0}{1-2}', ['0.0.0/2', '0.0.0/1', 0, '0.0.0/2', '0.0.0/1', 0]],
      ['{0-0}{0}{0-0}{1-3}', ['0.0.0/2', '0.0.0/3', 0, '0.0.0/2', '0.0.0/3', '0.0.0/1']],
    ] as const) {
      const map = new TdmMap(parseTdmMap(spec)!);
      const got = expected.map(() => {
        const n = map.take();
        map.release(n);
        return n === 0 ? 0 : map.render(n);
      });
      expect(got).toEqual(expected);
    }
  });

  it('scans from one before the random circuit, wrapping in unsigned arithmetic', () => {
    const draws = [0, 0, 5];
    const map = new TdmMap({ x: 0, a: 0, h: 0, y: 0, b: 0, z: 0, c: 3 }, () => draws.shift()!);
    // random 0: (0 - 1) as unsigned % 4 = 3, so circuit 4 first, then 1.
    expect([map.take(), map.take()]).toEqual([4, 1]);
    // random 5 % 4 = 1: circuit index 0 is busy, index 1 is free: circuit 2.
    expect(map.take()).toBe(2);
    expect(map.render(4)).toBe('0.0.0/0');
  });
});
