/**
 * Attribute value conversions exactly as SIPp's scenario.cpp does them (get_long, get_double,
 * get_bool), so that the values SIPp accepts or refuses are the same here. Each returns
 * undefined for a value SIPp refuses; the caller words the error as SIPp does.
 */

const C_SPACE = '[ \\t\\n\\v\\f\\r]*';

const STRTOL_DECIMAL = new RegExp(`^${C_SPACE}([+-]?)([1-9][0-9]*)$`);
const STRTOL_HEX = new RegExp(`^${C_SPACE}([+-]?)0[xX]([0-9a-fA-F]+)$`);
const STRTOL_OCTAL = new RegExp(`^${C_SPACE}([+-]?)(0[0-7]*)$`);

/** C `strtol(s, &end, 0)` that must consume the whole string (SIPp's get_long). */
export function parseCLong(text: string): number | undefined {
  if (text === '') return 0; // strtol of "" stops at the terminating NUL: SIPp reads 0
  let m = STRTOL_DECIMAL.exec(text);
  if (m) return sign(m[1]!) * Number(m[2]);
  m = STRTOL_HEX.exec(text);
  if (m) return sign(m[1]!) * parseInt(m[2]!, 16);
  m = STRTOL_OCTAL.exec(text);
  if (m) return sign(m[1]!) * parseInt(m[2]!, 8);
  return undefined;
}

const STRTOD = new RegExp(
  `^${C_SPACE}([+-]?)(?:((?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)|0[xX]([0-9a-fA-F]+)|(inf(?:inity)?)|(nan))$`,
  'i',
);

/** C `strtod(s, &end)` that must consume the whole string (SIPp's get_double). */
export function parseCDouble(text: string): number | undefined {
  if (text === '') return 0;
  const m = STRTOD.exec(text);
  if (!m) return undefined;
  const s = sign(m[1]!);
  if (m[2] !== undefined) return s * Number(m[2]);
  if (m[3] !== undefined) return s * parseInt(m[3], 16);
  if (m[4] !== undefined) return s * Infinity;
  return NaN;
}

/** SIPp's get_bool: "true"/"false" in any case, else an integer (non-zero is true). */
export function parseCBool(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  const n = parseCLong(text);
  return n === undefined ? undefined : n !== 0;
}

function sign(s: string): number {
  return s === '-' ? -1 : 1;
}

/**
 * SIPp's integer table for `<ResponseTimeRepartition value>` / `<CallLengthRepartition value>`:
 * comma-separated unsigned integers, spaces and tabs allowed; each item is read with `%u`.
 * Returns undefined for a malformed list. SIPp sorts the table ascending.
 */
export function parseRepartition(text: string): number[] | undefined {
  if (text === '') return [];
  const values: number[] = [];
  for (const item of text.split(',')) {
    if (!/^[0-9 \t]*$/.test(item) || !/[0-9]/.test(item)) return undefined;
    values.push(Number(/[0-9]+/.exec(item)![0]));
  }
  return values.sort((a, b) => a - b);
}

/** C printf("%lf"): six decimals, and glibc's spellings of the non-finite values. */
export function formatDouble(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  const text = value.toFixed(6);
  // toFixed switches to exponent notation from 1e21 on; printf never does.
  return Math.abs(value) >= 1e21 ? BigInt(Math.trunc(value)).toString() + '.000000' : text;
}
