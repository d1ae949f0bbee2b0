import { describe, it, expect } from 'vitest';
import { StreamFramer } from '../../src/sip/framer.js';
import { parseSipMessage, SipMessage, SipParseError } from '../../src/sip/message.js';

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n';

function msg(first: string, callId: string, cseq: string, body = '', clName = 'Content-Length'): string {
  return (
    `${first}\r\n` +
    'Via: SIP/2.0/TCP 127.0.0.1:5061;branch=z9hG4bK-' + callId + '\r\n' +
    'From: <sip:a@b>;tag=f\r\n' +
    'To: <sip:c@d>\r\n' +
    `Call-ID: ${callId}\r\n` +
    `CSeq: ${cseq}\r\n` +
    `${clName}: ${Buffer.byteLength(body, 'latin1')}\r\n` +
    '\r\n' +
    body
  );
}

const INVITE = msg('INVITE sip:x@y SIP/2.0', 'c1', '1 INVITE', SDP);
const OK = msg('SIP/2.0 200 OK', 'c1', '1 INVITE', SDP, 'l');
const ACK = msg('ACK sip:x@y SIP/2.0', 'c1', '1 ACK');
const BYE_LF = msg('BYE sip:x@y SIP/2.0', 'c1', '2 BYE', 'bye\n').replace(/\r\n/g, '\n');
const MESSAGES = [INVITE, OK, ACK, BYE_LF];

/** Messages and errors as strings: message text, or `ERR:reason`. */
function describeOut(out: Array<Buffer | SipParseError>): string[] {
  return out.map((x) => (x instanceof SipParseError ? `ERR:${x.reason}` : x.toString('latin1')));
}

function feed(framer: StreamFramer, chunks: Buffer[]): string[] {
  const all: Array<Buffer | SipParseError> = [];
  for (const c of chunks) all.push(...framer.push(c));
  return describeOut(all);
}

function splitAt(buf: Buffer, ...cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of cuts) {
    out.push(buf.subarray(prev, c));
    prev = c;
  }
  out.push(buf.subarray(prev));
  return out;
}

describe('StreamFramer', () => {
  it('returns one message per complete message in a chunk', () => {
    const f = new StreamFramer();
    expect(feed(f, [Buffer.from(INVITE)])).toEqual([INVITE]);
    expect(f.bufferedBytes).toBe(0);
  });

  it('frames many messages in one chunk, LF-only ones too', () => {
    const f = new StreamFramer();
    expect(feed(f, [Buffer.from(MESSAGES.join(''), 'latin1')])).toEqual(MESSAGES);
  });

  it('frames correctly when the stream is split at every possible offset', () => {
    const stream = Buffer.from(MESSAGES.join(''), 'latin1');
    for (let cut = 0; cut <= stream.length; cut++) {
      const f = new StreamFramer();
      expect(feed(f, splitAt(stream, cut)), `cut at ${cut}`).toEqual(MESSAGES);
      expect(f.bufferedBytes).toBe(0);
    }
  });

  it('frames correctly when split at every pair of offsets in a message pair', () => {
    const stream = Buffer.from(ACK + INVITE, 'latin1');
    for (let a = 0; a <= stream.length; a += 3) {
      for (let b = a; b <= stream.length; b += 7) {
        const f = new StreamFramer();
        expect(feed(f, splitAt(stream, a, b)), `cuts at ${a}, ${b}`).toEqual([ACK, INVITE]);
      }
    }
  });

  it('frames a stream fed one byte at a time', () => {
    const stream = Buffer.from(MESSAGES.join('\r\n\r\n'), 'latin1');
    const chunks: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) chunks.push(stream.subarray(i, i + 1));
    expect(feed(new StreamFramer(), chunks)).toEqual(MESSAGES);
  });

  it('skips CRLF keep-alives (pings and pongs) between messages, split anywhere', () => {
    const stream = Buffer.from('\r\n\r\n' + INVITE + '\r\n\r\n\r\n' + ACK + '\r\n' + OK + '\r\n\r\n', 'latin1');
    for (let cut = 0; cut <= stream.length; cut++) {
      const f = new StreamFramer();
      expect(feed(f, splitAt(stream, cut)), `cut at ${cut}`).toEqual([INVITE, ACK, OK]);
      expect(f.bufferedBytes).toBe(0);
    }
  });

  it('gives each framed message to the parser intact', () => {
    const out = new StreamFramer().push(Buffer.from(MESSAGES.join(''), 'latin1'));
    const parsed = out.map((b) => parseSipMessage(b as Buffer));
    expect(parsed.every((p) => p instanceof SipMessage)).toBe(true);
    const [inv, ok, ack, bye] = parsed as SipMessage[];
    expect(inv.body.toString('latin1')).toBe(SDP);
    expect(ok.statusCode).toBe(200);
    expect(ack.cseqMethod).toBe('ACK');
    expect(bye.body.toString()).toBe('bye\n');
  });

  it('returns messages that stay valid after later pushes (copies of buffered data)', () => {
    const f = new StreamFramer();
    // Enough data for the internal buffer to be compacted and reused several times.
    const expected = Array.from({ length: 30 }, () => [INVITE, OK, ACK]).flat();
    const stream = Buffer.from(expected.join(''), 'latin1');
    const got: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 50) {
      // Reuse-safe source: each chunk is a fresh copy that we then scribble over.
      const chunk = Buffer.from(stream.subarray(i, i + 50));
      for (const x of f.push(chunk)) got.push(x as Buffer);
      chunk.fill(0x58);
    }
    // Messages that straddled chunks were copied; the scribbling must not have reached them.
    expect(got.map((b) => b.toString('latin1'))).toEqual(expected);
  });

  it('reports a message without Content-Length and resynchronises on the next start line', () => {
    const noCl = 'MESSAGE sip:x SIP/2.0\r\nCall-ID: z\r\nCSeq: 1 MESSAGE\r\n\r\nsome body\r\nmore body\r\n';
    const stream = Buffer.from(INVITE + noCl + ACK + OK, 'latin1');
    for (let cut = 0; cut <= stream.length; cut += 5) {
      const out = feed(new StreamFramer(), splitAt(stream, cut));
      expect(out, `cut at ${cut}`).toEqual([INVITE, 'ERR:missing Content-Length header (required on stream transports)', ACK, OK]);
    }
  });

  it('reports an invalid Content-Length and resynchronises', () => {
    const bad = 'MESSAGE sip:x SIP/2.0\r\nCall-ID: z\r\nCSeq: 1 MESSAGE\r\nContent-Length: 1x\r\n\r\nbody\r\n';
    expect(feed(new StreamFramer(), [Buffer.from(bad + ACK)])).toEqual(['ERR:invalid Content-Length header', ACK]);
  });

  it('reports garbage once and skips to the next start line', () => {
    const stream = Buffer.from('hello there\r\nthis is not SIP\r\n\r\nat all\r\n' + ACK + 'junk\r\n' + INVITE, 'latin1');
    for (let cut = 0; cut <= stream.length; cut += 3) {
      const out = feed(new StreamFramer(), splitAt(stream, cut));
      expect(out, `cut at ${cut}`).toEqual(['ERR:stream data is not a SIP start line', ACK, 'ERR:stream data is not a SIP start line', INVITE]);
    }
  });

  it('caps a header section that never ends, then recovers', () => {
    const f = new StreamFramer({ maxHeaderBytes: 1024 });
    const out: Array<Buffer | SipParseError> = [];
    out.push(...f.push(Buffer.from('INVITE sip:x SIP/2.0\r\n')));
    for (let i = 0; i < 100; i++) out.push(...f.push(Buffer.from(`X-Filler-${i}: ${'a'.repeat(20)}\r\n`)));
    expect(f.bufferedBytes).toBeLessThanOrEqual(1024 + 40);
    expect(out).toHaveLength(1);
    expect(out[0]).toBeInstanceOf(SipParseError);
    expect((out[0] as SipParseError).reason).toMatch(/header section exceeds 1024 bytes/);
    out.push(...f.push(Buffer.from('X-More: 1\r\n\r\n' + ACK)));
    expect(describeOut(out.slice(1))).toEqual([ACK]);
  });

  it('caps a single endless line (no LF at all)', () => {
    const f = new StreamFramer({ maxHeaderBytes: 500 });
    const out = f.push(Buffer.alloc(2000, 0x41));
    expect(out).toHaveLength(1);
    expect(f.bufferedBytes).toBe(0);
    expect(describeOut(f.push(Buffer.from('\r\n' + ACK)))).toEqual([ACK]);
  });

  it('rejects an oversized body and skips exactly its bytes', () => {
    const body = 'SIP/2.0 200 OK\r\n'.repeat(20); // looks like start lines: must be skipped by count
    const big = msg('MESSAGE sip:x SIP/2.0', 'big', '1 MESSAGE', body);
    const stream = Buffer.from(big + ACK, 'latin1');
    for (let cut = 0; cut <= stream.length; cut += 11) {
      const out = feed(new StreamFramer({ maxBodyBytes: 100 }), splitAt(stream, cut));
      expect(out, `cut at ${cut}`).toEqual([`ERR:Content-Length ${body.length} exceeds the 100 byte limit`, ACK]);
    }
  });

  it('handles a large body arriving in many chunks', () => {
    const body = 'x'.repeat(200_000);
    const big = msg('MESSAGE sip:x SIP/2.0', 'big', '1 MESSAGE', body);
    const stream = Buffer.from(big + ACK, 'latin1');
    const chunks: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 1400) chunks.push(stream.subarray(i, i + 1400));
    const out = feed(new StreamFramer(), chunks);
    expect(out).toHaveLength(2);
    expect(out[0]).toBe(big);
    expect(out[1]).toBe(ACK);
  });

  it('matches Content-Length case-insensitively, compact form, with blanks', () => {
    const m = 'OPTIONS sip:x SIP/2.0\r\nCall-ID: q\r\nCSeq: 1 OPTIONS\r\ncontent-LENGTH :  3 \r\n\r\nabc';
    const m2 = 'OPTIONS sip:x SIP/2.0\r\nCall-ID: q\r\nCSeq: 1 OPTIONS\r\nL:2\r\n\r\nde';
    expect(feed(new StreamFramer(), [Buffer.from(m + m2)])).toEqual([m, m2]);
  });

  it('keeps partial data across pushes and reports bufferedBytes; reset() drops it', () => {
    const f = new StreamFramer();
    expect(f.push(Buffer.from(INVITE.slice(0, 100)))).toEqual([]);
    expect(f.bufferedBytes).toBe(100);
    f.reset();
    expect(f.bufferedBytes).toBe(0);
    expect(feed(f, [Buffer.from(ACK)])).toEqual([ACK]);
    expect(f.push(Buffer.alloc(0))).toEqual([]);
  });

  it('never throws on random input and always makes progress', () => {
    let seed = 2024;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const pieces = ['\r\n', '\n', 'SIP/2.0 200 OK', 'INVITE sip:x SIP/2.0', 'Content-Length: ', 'l:', '5', '0', 'abc', ': ', '\r\n\r\n'];
    for (let n = 0; n < 300; n++) {
      const f = new StreamFramer({ maxHeaderBytes: 256, maxBodyBytes: 64 });
      let s = '';
      const count = Math.floor(rnd() * 80);
      for (let i = 0; i < count; i++) s += pieces[Math.floor(rnd() * pieces.length)];
      const buf = Buffer.from(s, 'latin1');
      let pos = 0;
      while (pos < buf.length) {
        const len = 1 + Math.floor(rnd() * 40);
        const out = f.push(buf.subarray(pos, pos + len));
        for (const x of out) expect(x instanceof Buffer || x instanceof SipParseError).toBe(true);
        pos += len;
      }
      // Nothing beyond one header section (plus the body cap) is ever held.
      expect(f.bufferedBytes).toBeLessThanOrEqual(256 + 64 + 40);
      // The framer still works afterwards.
      f.reset();
      expect(feed(f, [Buffer.from(ACK)])).toEqual([ACK]);
    }
  });
});
