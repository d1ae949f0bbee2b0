// Several -inf files, [fieldN ...] keywords, -infindex and the lookup/insert/replace actions, as
// SIPp 3.6.1 handles them (checked with /usr/bin/sipp; see docs/injection.md).
import { describe, expect, it } from 'vitest';
import { InjectionError, InjectionSet, injectionFileKey, keywordParam, parseFieldKeyword } from '../../src/inject/index.js';
import { atoi, formatIntC, strtodWhole, strtoulBase0 } from '../../src/inject/cnum.js';

const ctx = { userId: 0, random: () => 0 };

function errorOf(f: () => unknown): InjectionError {
  try {
    f();
  } catch (e) {
    if (e instanceof InjectionError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

function twoFiles(): InjectionSet {
  const set = new InjectionSet();
  set.add('sub/b.csv', 'SEQUENTIAL\nb0;B0\nb1;B1\n');
  set.add('a.csv', 'SEQUENTIAL\na0\na1\na2\n');
  return set;
}

describe('file keys', () => {
  it('is the basename, by / else by \\', () => {
    expect(injectionFileKey('data/users.csv')).toBe('users.csv');
    expect(injectionFileKey('/abs/x/y.csv')).toBe('y.csv');
    expect(injectionFileKey('c:\\dir\\w.csv')).toBe('w.csv');
    expect(injectionFileKey('a\\b/c.csv')).toBe('c.csv');
    expect(injectionFileKey('plain.csv')).toBe('plain.csv');
  });

  it('the first -inf is the default; get() takes keys, not paths', () => {
    const set = twoFiles();
    expect(set.defaultName).toBe('b.csv');
    expect(set.get('b.csv')?.name).toBe('sub/b.csv');
    expect(set.get('sub/b.csv')).toBeUndefined();
    expect(set.names).toEqual(['a.csv', 'b.csv']);
    expect(set.size).toBe(2);
    expect(new InjectionSet().defaultName).toBeUndefined();
  });

  it('a later file with the same basename replaces the earlier one', () => {
    const set = new InjectionSet();
    set.add('b.csv', 'SEQUENTIAL\ntop\n');
    set.add('sub/b.csv', 'SEQUENTIAL\nsub0\n');
    const lines = set.linesForNewCall(ctx);
    expect(set.fieldText(lines, set.resolveKeyword(parseFieldKeyword('field0')), 0)).toBe('sub0');
  });
});

describe('per-call lines and [fieldN]', () => {
  it('every file advances once per new call; [fieldN] reads the call line', () => {
    const set = twoFiles();
    const calls = [1, 2, 3, 4].map(() => set.linesForNewCall(ctx));
    const render = (raw: string): string[] => {
      const k = parseFieldKeyword(raw);
      const file = set.resolveKeyword(k);
      return calls.map((lines) => set.fieldText(lines, file, k.field, k.line));
    };
    expect(render('field0')).toEqual(['b0', 'b1', 'b0', 'b1']);
    expect(render('field0 file="b.csv"')).toEqual(['b0', 'b1', 'b0', 'b1']);
    expect(render('field1 file=b.csv')).toEqual(['B0', 'B1', 'B0', 'B1']);
    expect(render('field0 file="a.csv"')).toEqual(['a0', 'a1', 'a2', 'a0']);
    expect(render('field0 line="2"')).toEqual(['', '', '', '']);
    expect(render('field0 line=0')).toEqual(['b0', 'b0', 'b0', 'b0']);
    expect(render('field0 line=9')).toEqual(['', '', '', '']);
    expect(render('field1 file="b.csv" line="1"')).toEqual(['B1', 'B1', 'B1', 'B1']);
  });

  it('chooses lines in byte order of the keys (for RANDOM draws)', () => {
    const set = new InjectionSet();
    set.add('z.csv', 'RANDOM\nz0\nz1\n');
    set.add('B.csv', 'RANDOM\nB0\nB1\n');
    set.add('a.csv', 'RANDOM\na0\na1\n');
    const draws = [0.9, 0.1, 0.6];
    const seen: number[] = [];
    const lines = set.linesForNewCall({ userId: 0, random: () => (seen.push(seen.length), draws[seen.length - 1]!) });
    expect([...lines.entries()]).toEqual([
      ['B.csv', 1],
      ['a.csv', 0],
      ['z.csv', 1],
    ]);
  });

  it('USER files give no line without -users, and the user line with it', () => {
    const set = new InjectionSet();
    set.add('u.csv', 'USER\nu1;x\nu2;y\nu3;z\n');
    expect(set.fieldText(set.linesForNewCall({ userId: 0, random: () => 0 }), 'u.csv', 0)).toBe('');
    expect(set.fieldText(set.linesForNewCall({ userId: 2, random: () => 0 }), 'u.csv', 1)).toBe('y');
    expect(errorOf(() => set.linesForNewCall({ userId: 4, random: () => 0 })).detail).toBe(
      'u.csv has only 3 lines, yet user 4 was requested.',
    );
  });

  it('line= is read with strtod', () => {
    const set = twoFiles();
    const lines = set.linesForNewCall(ctx);
    const at = (text: string): string => set.fieldText(lines, 'b.csv', 0, text);
    expect(at('1.9')).toBe('b1');
    expect(at('1e0')).toBe('b1');
    expect(at(' 1')).toBe('b1');
    expect(at('1.000000')).toBe('b1');
    expect(at('-1.000000')).toBe('');
    expect(at('')).toBe('b0'); // an empty rendering is line 0
    expect(at('2')).toBe(''); // == lineCount: past the end
    expect(at('0x1')).toBe('b1');
    expect(errorOf(() => at('ab')).message).toBe("Invalid line number generated: 'ab'");
    expect(errorOf(() => at('1 ')).detail).toBe("Invalid line number generated: '1 '");
  });

  it('automatic calls (-aa, -oocsf) have no lines: using a field stops the run', () => {
    const set = twoFiles();
    expect(errorOf(() => set.fieldText(undefined, 'b.csv', 0)).message).toBe(
      'Automatic calls (created by -aa, -oocsn or -oocsf) cannot use input files!',
    );
  });

  it('keyword errors at load', () => {
    expect(errorOf(() => new InjectionSet().resolveKeyword(parseFieldKeyword('field0'))).message).toBe(
      'No injection file was specified!',
    );
    expect(errorOf(() => twoFiles().resolveKeyword(parseFieldKeyword('field0 file="sub/b.csv"'))).message).toBe(
      'Invalid injection file: sub/b.csv',
    );
  });
});

describe('the worked example of docs/injection.md', () => {
  it('renders the table of the doc', () => {
    const set = new InjectionSet();
    set.add('callees.csv', 'SEQUENTIAL\n1001;Alice\n1002;Bob\n');
    set.add('accounts.csv', 'SEQUENTIAL,PRINTF=3,PRINTFOFFSET=200\nsub%d;pw-%d\n');
    const keywords = ['field0', 'field1', 'field0 file="accounts.csv"', 'field1 file="accounts.csv"'].map(parseFieldKeyword);
    const rows = [1, 2, 3, 4].map(() => {
      const lines = set.linesForNewCall(ctx);
      return keywords.map((k) => set.fieldText(lines, set.resolveKeyword(k), k.field, k.line)).join(' | ');
    });
    expect(rows).toEqual([
      '1001 | Alice | sub200 | pw-200',
      '1002 | Bob | sub201 | pw-201',
      '1001 | Alice | sub202 | pw-202',
      '1002 | Bob | sub200 | pw-200',
    ]);
  });
});

describe('parseFieldKeyword', () => {
  it('reads N with atoi after "field", ignoring offsets', () => {
    expect(parseFieldKeyword('field0').field).toBe(0);
    expect(parseFieldKeyword('field12').field).toBe(12);
    expect(parseFieldKeyword('field 1').field).toBe(1);
    expect(parseFieldKeyword('field01').field).toBe(1);
    expect(parseFieldKeyword('fieldx').field).toBe(0);
    expect(parseFieldKeyword('field').field).toBe(0);
    expect(parseFieldKeyword('field1+1')).toEqual({ field: 1, file: undefined, line: undefined });
  });

  it('reads file= and line= like SIPp getKeywordParam', () => {
    expect(parseFieldKeyword('field1 file="b.csv" line="[$n]"')).toEqual({ field: 1, file: 'b.csv', line: '[$n]' });
    expect(parseFieldKeyword('field1 file=b.csv line=3')).toEqual({ field: 1, file: 'b.csv', line: '3' });
    expect(parseFieldKeyword('field0 line=""')).toEqual({ field: 0, file: undefined, line: undefined });
    // "-digit" is an offset: cut there.
    expect(parseFieldKeyword('field0 line=-1')).toEqual({ field: 0, file: undefined, line: undefined });
    expect(parseFieldKeyword('field0 line="-0.5"')).toEqual({ field: 0, file: undefined, line: undefined });
  });

  it('keywordParam: quotes, escapes, stops, hex', () => {
    expect(keywordParam('x file="a\\"b" y', 'file=')).toBe('a"b');
    expect(keywordParam('x file="open', 'file=')).toBe('open');
    expect(keywordParam('x file=ab]cd', 'file=')).toBe('ab');
    expect(keywordParam('x file=ab cd', 'file=')).toBe('ab');
    expect(keywordParam('x file=0x622e637376', 'file=')).toBe('b.csv');
    expect(keywordParam('x myfile=q', 'file=')).toBe('q'); // strstr
    expect(keywordParam('x', 'file=')).toBe('');
  });
});

describe('-infindex and actions', () => {
  it('indexes by key name with a strtoul field', () => {
    const set = twoFiles();
    set.index('b.csv', '0');
    expect(set.lookup('b.csv', 'b1')).toBe(1);
    expect(set.lookup('b.csv', 'zz')).toBe(-1);
    set.index('b.csv', '0x1');
    expect(set.lookup('b.csv', 'B0')).toBe(0);
    set.index('b.csv', '');
    expect(set.lookup('b.csv', 'b0')).toBe(0);
  });

  it('-infindex errors', () => {
    const set = twoFiles();
    expect(errorOf(() => set.index('sub/b.csv', '0')).message).toBe('Could not find file for -infindex: sub/b.csv');
    expect(errorOf(() => set.index('b.csv', 'x')).message).toBe('Invalid field specification for -infindex: x');
    expect(errorOf(() => set.index('b.csv', '1x')).message).toBe('Invalid field specification for -infindex: 1x');
    expect(errorOf(() => set.lookup('a.csv', 'a0')).message).toBe('a.csv: Invalid Index File: a.csv');
  });

  it('follows the SIPp run of lookup, insert and replace call after call', () => {
    // Scenario of the real run: per call, lookup b1 / zz / [field0 file="a.csv"] in b.csv, send,
    // then insert "b1;INS<call>" and replace line 0 with "r<call>;R". Calls do not overlap.
    const set = new InjectionSet();
    set.add('sub/b.csv', 'SEQUENTIAL\nb0;B0\nb1;B1\n');
    set.add('a.csv', 'SEQUENTIAL\nb0\nb1\nb2\n');
    set.index('b.csv', '0');
    const got: string[] = [];
    for (let call = 1; call <= 4; call++) {
      const lines = set.linesForNewCall(ctx);
      const n = set.lookup('b.csv', 'b1');
      const m = set.lookup('b.csv', 'zz');
      const k = set.lookup('b.csv', set.fieldText(lines, 'a.csv', 0));
      const ln = set.fieldText(lines, 'b.csv', 1, `${n}.000000`);
      got.push(`${n} ${m} ${k} ${ln} ${set.fieldText(lines, 'b.csv', 0)} ${set.fieldText(lines, 'b.csv', 1)}`);
      set.insert('b.csv', `b1;INS${call}`);
      set.replace('b.csv', '0', `r${call};R`);
    }
    expect(got).toEqual(['1 -1 0 B1 b0 B0', '2 -1 2 INS1 b1 B1', '3 -1 -1 INS2 b1 INS1', '4 -1 -1 INS3 b1 INS2']);
  });

  it('action errors', () => {
    const set = twoFiles();
    expect(errorOf(() => set.insert('nope.csv', 'x')).message).toBe('Invalid injection file for insert: nope.csv');
    expect(errorOf(() => set.lookup('nope.csv', 'x')).message).toBe('Invalid injection file for insert: nope.csv');
    expect(errorOf(() => set.replace('b.csv', '0x', 'x')).message).toBe('Invalid line number for replace: 0x');
    expect(errorOf(() => set.replace('b.csv', '5', 'x')).detail).toBe('Invalid line number (5) for file: sub/b.csv (2 lines)');
    set.replace('b.csv', '1.5', 'z;Z');
    expect(set.get('b.csv')!.field(1, 1)).toBe('Z');
  });
});

describe('C number readers', () => {
  it('strtoul base 0', () => {
    expect(strtoulBase0('12,')).toEqual({ value: 12, end: 2 });
    expect(strtoulBase0('0x1F')).toEqual({ value: 31, end: 4 });
    expect(strtoulBase0('017')).toEqual({ value: 15, end: 3 });
    expect(strtoulBase0('09')).toEqual({ value: 0, end: 1 });
    expect(strtoulBase0(' -1')).toEqual({ value: -1, end: 3 });
    expect(strtoulBase0('x')).toEqual({ value: 0, end: 0 });
    expect(strtoulBase0('0x')).toEqual({ value: 0, end: 1 });
    expect(strtoulBase0('a=5', 2)).toEqual({ value: 5, end: 3 });
  });

  it('atoi and strtod', () => {
    expect(atoi(' -12x')).toBe(-12);
    expect(atoi('')).toBe(0);
    expect(strtodWhole('2.5')).toEqual({ value: 2.5, whole: true });
    expect(strtodWhole('0x1p3')).toEqual({ value: 8, whole: true });
    expect(strtodWhole('  ')).toEqual({ value: 0, whole: false });
    expect(strtodWhole('')).toEqual({ value: 0, whole: true });
    expect(strtodWhole('1x')).toEqual({ value: 1, whole: false });
  });

  it('printf %d', () => {
    expect(formatIntC('', -7)).toBe('-7');
    expect(formatIntC('05', -7)).toBe('-0007');
    expect(formatIntC('-05', -7)).toBe('-7   ');
    expect(formatIntC('05.3', -7)).toBe(' -007');
    expect(formatIntC('10.5', -7)).toBe('    -00007');
    expect(formatIntC('1.2.3', 7)).toBe('%1.2.3d');
  });
});
