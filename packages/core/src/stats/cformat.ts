// The handful of C/printf conversions SIPp 3.6.1 uses in its statistics outputs, reproduced
// byte for byte (glibc rounding, C++ ostream defaults, SIPp's time helpers). Pure functions.

const TIE_GUARD = 25;

/** printf("%.<digits>f", x) as glibc prints it: exact decimal value, ties rounded to even. */
export function cFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return '-nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  let s: string;
  if (a >= 1e21) {
    s = BigInt(Math.round(a)).toString() + (digits > 0 ? '.' + '0'.repeat(digits) : '');
  } else {
    s = a.toFixed(digits);
    // JS picks the larger candidate on an exact tie; glibc picks the even one.
    const longer = a.toFixed(Math.min(100, digits + TIE_GUARD));
    const tail = longer.slice(longer.length - TIE_GUARD);
    if (tail === '5' + '0'.repeat(TIE_GUARD - 1)) {
      let down = longer.slice(0, longer.length - TIE_GUARD);
      if (down.endsWith('.')) down = down.slice(0, -1);
      const lastDown = down.charCodeAt(down.length - 1) - 48;
      if (lastDown % 2 === 0) s = down;
    }
  }
  return neg ? '-' + s : s;
}

/**
 * printf("%.<precision>g", x), which is also what a C++ ostream prints for a float or double
 * with its default flags (precision 6): `9.99001`, `10`, `0`, `1.23457e+06`.
 */
export function cG(x: number, precision = 6): string {
  if (Number.isNaN(x)) return '-nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const p = precision === 0 ? 1 : precision;
  const exp = Number(x.toExponential(p - 1).split('e')[1]);
  if (exp < -4 || exp >= p) {
    const [mant, e] = x.toExponential(p - 1).split('e') as [string, string];
    const m = stripZeros(mant);
    const en = Number(e);
    const sign = en < 0 ? '-' : '+';
    return `${m}e${sign}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  return stripZeros(cFixed(x, p - 1 - exp));
}

function stripZeros(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

/** `%-W.Ws`: left-aligned in W columns, cut at W. */
export function left(s: string, width: number, cut = true): string {
  return (cut && s.length > width ? s.slice(0, width) : s).padEnd(width, ' ');
}

/** `%Wd` / `%Ws`: right-aligned in at least W columns. */
export function right(s: string | number, width: number): string {
  return String(s).padStart(width, ' ');
}

/** What snprintf leaves of `s` in a buffer of `size` bytes. */
export function cut(s: string, size: number): string {
  return s.length > size - 1 ? s.slice(0, size - 1) : s;
}

const TWO_63 = 1n << 63n;
const TWO_64 = 1n << 64n;

/**
 * C's `(unsigned long)` cast of a double as SIPp 3.6.1 on x86-64 does it. NaN (SIPp's call
 * length standard deviation of a single call is 0/0) becomes 2^63, which SIPp then prints as
 * `2562047788015:12:55:808000`.
 */
export function cUnsignedLong(x: number): bigint {
  if (Number.isNaN(x) || x >= 2 ** 64 || x === -Infinity) return TWO_63;
  const t = BigInt(Math.trunc(x));
  return t < 0n ? (t <= -TWO_63 ? TWO_63 : TWO_64 + t) : t;
}

const pad2 = (n: number | bigint): string => String(n).padStart(2, '0');

/** SIPp's `msToHHMMSS`: `%2.2lu:%2.2lu:%2.2lu` of whole seconds (the -trace_stat elapsed columns). */
export function msToHHMMSS(ms: number): string {
  const sec = Math.floor(Math.max(0, ms) / 1000);
  const hh = Math.floor(sec / 3600);
  const mm = Math.floor((sec - hh * 3600) / 60);
  const ss = sec - hh * 3600 - mm * 60;
  return `${pad2(hh)}:${pad2(mm)}:${pad2(ss)}`;
}

/**
 * SIPp's `msToHHMMSSus`: `%2.2lu:%2.2lu:%2.2lu:%06lu`, the value being whole ms (so the last
 * field is always a multiple of 1000). A number is first cast like C's `(unsigned long)`.
 */
export function msToHHMMSSus(ms: number | bigint): string {
  if (typeof ms === 'number') {
    if (Number.isFinite(ms) && ms >= 0 && ms < 2 ** 53) {
      const v = Math.trunc(ms);
      const sec = Math.floor(v / 1000);
      const hh = Math.floor(sec / 3600);
      const mm = Math.floor((sec - hh * 3600) / 60);
      const ss = sec - hh * 3600 - mm * 60;
      const us = 1000 * (v - hh * 3_600_000 - mm * 60_000 - ss * 1000);
      return `${pad2(hh)}:${pad2(mm)}:${pad2(ss)}:${String(us).padStart(6, '0')}`;
    }
    ms = cUnsignedLong(ms);
  }
  const sec = ms / 1000n;
  const hh = sec / 3600n;
  const mm = (sec - hh * 3600n) / 60n;
  const ss = sec - hh * 3600n - mm * 60n;
  const us = 1000n * (ms - hh * 3_600_000n - mm * 60_000n - ss * 1000n);
  return `${pad2(hh)}:${pad2(mm)}:${pad2(ss)}:${String(us).padStart(6, '0')}`;
}

export interface TimeFormatOptions {
  /** Print the calendar fields in UTC instead of the local time zone (SIPp uses localtime(3)). */
  utc?: boolean;
}

/**
 * Splits epoch ms into whole seconds and microseconds (a timeval). Rounds to the nearest µs:
 * an epoch in ms carries sub-µs noise in a double (its ulp is about 0.24 µs).
 */
export function toTimeval(wallMs: number): { sec: number; usec: number } {
  const totalUs = Math.round(wallMs * 1000);
  const sec = Math.floor(totalUs / 1_000_000);
  return { sec, usec: totalUs - sec * 1_000_000 };
}

/**
 * SIPp's `formatTime`: `YYYY-MM-DD<TAB>HH:MM:SS.uuuuuu<TAB>EPOCH.uuuuuu`, the calendar part in
 * local time (TZ) as SIPp's localtime(3), the epoch zero-padded to 10 digits.
 */
export function sippTime(wallMs: number, options: TimeFormatOptions = {}): string {
  const { sec, usec } = toTimeval(wallMs);
  const d = new Date(sec * 1000);
  const utc = options.utc === true;
  const y = utc ? d.getUTCFullYear() : d.getFullYear();
  const mo = (utc ? d.getUTCMonth() : d.getMonth()) + 1;
  const da = utc ? d.getUTCDate() : d.getDate();
  const h = utc ? d.getUTCHours() : d.getHours();
  const mi = utc ? d.getUTCMinutes() : d.getMinutes();
  const s = utc ? d.getUTCSeconds() : d.getSeconds();
  const us = String(usec).padStart(6, '0');
  const date = `${String(y).padStart(4, '0')}-${pad2(mo)}-${pad2(da)}`;
  return `${date}\t${pad2(h)}:${pad2(mi)}:${pad2(s)}.${us}\t${String(sec).padStart(10, '0')}.${us}`;
}

/** SIPp's `time_string(double ms)`: how a pause duration is shown on the scenario screen. */
export function sippTimeString(ms: number): string {
  if (ms < 10000) {
    if (Math.trunc(ms + 0.9999) === Math.trunc(ms)) return `${Math.trunc(ms)}ms`;
    return ms < 1000 ? `${cFixed(ms, 2)}ms` : `${cFixed(ms, 1)}ms`;
  }
  if (ms < 60000) return `${cFixed(ms / 1000, 1)}s`;
  const total = Math.trunc(ms / 1000);
  if (ms < 60 * 60000) return `${Math.floor(total / 60)}:${pad2(total % 60)}`;
  const m = Math.floor(total / 60);
  return `${Math.floor(m / 60)}:${pad2(m % 60)}:${pad2(total % 60)}`;
}

/**
 * SIPp's call rate: `1000 * (float)calls / (float)elapsedMs` in single precision, 0 when no
 * time has passed.
 */
export function sippCallRate(calls: number, elapsedMs: number): number {
  if (!(elapsedMs > 0)) return 0;
  const f = Math.fround;
  return f(f(1000 * f(calls)) / f(elapsedMs));
}
