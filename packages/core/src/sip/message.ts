// SIP message parser (RFC 3261 section 7 syntax, as far as routing and SIPp scenarios need it).
//
// Parsing is two-level:
//  - eagerly, one pass over the header section finds the start line and the fields the engine
//    routes on (Call-ID, CSeq, top Via branch, From/To tags, Content-Length) without building a
//    header list: names are recognised by length + first letter, values are sliced only for
//    those headers;
//  - lazily, the first call to header()/headerValues()/headerLines() builds the full list.
//
// Text is decoded as latin1 (one char per byte), so string offsets equal byte offsets and any
// byte sequence round-trips through the serializer.

import {
  CR,
  HT,
  LF,
  LIST_HEADERS,
  SP,
  canonicalHeaderName,
  findTag,
  findViaBranch,
  isTokenChar,
  latin1,
  matchCI,
  parseDecimal,
  splitHeaderList,
  unfold,
} from './headers.js';

/** A datagram or frame that is not a SIP message; never thrown into socket handlers. */
export class SipParseError {
  constructor(
    readonly reason: string,
    /** Byte offset where parsing gave up, when known. */
    readonly offset: number = -1,
  ) {}

  toString(): string {
    return this.offset >= 0 ? `SIP parse error at byte ${this.offset}: ${this.reason}` : `SIP parse error: ${this.reason}`;
  }
}

/** Messages larger than this have their header section located by a byte search and only that decoded. */
const DECODE_WHOLE_LIMIT = 4096;

const EMPTY_BUFFER = Buffer.alloc(0);

interface HeaderTable {
  /** Name as written, value (unfolded, trimmed), lowercase long name: three entries per line. */
  readonly names: string[];
  readonly values: string[];
  readonly keys: string[];
  lines: ReadonlyArray<readonly [string, string]> | undefined;
}

/**
 * One SIP message over a Buffer. Routing fields are extracted by an indexOf scan at parse
 * time; the full header list is built lazily on first use of `header*`.
 *
 * Instances are created by `parseSipMessage`; the constructor is internal.
 */
export class SipMessage {
  readonly raw: Buffer;
  readonly isRequest: boolean;
  /** Request method, '' for a response. */
  readonly method: string;
  /** Status code, 0 for a request. */
  readonly statusCode: number;
  readonly reasonPhrase: string;
  readonly requestUri: string;
  readonly callId: string;
  readonly cseqNumber: number;
  readonly cseqMethod: string;
  /** branch parameter of the first Via, '' when none. */
  readonly topViaBranch: string;
  /** tag parameter of From / To, '' when none. */
  readonly fromTag: string;
  readonly toTag: string;

  /** latin1 text of (at least) the start line and header section. */
  private readonly text: string;
  /** Offset of `text` in `raw` (leading CR/LF skipped). */
  private readonly textBase: number;
  /** End of the start line in `text` (excluding CR LF). */
  private readonly startLineEnd: number;
  /** First header line and start of the empty line that ends the headers, in `text`. */
  private readonly headersStart: number;
  private readonly headersEnd: number;
  private readonly bodyStart: number;
  private readonly bodyEnd: number;
  private bodyCache: Buffer | undefined;
  private table: HeaderTable | undefined;

  /** @internal */
  constructor(
    raw: Buffer,
    text: string,
    textBase: number,
    startLineEnd: number,
    headersStart: number,
    headersEnd: number,
    bodyStart: number,
    bodyEnd: number,
    isRequest: boolean,
    method: string,
    statusCode: number,
    reasonPhrase: string,
    requestUri: string,
    callId: string,
    cseqNumber: number,
    cseqMethod: string,
    topViaBranch: string,
    fromTag: string,
    toTag: string,
  ) {
    this.raw = raw;
    this.text = text;
    this.textBase = textBase;
    this.startLineEnd = startLineEnd;
    this.headersStart = headersStart;
    this.headersEnd = headersEnd;
    this.bodyStart = bodyStart;
    this.bodyEnd = bodyEnd;
    this.bodyCache = undefined;
    this.table = undefined;
    this.isRequest = isRequest;
    this.method = method;
    this.statusCode = statusCode;
    this.reasonPhrase = reasonPhrase;
    this.requestUri = requestUri;
    this.callId = callId;
    this.cseqNumber = cseqNumber;
    this.cseqMethod = cseqMethod;
    this.topViaBranch = topViaBranch;
    this.fromTag = fromTag;
    this.toTag = toTag;
  }

  /** The body: `Content-Length` bytes after the empty line (the rest of the datagram without one). */
  get body(): Buffer {
    let b = this.bodyCache;
    if (b === undefined) {
      b = this.bodyEnd > this.bodyStart ? this.raw.subarray(this.bodyStart, this.bodyEnd) : EMPTY_BUFFER;
      this.bodyCache = b;
    }
    return b;
  }

  /** The start line as written, without its line break. */
  get startLine(): string {
    return this.text.slice(0, this.startLineEnd);
  }

  /** Number of bytes of `raw` this message covers: leading CR/LF, headers and body (less than `raw.length` when Content-Length truncates). */
  get byteLength(): number {
    return this.bodyEnd;
  }

  /** First value of a header (case-insensitive, compact forms accepted), undefined when absent. */
  header(name: string): string | undefined {
    const t = this.headerTable();
    const key = canonicalHeaderName(name);
    const keys = t.keys;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === key) {
        const v = t.values[i];
        return LIST_HEADERS.has(key) ? splitHeaderList(v)[0] : v;
      }
    }
    return undefined;
  }

  /** Every value of a header in order: one entry per header line, comma lists split into entries. */
  headerValues(name: string): string[] {
    const t = this.headerTable();
    const key = canonicalHeaderName(name);
    const isList = LIST_HEADERS.has(key);
    const keys = t.keys;
    const out: string[] = [];
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== key) continue;
      if (isList) {
        const parts = splitHeaderList(t.values[i]);
        for (let j = 0; j < parts.length; j++) out.push(parts[j]);
      } else {
        out.push(t.values[i]);
      }
    }
    return out;
  }

  /** Every header line in order as [name as written, value]. */
  headerLines(): ReadonlyArray<readonly [string, string]> {
    const t = this.headerTable();
    let lines = t.lines;
    if (lines === undefined) {
      const arr: Array<readonly [string, string]> = new Array(t.names.length);
      for (let i = 0; i < arr.length; i++) arr[i] = [t.names[i], t.values[i]];
      lines = arr;
      t.lines = lines;
    }
    return lines;
  }

  /** True when a header with this name (any form) is present. */
  hasHeader(name: string): boolean {
    return this.headerTable().keys.includes(canonicalHeaderName(name));
  }

  private headerTable(): HeaderTable {
    let t = this.table;
    if (t === undefined) {
      t = buildHeaderTable(this.text, this.headersStart, this.headersEnd);
      this.table = t;
    }
    return t;
  }

  /** Offset of the first byte of the body in `raw`. */
  get bodyOffset(): number {
    return this.bodyStart;
  }

  /** Offset in `raw` of the start line (non-zero when CR/LF keep-alive bytes precede it). */
  get startOffset(): number {
    return this.textBase;
  }
}

/** Build the header list of a section already validated by the parser. */
function buildHeaderTable(s: string, from: number, to: number): HeaderTable {
  const names: string[] = [];
  const values: string[] = [];
  const keys: string[] = [];
  let pos = from;
  while (pos < to) {
    let lf = s.indexOf('\n', pos);
    if (lf === -1 || lf > to) lf = to;
    const colon = s.indexOf(':', pos);
    let nameEnd = colon;
    while (nameEnd > pos && isBlank(s.charCodeAt(nameEnd - 1))) nameEnd--;
    const name = s.slice(pos, nameEnd);
    // Extend over continuation lines.
    let next = lf + 1;
    let folded = false;
    while (next < to && isBlank(s.charCodeAt(next))) {
      folded = true;
      lf = s.indexOf('\n', next);
      if (lf === -1 || lf > to) lf = to;
      next = lf + 1;
    }
    let value: string;
    if (folded) {
      value = unfold(s.slice(colon + 1, lf));
    } else {
      let vs = colon + 1;
      let ve = lf;
      while (vs < ve && isBlank(s.charCodeAt(vs))) vs++;
      while (ve > vs && isBlankOrCr(s.charCodeAt(ve - 1))) ve--;
      value = s.slice(vs, ve);
    }
    names.push(name);
    values.push(value);
    keys.push(canonicalHeaderName(name));
    pos = next;
  }
  return { names, values, keys, lines: undefined };
}

function isBlank(c: number): boolean {
  return c === SP || c === HT;
}

function isBlankOrCr(c: number): boolean {
  return c === SP || c === HT || c === CR;
}

/** Index just after the empty line ending the header section in bytes, searching from `from`; -1 if none. */
function findHeadEndBytes(data: Buffer, from: number): number {
  // The first LF that is followed by LF or CR LF. A bare byte search is enough: the
  // start line is not empty (leading CR/LF are skipped before calling).
  let i = from;
  const n = data.length;
  for (;;) {
    const lf = data.indexOf(LF, i);
    if (lf === -1 || lf + 1 >= n) return -1;
    const c = data[lf + 1];
    if (c === LF) return lf + 2;
    if (c === CR && lf + 2 < n && data[lf + 2] === LF) return lf + 3;
    i = lf + 1;
  }
}

function fail(reason: string, offset: number): SipParseError {
  return new SipParseError(reason, offset);
}

/** Parse one SIP message (a datagram or a frame from StreamFramer). Never throws. */
export function parseSipMessage(data: Buffer): SipMessage | SipParseError {
  try {
    return parse(data);
  } catch (e) {
    // Defensive only: parse() is written not to throw for any Buffer.
    return new SipParseError(`unparsable input (${e instanceof Error ? e.message : String(e)})`, -1);
  }
}

function parse(data: Buffer): SipMessage | SipParseError {
  const n = data.length;
  // RFC 3261 7.5: CRLFs before the start line are ignored (keep-alives).
  let base = 0;
  while (base < n) {
    const c = data[base];
    if (c !== CR && c !== LF) break;
    base++;
  }
  if (base === n) return fail(n === 0 ? 'empty message' : 'no start line (only CR/LF keep-alive bytes)', 0);

  let s: string;
  if (n - base <= DECODE_WHOLE_LIMIT) {
    s = latin1(data, base, n);
  } else {
    const he = findHeadEndBytes(data, base);
    if (he === -1) return fail('headers are not terminated by an empty line', n);
    s = latin1(data, base, he);
  }
  const L = s.length;

  // ---- start line ----
  const firstLf = s.indexOf('\n');
  if (firstLf === -1) return fail('start line is not terminated by a line break', base + L);
  let sle = firstLf;
  if (sle > 0 && s.charCodeAt(sle - 1) === CR) sle--;

  let isRequest: boolean;
  let method = '';
  let statusCode = 0;
  let reasonPhrase = '';
  let requestUri = '';

  if (s.startsWith('SIP/2.0 ') || matchCI(s, 0, 'sip/2.0 ')) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    isRequest = false;
    const code = parseDecimal(s, 8, 11);
    if (code < 100 || code > 699 || sle < 11) return fail('invalid status code in status line', base + 8);
    if (sle > 11) {
      const c = s.charCodeAt(11);
      if (c !== SP) return fail('invalid status code in status line', base + 8);
      let re = sle;
      while (re > 12 && isBlank(s.charCodeAt(re - 1))) re--;
      reasonPhrase = s.slice(12, re);
    }
    statusCode = code;
  } else {
    // Request-Line = Method SP Request-URI SP SIP-Version
    isRequest = true;
    const sp1 = s.indexOf(' ');
    if (sp1 <= 0 || sp1 >= sle) return fail('bad start line: neither "METHOD URI SIP/2.0" nor "SIP/2.0 code reason"', base);
    for (let i = 0; i < sp1; i++) {
      if (!isTokenChar(s.charCodeAt(i))) return fail('bad start line: invalid character in method', base + i);
    }
    const sp2 = s.indexOf(' ', sp1 + 1);
    if (sp2 === -1 || sp2 >= sle || sp2 === sp1 + 1) return fail('bad request line: expected "METHOD SP Request-URI SP SIP/2.0"', base + sp1);
    if (sle - (sp2 + 1) !== 7 || !(s.startsWith('SIP/2.0', sp2 + 1) || matchCI(s, sp2 + 1, 'sip/2.0'))) {
      return fail('bad request line: SIP version is not SIP/2.0', base + sp2 + 1);
    }
    method = s.slice(0, sp1);
    requestUri = s.slice(sp1 + 1, sp2);
  }

  // ---- headers: eager scan of the routing fields ----
  let callId: string | undefined;
  let cseqNumber = -1;
  let cseqMethod = '';
  let viaSeen = false;
  let topViaBranch = '';
  let fromTag: string | undefined;
  let toTag: string | undefined;
  let contentLength = -1;

  const headersStart = firstLf + 1;
  let pos = headersStart;
  let headersEnd: number;
  for (;;) {
    if (pos >= L) return fail('headers are not terminated by an empty line', base + L);
    const c0 = s.charCodeAt(pos);
    if (c0 === LF) {
      headersEnd = pos;
      pos += 1;
      break;
    }
    if (c0 === CR && s.charCodeAt(pos + 1) === LF) {
      headersEnd = pos;
      pos += 2;
      break;
    }
    if (c0 === SP || c0 === HT) return fail('continuation line without a header before it', base + pos);
    const lineLf = s.indexOf('\n', pos);
    if (lineLf === -1) return fail('headers are not terminated by an empty line', base + L);
    const colon = s.indexOf(':', pos);
    if (colon === -1 || colon > lineLf) return fail('header line without a colon', base + pos);
    let nameEnd = colon;
    while (nameEnd > pos && isBlank(s.charCodeAt(nameEnd - 1))) nameEnd--;
    if (nameEnd === pos) return fail('empty header name', base + pos);
    // Continuation lines (obsolete line folding).
    let lf = lineLf;
    let next = lf + 1;
    let folded = false;
    while (next < L) {
      const c = s.charCodeAt(next);
      if (c !== SP && c !== HT) break;
      folded = true;
      lf = s.indexOf('\n', next);
      if (lf === -1) return fail('headers are not terminated by an empty line', base + L);
      next = lf + 1;
    }

    // Recognise the routing headers by length and first letter before comparing names.
    const nl = nameEnd - pos;
    const f = s.charCodeAt(pos) | 0x20;
    let which = 0; // 1 Call-ID, 2 CSeq, 3 Via, 4 From, 5 To, 6 Content-Length
    switch (nl) {
      case 1:
        if (f === 0x69 /* i */) which = 1;
        else if (f === 0x76 /* v */) which = 3;
        else if (f === 0x66 /* f */) which = 4;
        else if (f === 0x74 /* t */) which = 5;
        else if (f === 0x6c /* l */) which = 6;
        break;
      case 2:
        if (f === 0x74 && (s.startsWith('To', pos) || matchCI(s, pos, 'to'))) which = 5;
        break;
      case 3:
        if (f === 0x76 && (s.startsWith('Via', pos) || matchCI(s, pos, 'via'))) which = 3;
        break;
      case 4:
        if (f === 0x63 /* c */ && (s.startsWith('CSeq', pos) || matchCI(s, pos, 'cseq'))) which = 2;
        else if (f === 0x66 && (s.startsWith('From', pos) || matchCI(s, pos, 'from'))) which = 4;
        break;
      case 7:
        if (f === 0x63 && (s.startsWith('Call-ID', pos) || matchCI(s, pos, 'call-id'))) which = 1;
        break;
      case 14:
        if (f === 0x63 && (s.startsWith('Content-Length', pos) || matchCI(s, pos, 'content-length'))) which = 6;
        break;
    }

    if (which !== 0 && !(which === 1 && callId !== undefined) && !(which === 2 && cseqNumber >= 0) &&
        !(which === 3 && viaSeen) && !(which === 4 && fromTag !== undefined) &&
        !(which === 5 && toTag !== undefined) && !(which === 6 && contentLength >= 0)) {
      // Value bounds in `v` (= s unless folded).
      let v = s;
      let vs = colon + 1;
      let ve = lf;
      if (folded) {
        v = unfold(s.slice(colon + 1, lf));
        vs = 0;
        ve = v.length;
      } else {
        while (vs < ve && isBlank(s.charCodeAt(vs))) vs++;
        while (ve > vs && isBlankOrCr(s.charCodeAt(ve - 1))) ve--;
      }
      switch (which) {
        case 1:
          if (ve === vs) return fail('empty Call-ID header', base + pos);
          callId = v.slice(vs, ve);
          break;
        case 2: {
          let d = vs;
          while (d < ve) {
            const c = v.charCodeAt(d);
            if (c < 48 || c > 57) break;
            d++;
          }
          const num = parseDecimal(v, vs, d);
          let ms = d;
          while (ms < ve && isBlank(v.charCodeAt(ms))) ms++;
          if (num < 0 || ms === d || ms === ve) return fail('invalid CSeq header: expected "number METHOD"', base + pos);
          for (let i = ms; i < ve; i++) {
            if (!isTokenChar(v.charCodeAt(i))) return fail('invalid CSeq header: bad method', base + pos);
          }
          cseqNumber = num;
          cseqMethod = v.slice(ms, ve);
          break;
        }
        case 3:
          viaSeen = true;
          topViaBranch = findViaBranch(v, vs, ve);
          break;
        case 4:
          fromTag = findTag(v, vs, ve);
          break;
        case 5:
          toTag = findTag(v, vs, ve);
          break;
        case 6: {
          const cl = parseDecimal(v, vs, ve);
          if (cl < 0) return fail('invalid Content-Length header', base + pos);
          contentLength = cl;
          break;
        }
      }
    }
    pos = next;
  }

  if (callId === undefined) return fail('missing Call-ID header', base + headersEnd);
  if (cseqNumber < 0) return fail('missing CSeq header', base + headersEnd);

  const bodyStart = base + pos;
  let bodyEnd = n;
  if (contentLength >= 0) {
    const available = n - bodyStart;
    if (contentLength > available) {
      return fail(`Content-Length ${contentLength} exceeds the ${available} body bytes present`, bodyStart);
    }
    bodyEnd = bodyStart + contentLength;
  }

  return new SipMessage(
    data,
    s,
    base,
    sle,
    headersStart,
    headersEnd,
    bodyStart,
    bodyEnd,
    isRequest,
    method,
    statusCode,
    reasonPhrase,
    requestUri,
    callId,
    cseqNumber,
    cseqMethod,
    topViaBranch,
    fromTag ?? '',
    toTag ?? '',
  );
}
