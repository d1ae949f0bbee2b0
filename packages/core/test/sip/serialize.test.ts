import { describe, it, expect } from 'vitest';
import { parseSipMessage, SipMessage, SipParseError } from '../../src/sip/message.js';
import { encodeSipText, serializeSipMessage, type SipMessageParts } from '../../src/sip/serialize.js';

function parse(buf: Buffer): SipMessage {
  const r = parseSipMessage(buf);
  if (r instanceof SipParseError) throw new Error(`unexpected parse error: ${r.reason} at ${r.offset}`);
  return r;
}

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n';

const invite: SipMessageParts = {
  startLine: 'INVITE sip:service@127.0.0.1:5060 SIP/2.0',
  headers: [
    ['Via', 'SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1'],
    ['From', 'sipp <sip:sipp@127.0.0.1:5061>;tag=42'],
    ['To', 'sut <sip:service@127.0.0.1:5060>'],
    ['Call-ID', '1-1@127.0.0.1'],
    ['CSeq', '1 INVITE'],
    ['Content-Type', 'application/sdp'],
    ['Content-Length', String(SDP.length)],
  ],
  body: SDP,
};

/** Parse the serialized bytes and compare start line, header lines and body with the parts. */
function expectRoundTrip(parts: SipMessageParts, opts?: { setContentLength?: boolean }): SipMessage {
  const m = parse(serializeSipMessage(parts, opts));
  expect(m.startLine).toBe(parts.startLine);
  expect(m.headerLines()).toEqual(parts.headers.map(([n, v]) => [n, v]));
  const body = parts.body === undefined ? Buffer.alloc(0) : typeof parts.body === 'string' ? encodeSipText(parts.body) : parts.body;
  expect(Buffer.compare(m.body, body)).toBe(0);
  return m;
}

describe('serializeSipMessage', () => {
  it('writes CRLF lines, Name: value, an empty line, then the body', () => {
    const out = serializeSipMessage(invite).toString('latin1');
    expect(out).toBe(
      'INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n' +
        'Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1\r\n' +
        'From: sipp <sip:sipp@127.0.0.1:5061>;tag=42\r\n' +
        'To: sut <sip:service@127.0.0.1:5060>\r\n' +
        'Call-ID: 1-1@127.0.0.1\r\n' +
        'CSeq: 1 INVITE\r\n' +
        'Content-Type: application/sdp\r\n' +
        `Content-Length: ${SDP.length}\r\n` +
        '\r\n' +
        SDP,
    );
  });

  it('round-trips requests and responses', () => {
    expectRoundTrip(invite);
    expectRoundTrip({
      startLine: 'SIP/2.0 180 Ringing',
      headers: [
        ['v', 'SIP/2.0/UDP h;branch=z9hG4bKa, SIP/2.0/TCP g;branch=z9hG4bKb'],
        ['f', '<sip:a@b>;tag=1'],
        ['t', '<sip:c@d>;tag=2'],
        ['i', 'abc'],
        ['CSeq', '5 INVITE'],
        ['WWW-Authenticate', 'Digest realm="x", nonce="a,b"'],
        ['X-Empty', ''],
        ['l', '0'],
      ],
    });
    expectRoundTrip({ startLine: 'OPTIONS sip:x SIP/2.0', headers: [['Call-ID', 'c'], ['CSeq', '1 OPTIONS']] }, { setContentLength: false });
  });

  it('round-trips a binary body', () => {
    const body = Buffer.from([0, 13, 10, 13, 10, 255, 128, 1]);
    const m = expectRoundTrip({
      startLine: 'MESSAGE sip:x SIP/2.0',
      headers: [['Call-ID', 'c'], ['CSeq', '1 MESSAGE'], ['Content-Length', '8']],
      body,
    });
    expect(m.body.length).toBe(8);
  });

  it('sets Content-Length: overwrites a wrong value in place, keeps the name as written, drops duplicates', () => {
    const out = serializeSipMessage({
      startLine: 'MESSAGE sip:x SIP/2.0',
      headers: [['l', '999'], ['Call-ID', 'c'], ['content-length', '5'], ['CSeq', '1 MESSAGE']],
      body: 'hello',
    }).toString('latin1');
    expect(out).toBe('MESSAGE sip:x SIP/2.0\r\nl: 5\r\nCall-ID: c\r\nCSeq: 1 MESSAGE\r\n\r\nhello');
  });

  it('appends Content-Length when absent (0 for no body)', () => {
    const noBody = serializeSipMessage({ startLine: 'BYE sip:x SIP/2.0', headers: [['Call-ID', 'c'], ['CSeq', '2 BYE']] });
    expect(noBody.toString('latin1')).toBe('BYE sip:x SIP/2.0\r\nCall-ID: c\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n');
    const withBody = parse(
      serializeSipMessage({ startLine: 'MESSAGE sip:x SIP/2.0', headers: [['Call-ID', 'c'], ['CSeq', '1 MESSAGE']], body: 'hi' }),
    );
    expect(withBody.header('Content-Length')).toBe('2');
    expect(withBody.body.toString()).toBe('hi');
  });

  it('leaves headers untouched with setContentLength: false', () => {
    const out = serializeSipMessage(
      { startLine: 'MESSAGE sip:x SIP/2.0', headers: [['Content-Length', '42'], ['Content-Length', '43']], body: 'abc' },
      { setContentLength: false },
    );
    expect(out.toString('latin1')).toBe('MESSAGE sip:x SIP/2.0\r\nContent-Length: 42\r\nContent-Length: 43\r\n\r\nabc');
    expect(
      serializeSipMessage({ startLine: 'A b SIP/2.0', headers: [] }, { setContentLength: false }).toString(),
    ).toBe('A b SIP/2.0\r\n\r\n');
  });

  it('does not treat other headers starting with l/c as Content-Length', () => {
    const out = serializeSipMessage({
      startLine: 'A b SIP/2.0',
      headers: [['Location', 'x'], ['Content-Type', 'text/plain'], ['Content-Length-X', '7']],
      body: 'b',
    }).toString('latin1');
    expect(out).toBe('A b SIP/2.0\r\nLocation: x\r\nContent-Type: text/plain\r\nContent-Length-X: 7\r\nContent-Length: 1\r\n\r\nb');
  });

  it('encodes string bodies latin1 (bytes as chars) and wide strings as UTF-8, with the byte length', () => {
    const latin = serializeSipMessage({ startLine: 'A b SIP/2.0', headers: [], body: 'caf\u00e9' });
    expect(latin.subarray(latin.length - 4)).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    expect(latin.toString('latin1')).toContain('Content-Length: 4\r\n');
    const wide = serializeSipMessage({ startLine: 'A b SIP/2.0', headers: [], body: 'caf\u00e9 \u20ac' });
    expect(wide.toString('latin1')).toContain('Content-Length: 9\r\n');
    expect(wide.subarray(wide.length - 9).toString('utf8')).toBe('caf\u00e9 \u20ac');
    const wideHead = serializeSipMessage({ startLine: 'A b SIP/2.0', headers: [['Subject', '\u20ac']] });
    expect(wideHead.toString('utf8')).toContain('Subject: \u20ac\r\n');
  });

  it('rejects CR/LF in the start line, names or values, and bad header names', () => {
    expect(() => serializeSipMessage({ startLine: 'A b SIP/2.0\r\nX: y', headers: [] })).toThrow(TypeError);
    expect(() => serializeSipMessage({ startLine: 'A b SIP/2.0', headers: [['X', 'a\r\nInjected: 1']] })).toThrow(/CR or LF/);
    expect(() => serializeSipMessage({ startLine: 'A b SIP/2.0', headers: [['X\n', 'a']] })).toThrow(TypeError);
    expect(() => serializeSipMessage({ startLine: 'A b SIP/2.0', headers: [['', 'a']] })).toThrow(/header name/);
    expect(() => serializeSipMessage({ startLine: 'A b SIP/2.0', headers: [['X:Y', 'a']] })).toThrow(/header name/);
  });

  it('round-trips random messages', () => {
    const rnd = prng(99);
    const names = ['Via', 'v', 'From', 'To', 'Contact', 'm', 'X-Foo', 'Record-Route', 'Subject', 'Allow', 'WWW-Authenticate', 'Max-Forwards'];
    const valueChars = 'abcXYZ019 ;,=<>"@:.-_/\t\u00e9\u00ff';
    for (let n = 0; n < 300; n++) {
      const headers: Array<[string, string]> = [];
      const count = Math.floor(rnd() * 12);
      for (let i = 0; i < count; i++) {
        let v = '';
        const len = Math.floor(rnd() * 30);
        for (let k = 0; k < len; k++) v += valueChars[Math.floor(rnd() * valueChars.length)];
        headers.push([names[Math.floor(rnd() * names.length)], v.trim()]);
      }
      // Routing headers the parser requires, at a random position.
      headers.splice(Math.floor(rnd() * (headers.length + 1)), 0, ['Call-ID', `id-${n}`]);
      headers.splice(Math.floor(rnd() * (headers.length + 1)), 0, ['CSeq', `${n} OPTIONS`]);
      const bodyLen = Math.floor(rnd() * 50);
      const body = Buffer.alloc(bodyLen);
      for (let i = 0; i < bodyLen; i++) body[i] = Math.floor(rnd() * 256);
      headers.push(['Content-Length', String(bodyLen)]);
      const parts: SipMessageParts = {
        startLine: rnd() < 0.5 ? `OPTIONS sip:u${n}@h SIP/2.0` : `SIP/2.0 ${100 + Math.floor(rnd() * 600)} Reason ${n}`,
        headers,
        body,
      };
      const m = expectRoundTrip(parts);
      expect(m.callId).toBe(`id-${n}`);
      expect(m.cseqNumber).toBe(n);
    }
  });

  it('re-serializes a parsed message to the same bytes', () => {
    const original = serializeSipMessage(invite);
    const m = parse(original);
    const again = serializeSipMessage({ startLine: m.startLine, headers: m.headerLines(), body: m.body });
    expect(again.equals(original)).toBe(true);
  });
});
