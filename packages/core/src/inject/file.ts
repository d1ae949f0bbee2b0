// One SIPp injection file (-inf), as SIPp 3.6.1 reads and uses it (src/infile.cpp, FileContents).
// Checked against /usr/bin/sipp 3.6.1 (Debian sip-tester); see docs/injection.md.

import { formatIntC, strtoulBase0, toInt32 } from './cnum.js';
import { InjectionError } from './errors.js';

/** How calls pick their line: SIPp's first-line keyword. */
export type InjectionMode = 'SEQUENTIAL' | 'RANDOM' | 'USER';

/** The PRINTF settings of the first line (`SEQUENTIAL,PRINTF=10,PRINTFOFFSET=100,PRINTFMULTIPLE=2`). */
export interface PrintfSettings {
  /** PRINTF=N: the number of virtual lines calls choose from. */
  readonly virtualLines: number;
  /** PRINTFOFFSET=M (default 0). */
  readonly offset: number;
  /** PRINTFMULTIPLE=K (default 1). */
  readonly multiple: number;
}

export interface InjectionParseOptions {
  /**
   * Where SIPp's WARNINGs go (it prints them and carries on): `Field N not found in the file X`
   * when a line has fewer fields than asked. Default: dropped.
   */
  onWarning?: (message: string) => void;
}

/** What a call needs to choose its line of a file. */
export interface NewCallContext {
  /** SIPp's user id of the call: 1..N with -users N, 0 otherwise. */
  readonly userId: number;
  /** A number in [0, 1), Math.random-like; only RANDOM files call it (once per new call). */
  readonly random: () => number;
}

/** A compiled PRINTF field: literal text and `%...d` conversions. */
type PrintfPiece = string | { spec: string };

/**
 * Parses the text of an injection file.
 *
 * `text` is the file's bytes decoded as latin1 (one character per byte, as SIPp works on bytes);
 * `name` is the file as given on the command line (SIPp names it so in its messages). Only `\n`
 * ends a line: a `\r` before it stays part of the line, and so of its last field, as in SIPp.
 *
 * Throws InjectionError with SIPp's text for an unknown mode keyword, a bad PRINTF setting, or a
 * file without data lines.
 */
export function parseInjectionFile(text: string, name: string, options: InjectionParseOptions = {}): InjectionFile {
  const lines = text.split('\n');
  const header = lines[0]!;
  const at = (detail: string): InjectionError => new InjectionError(name, 1, detail);

  // SIPp searches the keywords anywhere in the first line, RANDOM first.
  let mode: InjectionMode;
  if (header.includes('RANDOM')) mode = 'RANDOM';
  else if (header.includes('SEQUENTIAL')) mode = 'SEQUENTIAL';
  else if (header.includes('USER')) mode = 'USER';
  else throw at(`Unknown file type (valid values are RANDOM, SEQUENTIAL, and USER) for ${name}:${header}`);

  let printf: PrintfSettings | undefined;
  let virtualLines = 0;
  let offset = 0;
  let multiple = 1;
  // Each setting is found by its first occurrence in the line: `PRINTF` is also the beginning of
  // `PRINTFOFFSET`, so PRINTF=N must come before the two others (as in SIPp).
  let p = header.indexOf('PRINTF');
  if (p >= 0) {
    p += 'PRINTF'.length;
    if (header[p] !== '=') throw at(`Invalid file printf specification (requires =) for ${name}:${header}`);
    const { value, end } = strtoulBase0(header, p + 1);
    const c = header[end];
    if (c !== undefined && c !== '\r' && c !== ',') {
      throw at(`Invalid file printf specification for (invalid end character '${c}') ${name}:${header}`);
    }
    if (value === 0) throw at(`A printf file must have at least one virtual line ${name}:${header}`);
    virtualLines = value;
  }
  p = header.indexOf('PRINTFOFFSET');
  if (p >= 0) {
    p += 'PRINTFOFFSET'.length;
    if (header[p] !== '=') throw at(`Invalid file PRINTFOFFSET specification (requires =) for ${name}:${header}`);
    const { value, end } = strtoulBase0(header, p + 1);
    const c = header[end];
    if (c !== undefined && c !== ',') {
      throw at(`Invalid PRINTFOFFSET specification for (invalid end character '${c}') ${name}:${header}`);
    }
    offset = value;
  }
  p = header.indexOf('PRINTFMULTIPLE');
  if (p >= 0) {
    p += 'PRINTFMULTIPLE'.length;
    if (header[p] !== '=') throw at(`Invalid PRINTFMULTIPLE specification (requires =) for ${name}:${header}`);
    const { value, end } = strtoulBase0(header, p + 1);
    const c = header[end];
    if (c !== undefined && c !== ',') {
      // SIPp's own text names PRINTFOFFSET here.
      throw at(`Invalid PRINTFOFFSET specification for (invalid end character '${c}') ${name}:${header}`);
    }
    multiple = value;
  }
  if (virtualLines !== 0) printf = { virtualLines, offset, multiple };

  // Data lines: up to the first empty line (or the end); lines starting with '#' are skipped.
  const data: string[] = [];
  const sourceLines: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') break;
    if (line.charCodeAt(0) === 0x23 /* # */) continue;
    data.push(line);
    sourceLines.push(i + 1);
  }
  if (data.length === 0) throw new InjectionError(name, undefined, `Input file has zero lines: ${name}`);

  return new InjectionFile(name, mode, printf, data, sourceLines, options.onWarning);
}

/**
 * One injection file in memory: its lines, the SEQUENTIAL counter, the -infindex index.
 *
 * Line numbers are SIPp's: 0-based over the data lines (comments and the mode line not counted);
 * in a PRINTF file they go over the virtual lines, 0..PRINTF-1.
 */
export class InjectionFile {
  private counter = 0;
  private indexedField = -1;
  private indexMap: Map<string, number> | undefined;
  private readonly compiled = new Map<string, PrintfPiece[]>();

  /** @internal Use parseInjectionFile. */
  constructor(
    /** The file as the user named it (the -inf argument). */
    readonly name: string,
    readonly mode: InjectionMode,
    /** The PRINTF settings; undefined for an ordinary file. */
    readonly printf: PrintfSettings | undefined,
    private readonly data: string[],
    /** 1-based line in the file of each data line; 0 for lines added by `insert`. */
    private readonly sourceLines: number[],
    private readonly onWarning: ((message: string) => void) | undefined,
  ) {}

  /** Lines calls choose from: PRINTF's virtual lines, else the data lines (inserts included). */
  get lineCount(): number {
    return this.printf ? this.printf.virtualLines : this.data.length;
  }

  /** The data lines really in the file (inserts included). */
  get realLineCount(): number {
    return this.data.length;
  }

  /** The field -infindex indexed, -1 when none. */
  get indexField(): number {
    return this.indexedField;
  }

  /** The 1-based line in the file a (virtual) line comes from; 0 for a line added by `insert`. */
  sourceLineOf(line: number): number {
    const real = this.printf ? line % this.data.length : line;
    return this.sourceLines[real] ?? 0;
  }

  /** The text of a line, as stored (no PRINTF expansion; a virtual line maps to line % real). */
  lineText(line: number): string {
    const real = this.printf ? line % this.data.length : line;
    const text = this.data[real];
    if (text === undefined) throw new RangeError(`${this.name}: no line ${line}`);
    return text;
  }

  /**
   * SIPp's getField: field `field` (0-based, `;`-separated) of line `line`.
   *
   * - A line at or past `lineCount`, or negative, gives ''.
   * - A line with fewer fields gives '' (and the SIPp warning `Field N not found in the file X`);
   *   a field that exists but is empty gives '' without warning.
   * - In a PRINTF file, virtual line L reads data line L % realLineCount and each `%<spec>d` of
   *   the field becomes printf of `PRINTFOFFSET + L * PRINTFMULTIPLE`. `<spec>` may only hold
   *   digits, `.` and `-`; anything else, or a `%` without its `d`, is SIPp's fatal error, thrown
   *   as InjectionError at the line. `%%` is not an escape in SIPp: it gives one `%` and the
   *   second `%` starts a conversion (`a%%d` is `a%` then the number).
   */
  field(line: number, field: number): string {
    if (line < 0 || line >= this.lineCount) return '';
    const real = this.printf ? line % this.data.length : line;
    const text = this.data[real]!;
    let start = 0;
    for (let k = 0; k < field; k++) {
      const semi = text.indexOf(';', start);
      if (semi < 0) {
        this.onWarning?.(`Field ${field} not found in the file ${this.name}`);
        return '';
      }
      start = semi + 1;
    }
    const semi = text.indexOf(';', start);
    const value = text.slice(start, semi < 0 ? text.length : semi);
    if (value === '' || !this.printf) return value;
    const n = toInt32(BigInt(this.printf.offset) + BigInt(line) * BigInt(this.printf.multiple));
    let out = '';
    for (const piece of this.compilePrintf(value, real)) out += typeof piece === 'string' ? piece : formatIntC(piece.spec, n);
    return out;
  }

  /**
   * The line a new call uses (SIPp's nextLine, called once per file when a call is created).
   *
   * - SEQUENTIAL: 0, 1, ... wrapping at `lineCount` (one counter per file, shared by all calls;
   *   lines added by `insert` count from the next wrap on).
   * - RANDOM: floor(random() * lineCount) (SIPp: rand() % lineCount).
   * - USER: userId - 1; -1 (every field empty) for userId 0, i.e. a call without -users. A user
   *   past the last line is SIPp's fatal error `X has only N lines, yet user U was requested.`
   */
  lineForNewCall(ctx: NewCallContext): number {
    const n = this.lineCount;
    switch (this.mode) {
      case 'RANDOM':
        return Math.min(n - 1, Math.floor(ctx.random() * n));
      case 'SEQUENTIAL': {
        const line = this.counter;
        this.counter = (this.counter + 1) % n;
        return line;
      }
      case 'USER':
        if (ctx.userId === 0) return -1;
        if (ctx.userId - 1 >= n) {
          throw new InjectionError(this.name, undefined, `${this.name} has only ${n} lines, yet user ${ctx.userId} was requested.`);
        }
        return ctx.userId - 1;
    }
  }

  /**
   * -infindex: index the lines by the text of `field` (PRINTF-expanded). When several lines have
   * the same key the last one wins. Indexing a PRINTF file with more virtual than real lines makes
   * SIPp 3.6.1 abort on an assertion; this throws instead.
   */
  index(field: number): void {
    this.indexedField = field;
    this.indexMap = new Map();
    for (let line = 0; line < this.lineCount; line++) this.reIndex(line);
  }

  /** The `lookup` action: the line whose indexed field is `key`, -1 when none. */
  lookup(key: string): number {
    if (this.indexedField === -1 || !this.indexMap) throw new InjectionError(this.name, undefined, `Invalid Index File: ${this.name}`);
    return this.indexMap.get(key) ?? -1;
  }

  /** The `insert` action: adds a line at the end (and to the index). Not allowed on PRINTF files. */
  insert(value: string): void {
    this.refusePrintf();
    this.data.push(value);
    this.sourceLines.push(0);
    if (this.indexedField !== -1) this.reIndex(this.data.length - 1);
  }

  /** The `replace` action: replaces line `line` (0-based, within the real lines). */
  replace(line: number, value: string): void {
    this.refusePrintf();
    if (line >= this.data.length || line < 0) {
      throw new InjectionError(this.name, undefined, `Invalid line number (${line}) for file: ${this.name} (${this.data.length} lines)`);
    }
    this.deIndex(line);
    this.data[line] = value;
    this.compiled.clear();
    this.reIndex(line);
  }

  private refusePrintf(): void {
    if (this.printf) throw new InjectionError(this.name, undefined, `Can not insert or replace into a printf file: ${this.name}`);
  }

  private reIndex(line: number): void {
    if (this.indexedField === -1) return;
    if (line >= this.data.length) {
      throw new InjectionError(
        this.name,
        undefined,
        `-infindex on a PRINTF file with more virtual lines (${this.lineCount}) than real lines (${this.data.length}): SIPp 3.6.1 aborts (assertion \`line < realLinesInFile' failed)`,
      );
    }
    this.indexMap!.set(this.field(line, this.indexedField), line);
  }

  private deIndex(line: number): void {
    if (this.indexedField === -1) return;
    const key = this.field(line, this.indexedField);
    if (this.indexMap!.get(key) === line) this.indexMap!.delete(key);
  }

  private compilePrintf(value: string, real: number): PrintfPiece[] {
    const cacheKey = `${real}\u0000${value}`;
    const hit = this.compiled.get(cacheKey);
    if (hit) return hit;
    const fail = (detail: string): InjectionError => {
      const source = this.sourceLines[real] ?? 0;
      return new InjectionError(this.name, source === 0 ? undefined : source, detail);
    };
    const pieces: PrintfPiece[] = [];
    let literal = '';
    const l = value.length;
    for (let i = 0; i < l; i++) {
      if (value[i] !== '%') {
        literal += value[i];
        continue;
      }
      if (value[i + 1] === '%') {
        // SIPp copies one '%' and goes on with the second one, which starts a conversion.
        literal += '%';
        continue;
      }
      const from = i + 1;
      i++;
      while (value[i] !== 'd') {
        if (i === l) throw fail(`Invalid printf injection field (ran off end of line): ${value}`);
        const c = value.charCodeAt(i);
        if (!((c >= 48 && c <= 57) || c === 0x2e || c === 0x2d)) {
          throw fail(`Invalid printf injection field (only decimal values allowed '${value[i]}'): ${value}`);
        }
        i++;
      }
      if (literal !== '') pieces.push(literal);
      literal = '';
      pieces.push({ spec: value.slice(from, i) });
    }
    if (literal !== '') pieces.push(literal);
    this.compiled.set(cacheKey, pieces);
    return pieces;
  }
}
