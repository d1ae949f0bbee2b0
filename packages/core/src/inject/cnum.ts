// The C library number readers and the printf `%d` SIPp's injection code relies on, with glibc's
// behaviour (SIPp 3.6.1 on Debian): strtoul(base 0), strtod, atoi, and sprintf("%<spec>d").

/** C isspace(). */
export function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function digitValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 90) return c - 55;
  if (c >= 97 && c <= 122) return c - 87;
  return 99;
}

/** A C `int` from any integer (two's complement wrap to 32 bits, as x86 does). */
export function toInt32(n: bigint | number): number {
  return Number(BigInt.asIntN(32, typeof n === 'bigint' ? n : BigInt(Math.trunc(n))));
}

/**
 * `strtoul(text + from, &end, 0)` assigned to an `int`: leading spaces, an optional sign, then a
 * hex (`0x`), octal (`0`) or decimal number. `end` is where reading stopped; `from` when there is
 * no number at all (C: endptr = the start).
 */
export function strtoulBase0(text: string, from = 0): { value: number; end: number } {
  let i = from;
  while (i < text.length && isCSpace(text.charCodeAt(i))) i++;
  let negative = false;
  const sign = text.charCodeAt(i);
  if (sign === 0x2b /* + */ || sign === 0x2d /* - */) {
    negative = sign === 0x2d;
    i++;
  }
  let base = 10;
  if (text.charCodeAt(i) === 0x30 /* 0 */) {
    const x = text.charCodeAt(i + 1);
    if ((x === 0x78 || x === 0x58) && digitValue(text.charCodeAt(i + 2)) < 16) {
      base = 16;
      i += 2;
    } else {
      base = 8;
    }
  }
  const digitsStart = i;
  let value = 0n;
  const max = (1n << 64n) - 1n;
  let overflow = false;
  while (i < text.length) {
    const d = digitValue(text.charCodeAt(i));
    if (d >= base) break;
    value = value * BigInt(base) + BigInt(d);
    if (value > max) overflow = true;
    i++;
  }
  if (i === digitsStart) return { value: 0, end: from };
  if (overflow) value = max; // ULONG_MAX, then the int cast: -1
  if (negative) value = -value;
  return { value: toInt32(value), end: i };
}

/** C atoi(): spaces, a sign, decimal digits; 0 when none. */
export function atoi(text: string): number {
  let i = 0;
  while (i < text.length && isCSpace(text.charCodeAt(i))) i++;
  let negative = false;
  const sign = text.charCodeAt(i);
  if (sign === 0x2b || sign === 0x2d) {
    negative = sign === 0x2d;
    i++;
  }
  let value = 0n;
  while (i < text.length && isDigit(text.charCodeAt(i))) {
    value = value * 10n + BigInt(text.charCodeAt(i) - 48);
    i++;
  }
  return toInt32(negative ? -value : value);
}

const STRTOD_DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const STRTOD_HEX = /^[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?/;
const STRTOD_SPECIAL = /^[+-]?(?:inf(?:inity)?|nan(?:\([0-9A-Za-z_]*\))?)/i;

/**
 * C strtod() on the whole text: the number it reads and whether it read all of the text (SIPp
 * checks `*endptr == 0`). An empty text reads as 0 with nothing left over; spaces alone do not.
 */
export function strtodWhole(text: string): { value: number; whole: boolean } {
  let i = 0;
  while (i < text.length && isCSpace(text.charCodeAt(i))) i++;
  const rest = text.slice(i);
  let read: string;
  let value: number;
  const hex = STRTOD_HEX.exec(rest);
  const dec = hex ? null : STRTOD_DECIMAL.exec(rest);
  const special = hex || dec ? null : STRTOD_SPECIAL.exec(rest);
  if (hex) {
    read = hex[0];
    value = hexFloat(read);
  } else if (dec) {
    read = dec[0];
    value = Number(read);
  } else if (special) {
    read = special[0];
    const inf = /^[+-]?inf/i.test(read);
    value = inf ? (read.startsWith('-') ? -Infinity : Infinity) : NaN;
  } else {
    // No number: C leaves endptr at the very start, spaces included.
    return { value: 0, whole: text.length === 0 };
  }
  return { value, whole: i + read.length === text.length };
}

function hexFloat(s: string): number {
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)(?:[pP]([+-]?\d+))?$/.exec(s)!;
  const int = m[2] === '' ? 0 : parseInt(m[2]!, 16);
  const frac = m[3] === '' ? 0 : parseInt(m[3]!, 16) / 16 ** m[3]!.length;
  const value = (int + frac) * 2 ** (m[4] === undefined ? 0 : Number(m[4]));
  return m[1] === '-' ? -value : value;
}

/** `(int) someDouble` on x86: truncation; NaN and out of range give INT_MIN. */
export function doubleToInt(value: number): number {
  if (!Number.isFinite(value)) return -2147483648;
  const t = Math.trunc(value);
  if (t > 2147483647 || t < -2147483648) return -2147483648;
  return t;
}

const INT_SPEC = /^([-0]*)([1-9]\d*)?(?:\.(\d*))?$/;

/**
 * glibc `sprintf("%<spec>d", value)` for a spec made of digits, `.` and `-` (all SIPp lets
 * through). A spec glibc cannot read (`5-3`, `1.2.3`) is printed as it is, `%` and `d` included.
 */
export function formatIntC(spec: string, value: number): string {
  const m = INT_SPEC.exec(spec);
  if (!m) return `%${spec}d`;
  const left = m[1]!.includes('-');
  const zero = m[1]!.includes('0');
  const width = m[2] === undefined ? 0 : Number(m[2]);
  const precision = m[3] === undefined ? undefined : m[3] === '' ? 0 : Number(m[3]);
  const negative = value < 0;
  let digits = Math.abs(value).toString();
  if (precision !== undefined) {
    if (precision === 0 && value === 0) digits = '';
    else digits = digits.padStart(precision, '0');
  }
  let body = (negative ? '-' : '') + digits;
  if (body.length < width) {
    if (left) body = body.padEnd(width, ' ');
    else if (zero && precision === undefined) body = (negative ? '-' : '') + digits.padStart(width - (negative ? 1 : 0), '0');
    else body = body.padStart(width, ' ');
  }
  return body;
}
