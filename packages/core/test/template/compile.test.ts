// Expected bytes in this file were captured from SIPp 3.6.1 (/usr/bin/sipp) on 127.0.0.1:
// a UDP peer recorded every datagram SIPp sent while running the scenario texts below.
import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../src/template/compile.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import { UAC_SENDS, UAS_SENDS } from './builtin-sends.js';
import { callState, compile, lastMessage, PLACE, render, runValues } from './helpers.js';

// ---- built-in scenarios (sipp -sn uac against sipp -sn uas, one call) -------------------------

const UAC_RUN = { pid: 15862, mediaPort: 6004 };
const UAC_CALL = { callId: '1-15862@127.0.0.1' };
const UAS_RUN = { pid: 15834, localPort: 5070, remotePort: 5098 };
const UAS_CALL = { callId: 'unused', localPort: 5070 };

const INVITE =
  'INVITE sip:service@127.0.0.1:5099 SIP/2.0\r\n' +
  'Via: SIP/2.0/UDP 127.0.0.1:5098;branch=z9hG4bK-15862-1-0\r\n' +
  'From: sipp <sip:sipp@127.0.0.1:5098>;tag=15862SIPpTag001\r\n' +
  'To: service <sip:service@127.0.0.1:5099>\r\n' +
  'Call-ID: 1-15862@127.0.0.1\r\n' +
  'CSeq: 1 INVITE\r\n' +
  'Contact: sip:sipp@127.0.0.1:5098\r\n' +
  'Max-Forwards: 70\r\n' +
  'Subject: Performance Test\r\n' +
  'Content-Type: application/sdp\r\n' +
  'Content-Length:   129\r\n' +
  '\r\n' +
  'v=0\r\n' +
  'o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n' +
  's=-\r\n' +
  'c=IN IP4 127.0.0.1\r\n' +
  't=0 0\r\n' +
  'm=audio 6004 RTP/AVP 0\r\n' +
  'a=rtpmap:0 PCMU/8000\r\n';

const RINGING =
  'SIP/2.0 180 Ringing\r\n' +
  'Via: SIP/2.0/UDP 127.0.0.1:5098;branch=z9hG4bK-15862-1-0\r\n' +
  'From: sipp <sip:sipp@127.0.0.1:5098>;tag=15862SIPpTag001\r\n' +
  'To: service <sip:service@127.0.0.1:5099>;tag=15834SIPpTag011\r\n' +
  'Call-ID: 1-15862@127.0.0.1\r\n' +
  'CSeq: 1 INVITE\r\n' +
  'Contact: <sip:127.0.0.1:5070;transport=UDP>\r\n' +
  'Content-Length: 0\r\n' +
  '\r\n';

const OK_INVITE =
  'SIP/2.0 200 OK\r\n' +
  'Via: SIP/2.0/UDP 127.0.0.1:5098;branch=z9hG4bK-15862-1-0\r\n' +
  'From: sipp <sip:sipp@127.0.0.1:5098>;tag=15862SIPpTag001\r\n' +
  'To: service <sip:service@127.0.0.1:5099>;tag=15834SIPpTag011\r\n' +
  'Call-ID: 1-15862@127.0.0.1\r\n' +
  'CSeq: 1 INVITE\r\n' +
  'Contact: <sip:127.0.0.1:5070;transport=UDP>\r\n' +
  'Content-Type: application/sdp\r\n' +
  'Content-Length:   129\r\n' +
  '\r\n' +
  'v=0\r\n' +
  'o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n' +
  's=-\r\n' +
  'c=IN IP4 127.0.0.1\r\n' +
  't=0 0\r\n' +
  'm=audio 6000 RTP/AVP 0\r\n' +
  'a=rtpmap:0 PCMU/8000\r\n';

const ACK =
  'ACK sip:service@127.0.0.1:5099 SIP/2.0\r\n' +
  'Via: SIP/2.0/UDP 127.0.0.1:5098;branch=z9hG4bK-15862-1-5\r\n' +
  'From: sipp <sip:sipp@127.0.0.1:5098>;tag=15862SIPpTag001\r\n' +
  'To: service <sip:service@127.0.0.1:5099>;tag=15834SIPpTag011\r\n' +
  'Call-ID: 1-15862@127.0.0.1\r\n' +
  'CSeq: 1 ACK\r\n' +
  'Contact: sip:sipp@127.0.0.1:5098\r\n' +
  'Max-Forwards: 70\r\n' +
  'Subject: Performance Test\r\n' +
  'Content-Length: 0\r\n' +
  '\r\n';

const BYE =
  'BYE sip:service@127.0.0.1:5099 SIP/2.0\r\n' +
  'Via: SIP/2.0/UDP 127.0.0.1:5098;branch=z9hG4bK-15862-1-7\r\n' +
  'From: sipp <sip:sipp@127.0.0.1:5098>;tag=15862SIPpTag001\r\n' +
  'To: service <sip:service@127.0.0.1:5099>;tag=15834SIPpTag011\r\n' +
  'Call-ID: 1-15862@127.0.0.1\r\n' +
  'CSeq: 2 BYE\r\n' +
  'Contact: sip:sipp@127.0.0.1:5098\r\n' +
  'Max-Forwards: 70\r\n' +
  'Subject: Performance Test\r\n' +
  'Content-Length: 0\r\n' +
  '\r\n';

const OK_BYE =
  'SIP/2.0 200 OK\r\n' +
  'Via: SIP/2.0/UDP 127.0.0.1:5098;branch=z9hG4bK-15862-1-7\r\n' +
  'From: sipp <sip:sipp@127.0.0.1:5098>;tag=15862SIPpTag001\r\n' +
  'To: service <sip:service@127.0.0.1:5099>;tag=15834SIPpTag011\r\n' +
  'Call-ID: 1-15862@127.0.0.1\r\n' +
  'CSeq: 2 BYE\r\n' +
  'Contact: <sip:127.0.0.1:5070;transport=UDP>\r\n' +
  'Content-Length: 0\r\n' +
  '\r\n';

describe('built-in uac', () => {
  it('renders the INVITE, ACK and BYE SIPp sent', () => {
    const [invite, ack, bye] = UAC_SENDS.map((t) => compile(t).bind(runValues(UAC_RUN)));
    expect(invite!.render(callState({ ...UAC_CALL, stepIndex: 0 })).toString('latin1')).toBe(INVITE);
    const afterOk = { ...UAC_CALL, peerTag: '15834SIPpTag011', lastMessage: lastMessage(OK_INVITE) };
    expect(ack!.render(callState({ ...afterOk, stepIndex: 5 })).toString('latin1')).toBe(ACK);
    expect(bye!.render(callState({ ...afterOk, stepIndex: 7, cseq: 2 })).toString('latin1')).toBe(BYE);
  });

  it('knows the static facts of each send', () => {
    const facts = UAC_SENDS.map((t) => {
      const c = compile(t);
      return [c.isRequest, c.method, c.statusCode, c.cseqMethod, c.usesCseq];
    });
    expect(facts).toEqual([
      [true, 'INVITE', undefined, 'INVITE', false],
      [true, 'ACK', undefined, 'ACK', false],
      [true, 'BYE', undefined, 'BYE', false],
    ]);
  });

  it('keeps the cleaned text as source', () => {
    expect(compile(UAC_SENDS[1]!).source).toBe(
      'ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n' +
        'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n' +
        'From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n' +
        'To: [service] <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]\n' +
        'Call-ID: [call_id]\n' +
        'CSeq: 1 ACK\n' +
        'Contact: sip:sipp@[local_ip]:[local_port]\n' +
        'Max-Forwards: 70\n' +
        'Subject: Performance Test\n' +
        'Content-Length: 0\n\n',
    );
  });
});

describe('built-in uas', () => {
  it('renders the 180, the 200 to the INVITE and the 200 to the BYE SIPp sent', () => {
    const [ringing, ok, okBye] = UAS_SENDS.map((t) => compile(t).bind(runValues(UAS_RUN)));
    const invite = lastMessage(INVITE);
    expect(ringing!.render(callState({ ...UAS_CALL, lastMessage: invite, stepIndex: 1 })).toString('latin1')).toBe(
      RINGING,
    );
    expect(ok!.render(callState({ ...UAS_CALL, lastMessage: invite, stepIndex: 2 })).toString('latin1')).toBe(
      OK_INVITE,
    );
    expect(okBye!.render(callState({ ...UAS_CALL, lastMessage: lastMessage(BYE), stepIndex: 5 })).toString('latin1')).toBe(
      OK_BYE,
    );
  });

  it('knows the static facts of each send', () => {
    const facts = UAS_SENDS.map((t) => {
      const c = compile(t);
      return [c.isRequest, c.method, c.statusCode, c.cseqMethod, c.usesCseq];
    });
    expect(facts).toEqual([
      [false, undefined, 180, undefined, false],
      [false, undefined, 200, undefined, false],
      [false, undefined, 200, undefined, false],
    ]);
  });

  it('drops every [last_*] line when nothing was received yet', () => {
    const out = compile(UAS_SENDS[0]!).bind(runValues(UAS_RUN)).render(callState(UAS_CALL)).toString('latin1');
    expect(out).toBe(
      'SIP/2.0 180 Ringing\r\n;tag=15834SIPpTag011\r\nContact: <sip:127.0.0.1:5070;transport=UDP>\r\nContent-Length: 0\r\n\r\n',
    );
  });
});

// ---- keywords, offsets, text cleaning (scenario "exp1", first send) ----------------------------

const EXP1_OPTIONS =
  '\n\n      OPTIONS sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n' +
  '      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n' +
  '      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n' +
  '      To: [service] <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]\n' +
  '      Call-ID: [call_id]\n' +
  '      CSeq: [cseq] OPTIONS\n' +
  '      X-Off: [cseq+1] [cseq-1] [branch-1] [branch+2] [call_number+1] [pid+1] [local_port+1] [remote_port-1] [cseq+7abc]\n' +
  '      X-Last: [last_Via:]\n' +
  '      [last_Via:]\n' +
  '      [routes]\n' +
  '      X-Next: <[next_url]> [last_Request_URI] [last_cseq_number] [last_cseq_number+3]\n' +
  '      X-Esc: \\x5Bnot a keyword\\x5d \\x41\n' +
  '      X-Trail: a   \n' +
  '\tX-Tab: b\t\n' +
  '\t X-TabSpace: c\n' +
  ' \tX-SpaceTab: d\n' +
  '      X-Media: m=audio [media_port+2] [media_port] [media_port-1]\n' +
  '      X-Msgidx: [msg_index] [local_ip_type] [media_ip] [media_ip_type] [remote_host] [service]\n' +
  '      Content-Length: [len]\n' +
  '\n    ';

const EXP1_OPTIONS_SENT =
  'OPTIONS sip:service@127.0.0.1:5099 SIP/2.0\r\n' +
  'Via: SIP/2.0/UDP 127.0.0.1:5098;branch=z9hG4bK-8880-1-0\r\n' +
  'From: sipp <sip:sipp@127.0.0.1:5098>;tag=8880SIPpTag001\r\n' +
  'To: service <sip:service@127.0.0.1:5099>\r\n' +
  'Call-ID: 1-8880@127.0.0.1\r\n' +
  'CSeq: 1 OPTIONS\r\n' +
  'X-Off: 2 0 z9hG4bK-8880-1--1 z9hG4bK-8880-1-2 1 8880 5099 5098 8\r\n' +
  'X-Last: \r\n' +
  'X-Next: <>  0 3\r\n' +
  'X-Esc: [not a keyword] A\r\n' +
  'X-Trail: a\r\n' +
  'X-Tab: b\r\n' +
  ' X-TabSpace: c\r\n' +
  'X-SpaceTab: d\r\n' +
  'X-Media: m=audio 6002 6000 5999\r\n' +
  'X-Msgidx: 0 4 127.0.0.1 4 127.0.0.1 service\r\n' +
  'Content-Length:     0\r\n' +
  '\r\n';

describe('keywords as SIPp renders them', () => {
  it('applies offsets where SIPp does, cleans the text, decodes \\x escapes', () => {
    expect(render(EXP1_OPTIONS)).toBe(EXP1_OPTIONS_SENT);
  });

  it('facts: a request using [cseq]', () => {
    const c = compile(EXP1_OPTIONS);
    expect([c.isRequest, c.method, c.cseqMethod, c.usesCseq]).toEqual([true, 'OPTIONS', 'OPTIONS', true]);
  });

  it('renders [cseq-N] below 0 as SIPp\'s %u does', () => {
    expect(render('OPTIONS x SIP/2.0\nX: [cseq-1]', { cseq: 0 })).toBe('OPTIONS x SIP/2.0\r\nX: 4294967295\r\n\r\n');
  });

  it('puts IPv6 [remote_ip] and [local_ip] in brackets, not [media_ip] nor [remote_host]', () => {
    // sipp -i ::1 to [::1]:5099
    const out = render(
      '\nOPTIONS sip:[service]@[remote_ip]:[remote_port] SIP/2.0\nCall-ID: [call_id]\nCSeq: [cseq] OPTIONS\n' +
        'X-Ips: [remote_ip] [remote_host] [local_ip] [local_ip_type] [media_ip] [media_ip_type]\nContent-Length: 0\n',
      { callId: '1-10531@::1' },
      { remoteIp: '::1', remoteHost: '::1', localIp: '::1', localIpType: '6', mediaIp: '::1', mediaIpType: '6' },
    );
    expect(out).toBe(
      'OPTIONS sip:service@[::1]:5099 SIP/2.0\r\nCall-ID: 1-10531@::1\r\nCSeq: 1 OPTIONS\r\n' +
        'X-Ips: [::1] ::1 [::1] 6 ::1 6\r\nContent-Length: 0\r\n\r\n',
    );
  });

  it('takes [local_port] from the call (its own socket in -t un)', () => {
    expect(render('OPTIONS x SIP/2.0\nX: [local_port] [local_port+2]', { localPort: 40000 })).toBe(
      'OPTIONS x SIP/2.0\r\nX: 40000 40002\r\n\r\n',
    );
  });

  it('binds once and renders many calls', () => {
    const bound = compile(UAC_SENDS[0]!).bind(runValues(UAC_RUN));
    const a = bound.render(callState({ callId: 'a@h', callNumber: 7, stepIndex: 0 })).toString('latin1');
    const b = bound.render(callState({ callId: 'b@h', callNumber: 8, stepIndex: 0 })).toString('latin1');
    expect(a).toContain('branch=z9hG4bK-15862-7-0\r\n');
    expect(a).toContain('Call-ID: a@h\r\n');
    expect(b).toContain(';tag=15862SIPpTag008\r\n');
    expect(b).toContain('Call-ID: b@h\r\n');
    expect(a.length).toBe(b.length);
  });
});

// ---- [last_*], [routes], [next_url], [len] with a received message ----------------------------

/** The 200 the test peer answered the OPTIONS above with. */
const PEER_200 =
  'SIP/2.0 200 OK\r\n' +
  'Via: SIP/2.0/UDP 127.0.0.1:5098;branch=z9hG4bK-8880-1-0\r\n' +
  'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-b, SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK-c\r\n' +
  'v:  SIP/2.0/UDP 10.0.0.3:5060;branch=z9hG4bK-d  \r\n' +
  'Record-Route: <sip:p1.example.com;lr>\r\n' +
  'Record-Route: <sip:p2.example.com;lr>, <sip:p3.example.com;lr>\r\n' +
  'From: sipp <sip:sipp@127.0.0.1>;tag=abc\r\n' +
  'To: <sip:service@127.0.0.1:5099;user=phone>;tag=peer77\r\n' +
  'Call-ID: 1-8880@127.0.0.1\r\n' +
  'CSeq: 1 OPTIONS\r\n' +
  'Contact: <sip:peer@127.0.0.1:5099;transport=udp>\r\n' +
  'X-Multi: one\r\n' +
  'x-multi: two\r\n' +
  'X-Fold: first\r\n' +
  '  second\r\n' +
  'Content-Length: 0\r\n' +
  '\r\n';

const AFTER_200 = {
  lastMessage: lastMessage(PEER_200),
  peerTag: 'peer77',
  routes: 'Route: <sip:p3.example.com;lr>, <sip:p2.example.com;lr>, <sip:p1.example.com;lr>',
  nextUrl: 'sip:peer@127.0.0.1:5099;transport=udp',
};

const EXP1_INFO =
  '\n      INFO [next_url] SIP/2.0\n' +
  '      [last_Via:]\n' +
  '      [last_via]\n' +
  '      [last_v:]\n' +
  '      [last_Call-ID:]\n' +
  '      [last_i:]\n' +
  '      [last_X-Multi:]\n' +
  '      [last_X-Fold:]\n' +
  '      [last_Missing:];rest=1\n' +
  '      X-A: [last_Missing:] tail\n' +
  '      [last_Missing:] \n' +
  '      X-B: after\n' +
  '      [routes]\n' +
  '      To: x <sip:y>[peer_tag_param]\n' +
  '      X-Next: <[next_url]> [last_Request_URI] [last_cseq_number] [last_cseq_number+3] [last_cseq_number-1]\n' +
  '      CSeq: [cseq] INFO\n' +
  '      Content-Length: [len]\n' +
  '      X-L2: [len]\n' +
  '      Content-Type: text/plain\n' +
  '\n' +
  '      body line 1\n' +
  '      [len] [len+2]\n' +
  '    ';

const EXP1_INFO_SENT =
  'INFO sip:peer@127.0.0.1:5099;transport=udp SIP/2.0\r\n' +
  'Via: SIP/2.0/UDP 127.0.0.1:5098;branch=z9hG4bK-8880-1-0, SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-b, SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK-c\r\n' +
  'Via: SIP/2.0/UDP 127.0.0.1:5098;branch=z9hG4bK-8880-1-0, SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-b, SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK-c\r\n' +
  'v:  SIP/2.0/UDP 10.0.0.3:5060;branch=z9hG4bK-d\r\n' +
  'Call-ID: 1-8880@127.0.0.1\r\n' +
  'X-Multi: one, two\r\n' +
  'X-Fold: first\n  second\r\n' +
  ';rest=1\r\n' +
  'X-A:  tail\r\n' +
  'X-B: after\r\n' +
  'Route: <sip:p3.example.com;lr>, <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\r\n' +
  'To: x <sip:y>;tag=peer77\r\n' +
  'X-Next: <sip:peer@127.0.0.1:5099;transport=udp> sip:service@127.0.0.1:5099;user=phone 1 4 0\r\n' +
  'CSeq: 2 INFO\r\n' +
  'Content-Length:      \r\n' +
  'X-L2:      \r\n' +
  'Content-Type: text/plain\r\n' +
  '\r\n' +
  'body line 1\r\n' +
  '         28\r\n';

/** A second answer: compact forms, tabs, empty and folded headers, a header-like body line. */
const PEER_200B =
  'SIP/2.0 200 OK\r\n' +
  'Via: SIP/2.0/UDP 127.0.0.1:5098;branch=z9hG4bK-11372-1-0\r\n' +
  'x-multi:two\r\n' +
  'X-Multi:\tthree \t\r\n' +
  't: <sip:short@x>;tag=t1\r\n' +
  'From: <sip:f@x>;tag=abc\r\n' +
  'Call-ID: 1-11372@127.0.0.1\r\n' +
  'CSeq:    1 OPTIONS\r\n' +
  'X-Fold: first\r\n' +
  '  second\r\n' +
  '\tthird\r\n' +
  'X-Empty:\r\n' +
  'Content-Length: 13\r\n' +
  '\r\n' +
  'X-Multi: body';

describe('[last_*] and friends', () => {
  it('renders them as SIPp: first line verbatim, others joined with ", ", missing lines swallowed', () => {
    expect(render(EXP1_INFO, { ...AFTER_200, cseq: 2, stepIndex: 2 })).toBe(EXP1_INFO_SENT);
  });

  it('handles compact fallbacks, tabs, folding, empty headers, and does not search the body', () => {
    const cdata =
      '\nINFO [last_Request_URI] SIP/2.0\n[last_X-Multi:]\n[last_To:]\n[last_to]\n[last_x-fold]\n' +
      'X-E: [last_X-Empty:]|\n[last_CSeq:]\nX-C: [last_cseq_number] [last_cseq_number+1]\n' +
      'Call-ID: [call_id]\nCSeq: [cseq] INFO\nContent-Length: [len]\n\n[len]\n';
    const out = render(cdata, { lastMessage: lastMessage(PEER_200B), callId: '1-11372@127.0.0.1', cseq: 2, stepIndex: 2 });
    expect(out).toBe(
      'INFO sip:short@x SIP/2.0\r\n' +
        'x-multi:two, \tthree\r\n' +
        't: <sip:short@x>;tag=t1\r\n' +
        't: <sip:short@x>;tag=t1\r\n' +
        'X-Fold: first\n  second\n\tthird\r\n' +
        'X-E: X-Empty:|\r\n' +
        'CSeq:    1 OPTIONS\r\n' +
        'X-C: 1 2\r\n' +
        'Call-ID: 1-11372@127.0.0.1\r\n' +
        'CSeq: 2 INFO\r\n' +
        'Content-Length:      \r\n' +
        '\r\n' +
        '    7\r\n',
    );
  });

  it('renders [last_message] whole', () => {
    const cdata = '\nINFO sip:a@b SIP/2.0\nContent-Length: [len]\n\n[last_message]\n';
    const out = render(cdata, { lastMessage: lastMessage(PEER_200) });
    expect(out).toBe(`INFO sip:a@b SIP/2.0\r\nContent-Length: ${String(PEER_200.length + 2).padStart(5)}\r\n\r\n${PEER_200}\r\n`);
  });

  it('swallows only the leading white space of the next literal text, even after a keyword', () => {
    // [service] after the missing header is a keyword value: SIPp strips the literal after it.
    expect(render('OPTIONS x SIP/2.0\n[last_X:][service]\nY: 1')).toBe('OPTIONS x SIP/2.0\r\nserviceY: 1\r\n\r\n');
  });
});

describe('[len] and the end of the message', () => {
  it('fills only the last [len], with its offset, as %5u', () => {
    const out = render('INFO x SIP/2.0\nA: [len]\nB: [len+10]\n\n12345\n');
    expect(out).toBe('INFO x SIP/2.0\r\nA:      \r\nB:    17\r\n\r\n12345\r\n');
  });

  it('counts bytes produced by keywords in the body', () => {
    const out = render('INFO x SIP/2.0\nContent-Length: [len]\n\n[call_id]', { callId: 'abcdefghij' });
    expect(out).toBe('INFO x SIP/2.0\r\nContent-Length:    10\r\n\r\nabcdefghij');
  });

  it('sends a body without line end when the CDATA has none after it, and trims trailing blank lines', () => {
    // exp2: `nobreak]]>` and a body followed by blank lines; -base_cseq 10.
    expect(render('\n      INFO sip:a@b SIP/2.0\n      Call-ID: [call_id]\n      CSeq: [cseq] INFO\n      Content-Length: [len]\n\n      nobreak', { callId: '1-9347@127.0.0.1', cseq: 11 })).toBe(
      'INFO sip:a@b SIP/2.0\r\nCall-ID: 1-9347@127.0.0.1\r\nCSeq: 11 INFO\r\nContent-Length:     7\r\n\r\nnobreak',
    );
    expect(render('\n      INFO sip:a@b SIP/2.0\n      Call-ID: [call_id]\n      CSeq: [cseq] INFO\n      Content-Length: [len]\n\n      body\n\n\n    ', { callId: '1-9347@127.0.0.1', cseq: 12 })).toBe(
      'INFO sip:a@b SIP/2.0\r\nCall-ID: 1-9347@127.0.0.1\r\nCSeq: 12 INFO\r\nContent-Length:     6\r\n\r\nbody\r\n',
    );
  });

  it('writes SIPp\'s "    0\\r\\n\\r\\n\\0" over the message when there is no body', () => {
    const cdata = '\n      MESSAGE sip:a@b SIP/2.0\n      Call-ID: [call_id]\n      CSeq: [cseq] MESSAGE\n      Content-Length: [len]\n      X-After: 1\n    ';
    expect(render(cdata, { callId: '1-9347@127.0.0.1', cseq: 10 })).toBe(
      'MESSAGE sip:a@b SIP/2.0\r\nCall-ID: 1-9347@127.0.0.1\r\nCSeq: 10 MESSAGE\r\nContent-Length:     0\r\n\r\n\0fter: 1\r\n\r\n',
    );
  });

  it('loses the empty line after a swallowed last header line, as SIPp', () => {
    const cancel = '\n      CANCEL sip:a@b SIP/2.0\n      Call-ID: [call_id]\n      CSeq: [cseq] CANCEL\n      [last_Missing:]\n      Content-Length: [len]\n      [last_Missing:]\n\n    ';
    const response = '\n      SIP/2.0 200 OK\n      Call-ID: [call_id]\n      CSeq: [cseq] X\n      Content-Length: [len]\n      [last_Missing:]\n    ';
    const call = { callId: '1-9905@127.0.0.1', cseq: 13, lastMessage: lastMessage(PEER_200) };
    expect(render(cancel, call)).toBe('CANCEL sip:a@b SIP/2.0\r\nCall-ID: 1-9905@127.0.0.1\r\nCSeq: 13 CANCEL\r\nContent-Length:     0\r\n');
    expect(render(response, call)).toBe('SIP/2.0 200 OK\r\nCall-ID: 1-9905@127.0.0.1\r\nCSeq: 13 X\r\nContent-Length:     0\r\n');
    const facts = compile(response);
    expect([facts.isRequest, facts.statusCode, facts.cseqMethod]).toEqual([false, 200, 'X']);
  });

  it('renders messages larger than its first output buffer', () => {
    const body = 'a'.repeat(40_000);
    const out = render(`INFO x SIP/2.0\nContent-Length: [len]\n\n${body}\n`);
    expect(out).toBe(`INFO x SIP/2.0\r\nContent-Length: 40002\r\n\r\n${body}\r\n`);
  });
});

describe('text handling', () => {
  it('reads CR LF and CR line ends like LF (the XML reader does)', () => {
    expect(render('\r\n  OPTIONS sip:a@b SIP/2.0\r\n  CSeq: [cseq] OPTIONS\r\n  Content-Length: [len]\r\n\r\n  body\r\n\r\n')).toBe(
      'OPTIONS sip:a@b SIP/2.0\r\nCSeq: 1 OPTIONS\r\nContent-Length:     6\r\n\r\nbody\r\n',
    );
  });

  it('handles \\x escapes like SIPp, including its skipped character', () => {
    expect(render('OPTIONS x SIP/2.0\nA: \\x4G|\\xZZ|\\x|\\\\x41|\\y')).toBe('OPTIONS x SIP/2.0\r\nA: \x04|Z|\\A|\\y\r\n\r\n');
  });

  it('keeps a "]" inside quotes in a keyword', () => {
    // The whole quoted name reaches the injection check: "a]b.csv" is not an -inf file here.
    expect(() => compile('OPTIONS x SIP/2.0\nA: [field0 file="a]b.csv"]')).toThrow('Invalid injection file: a]b.csv');
  });
});

// ---- static facts ----------------------------------------------------------------------------

describe('static facts', () => {
  it('parses the start line and the CSeq method', () => {
    const c = (t: string) => {
      const x = compile(t);
      return [x.isRequest, x.method, x.statusCode, x.cseqMethod, x.usesCseq];
    };
    expect(c('SIP/2.0 486 Busy Here\nCSeq: [last_cseq_number] INVITE')).toEqual([false, undefined, 486, 'INVITE', false]);
    expect(c('SIP/2.0 200 OK\n[last_CSeq:]')).toEqual([false, undefined, 200, undefined, false]);
    expect(c('REGISTER sip:[remote_ip] SIP/2.0\ncseq:[cseq] REGISTER')).toEqual([true, 'REGISTER', undefined, 'REGISTER', true]);
    expect(c('INFO x SIP/2.0\nCSeq: [cseq] [last_cseq_number]')).toEqual([true, 'INFO', undefined, undefined, true]);
    expect(c('CANCEL x SIP/2.0\nX: 1')).toEqual([true, 'CANCEL', undefined, undefined, false]);
    expect(c('SIP/2.0 699')).toEqual([false, undefined, 699, undefined, false]);
  });
});

// ---- errors ----------------------------------------------------------------------------------

function errorOf(cdata: string): ScenarioError {
  try {
    compileTemplate(cdata, PLACE);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('errors', () => {
  it('names an unknown keyword and its line', () => {
    // PLACE.line is the line of <![CDATA[; the keyword is 3 lines below.
    const e = errorOf('\n\n  OPTIONS x SIP/2.0\n  X: [xyz]\n');
    expect(e.detail).toBe('unsupported keyword "[xyz]"');
    expect(e.place).toEqual({ file: 'test.xml', line: 13 });
    expect(e.message).toBe('test.xml:13: unsupported keyword "[xyz]"');
  });

  it('calls a bad offset an unknown keyword, as SIPp does', () => {
    expect(errorOf('OPTIONS x SIP/2.0\nCSeq: [cseq+x] OPTIONS').detail).toBe('unsupported keyword "[cseq+x]"');
    expect(errorOf('OPTIONS x SIP/2.0\nCSeq: [cseq ] OPTIONS').detail).toBe('unsupported keyword "[cseq ]"');
    expect(errorOf('OPTIONS x SIP/2.0\nX: [Cseq]').detail).toBe('unsupported keyword "[Cseq]"');
  });

  it('says "not supported yet" for the crypto and UE keywords of TLS builds', () => {
    for (const k of ['cryptotag1audio', 'cryptosuiteaescm128sha1801video', 'cryptokeyparams2audio', 'ueaescm128sha1322video']) {
      expect(errorOf(`OPTIONS x SIP/2.0\nX: [${k}]`).detail).toBe(`keyword "[${k}]" is not supported yet`);
    }
  });

  it('rejects broken brackets', () => {
    expect(errorOf('OPTIONS x SIP/2.0\nCSeq: [cseq OPTIONS').detail).toBe('invalid keyword "[cseq OPTIONS": no closing "]"');
    expect(errorOf('OPTIONS x SIP/2.0\nCSeq: [] OPTIONS').detail).toBe('invalid keyword "[]": empty');
    expect(errorOf('OPTIONS x SIP/2.0\nX: [a[cseq]').detail).toBe('unsupported keyword "[a[cseq]" ("[" inside a keyword)');
    expect(errorOf(`OPTIONS x SIP/2.0\nX: [${'a'.repeat(257)}]`).detail).toMatch(/longer than 256 characters$/);
    expect(errorOf('OPTIONS sip:[::1] SIP/2.0').detail).toBe('unsupported keyword "[::1]"');
  });

  it('rejects the start lines SIPp rejects', () => {
    const method = 'You can not use a keyword for the METHOD or to generate "SIP/2.0" to ensure proper [cseq] operation!';
    expect(errorOf('\n[service] sip:a SIP/2.0').detail).toBe(method);
    expect(errorOf('\n[last_Via:]\nX: 1').detail).toBe(method);
    expect(errorOf('\nOPTIONS\n').detail).toBe(method);
    expect(errorOf('\nSIP/2.0 [service] OK').detail).toBe('Response codes must be in the range of 100-700');
    expect(errorOf('\nSIP/2.0 99 OK').detail).toBe('Response codes must be in the range of 100-700');
    expect(errorOf('\nSIP/2.0 700 OK').detail).toBe('Response codes must be in the range of 100-700');
    expect(errorOf('\nSIP/2.0 2x0 OK').detail).toBe('Invalid reply code: 2x0 OK');
    expect(errorOf('\n  \n \n').detail).toBe('Empty cdata in xml scenario file');
    expect(errorOf('\nSIP/2.0 99 OK').place.line).toBe(11);
  });
});

describe('-key generic keywords', () => {
  const place = { file: 'k.xml', line: 3 };
  const text = '\n  OPTIONS sip:x@y SIP/2.0\n  X-Tenant: [tenant]\n  X-Service: [service]\n  Content-Length: 0\n';

  it('fills a keyword SIPp does not know from -key', () => {
    const bound = compileTemplate(text, place, { keys: { tenant: 'acme', service: 'ignored' } }).bind(runValues({ service: "svc" }));
    const rendered = bound.render(callState()).toString('latin1');
    expect(rendered).toContain('X-Tenant: acme\r\n');
    // A built-in keyword wins over a -key of the same name, as in SIPp.
    expect(rendered).toContain('X-Service: svc\r\n');
  });

  it('still refuses the keyword without a -key for it, naming the line', () => {
    expect(() => compileTemplate(text, place, { keys: {} })).toThrow('k.xml:5: unsupported keyword "[tenant]"');
  });
});
