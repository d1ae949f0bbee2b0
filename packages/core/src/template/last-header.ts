// [last_Header:] and friends, read from the raw bytes of the last received message exactly as
// SIPp 3.6.1 does (get_header(msg, name, false) in src/sip_parser.cpp, call::get_last_header,
// call::get_last_request_uri). Checked byte for byte against /usr/bin/sipp 3.6.1:
//
// - Only the header section is searched (up to the first CR LF CR LF).
// - A header is found by a case-insensitive search for LF + name + ':' (`name` as written in the
//   keyword; `[last_Via]` and `[last_Via:]` are the same). So a line `Via :` (space before the
//   colon) or a folded line is not found. Compact forms (i, m, e, l, c, f, t, v) are searched
//   only when the long name is absent from the whole header section.
// - The first occurrence is copied verbatim from the message, name included: `[last_via:]` on
//   `Via:  x` renders `Via:  x` (the message's spelling and spacing). Each further occurrence
//   adds `, ` and its value (after the name, the colon and any spaces; a tab is kept).
// - Folded continuation lines belong to the header; their CR is removed (`a\r\n  b` renders
//   `a\n  b`). Trailing spaces, tabs and CRs are removed; runs of CR or of LF collapse to one.
// - A header that is absent renders nothing, as does any [last_*] before a message was received.

/** The part of the last message a send reads, prepared once per message. */
export interface LastMessageText {
  /** Header section (before the first CR LF CR LF) as latin1 text. */
  readonly headers: string;
  /** `headers` lower-cased, for the case-insensitive search. */
  readonly lower: string;
}

export function lastMessageText(raw: Buffer): LastMessageText {
  let end = raw.indexOf(CRLFCRLF);
  if (end < 0) end = raw.length;
  // SIPp works on C strings: a NUL byte ends the message.
  const nul = raw.indexOf(0);
  if (nul >= 0 && nul < end) end = nul;
  const headers = raw.toString('latin1', 0, end);
  return { headers, lower: headers.toLowerCase() };
}

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

const COMPACT: Record<string, string> = {
  'call-id:': 'i:',
  'contact:': 'm:',
  'content-encoding:': 'e:',
  'content-length:': 'l:',
  'content-type:': 'c:',
  'from:': 'f:',
  'to:': 't:',
  'via:': 'v:',
};

/** A header lookup prepared at compile time. */
export interface HeaderQuery {
  /** LF + lower-cased name with its colon. */
  readonly needle: string;
  /** LF + lower-cased compact name with colon, or '' when the header has none. */
  readonly compactNeedle: string;
}

/** `name` as written after `last_` in the keyword, with or without its colon. */
export function headerQuery(name: string): HeaderQuery {
  const withColon = name.endsWith(':') ? name : `${name}:`;
  const lower = withColon.toLowerCase();
  const compact = COMPACT[lower];
  return { needle: `\n${lower}`, compactNeedle: compact === undefined ? '' : `\n${compact}` };
}

/** SIPp's get_header(msg, name, false): the header line(s) as described above, '' when absent. */
export function findLastHeader(msg: LastMessageText, query: HeaderQuery): string {
  let found = collect(msg, query.needle);
  if (found === '' && query.compactNeedle !== '') found = collect(msg, query.compactNeedle);
  if (found === '') return '';
  return tidy(found);
}

function collect(msg: LastMessageText, needle: string): string {
  const { headers, lower } = msg;
  let out = '';
  let first = true;
  let from = 0;
  for (;;) {
    const at = lower.indexOf(needle, from);
    if (at < 0) break;
    let src: number;
    if (first) {
      src = at + 1; // keep the name as the message spells it
    } else {
      src = at + needle.length;
      while (headers.charCodeAt(src) === 32) src++;
    }
    first = false;
    let end = headers.indexOf('\n', src);
    while (end >= 0 && (headers.charCodeAt(end + 1) === 32 || headers.charCodeAt(end + 1) === 9)) {
      end = headers.indexOf('\n', end + 1);
    }
    const piece = end >= 0 ? headers.slice(src, end) : headers.slice(src);
    if (out !== '') {
      let keep = out.length;
      while (keep > 0 && isTrailingBlank(out.charCodeAt(keep - 1))) keep--;
      out = `${out.slice(0, keep)}, `;
    }
    out += piece;
    from = src + 1;
  }
  return out;
}

function isTrailingBlank(c: number): boolean {
  return c === 32 || c === 13 || c === 10 || c === 9;
}

function tidy(value: string): string {
  // Trailing spaces, tabs and CRs (never the first character).
  let end = value.length;
  while (end > 1) {
    const c = value.charCodeAt(end - 1);
    if (c !== 32 && c !== 13 && c !== 9) break;
    end--;
  }
  let start = 0;
  while (start < end && value.charCodeAt(start) === 32) start++;
  let s = value.slice(start, end);
  // CR of folded lines: SIPp only looks at the first CR LF each time round.
  for (;;) {
    const at = s.indexOf('\r\n');
    if (at < 0) break;
    const next = s.charCodeAt(at + 2);
    if (next !== 32 && next !== 13 && next !== 9) break;
    s = s.slice(0, at) + s.slice(at + 1);
  }
  if (s.indexOf('\r\r') >= 0) s = s.replace(/\r\r+/g, '\r');
  if (s.indexOf('\n\n') >= 0) s = s.replace(/\n\n+/g, '\n');
  return s;
}

/**
 * [last_Request_URI]: SIPp takes it from the To header of the last message (get_last_header
 * "To:"), between the first `<` and the first `>`; '' when either is missing.
 */
export function lastRequestUri(msg: LastMessageText): string {
  const to = findLastHeader(msg, TO_QUERY);
  const lt = to.indexOf('<');
  if (lt < 0) return '';
  const gt = to.indexOf('>');
  if (gt < 0 || gt < lt + 1) return '';
  return to.slice(lt + 1, gt);
}

/**
 * [last_cseq_number]: the number of the last message's CSeq (SIPp: skip the 5 characters of
 * `CSeq:`, blanks, then `%d`); 0 when there is none.
 */
export function lastCseqNumber(msg: LastMessageText): number {
  const cseq = findLastHeader(msg, CSEQ_QUERY);
  if (cseq === '') return 0;
  let i = 5;
  while (i < cseq.length && isCSpace(cseq.charCodeAt(i))) i++;
  let negative = false;
  if (cseq[i] === '-' || cseq[i] === '+') {
    negative = cseq[i] === '-';
    i++;
  }
  let value = 0;
  let digits = 0;
  while (i < cseq.length) {
    const c = cseq.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    digits++;
    i++;
  }
  if (digits === 0) return 0;
  value |= 0;
  return negative ? -value | 0 : value;
}

function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

const TO_QUERY = headerQuery('To:');
const CSEQ_QUERY: HeaderQuery = { needle: '\ncseq:', compactNeedle: '' };
