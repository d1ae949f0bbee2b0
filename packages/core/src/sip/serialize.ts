// SIP message serializer: the inverse of parseSipMessage for start line, header lines and body.

import { canonicalHeaderName } from './headers.js';

/** What the serializer writes: a start line, header lines in order, and an optional body. */
export interface SipMessageParts {
  /** e.g. `INVITE sip:bob@example.com SIP/2.0` or `SIP/2.0 200 OK`, without line break. */
  readonly startLine: string;
  /** [name, value] pairs written as `name: value` in this order. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Body bytes; a string is encoded like header text (see `encodeSipText`). */
  readonly body?: Buffer | string;
}

export interface SerializeOptions {
  /**
   * Set the Content-Length header to the body length (default true): the first Content-Length
   * (or `l`) header keeps its name and position and gets the right value, any further ones are
   * dropped, and `Content-Length: N` is appended when there is none.
   */
  readonly setContentLength?: boolean;
}

// Any char above U+00FF: such a string cannot be latin1 bytes-as-chars text.
const WIDE_CHAR = /[^\u0000-\u00ff]/;

/**
 * Encode SIP text to bytes. Strings whose chars are all <= U+00FF are written one byte per char
 * (latin1), the exact inverse of the parser, so parsed text and scenario files read as latin1
 * round-trip byte for byte. A string holding any wider char is written as UTF-8.
 */
export function encodeSipText(text: string): Buffer {
  return WIDE_CHAR.test(text) ? Buffer.from(text, 'utf8') : Buffer.from(text, 'latin1');
}

function checkLine(kind: string, text: string): void {
  if (text.indexOf('\n') !== -1 || text.indexOf('\r') !== -1) {
    throw new TypeError(`${kind} must not contain CR or LF: ${JSON.stringify(text)}`);
  }
}

/**
 * Serialize a SIP message: start line, `Name: value` header lines, an empty line and the body,
 * every line ended by CRLF. Throws a TypeError for a start line, header name or value that
 * contains CR/LF, or a header name that is empty or contains `:` (these would corrupt framing).
 */
export function serializeSipMessage(m: SipMessageParts, options?: SerializeOptions): Buffer {
  const setContentLength = options?.setContentLength ?? true;
  const body: Buffer =
    m.body === undefined ? Buffer.alloc(0) : typeof m.body === 'string' ? encodeSipText(m.body) : m.body;

  checkLine('start line', m.startLine);
  let head = m.startLine + '\r\n';
  let clWritten = false;
  const headers = m.headers;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i];
    const name = h[0];
    let value = h[1];
    if (name.length === 0 || name.indexOf(':') !== -1) {
      throw new TypeError(`invalid SIP header name: ${JSON.stringify(name)}`);
    }
    checkLine('header name', name);
    checkLine(`value of header ${name}`, value);
    if (setContentLength && (name.length === 1 || name.length === 14) && canonicalHeaderName(name) === 'content-length') {
      if (clWritten) continue;
      clWritten = true;
      value = String(body.length);
    }
    head += name + ': ' + value + '\r\n';
  }
  if (setContentLength && !clWritten) head += 'Content-Length: ' + body.length + '\r\n';
  head += '\r\n';

  if (WIDE_CHAR.test(head)) {
    const h = Buffer.from(head, 'utf8');
    return body.length === 0 ? h : Buffer.concat([h, body], h.length + body.length);
  }
  const out = Buffer.allocUnsafe(head.length + body.length);
  out.write(head, 0, 'latin1');
  if (body.length > 0) body.copy(out, head.length);
  return out;
}
