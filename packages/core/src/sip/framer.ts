// Frames SIP messages out of a byte stream (TCP, TLS): RFC 3261 18.3, Content-Length is
// mandatory on streams. Returns raw frames; parse them with parseSipMessage.

import { SipParseError } from './message.js';
import { CR, HT, LF, SP, matchBytesCI } from './headers.js';

export interface StreamFramerOptions {
  /** Largest header section (start line to empty line) accepted; default 65536 bytes. */
  readonly maxHeaderBytes?: number;
  /** Largest Content-Length accepted; default 1 MiB. */
  readonly maxBodyBytes?: number;
}

export const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Splits a stream into SIP messages.
 *
 * - Messages may be split at any byte and several may arrive in one chunk.
 * - CR/LF between messages (RFC 5626 `\r\n\r\n` pings and `\r\n` pongs) is skipped.
 * - A message without (or with an invalid) Content-Length, a first line that is not a SIP start
 *   line, or a header section over `maxHeaderBytes` gives one SipParseError; the framer then
 *   discards input up to the next line that looks like a SIP start line.
 * - A Content-Length over `maxBodyBytes` gives a SipParseError and that many bytes are skipped.
 *
 * A returned Buffer may share memory with the chunk it came from (zero copy when a whole
 * message is inside one chunk), so callers must not reuse chunk buffers; messages assembled
 * from several chunks are fresh copies.
 */
export class StreamFramer {
  private readonly maxHeaderBytes: number;
  private readonly maxBodyBytes: number;

  /** Pending bytes are store[start, end). */
  private store: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;

  /** Skipping input up to the next plausible start line. */
  private resyncing = false;
  /** Bytes still to drop (body of an oversized message). */
  private discard = 0;

  // Progress on the message at the head of the pending bytes, relative to its first byte,
  // so a message arriving in many pieces is scanned once.
  /** Next header line to examine (0: start line not yet checked). */
  private scanLine = 0;
  /** Content-Length seen so far: -1 none, -2 invalid. */
  private scanCl = -1;
  /** Total length of the message once its header section is complete, else -1. */
  private msgLength = -1;

  constructor(options: StreamFramerOptions = {}) {
    this.maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  /** Bytes held waiting for the rest of a message. */
  get bufferedBytes(): number {
    return this.end - this.start;
  }

  /** Drop buffered bytes and state (e.g. when the connection is replaced). */
  reset(): void {
    this.store = Buffer.alloc(0);
    this.start = 0;
    this.end = 0;
    this.resyncing = false;
    this.discard = 0;
    this.resetScan();
  }

  /** Feed the next chunk; returns the messages (and errors) it completes, in stream order. */
  push(chunk: Buffer): Array<Buffer | SipParseError> {
    const out: Array<Buffer | SipParseError> = [];
    if (chunk.length === 0) return out;
    let d: Buffer;
    let fromStore: boolean;
    if (this.end === this.start) {
      d = chunk;
      fromStore = false;
    } else {
      this.append(chunk);
      d = this.store.subarray(this.start, this.end);
      fromStore = true;
    }
    const consumed = this.process(d, fromStore, out);
    if (fromStore) {
      this.start += consumed;
      if (this.start === this.end) {
        // Keep the store for reuse only if it is small; messages were copied out of it.
        this.start = 0;
        this.end = 0;
        if (this.store.length > 4 * 65536) this.store = Buffer.alloc(0);
      }
    } else if (consumed < d.length) {
      this.start = 0;
      this.end = 0;
      this.append(d.subarray(consumed));
    }
    return out;
  }

  private append(chunk: Buffer): void {
    const pending = this.end - this.start;
    if (this.end + chunk.length > this.store.length) {
      if (pending + chunk.length <= this.store.length && this.start > 0) {
        this.store.copy(this.store, 0, this.start, this.end);
      } else {
        const grown = Buffer.allocUnsafe(Math.max(4096, 2 * (pending + chunk.length)));
        this.store.copy(grown, 0, this.start, this.end);
        this.store = grown;
      }
      this.start = 0;
      this.end = pending;
    }
    chunk.copy(this.store, this.end);
    this.end += chunk.length;
  }

  private resetScan(): void {
    this.scanLine = 0;
    this.scanCl = -1;
    this.msgLength = -1;
  }

  /** Frame messages out of d; returns the number of bytes consumed. */
  private process(d: Buffer, copy: boolean, out: Array<Buffer | SipParseError>): number {
    const n = d.length;
    let pos = 0;
    while (pos < n) {
      if (this.discard > 0) {
        const k = Math.min(this.discard, n - pos);
        this.discard -= k;
        pos += k;
        continue;
      }

      if (this.resyncing) {
        const lf = d.indexOf(LF, pos);
        if (lf === -1) {
          // Keep the partial line unless it is absurdly long.
          if (n - pos > this.maxHeaderBytes) pos = n;
          break;
        }
        if (looksLikeStartLine(d, pos, lf)) {
          this.resyncing = false;
          continue;
        }
        pos = lf + 1;
        continue;
      }

      if (this.msgLength < 0) {
        if (this.scanLine === 0) {
          // Between messages: skip CR/LF keep-alives.
          const c = d[pos];
          if (c === CR || c === LF) {
            pos++;
            continue;
          }
          const lf = d.indexOf(LF, pos);
          if (lf === -1) {
            if (n - pos > this.maxHeaderBytes) return this.tooLong(out, pos, n);
            break;
          }
          if (!looksLikeStartLine(d, pos, lf)) {
            out.push(new SipParseError('stream data is not a SIP start line', -1));
            this.resyncing = true;
            pos = lf + 1;
            continue;
          }
          this.scanLine = lf + 1 - pos;
        }
        const headEnd = this.scanHeaders(d, pos);
        if (headEnd < 0) {
          if (n - pos > this.maxHeaderBytes) return this.tooLong(out, pos, n);
          break;
        }
        if (headEnd - pos > this.maxHeaderBytes) {
          this.tooLong(out, pos, n);
          pos = headEnd;
          continue;
        }
        const cl = this.scanCl;
        if (cl < 0) {
          out.push(
            new SipParseError(
              cl === -1 ? 'missing Content-Length header (required on stream transports)' : 'invalid Content-Length header',
              -1,
            ),
          );
          this.resetScan();
          this.resyncing = true;
          pos = headEnd;
          continue;
        }
        if (cl > this.maxBodyBytes) {
          out.push(new SipParseError(`Content-Length ${cl} exceeds the ${this.maxBodyBytes} byte limit`, -1));
          this.resetScan();
          this.discard = cl;
          pos = headEnd;
          continue;
        }
        this.msgLength = headEnd - pos + cl;
      }

      const total = this.msgLength;
      if (n - pos < total) break;
      const msg = d.subarray(pos, pos + total);
      out.push(copy ? Buffer.from(msg) : msg);
      pos += total;
      this.resetScan();
    }
    return pos;
  }

  private tooLong(out: Array<Buffer | SipParseError>, _pos: number, n: number): number {
    out.push(new SipParseError(`header section exceeds ${this.maxHeaderBytes} bytes without an empty line`, -1));
    this.resetScan();
    this.resyncing = true;
    return n;
  }

  /**
   * Continue scanning header lines of the message starting at `msgStart`. Returns the index just
   * after the empty line, or -1 when more data is needed (progress is kept in scanLine/scanCl).
   */
  private scanHeaders(d: Buffer, msgStart: number): number {
    const n = d.length;
    let p = msgStart + this.scanLine;
    for (;;) {
      if (p >= n) break;
      const c = d[p];
      if (c === LF) return p + 1;
      if (c === CR) {
        if (p + 1 >= n) break;
        if (d[p + 1] === LF) return p + 2;
      }
      const lf = d.indexOf(LF, p);
      if (lf === -1) break;
      if (this.scanCl === -1 && (c === 0x6c || c === 0x4c || c === 0x63 || c === 0x43)) {
        this.scanCl = contentLengthOnLine(d, p, lf);
      }
      p = lf + 1;
    }
    this.scanLine = p - msgStart;
    return -1;
  }
}

/**
 * If the line [p, lf) is a Content-Length (or `l`) header, its value (-2 when invalid),
 * else -1. The value must be on the header's first line.
 */
function contentLengthOnLine(d: Buffer, p: number, lf: number): number {
  let i: number;
  const c = d[p] | 0x20;
  if (c === 0x6c /* l */) i = p + 1;
  else if (matchBytesCI(d, p, lf, 'content-length')) i = p + 14;
  else return -1;
  while (i < lf && (d[i] === SP || d[i] === HT)) i++;
  if (i >= lf || d[i] !== 0x3a /* : */) return -1;
  i++;
  while (i < lf && (d[i] === SP || d[i] === HT)) i++;
  let e = lf;
  while (e > i && (d[e - 1] === SP || d[e - 1] === HT || d[e - 1] === CR)) e--;
  if (e === i || e - i > 10) return -2;
  let v = 0;
  for (let k = i; k < e; k++) {
    const digit = d[k] - 48;
    if (digit < 0 || digit > 9) return -2;
    v = v * 10 + digit;
  }
  return v;
}

/** A request line ending in ` SIP/2.0` or a status line starting with `SIP/2.0 `; [p, lf) excludes LF. */
function looksLikeStartLine(d: Buffer, p: number, lf: number): boolean {
  let e = lf;
  if (e > p && d[e - 1] === CR) e--;
  if (e - p < 9) return false;
  if (matchBytesCI(d, p, e, 'sip/2.0 ')) return true;
  return d[e - 8] === SP && matchBytesCI(d, e - 7, e, 'sip/2.0') && d[p] !== SP;
}
