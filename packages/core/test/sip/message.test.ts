import { describe, it, expect } from 'vitest';
import { parseSipMessage, SipMessage, SipParseError } from '../../src/sip/message.js';

const CRLF = '\r\n';
const lines = (...ls: string[]): string => ls.join(CRLF);

const SDP = lines(
  'v=0',
  'o=user1 53655765 2353687637 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 6000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
);

const INVITE = lines(
  'INVITE sip:service@127.0.0.1:5060 SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0',
  'From: sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001',
  'To: sut <sip:service@127.0.0.1:5060>',
  'Call-ID: 1-1234@127.0.0.1',
  'CSeq: 1 INVITE',
  'Contact: sip:sipp@127.0.0.1:5061',
  'Max-Forwards: 70',
  'Subject: Performance Test',
  'Content-Type: application/sdp',
  `Content-Length: ${SDP.length}`,
  '',
  SDP,
);

const OK = lines(
  'SIP/2.0 200 OK',
  'Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0;received=127.0.0.1',
  'From: sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001',
  'To: sut <sip:service@127.0.0.1:5060>;tag=5678SIPpTag011',
  'Call-ID: 1-1234@127.0.0.1',
  'CSeq: 1 INVITE',
  'Contact: <sip:127.0.0.1:5060;transport=UDP>',
  'Content-Type: application/sdp',
  `Content-Length: ${SDP.length}`,
  '',
  SDP,
);

const TRYING_COMPACT = lines(
  'SIP/2.0 100 Trying',
  'v: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0',
  'f: sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001',
  't: sut <sip:service@127.0.0.1:5060>',
  'i: 1-1234@127.0.0.1',
  'CSeq: 1 INVITE',
  'l: 0',
  '',
  '',
);

/** Deterministic PRNG (mulberry32) so fuzz failures reproduce. */
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

function parse(text: string | Buffer): SipMessage {
  const r = parseSipMessage(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
  if (r instanceof SipParseError) throw new Error(`unexpected parse error: ${r.reason} at ${r.offset}`);
  return r;
}

function parseError(text: string | Buffer): SipParseError {
  const r = parseSipMessage(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
  if (!(r instanceof SipParseError)) throw new Error('expected a parse error, got a message');
  return r;
}

/** A minimal valid message around the given header lines. */
function withHeaders(...headers: string[]): string {
  return lines('OPTIONS sip:a@b SIP/2.0', ...headers, 'Call-ID: c1', 'CSeq: 7 OPTIONS', '', '');
}

describe('parseSipMessage: start line and routing fields', () => {
  it('parses a request with all routing fields', () => {
    const m = parse(INVITE);
    expect(m).toBeInstanceOf(SipMessage);
    expect(m.isRequest).toBe(true);
    expect(m.method).toBe('INVITE');
    expect(m.requestUri).toBe('sip:service@127.0.0.1:5060');
    expect(m.statusCode).toBe(0);
    expect(m.reasonPhrase).toBe('');
    expect(m.callId).toBe('1-1234@127.0.0.1');
    expect(m.cseqNumber).toBe(1);
    expect(m.cseqMethod).toBe('INVITE');
    expect(m.topViaBranch).toBe('z9hG4bK-1234-1-0');
    expect(m.fromTag).toBe('1234SIPpTag001');
    expect(m.toTag).toBe('');
    expect(m.body.toString('latin1')).toBe(SDP);
    expect(m.startLine).toBe('INVITE sip:service@127.0.0.1:5060 SIP/2.0');
    expect(m.raw.toString('latin1')).toBe(INVITE);
  });

  it('parses a response', () => {
    const m = parse(OK);
    expect(m.isRequest).toBe(false);
    expect(m.method).toBe('');
    expect(m.requestUri).toBe('');
    expect(m.statusCode).toBe(200);
    expect(m.reasonPhrase).toBe('OK');
    expect(m.toTag).toBe('5678SIPpTag011');
    expect(m.fromTag).toBe('1234SIPpTag001');
    expect(m.topViaBranch).toBe('z9hG4bK-1234-1-0');
    expect(m.cseqMethod).toBe('INVITE');
  });

  it('keeps multi-word reason phrases and accepts an empty one', () => {
    expect(parse(OK.replace('200 OK', '486 Busy Here')).reasonPhrase).toBe('Busy Here');
    expect(parse(OK.replace('200 OK', '200')).reasonPhrase).toBe('');
    expect(parse(OK.replace('200 OK', '200')).statusCode).toBe(200);
    expect(parse(OK.replace('200 OK', '200 ')).reasonPhrase).toBe('');
  });

  it('reads compact header forms', () => {
    const m = parse(TRYING_COMPACT);
    expect(m.statusCode).toBe(100);
    expect(m.callId).toBe('1-1234@127.0.0.1');
    expect(m.topViaBranch).toBe('z9hG4bK-1234-1-0');
    expect(m.fromTag).toBe('1234SIPpTag001');
    expect(m.toTag).toBe('');
    expect(m.body.length).toBe(0);
  });

  it('matches header names case-insensitively', () => {
    const text = INVITE.replace('Via:', 'VIA:')
      .replace('From:', 'fRoM:')
      .replace('To:', 'TO:')
      .replace('Call-ID:', 'call-id:')
      .replace('CSeq:', 'CSEQ:')
      .replace('Content-Length:', 'content-LENGTH:');
    const m = parse(text);
    expect(m.callId).toBe('1-1234@127.0.0.1');
    expect(m.cseqNumber).toBe(1);
    expect(m.topViaBranch).toBe('z9hG4bK-1234-1-0');
    expect(m.fromTag).toBe('1234SIPpTag001');
    expect(m.body.toString('latin1')).toBe(SDP);
  });

  it('accepts upper-case compact forms and blanks around the colon', () => {
    const m = parse(lines('BYE sip:x@y SIP/2.0', 'I  :  abc ', 'CSeq :\t42   BYE', 'V: SIP/2.0/TCP h;branch=z9hG4bKx', '', ''));
    expect(m.callId).toBe('abc');
    expect(m.cseqNumber).toBe(42);
    expect(m.cseqMethod).toBe('BYE');
    expect(m.topViaBranch).toBe('z9hG4bKx');
  });

  it('takes the branch of the first Via line only', () => {
    const m = parse(
      withHeaders('Via: SIP/2.0/UDP a:5060;branch=z9hG4bKfirst', 'Via: SIP/2.0/UDP b:5060;branch=z9hG4bKsecond'),
    );
    expect(m.topViaBranch).toBe('z9hG4bKfirst');
  });

  it('takes the branch of the first via-parm of a comma-joined Via line', () => {
    const m = parse(withHeaders('Via: SIP/2.0/UDP a:5060;rport, SIP/2.0/UDP b:5060;branch=z9hG4bKsecond'));
    expect(m.topViaBranch).toBe('');
    const m2 = parse(withHeaders('Via: SIP/2.0/UDP a:5060;branch=z9hG4bKone ,SIP/2.0/UDP b;branch=z9hG4bKtwo'));
    expect(m2.topViaBranch).toBe('z9hG4bKone');
    const m3 = parse(withHeaders('v: SIP/2.0/UDP [::1]:5060;received=::1;branch=z9hG4bK3,SIP/2.0/UDP b;branch=x'));
    expect(m3.topViaBranch).toBe('z9hG4bK3');
  });

  it('finds branch and tag parameters in unusual spellings', () => {
    const m = parse(
      withHeaders(
        'Via: SIP/2.0/UDP a:5060 ; rport ; BRANCH = z9hG4bKup ;ttl=1',
        'From: "Bob; <the> builder" <sip:bob@x;tag=uri-param>;foo=bar; TAG=ft1',
        'To: sip:alice@y;tag=tt1',
      ),
    );
    expect(m.topViaBranch).toBe('z9hG4bKup');
    expect(m.fromTag).toBe('ft1');
    expect(m.toTag).toBe('tt1');
  });

  it('ignores a tag inside the <URI> and parameters whose name only starts with tag/branch', () => {
    const m = parse(
      withHeaders('Via: SIP/2.0/UDP a;branches=no;branch=yes', 'From: <sip:a@b;tag=inner>;tags=no', 'To: <sip:c@d>;tag'),
    );
    expect(m.topViaBranch).toBe('yes');
    expect(m.fromTag).toBe('');
    expect(m.toTag).toBe('');
  });

  it('uses the first of repeated routing headers', () => {
    const m = parse(lines('BYE sip:x SIP/2.0', 'Call-ID: one', 'i: two', 'CSeq: 1 BYE', 'CSeq: 2 BYE', '', ''));
    expect(m.callId).toBe('one');
    expect(m.cseqNumber).toBe(1);
  });

  it('joins folded (continuation) header lines with one space', () => {
    const text = lines(
      'MESSAGE sip:x SIP/2.0',
      'Call-ID:',
      '   folded@host',
      'CSeq: 3',
      '\tMESSAGE',
      'Subject: hello',
      '  big',
      '\t world',
      'From: <sip:a@b>',
      ' ;tag=ft',
      '',
      '',
    );
    const m = parse(text);
    expect(m.callId).toBe('folded@host');
    expect(m.cseqNumber).toBe(3);
    expect(m.cseqMethod).toBe('MESSAGE');
    expect(m.fromTag).toBe('ft');
    expect(m.header('Subject')).toBe('hello big world');
    expect(m.headerLines().map((l) => l[0])).toEqual(['Call-ID', 'CSeq', 'Subject', 'From']);
  });

  it('accepts bare LF line ends, and mixed CRLF / LF', () => {
    const lfSdp = SDP.replace(/\r\n/g, '\n');
    const lf = INVITE.replace(SDP, lfSdp).replace(/\r\n/g, '\n').replace(`Content-Length: ${SDP.length}`, `Content-Length: ${lfSdp.length}`);
    const m = parse(lf);
    expect(m.callId).toBe('1-1234@127.0.0.1');
    expect(m.topViaBranch).toBe('z9hG4bK-1234-1-0');
    expect(m.body.toString('latin1')).toBe(lfSdp);
    const noCl = lines('OPTIONS sip:a SIP/2.0', 'Call-ID: x', 'CSeq: 1 OPTIONS').replace(/\r\n/g, '\n') + '\r\n\nbody';
    const m2 = parse(noCl);
    expect(m2.callId).toBe('x');
    expect(m2.body.toString()).toBe('body');
    const m3 = parse('OPTIONS sip:a SIP/2.0\r\nCall-ID: y\nCSeq: 1 OPTIONS\r\n\nrest');
    expect(m3.body.toString()).toBe('rest');
  });

  it('accepts a lower-case SIP version', () => {
    expect(parse(INVITE.replace(' SIP/2.0\r\n', ' sip/2.0\r\n')).method).toBe('INVITE');
    expect(parse(OK.replace('SIP/2.0 200', 'sip/2.0 200')).statusCode).toBe(200);
  });

  it('skips CR/LF before the start line', () => {
    const m = parse('\r\n\r\n' + INVITE);
    expect(m.method).toBe('INVITE');
    expect(m.startOffset).toBe(4);
    expect(m.body.toString('latin1')).toBe(SDP);
  });

  it('parses methods it does not know', () => {
    const m = parse(lines('X-FOO.bar sip:x SIP/2.0', 'Call-ID: c', 'CSeq: 9 X-FOO.bar', '', ''));
    expect(m.method).toBe('X-FOO.bar');
    expect(m.cseqMethod).toBe('X-FOO.bar');
  });
});

describe('parseSipMessage: body and Content-Length', () => {
  const head = lines('MESSAGE sip:x SIP/2.0', 'Call-ID: c', 'CSeq: 1 MESSAGE');

  it('takes the rest of the datagram when Content-Length is absent', () => {
    const m = parse(head + '\r\n\r\nhello\r\nworld');
    expect(m.body.toString()).toBe('hello\r\nworld');
    expect(m.byteLength).toBe(m.raw.length);
  });

  it('truncates the body to Content-Length when more bytes are present', () => {
    const m = parse(head + '\r\nContent-Length: 5\r\n\r\nhello, extra');
    expect(m.body.toString()).toBe('hello');
    expect(m.bodyOffset).toBe(Buffer.byteLength(head) + '\r\nContent-Length: 5\r\n\r\n'.length);
    expect(m.byteLength).toBe(m.bodyOffset + 5);
  });

  it('rejects a Content-Length larger than the bytes present', () => {
    const e = parseError(head + '\r\nl: 50\r\n\r\nshort');
    expect(e.reason).toMatch(/Content-Length 50 exceeds the 5 body bytes/);
    expect(e.offset).toBe(Buffer.byteLength(head) + '\r\nl: 50\r\n\r\n'.length);
  });

  it('accepts Content-Length 0 with trailing bytes, and an empty body', () => {
    expect(parse(head + '\r\nContent-Length: 0\r\n\r\nxyz').body.length).toBe(0);
    expect(parse(head + '\r\n\r\n').body.length).toBe(0);
  });

  it('rejects an invalid Content-Length', () => {
    expect(parseError(head + '\r\nContent-Length: 12a\r\n\r\n').reason).toMatch(/Content-Length/);
    expect(parseError(head + '\r\nContent-Length: -1\r\n\r\n').reason).toMatch(/Content-Length/);
    expect(parseError(head + '\r\nContent-Length:\r\n\r\n').reason).toMatch(/Content-Length/);
    expect(parseError(head + '\r\nContent-Length: 99999999999\r\n\r\n').reason).toMatch(/Content-Length/);
  });

  it('keeps binary body bytes intact and shares memory with raw', () => {
    const body = Buffer.from([0, 1, 2, 0xff, 0xfe, 13, 10, 13, 10, 0x80]);
    const raw = Buffer.concat([Buffer.from(head + `\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
    const m = parse(raw);
    expect(Buffer.compare(m.body, body)).toBe(0);
    expect(m.body.buffer).toBe(raw.buffer);
  });

  it('handles messages larger than the whole-decode limit', () => {
    const big = 'x'.repeat(20000);
    const m = parse(head + `\r\nSubject: s\r\nContent-Length: ${big.length}\r\n\r\n` + big);
    expect(m.body.length).toBe(20000);
    expect(m.header('Subject')).toBe('s');
    expect(m.callId).toBe('c');
    const noCl = parse(head + '\r\n\r\n' + big);
    expect(noCl.body.length).toBe(20000);
    expect(parseError(head + '\r\n' + big).reason).toMatch(/not terminated by an empty line/);
    const lfOnly = parse(lines('MESSAGE sip:x SIP/2.0', 'Call-ID: c', 'CSeq: 1 MESSAGE').replace(/\r\n/g, '\n') + '\n\n' + big);
    expect(lfOnly.body.length).toBe(20000);
  });

  it('keeps non-ASCII header bytes as latin1 chars', () => {
    const raw = Buffer.concat([
      Buffer.from('MESSAGE sip:x SIP/2.0\r\nCall-ID: c\r\nCSeq: 1 MESSAGE\r\nFrom: "'),
      Buffer.from('José', 'utf8'),
      Buffer.from('" <sip:j@x>;tag=t\r\n\r\n'),
    ]);
    const m = parse(raw);
    expect(m.fromTag).toBe('t');
    expect(Buffer.from(m.header('From')!, 'latin1').toString('utf8')).toBe('"José" <sip:j@x>;tag=t');
  });
});

describe('parseSipMessage: errors', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['empty input', '', /empty message/],
    ['only keep-alive bytes', '\r\n\r\n', /only CR\/LF/],
    ['no line break', 'INVITE sip:x SIP/2.0', /start line is not terminated/],
    ['garbage start line', 'hello world\r\nCall-ID: a\r\nCSeq: 1 A\r\n\r\n', /bad start line|bad request line/],
    ['no Request-URI', 'INVITE SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 A\r\n\r\n', /bad request line/],
    ['two spaces', 'INVITE  sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 A\r\n\r\n', /bad request line/],
    ['space in URI', 'INVITE sip:a b SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 A\r\n\r\n', /SIP version/],
    ['wrong version', 'INVITE sip:x SIP/3.0\r\nCall-ID: a\r\nCSeq: 1 A\r\n\r\n', /SIP version is not SIP\/2.0/],
    ['bad method char', 'INV@TE sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 A\r\n\r\n', /invalid character in method/],
    ['bad status code', 'SIP/2.0 2x0 OK\r\nCall-ID: a\r\nCSeq: 1 A\r\n\r\n', /invalid status code/],
    ['status code out of range', 'SIP/2.0 700 OK\r\nCall-ID: a\r\nCSeq: 1 A\r\n\r\n', /invalid status code/],
    ['4-digit status code', 'SIP/2.0 2000 OK\r\nCall-ID: a\r\nCSeq: 1 A\r\n\r\n', /invalid status code/],
    ['short status line', 'SIP/2.0 20\r\nCall-ID: a\r\nCSeq: 1 A\r\n\r\n', /invalid status code/],
    ['missing Call-ID', 'INVITE sip:x SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\n', /missing Call-ID/],
    ['missing CSeq', 'INVITE sip:x SIP/2.0\r\nCall-ID: a\r\n\r\n', /missing CSeq/],
    ['empty Call-ID', 'INVITE sip:x SIP/2.0\r\nCall-ID:  \r\nCSeq: 1 INVITE\r\n\r\n', /empty Call-ID/],
    ['CSeq without method', 'INVITE sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq: 1\r\n\r\n', /invalid CSeq/],
    ['CSeq without number', 'INVITE sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq: INVITE\r\n\r\n', /invalid CSeq/],
    ['CSeq with junk', 'INVITE sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 INV ITE\r\n\r\n', /invalid CSeq/],
    ['header without colon', 'INVITE sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq 1 INVITE\r\n\r\n', /without a colon/],
    ['empty header name', 'INVITE sip:x SIP/2.0\r\n: a\r\n\r\n', /empty header name/],
    ['headers not terminated', 'INVITE sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 INVITE\r\n', /not terminated by an empty line/],
    ['last header line cut', 'INVITE sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 INV', /not terminated by an empty line/],
    ['continuation first', 'INVITE sip:x SIP/2.0\r\n folded\r\nCall-ID: a\r\nCSeq: 1 INVITE\r\n\r\n', /continuation line/],
  ];
  for (const [name, text, reason] of cases) {
    it(`rejects: ${name}`, () => {
      const e = parseError(text);
      expect(e).toBeInstanceOf(SipParseError);
      expect(e.reason).toMatch(reason);
    });
  }

  it('reports a byte offset for header errors', () => {
    const e = parseError('INVITE sip:x SIP/2.0\r\nCall-ID: a\r\nbroken line\r\n\r\n');
    expect(e.offset).toBe('INVITE sip:x SIP/2.0\r\nCall-ID: a\r\n'.length);
    expect(String(e)).toMatch(/byte \d+: header line without a colon/);
  });

  it('returns an error (does not throw) for a non-Buffer argument', () => {
    const r = parseSipMessage(undefined as unknown as Buffer);
    expect(r).toBeInstanceOf(SipParseError);
  });
});

describe('SipMessage lazy header access', () => {
  it('header() finds long and compact forms both ways', () => {
    const m = parse(TRYING_COMPACT);
    expect(m.header('Call-ID')).toBe('1-1234@127.0.0.1');
    expect(m.header('call-id')).toBe('1-1234@127.0.0.1');
    expect(m.header('i')).toBe('1-1234@127.0.0.1');
    expect(m.header('I')).toBe('1-1234@127.0.0.1');
    expect(m.header('Via')).toBe('SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0');
    expect(m.header('From')).toBe('sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001');
    expect(m.header('Content-Length')).toBe('0');
    const full = parse(INVITE);
    expect(full.header('i')).toBe('1-1234@127.0.0.1');
    expect(full.header('f')).toBe('sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001');
    expect(full.header('m')).toBe('sip:sipp@127.0.0.1:5061');
    expect(full.header('c')).toBe('application/sdp');
    expect(full.header('s')).toBe('Performance Test');
    expect(full.header('l')).toBe(String(SDP.length));
    expect(full.header('X-Missing')).toBeUndefined();
    expect(full.hasHeader('max-forwards')).toBe(true);
    expect(full.hasHeader('Route')).toBe(false);
  });

  it('maps every compact form', () => {
    const pairs: Array<[string, string]> = [
      ['i', 'Call-ID'],
      ['f', 'From'],
      ['t', 'To'],
      ['v', 'Via'],
      ['m', 'Contact'],
      ['l', 'Content-Length'],
      ['c', 'Content-Type'],
      ['k', 'Supported'],
      ['s', 'Subject'],
      ['e', 'Content-Encoding'],
      ['o', 'Event'],
      ['r', 'Refer-To'],
      ['u', 'Allow-Events'],
      ['x', 'Session-Expires'],
      ['y', 'Identity'],
      ['b', 'Referred-By'],
    ];
    for (const [short, long] of pairs) {
      const v1 = short === 'l' ? '0' : `v-${short}`;
      const viaShort = parse(withHeaders(`${short}: ${v1}`));
      expect(viaShort.header(long), `${long} from ${short}:`).toBe(v1);
      expect(viaShort.header(long.toUpperCase()), `${long.toUpperCase()} from ${short}:`).toBe(v1);
      const v2 = short === 'l' ? '0' : `w-${short}`;
      const viaLong = parse(withHeaders(`${long}: ${v2}`));
      expect(viaLong.header(short), `${short} from ${long}:`).toBe(v2);
      expect(viaLong.headerLines()[0]).toEqual([long, v2]);
    }
  });

  it('headerValues() returns one entry per line and splits list headers', () => {
    const m = parse(
      withHeaders(
        'Via: SIP/2.0/UDP a;branch=1, SIP/2.0/UDP b;branch=2',
        'v: SIP/2.0/UDP c;branch=3',
        'Route: <sip:p1;lr>, <sip:p2;lr>',
        'Record-Route: <sip:rr1;lr;x="a,b">,<sip:rr2;lr>',
        'Allow: INVITE, ACK,CANCEL ,  BYE',
        'Supported: 100rel, timer',
        'k: path',
        'Require:',
      ),
    );
    expect(m.headerValues('Via')).toEqual(['SIP/2.0/UDP a;branch=1', 'SIP/2.0/UDP b;branch=2', 'SIP/2.0/UDP c;branch=3']);
    expect(m.header('Via')).toBe('SIP/2.0/UDP a;branch=1');
    expect(m.headerValues('route')).toEqual(['<sip:p1;lr>', '<sip:p2;lr>']);
    expect(m.headerValues('Record-Route')).toEqual(['<sip:rr1;lr;x="a,b">', '<sip:rr2;lr>']);
    expect(m.headerValues('Allow')).toEqual(['INVITE', 'ACK', 'CANCEL', 'BYE']);
    expect(m.headerValues('Supported')).toEqual(['100rel', 'timer', 'path']);
    expect(m.headerValues('Require')).toEqual(['']);
    expect(m.headerValues('Unsupported')).toEqual([]);
  });

  it('does not split inside quoted strings or <URIs>', () => {
    const m = parse(
      withHeaders(
        'Contact: "Doe, John \\"JD\\"" <sip:jd@x;foo=a,b>;q=0.5, <sip:k@y>;expires=60',
        'm: *',
      ),
    );
    expect(m.headerValues('Contact')).toEqual([
      '"Doe, John \\"JD\\"" <sip:jd@x;foo=a,b>;q=0.5',
      '<sip:k@y>;expires=60',
      '*',
    ]);
    expect(m.header('m')).toBe('"Doe, John \\"JD\\"" <sip:jd@x;foo=a,b>;q=0.5');
    const esc = parse(withHeaders('Contact: "say \\"hi, there" <sip:h@x>, <sip:i@y>'));
    expect(esc.headerValues('Contact')).toEqual(['"say \\"hi, there" <sip:h@x>', '<sip:i@y>']);
  });

  it('never splits headers whose values contain commas', () => {
    const auth = 'Digest username="bob", realm="x.com", nonce="abc,def", uri="sip:x.com", response="0123"';
    const m = parse(
      withHeaders(
        `WWW-Authenticate: ${auth}`,
        `Authorization: ${auth}`,
        `Proxy-Authenticate: ${auth}`,
        `Proxy-Authorization: ${auth}`,
        'Date: Sat, 13 Nov 2010 23:29:00 GMT',
        'X-Custom: a, b, c',
        'Subject: hello, world',
      ),
    );
    expect(m.headerValues('WWW-Authenticate')).toEqual([auth]);
    expect(m.headerValues('Authorization')).toEqual([auth]);
    expect(m.headerValues('Proxy-Authenticate')).toEqual([auth]);
    expect(m.headerValues('Proxy-Authorization')).toEqual([auth]);
    expect(m.headerValues('Date')).toEqual(['Sat, 13 Nov 2010 23:29:00 GMT']);
    expect(m.headerValues('x-custom')).toEqual(['a, b, c']);
    expect(m.header('Subject')).toBe('hello, world');
  });

  it('headerLines() gives every line in order with names as written', () => {
    const m = parse(TRYING_COMPACT);
    expect(m.headerLines()).toEqual([
      ['v', 'SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0'],
      ['f', 'sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001'],
      ['t', 'sut <sip:service@127.0.0.1:5060>'],
      ['i', '1-1234@127.0.0.1'],
      ['CSeq', '1 INVITE'],
      ['l', '0'],
    ]);
    expect(m.headerLines()).toBe(m.headerLines());
  });

  it('trims blanks around values and names, keeps inner blanks', () => {
    const m = parse(withHeaders('X-A :   two  words \t', 'X-Empty:', 'X-Blank:   '));
    expect(m.headerLines().slice(0, 3)).toEqual([
      ['X-A', 'two  words'],
      ['X-Empty', ''],
      ['X-Blank', ''],
    ]);
  });

  it('header access does not change routing fields and works after them', () => {
    const m = parse(OK);
    expect(m.headerValues('Via')).toHaveLength(1);
    expect(m.headerLines()).toHaveLength(8);
    expect(m.topViaBranch).toBe('z9hG4bK-1234-1-0');
    expect(m.header('Content-Type')).toBe('application/sdp');
  });
});

describe('parseSipMessage never throws', () => {
  const samples = [INVITE, OK, TRYING_COMPACT, INVITE.replace(/\r\n/g, '\n').replace(`Length: ${SDP.length}`, 'Length: 122')].map((s) => Buffer.from(s, 'latin1'));

  function exercise(buf: Buffer): void {
    const r = parseSipMessage(buf);
    if (r instanceof SipMessage) {
      // Touch everything lazy too.
      r.headerLines();
      r.header('Via');
      r.headerValues('Contact');
      r.headerValues('From');
      void r.body.length;
      void r.startLine;
      expect(r.body.length).toBeLessThanOrEqual(buf.length);
    } else {
      expect(r).toBeInstanceOf(SipParseError);
      expect(typeof r.reason).toBe('string');
      expect(r.reason.length).toBeGreaterThan(0);
    }
  }

  it('every truncation of real messages is a message or an error', () => {
    let errors = 0;
    for (const s of samples) {
      expect(parseSipMessage(s)).toBeInstanceOf(SipMessage);
      for (let i = 0; i <= s.length; i++) {
        const cut = s.subarray(0, i);
        exercise(cut);
        if (parseSipMessage(cut) instanceof SipParseError) errors++;
      }
      // Cut inside the body: Content-Length then says more than present.
      const bodyStart = s.indexOf('\r\n\r\n') !== -1 ? s.indexOf('\r\n\r\n') + 4 : s.indexOf('\n\n') + 2;
      if (s.length > bodyStart) expect(parseSipMessage(s.subarray(0, s.length - 1))).toBeInstanceOf(SipParseError);
    }
    expect(errors).toBeGreaterThan(0);
  });

  it('random bytes', () => {
    const rnd = prng(12345);
    for (let n = 0; n < 3000; n++) {
      const len = Math.floor(rnd() * 300);
      const b = Buffer.alloc(len);
      for (let i = 0; i < len; i++) b[i] = Math.floor(rnd() * 256);
      exercise(b);
    }
  });

  it('random bytes from a SIP-ish alphabet', () => {
    const rnd = prng(777);
    const alphabet = ['\r', '\n', ' ', '\t', ':', ';', ',', '<', '>', '"', '\\', '=', 'SIP/2.0', 'INVITE', 'Via', 'v', 'i', 'l', 'f', 't',
      'Call-ID', 'CSeq', '1', '0', 'tag', 'branch', 'Content-Length', 'a', 'Z', '\r\n', '\r\n\r\n', ' sip:x '];
    for (let n = 0; n < 5000; n++) {
      let s = '';
      const parts = Math.floor(rnd() * 60);
      for (let i = 0; i < parts; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      exercise(Buffer.from(s, 'latin1'));
    }
  });

  it('random mutations of real messages', () => {
    const rnd = prng(4242);
    const special = [0, 9, 10, 13, 32, 34, 44, 58, 59, 60, 62, 0xff];
    let parsed = 0;
    for (let n = 0; n < 4000; n++) {
      const src = samples[n % samples.length];
      const b = Buffer.from(src);
      const edits = 1 + Math.floor(rnd() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rnd() * b.length);
        b[at] = rnd() < 0.5 ? special[Math.floor(rnd() * special.length)] : Math.floor(rnd() * 256);
      }
      exercise(b);
      if (parseSipMessage(b) instanceof SipMessage) parsed++;
    }
    // Many single-byte edits land in places that keep the message valid.
    expect(parsed).toBeGreaterThan(100);
  });
});
