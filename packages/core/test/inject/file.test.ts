// One injection file: format, modes, fields, PRINTF, index, insert/replace, errors. Every
// expectation here was checked against /usr/bin/sipp 3.6.1 (see sipp-parity.test.ts for the ones
// run automatically) or read in SIPp's src/infile.cpp.
import { describe, expect, it } from 'vitest';
import { InjectionError, parseInjectionFile } from '../../src/inject/index.js';

const never = (): number => {
  throw new Error('random must not be called');
};
const seq = { userId: 0, random: never };

function errorOf(f: () => unknown): InjectionError {
  try {
    f();
  } catch (e) {
    if (e instanceof InjectionError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

describe('format', () => {
  it('reads the mode line, skips # comments, keeps // lines, splits on ;', () => {
    const f = parseInjectionFile('SEQUENTIAL\nalice;pw1\n#comment\nbob;pw2;\n// slash\ncarol\n', 'u.csv');
    expect(f.mode).toBe('SEQUENTIAL');
    expect(f.lineCount).toBe(4);
    expect(f.field(0, 0)).toBe('alice');
    expect(f.field(0, 1)).toBe('pw1');
    expect(f.field(1, 0)).toBe('bob');
    expect(f.field(2, 0)).toBe('// slash');
    expect(f.field(3, 0)).toBe('carol');
  });

  it('keeps the \\r of CRLF lines in the last field, as SIPp does', () => {
    const f = parseInjectionFile('SEQUENTIAL\r\nalice;pw1\r\nbob;pw2;\r\ncarol\r\n', 'u.csv');
    expect(f.field(0, 0)).toBe('alice');
    expect(f.field(0, 1)).toBe('pw1\r');
    expect(f.field(1, 2)).toBe('\r');
    expect(f.field(2, 0)).toBe('carol\r');
  });

  it('a CRLF "empty" line is a data line (it holds \\r); an LF empty line ends the data', () => {
    const crlf = parseInjectionFile('SEQUENTIAL\r\na\r\n\r\nb\r\n', 'x.csv');
    expect(crlf.lineCount).toBe(3);
    expect(crlf.field(1, 0)).toBe('\r');
    const lf = parseInjectionFile('SEQUENTIAL\na\n\nb\n', 'x.csv');
    expect(lf.lineCount).toBe(1);
  });

  it('reads a last line without newline', () => {
    const f = parseInjectionFile('SEQUENTIAL\na\nb;c', 'x.csv');
    expect(f.lineCount).toBe(2);
    expect(f.field(1, 1)).toBe('c');
  });

  it('finds the mode keyword anywhere in the first line, RANDOM before SEQUENTIAL before USER', () => {
    expect(parseInjectionFile('xxSEQUENTIALyy\na\n', 'x').mode).toBe('SEQUENTIAL');
    expect(parseInjectionFile('USER SEQUENTIAL RANDOM\na\n', 'x').mode).toBe('RANDOM');
    expect(parseInjectionFile('USER,SEQUENTIAL\na\n', 'x').mode).toBe('SEQUENTIAL');
    expect(parseInjectionFile('USER\na\n', 'x').mode).toBe('USER');
  });

  it('gives empty text for missing fields and lines, and warns like SIPp only for missing fields', () => {
    const warnings: string[] = [];
    const f = parseInjectionFile('SEQUENTIAL\na;b\nc;\n', 'x.csv', { onWarning: (m) => warnings.push(m) });
    expect(f.field(0, 2)).toBe('');
    expect(warnings).toEqual(['Field 2 not found in the file x.csv']);
    expect(f.field(1, 1)).toBe(''); // exists, empty: no warning
    expect(f.field(2, 0)).toBe(''); // past the last line
    expect(f.field(-1, 0)).toBe('');
    expect(warnings).toHaveLength(1);
    expect(f.field(0, 99)).toBe('');
  });

  it('line text is stored raw', () => {
    const f = parseInjectionFile('SEQUENTIAL\na;b\n', 'x.csv');
    expect(f.lineText(0)).toBe('a;b');
  });
});

describe('errors name the file (and the line)', () => {
  it('an empty file is an unknown type with an empty first line', () => {
    const e = errorOf(() => parseInjectionFile('', 'data/e.csv'));
    expect(e.detail).toBe('Unknown file type (valid values are RANDOM, SEQUENTIAL, and USER) for data/e.csv:');
    expect(e.message).toBe(`data/e.csv:1: ${e.detail}`);
    expect(e.file).toBe('data/e.csv');
    expect(e.line).toBe(1);
  });

  it('an unknown or lower-case mode keyword', () => {
    expect(errorOf(() => parseInjectionFile('sequential\na\n', 't.csv')).detail).toBe(
      'Unknown file type (valid values are RANDOM, SEQUENTIAL, and USER) for t.csv:sequential',
    );
    expect(errorOf(() => parseInjectionFile('#x\na\n', 't.csv')).detail).toContain('for t.csv:#x');
  });

  it('no data line', () => {
    for (const text of ['SEQUENTIAL\n', 'SEQUENTIAL', 'SEQUENTIAL\n\na\n', 'SEQUENTIAL\n#only\n']) {
      const e = errorOf(() => parseInjectionFile(text, 't.csv'));
      expect(e.detail).toBe('Input file has zero lines: t.csv');
      expect(e.message).toBe('t.csv: Input file has zero lines: t.csv');
    }
  });

  it('PRINTF settings', () => {
    const detail = (text: string): string => errorOf(() => parseInjectionFile(`${text}\na\n`, 't.csv')).detail;
    expect(detail('SEQUENTIAL,PRINTF=0')).toBe('A printf file must have at least one virtual line t.csv:SEQUENTIAL,PRINTF=0');
    expect(detail('SEQUENTIAL,PRINTF3')).toBe('Invalid file printf specification (requires =) for t.csv:SEQUENTIAL,PRINTF3');
    expect(detail('SEQUENTIAL,PRINTF=3;PRINTFOFFSET=5')).toBe(
      "Invalid file printf specification for (invalid end character ';') t.csv:SEQUENTIAL,PRINTF=3;PRINTFOFFSET=5",
    );
    // PRINTF must come first: the search for PRINTF finds PRINTFOFFSET.
    expect(detail('SEQUENTIAL,PRINTFOFFSET=5,PRINTF=3')).toBe(
      'Invalid file printf specification (requires =) for t.csv:SEQUENTIAL,PRINTFOFFSET=5,PRINTF=3',
    );
    // A CR after PRINTF=N is accepted, after PRINTFOFFSET=M it is not (SIPp 3.6.1 keeps the CR).
    expect(errorOf(() => parseInjectionFile('SEQUENTIAL,PRINTF=3,PRINTFOFFSET=5\r\na\r\n', 't.csv')).detail).toBe(
      "Invalid PRINTFOFFSET specification for (invalid end character '\r') t.csv:SEQUENTIAL,PRINTF=3,PRINTFOFFSET=5\r",
    );
    expect(parseInjectionFile('SEQUENTIAL,PRINTF=3\r\na\r\n', 't.csv').lineCount).toBe(3);
    expect(parseInjectionFile('SEQUENTIAL,PRINTF=3,PRINTFOFFSET=5,\r\na%d\r\n', 't.csv').field(1, 0)).toBe('a6\r');
    expect(detail('SEQUENTIAL,PRINTF=3,PRINTFMULTIPLE=2x')).toBe(
      "Invalid PRINTFOFFSET specification for (invalid end character 'x') t.csv:SEQUENTIAL,PRINTF=3,PRINTFMULTIPLE=2x",
    );
    expect(detail('SEQUENTIAL,PRINTF=3,PRINTFMULTIPLE')).toBe(
      'Invalid PRINTFMULTIPLE specification (requires =) for t.csv:SEQUENTIAL,PRINTF=3,PRINTFMULTIPLE',
    );
  });
});

describe('line choice', () => {
  it('SEQUENTIAL: one counter per file, wrapping', () => {
    const f = parseInjectionFile('SEQUENTIAL\na\nb\nc\n', 'x');
    expect([1, 2, 3, 4, 5, 6, 7].map(() => f.lineForNewCall(seq))).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('RANDOM: floor(random() * lines), randomness injected', () => {
    const f = parseInjectionFile('RANDOM\na\nb\nc\nd\n', 'x');
    const values = [0, 0.24, 0.25, 0.999999, 0.5];
    const got = values.map((v) => f.lineForNewCall({ userId: 0, random: () => v }));
    expect(got).toEqual([0, 0, 1, 3, 2]);
  });

  it('USER: user id - 1; -1 without -users; a user past the end is an error', () => {
    const f = parseInjectionFile('USER\nu1\nu2\nu3\n', 'data/u.csv');
    expect(f.lineForNewCall({ userId: 3, random: never })).toBe(2);
    expect(f.lineForNewCall({ userId: 1, random: never })).toBe(0);
    expect(f.lineForNewCall({ userId: 0, random: never })).toBe(-1);
    const e = errorOf(() => f.lineForNewCall({ userId: 4, random: never }));
    expect(e.detail).toBe('data/u.csv has only 3 lines, yet user 4 was requested.');
  });

  it('SEQUENTIAL over a PRINTF file walks the virtual lines', () => {
    const f = parseInjectionFile('SEQUENTIAL,PRINTF=5\nu%d\nv%d\n', 'x');
    expect([1, 2, 3, 4, 5, 6].map(() => f.lineForNewCall(seq))).toEqual([0, 1, 2, 3, 4, 0]);
  });
});

describe('PRINTF', () => {
  it('expands %d with PRINTFOFFSET + line * PRINTFMULTIPLE over PRINTF virtual lines', () => {
    const f = parseInjectionFile('SEQUENTIAL,PRINTF=5,PRINTFOFFSET=100,PRINTFMULTIPLE=3\nu%03d;p%d-x;%-4d|\nv%d\n', 'x');
    expect(f.printf).toEqual({ virtualLines: 5, offset: 100, multiple: 3 });
    expect(f.lineCount).toBe(5);
    expect(f.realLineCount).toBe(2);
    expect([0, 1, 2, 3, 4].map((l) => f.field(l, 0))).toEqual(['u100', 'v103', 'u106', 'v109', 'u112']);
    expect(f.field(2, 1)).toBe('p106-x');
    expect(f.field(2, 2)).toBe('106 |');
    expect(f.field(5, 0)).toBe('');
  });

  it('reads numbers as C strtoul base 0', () => {
    expect(parseInjectionFile('SEQUENTIAL,PRINTF=0x3\nx%d\n', 'x').lineCount).toBe(3);
    expect(parseInjectionFile('SEQUENTIAL,PRINTF=010\nx%d\n', 'x').lineCount).toBe(8);
    expect(parseInjectionFile('SEQUENTIAL PRINTF=3\nx%d\n', 'x').lineCount).toBe(3);
  });

  it('%% is not an escape: one % then a conversion', () => {
    const f = parseInjectionFile('SEQUENTIAL,PRINTF=2\na%%d;b%.3d\n', 'x');
    expect(f.field(1, 0)).toBe('a%1');
    expect(f.field(1, 1)).toBe('b001');
  });

  it('glibc widths, flags and precisions', () => {
    const f = parseInjectionFile('SEQUENTIAL,PRINTF=10,PRINTFOFFSET=7\n[%5d];[%-5d];[%05d];[%05.3d];[%10.5d];[%.0d];[%5-3d]\n', 'x');
    const fields = [0, 1, 2, 3, 4, 5, 6].map((k) => f.field(0, k));
    expect(fields).toEqual(['[    7]', '[7    ]', '[00007]', '[  007]', '[     00007]', '[7]', '[%5-3d]']);
    const zero = parseInjectionFile('SEQUENTIAL,PRINTF=2\n[%.0d];[%.d]\n', 'x');
    expect([zero.field(0, 0), zero.field(0, 1)]).toEqual(['[]', '[]']);
  });

  it('a bad conversion is an error at use, naming file:line', () => {
    const f = parseInjectionFile('SEQUENTIAL,PRINTF=2\n#c\na%%b;ok%d;x%5;y%s\n', 'p.csv');
    expect(f.field(0, 1)).toBe('ok0');
    const bad = errorOf(() => f.field(0, 0));
    expect(bad.message).toBe("p.csv:3: Invalid printf injection field (only decimal values allowed 'b'): a%%b");
    expect(errorOf(() => f.field(0, 2)).detail).toBe('Invalid printf injection field (ran off end of line): x%5');
    expect(errorOf(() => f.field(1, 3)).detail).toBe("Invalid printf injection field (only decimal values allowed 's'): y%s");
    const end = parseInjectionFile('SEQUENTIAL,PRINTF=2\na100%%\n', 'p.csv');
    expect(errorOf(() => end.field(0, 0)).detail).toBe('Invalid printf injection field (ran off end of line): a100%%');
  });
});

describe('index, lookup, insert, replace', () => {
  it('indexes a field; lookup gives the line or -1; the last duplicate wins', () => {
    const f = parseInjectionFile('SEQUENTIAL\nb0;B0\nb1;B1\nb0;again\n', 'b.csv');
    f.index(0);
    expect(f.indexField).toBe(0);
    expect(f.lookup('b1')).toBe(1);
    expect(f.lookup('b0')).toBe(2);
    expect(f.lookup('zz')).toBe(-1);
  });

  it('lookup without an index is an error', () => {
    const f = parseInjectionFile('SEQUENTIAL\nb0\n', 'sub/b.csv');
    expect(errorOf(() => f.lookup('b0')).detail).toBe('Invalid Index File: sub/b.csv');
  });

  it('insert adds a last line, reindexes, and SEQUENTIAL sees it at its next wrap', () => {
    const f = parseInjectionFile('SEQUENTIAL\nb0;B0\nb1;B1\n', 'b.csv');
    f.index(0);
    expect(f.lineForNewCall(seq)).toBe(0);
    f.insert('b1;INS1');
    expect(f.lineCount).toBe(3);
    expect(f.lookup('b1')).toBe(2);
    expect(f.lineForNewCall(seq)).toBe(1);
    expect(f.lineForNewCall(seq)).toBe(2);
    expect(f.field(2, 1)).toBe('INS1');
    expect(f.lineForNewCall(seq)).toBe(0);
  });

  it('replace swaps a line and its index entry', () => {
    const f = parseInjectionFile('SEQUENTIAL\nb0;B0\nb1;B1\n', 'b.csv');
    f.index(0);
    f.replace(0, 'r1;R');
    expect(f.field(0, 0)).toBe('r1');
    expect(f.lookup('b0')).toBe(-1);
    expect(f.lookup('r1')).toBe(0);
  });

  it('replace keeps another line holding the same key', () => {
    const f = parseInjectionFile('SEQUENTIAL\nk;1\nk;2\n', 'b.csv');
    f.index(0);
    expect(f.lookup('k')).toBe(1);
    f.replace(0, 'j;3');
    expect(f.lookup('k')).toBe(1);
  });

  it('errors: bad replace line, PRINTF files', () => {
    const f = parseInjectionFile('SEQUENTIAL\nb0;B0\n', 'b.csv');
    expect(errorOf(() => f.replace(1, 'x')).detail).toBe('Invalid line number (1) for file: b.csv (1 lines)');
    expect(errorOf(() => f.replace(-1, 'x')).detail).toBe('Invalid line number (-1) for file: b.csv (1 lines)');
    const p = parseInjectionFile('SEQUENTIAL,PRINTF=2\nq%d;r\n', 'p.csv');
    expect(errorOf(() => p.insert('x;y')).detail).toBe('Can not insert or replace into a printf file: p.csv');
    expect(errorOf(() => p.replace(0, 'x;y')).detail).toBe('Can not insert or replace into a printf file: p.csv');
  });

  it('indexes PRINTF files by the expanded text; more virtual than real lines is refused', () => {
    const p = parseInjectionFile('SEQUENTIAL,PRINTF=2,PRINTFOFFSET=10\nq%d\nr%d\n', 'p.csv');
    p.index(0);
    expect(p.lookup('r11')).toBe(1);
    const q = parseInjectionFile('SEQUENTIAL,PRINTF=3\nq%d\n', 'q.csv');
    expect(errorOf(() => q.index(0)).detail).toContain('SIPp 3.6.1 aborts');
  });
});
