import { describe, expect, it } from 'vitest';
import { parseCBool, parseCDouble, parseCLong, parseRepartition } from '../../src/scenario/sipp-values.js';

describe('SIPp value conversions', () => {
  it('parseCLong is strtol(s, &end, 0) that must consume the string', () => {
    expect(parseCLong('500')).toBe(500);
    expect(parseCLong('-5')).toBe(-5);
    expect(parseCLong('+7')).toBe(7);
    expect(parseCLong('  42')).toBe(42);
    expect(parseCLong('0x1F4')).toBe(500);
    expect(parseCLong('010')).toBe(8);
    expect(parseCLong('0')).toBe(0);
    expect(parseCLong('')).toBe(0);
    for (const bad of ['08', '1s', '42 ', ' ', 'abc', '0x', '1.5', '--1']) expect(parseCLong(bad)).toBeUndefined();
  });

  it('parseCDouble is strtod that must consume the string', () => {
    expect(parseCDouble('1.5')).toBe(1.5);
    expect(parseCDouble('.5')).toBe(0.5);
    expect(parseCDouble('5.')).toBe(5);
    expect(parseCDouble('1e3')).toBe(1000);
    expect(parseCDouble('-2')).toBe(-2);
    expect(parseCDouble('0x10')).toBe(16);
    expect(parseCDouble('inf')).toBe(Infinity);
    expect(parseCDouble('NaN')).toBeNaN();
    expect(parseCDouble('')).toBe(0);
    for (const bad of ['1s', '1e', '.', ' ', '1 ', 'abc']) expect(parseCDouble(bad)).toBeUndefined();
  });

  it('parseCBool is get_bool', () => {
    expect(parseCBool('true')).toBe(true);
    expect(parseCBool('TRUE')).toBe(true);
    expect(parseCBool('False')).toBe(false);
    expect(parseCBool('1')).toBe(true);
    expect(parseCBool('0')).toBe(false);
    expect(parseCBool('yes')).toBeUndefined();
  });

  it('parseRepartition reads comma-separated integers and sorts them', () => {
    expect(parseRepartition('10, 20, 30')).toEqual([10, 20, 30]);
    expect(parseRepartition('\t200,10 ,50')).toEqual([10, 50, 200]);
    expect(parseRepartition('')).toEqual([]);
    for (const bad of ['10,', ',10', '10, x', '1.5', '10;20']) expect(parseRepartition(bad)).toBeUndefined();
  });
});
