// All the -inf files of a run, as SIPp 3.6.1 keeps them (src/sipp.cpp: the -inf and -infindex
// options; src/call.cpp: line choice at call creation, getFieldFromInputFile, lookup/insert/replace).

import { doubleToInt, strtodWhole, strtoulBase0 } from './cnum.js';
import { InjectionError } from './errors.js';
import { parseInjectionFile, type InjectionFile, type InjectionParseOptions, type NewCallContext } from './file.js';
import type { FieldKeyword } from './keyword.js';

/** The line each file gives one call: file key (basename) -> line (-1: none, fields are empty). */
export type CallLines = ReadonlyMap<string, number>;

/**
 * SIPp's key for an -inf file: the part after the last '/' (or, when there is none, after the
 * last '\'). `-inf data/users.csv` is `users.csv` in `[field0 file="users.csv"]`, in
 * `-infindex users.csv 0` and in actions.
 */
export function injectionFileKey(path: string): string {
  const slash = path.lastIndexOf('/');
  if (slash >= 0) return path.slice(slash + 1);
  const back = path.lastIndexOf('\\');
  return back >= 0 ? path.slice(back + 1) : path;
}

/** Byte order of latin1 strings (std::map<std::string> order). */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The -inf files of a run.
 *
 * Build it in command-line order: `add` for each -inf, `index` for each -infindex (SIPp handles
 * them in order, so an -infindex before its -inf is an error). Then, per new call (not for
 * automatic answers created by -aa / out-of-call scenarios), `linesForNewCall` once, and keep the
 * result with the call.
 */
export class InjectionSet {
  private readonly files = new Map<string, InjectionFile>();
  private defaultKey: string | undefined;
  private sortedKeys: string[] = [];

  /**
   * Adds an -inf file. `path` is the argument as given (used in messages), `text` its bytes as
   * latin1. Its key is `injectionFileKey(path)`; a later file with the same key replaces the
   * earlier one (as in SIPp, whose default stays that key). The first file added is the default
   * for `[fieldN]` without `file=` (and SIPp's file for -ip_field). Throws InjectionError.
   */
  add(path: string, text: string, options?: InjectionParseOptions): InjectionFile {
    const file = parseInjectionFile(text, path, options);
    const key = injectionFileKey(path);
    this.files.set(key, file);
    this.defaultKey ??= key;
    this.sortedKeys = [...this.files.keys()].sort(byteOrder);
    return file;
  }

  /** The key of the default file (the first -inf), undefined when there is no -inf. */
  get defaultName(): string | undefined {
    return this.defaultKey;
  }

  /** The keys of the files, in the order SIPp chooses their lines (byte order of the keys). */
  get names(): readonly string[] {
    return this.sortedKeys;
  }

  get size(): number {
    return this.files.size;
  }

  /** The file with this key (basename), undefined when none. A path with a '/' never matches. */
  get(key: string): InjectionFile | undefined {
    return this.files.get(key);
  }

  /**
   * -infindex FILE FIELD: `file` must be a key (`users.csv`, not `data/users.csv`), `field` is
   * read by strtoul (base 0: `0x1` and `01` work; an empty text is field 0). Throws SIPp's
   * `Could not find file for -infindex: X` / `Invalid field specification for -infindex: X`.
   */
  index(file: string, field: string): void {
    const target = this.files.get(file);
    if (!target) throw new InjectionError('', undefined, `Could not find file for -infindex: ${file}`);
    const { value, end } = strtoulBase0(field);
    if (end !== field.length) throw new InjectionError('', undefined, `Invalid field specification for -infindex: ${field}`);
    target.index(value);
  }

  /**
   * The lines of a new call, one per file, chosen in byte order of the keys (SIPp's map order;
   * it matters only for the order RANDOM files call `random`). Every file advances, whether the
   * scenario uses it or not. Throws InjectionError for a USER file without a line for the user.
   */
  linesForNewCall(ctx: NewCallContext): CallLines {
    const lines = new Map<string, number>();
    for (const key of this.sortedKeys) lines.set(key, this.files.get(key)!.lineForNewCall(ctx));
    return lines;
  }

  /**
   * Checks a `[fieldN ...]` keyword when the scenario is loaded, as SIPp does, and returns the key
   * of its file. Throws `No injection file was specified!` (no -inf at all) or
   * `Invalid injection file: X` (X is the file= text).
   */
  resolveKeyword(keyword: FieldKeyword): string {
    if (keyword.file === undefined) {
      if (this.defaultKey === undefined) throw new InjectionError('', undefined, 'No injection file was specified!');
      return this.defaultKey;
    }
    if (!this.files.has(keyword.file)) throw new InjectionError('', undefined, `Invalid injection file: ${keyword.file}`);
    return keyword.file;
  }

  /**
   * The text of `[fieldN file=... line=...]` for a call.
   *
   * `file` is the key from resolveKeyword; `lines` the call's lines. `lineText`, when the keyword
   * has `line=`, is that parameter rendered for this call: SIPp reads it with strtod (`2`, `2.9`,
   * ` 2`, `2e0`, `[$n]`'s `2.000000` are line 2), throws `Invalid line number generated: 'X'`
   * when text is left over, and a line greater than lineCount renders '' (equal to it also renders
   * '', being past the last line). Negative lines render ''.
   *
   * `lines` is undefined for an automatic call (created by -aa, -oocsn or -oocsf: SIPp gives
   * those no lines); SIPp 3.6.1 then stops the run: `Automatic calls (created by -aa, -oocsn or
   * -oocsf) cannot use input files!` (checked with a real -oocsf run), thrown here too.
   */
  fieldText(lines: CallLines | undefined, file: string, field: number, lineText?: string): string {
    if (lines === undefined) {
      throw new InjectionError('', undefined, 'Automatic calls (created by -aa, -oocsn or -oocsf) cannot use input files!');
    }
    const target = this.files.get(file);
    if (!target) throw new InjectionError('', undefined, `Invalid injection file: ${file}`);
    let line = lines.get(file) ?? -1;
    if (lineText !== undefined) {
      const { value, whole } = strtodWhole(lineText);
      if (!whole) throw new InjectionError('', undefined, `Invalid line number generated: '${lineText}'`);
      line = doubleToInt(value);
      if (line > target.lineCount) line = -1;
    }
    if (line < 0) return '';
    return target.field(line, field);
  }

  /**
   * The `lookup` action (`<lookup assign_to="v" file="users.csv" key="[field0]"/>`): the line of
   * `key` in the file's -infindex index, -1 when absent. SIPp stores it in the variable as a
   * number. Throws `Invalid injection file for insert: X` (sic) for an unknown file and
   * `Invalid Index File: X` when the file has no -infindex.
   */
  lookup(file: string, key: string): number {
    return this.actionTarget(file).lookup(key);
  }

  /** The `insert` action: adds `value` (rendered) as a new last line of the file. */
  insert(file: string, value: string): void {
    this.actionTarget(file).insert(value);
  }

  /**
   * The `replace` action: `lineText` is the rendered `line=`, read with strtod (SIPp:
   * `Invalid line number for replace: X` when text is left over), then the line must exist.
   */
  replace(file: string, lineText: string, value: string): void {
    const target = this.actionTarget(file);
    const { value: n, whole } = strtodWhole(lineText);
    if (!whole) throw new InjectionError('', undefined, `Invalid line number for replace: ${lineText}`);
    target.replace(doubleToInt(n), value);
  }

  private actionTarget(file: string): InjectionFile {
    const target = this.files.get(file);
    if (!target) throw new InjectionError('', undefined, `Invalid injection file for insert: ${file}`);
    return target;
  }
}
