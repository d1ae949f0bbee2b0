// Private helpers shared by the SIP parser, serializer and stream framer.
// Not exported from the package barrel: names here may change.

/** Buffer with Node's undocumented (but long-standing) fast latin1 decoder. */
type Latin1Buffer = Buffer & { latin1Slice?: (start: number, end: number) => string };

const HAS_LATIN1_SLICE = typeof (Buffer.prototype as Latin1Buffer).latin1Slice === 'function';

/** Decode bytes [start, end) as latin1: one char per byte, no validation, cheapest decoder Node has. */
export const latin1: (buf: Buffer, start: number, end: number) => string = HAS_LATIN1_SLICE
  ? (buf, start, end) => (buf as Latin1Buffer).latin1Slice!(start, end)
  : (buf, start, end) => buf.toString('latin1', start, end);

export const CR = 13;
export const LF = 10;
export const SP = 32;
export const HT = 9;

/**
 * Case-insensitive match of `lower` (a lowercase ASCII literal) at `pos` in `s`.
 * Only letters are case-folded, so punctuation in `lower` must match exactly.
 */
export function matchCI(s: string, pos: number, lower: string): boolean {
  const n = lower.length;
  if (pos + n > s.length) return false;
  for (let i = 0; i < n; i++) {
    const t = lower.charCodeAt(i);
    const c = s.charCodeAt(pos + i);
    if (c !== t && !(t >= 97 && t <= 122 && c === t - 32)) return false;
  }
  return true;
}

/** Same as matchCI over bytes. */
export function matchBytesCI(b: Buffer, pos: number, end: number, lower: string): boolean {
  const n = lower.length;
  if (pos + n > end) return false;
  for (let i = 0; i < n; i++) {
    const t = lower.charCodeAt(i);
    const c = b[pos + i];
    if (c !== t && !(t >= 97 && t <= 122 && c === t - 32)) return false;
  }
  return true;
}

/** Compact header forms (RFC 3261 7.3.3, RFC 3265, 3515, 3841, 3892, 4028, 4474). */
export const COMPACT_FORMS: Readonly<Record<string, string>> = {
  i: 'call-id',
  f: 'from',
  t: 'to',
  v: 'via',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  s: 'subject',
  e: 'content-encoding',
  o: 'event',
  r: 'refer-to',
  u: 'allow-events',
  x: 'session-expires',
  y: 'identity',
  b: 'referred-by',
  a: 'accept-contact',
  j: 'reject-contact',
  d: 'request-disposition',
};

/** Lowercase long form of a header name: `i` -> `call-id`, `Call-ID` -> `call-id`. */
export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase();
  if (lower.length === 1) return COMPACT_FORMS[lower] ?? lower;
  return lower;
}

/**
 * Headers whose grammar is a comma-separated list (`#element`), so that a line
 * `Via: a, b` is the same as two lines. Every other header (notably WWW-Authenticate,
 * Authorization, Proxy-Authenticate, Proxy-Authorization, Date and unknown headers)
 * is never split, because its value may legally contain commas.
 */
export const LIST_HEADERS: ReadonlySet<string> = new Set([
  'via',
  'route',
  'record-route',
  'contact',
  'allow',
  'supported',
  'require',
  'proxy-require',
  'unsupported',
  'accept',
  'accept-encoding',
  'accept-language',
  'allow-events',
  'content-encoding',
  'content-language',
  'alert-info',
  'call-info',
  'error-info',
  'in-reply-to',
  'warning',
  'path',
  'service-route',
  'p-asserted-identity',
  'p-preferred-identity',
  'p-associated-uri',
  'history-info',
  'reason',
  'security-client',
  'security-server',
  'security-verify',
  'accept-contact',
  'reject-contact',
  'request-disposition',
  'diversion',
]);

/**
 * Split a list header value at commas that are outside quoted strings and `<...>`.
 * Elements are trimmed; empty elements are dropped. A value with no element yields
 * `['']` so that every header line contributes at least one entry.
 */
export function splitHeaderList(value: string): string[] {
  // Fast path: no comma at all.
  if (value.indexOf(',') === -1) return [value];
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  const n = value.length;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inQuote = false;
    } else if (inAngle) {
      if (c === 62 /* > */) inAngle = false;
    } else if (c === 34) {
      inQuote = true;
    } else if (c === 60 /* < */) {
      inAngle = true;
    } else if (c === 44 /* , */) {
      const piece = value.slice(start, i).trim();
      if (piece !== '') out.push(piece);
      start = i + 1;
    }
  }
  const last = value.slice(start).trim();
  if (last !== '') out.push(last);
  if (out.length === 0) out.push('');
  return out;
}

/** Replace every folded line break (CRLF or LF followed by SP/HTAB) and its surrounding blanks with one space. */
export function unfold(value: string): string {
  return value.replace(/[ \t]*\r?\n[ \t]*/g, ' ').trim();
}

function isParamEnd(c: number): boolean {
  // NaN (past the end) also ends a parameter name.
  return c !== c || c === 61 /* = */ || c === 59 /* ; */ || c === 44 /* , */ || c === SP || c === HT || c === CR;
}

/**
 * Value of the `;name=value` parameter found in `s` between `from` and `to`, looking only at
 * semicolons at or after `from`. `name` is a lowercase literal. Returns '' for a parameter
 * without a value, undefined when absent. Values stop at `;`, `,`, blanks or `to`; a quoted
 * value is returned with its quotes.
 */
export function findParam(s: string, from: number, to: number, name: string): string | undefined {
  let p = s.indexOf(';', from);
  const nl = name.length;
  while (p !== -1 && p < to) {
    let j = p + 1;
    while (j < to) {
      const c = s.charCodeAt(j);
      if (c !== SP && c !== HT) break;
      j++;
    }
    if (j + nl <= to && matchCI(s, j, name) && (j + nl === to || isParamEnd(s.charCodeAt(j + nl)))) {
      let k = j + nl;
      while (k < to) {
        const c = s.charCodeAt(k);
        if (c !== SP && c !== HT) break;
        k++;
      }
      if (k >= to || s.charCodeAt(k) !== 61 /* = */) return '';
      k++;
      while (k < to) {
        const c = s.charCodeAt(k);
        if (c !== SP && c !== HT) break;
        k++;
      }
      let e = k;
      if (e < to && s.charCodeAt(e) === 34) {
        // quoted-string value
        e++;
        while (e < to) {
          const c = s.charCodeAt(e);
          if (c === 92) e += 2;
          else if (c === 34) {
            e++;
            break;
          } else e++;
        }
        if (e > to) e = to;
      } else {
        e = paramValueEnd(s, e, to);
      }
      return s.slice(k, e);
    }
    p = s.indexOf(';', p + 1);
  }
  return undefined;
}

/** End of a token-like parameter value starting at `p`: the first `;`, `,`, blank or CR, or `to`. */
function paramValueEnd(s: string, p: number, to: number): number {
  let e = p;
  while (e < to) {
    const c = s.charCodeAt(e);
    if (c === 59 || c === 44 || c === SP || c === HT || c === CR) break;
    e++;
  }
  return e;
}

/**
 * End of a token parameter value that starts at `p` and ends at the next `;` or `to`,
 * with trailing blanks removed (indexOf instead of a char loop: this is on the hot path).
 */
function tokenValueEnd(s: string, p: number, to: number): number {
  let e = s.indexOf(';', p);
  if (e === -1 || e > to) e = to;
  while (e > p) {
    const c = s.charCodeAt(e - 1);
    if (c !== SP && c !== HT) break;
    e--;
  }
  return e;
}

/**
 * `tag` parameter of a From / To value in `s` between `from` and `to`: the header parameters
 * start after the `>` of a name-addr, or at the first `;` of a bare addr-spec.
 */
export function findTag(s: string, from: number, to: number): string {
  let paramsFrom = from;
  if (s.charCodeAt(from) === 34 /* " */) {
    // Quoted display-name: may contain ; < > which are not structure.
    let i = from + 1;
    while (i < to) {
      const c = s.charCodeAt(i);
      if (c === 92 /* \ */) i += 2;
      else if (c === 34) break;
      else i++;
    }
    paramsFrom = i + 1;
    if (paramsFrom >= to) return '';
  }
  // indexOf may run past `to`; a hit past it means "not in this value".
  const gt = s.indexOf('>', paramsFrom);
  if (gt !== -1 && gt < to) paramsFrom = gt + 1;
  const semi = s.indexOf(';', paramsFrom);
  if (semi === -1 || semi >= to) return '';
  // Fast path: the usual `;tag=` spelling as the first parameter.
  if (s.startsWith('tag=', semi + 1)) return s.slice(semi + 5, tokenValueEnd(s, semi + 5, to));
  return findParam(s, semi, to, 'tag') ?? '';
}

/** `branch` parameter of the first via-parm of a Via value in `s` between `from` and `to`. */
export function findViaBranch(s: string, from: number, to: number): string {
  // The first via-parm ends at the first comma (none of its parts may contain one).
  const comma = s.indexOf(',', from);
  const end = comma !== -1 && comma < to ? comma : to;
  // Fast path: `;branch=` as written by nearly everyone.
  let p = s.indexOf(';', from);
  while (p !== -1 && p < end) {
    if (s.startsWith('branch=', p + 1)) return s.slice(p + 8, tokenValueEnd(s, p + 8, end));
    p = s.indexOf(';', p + 1);
  }
  // Other spellings (`;Branch =`, `; branch=`).
  return findParam(s, from, end, 'branch') ?? '';
}

/**
 * Parse a non-negative decimal in `s` [from, to) made only of digits (at most 10).
 * Returns -1 when empty, not all digits, or too long.
 */
export function parseDecimal(s: string, from: number, to: number): number {
  if (to <= from || to - from > 10) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) return -1; // also rejects NaN (past the end)
    v = v * 10 + d;
  }
  return v;
}

/** RFC 3261 token characters: alphanum and - . ! % * _ + ` ' ~ */
export function isTokenChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 45 ||
    c === 46 ||
    c === 33 ||
    c === 37 ||
    c === 42 ||
    c === 95 ||
    c === 43 ||
    c === 96 ||
    c === 39 ||
    c === 126
  );
}
