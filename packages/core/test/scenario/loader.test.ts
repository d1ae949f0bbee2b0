import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.js';
import { decodeScenarioBytes, loadScenario } from '../../src/scenario/loader.js';
import type { NopStep, PauseStep, RecvStep, SendStep, TimewaitStep } from '../../src/scenario/types.js';
import { compiled, fakeCompile, fixtureBytes, fixturePath } from './helpers.js';

const load = (xml: string, file = 't.xml') => loadScenario(xml, file, fakeCompile);
const loadFixture = (name: string) => loadScenario(decodeScenarioBytes(fixtureBytes(name)), name, fakeCompile);

/** The message of the ScenarioError that loading throws. */
function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as Error).message;
  }
  throw new Error('expected a ScenarioError');
}

const SEND = '<send><![CDATA[OPTIONS sip:x@y SIP/2.0]]></send>';
const INVITE = '<send><![CDATA[INVITE sip:x@y SIP/2.0]]></send>';
const ACK = '<send><![CDATA[ACK sip:x@y SIP/2.0]]></send>';
const OK = '<send><![CDATA[SIP/2.0 200 OK]]></send>';

/** A scenario whose line 1 is `<scenario name="t">` and whose body starts on line 2. */
function doc(...body: string[]): string {
  return ['<scenario name="t">', ...body, '</scenario>'].join('\n');
}

describe('loadScenario: a valid scenario', () => {
  const s = loadFixture('options-ok.xml');

  it('reads the name, the file and the steps in order', () => {
    expect(s.name).toBe('Options loop');
    expect(s.file).toBe('options-ok.xml');
    expect(s.steps.map((x) => x.kind)).toEqual(['send', 'recv', 'recv', 'pause', 'nop', 'nop', 'recv', 'timewait']);
    expect(s.steps.map((x) => x.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(s.steps.map((x) => x.place.line)).toEqual([6, 17, 18, 20, 21, 23, 24, 25]);
    expect(s.steps.every((x) => x.place.file === 'options-ok.xml')).toBe(true);
    expect(s.startsWithRecv).toBe(false);
  });

  it('reads send attributes and the template facts', () => {
    const send = s.steps[0] as SendStep;
    expect(send).toMatchObject({
      kind: 'send',
      isRequest: true,
      method: 'OPTIONS',
      retrans: 500,
      lost: 0,
      display: 'ping',
      startRtd: ['ping'],
      rtd: [],
      crlf: false,
      repeatRtd: false,
    });
    expect(send.statusCode).toBeUndefined();
    expect(send.timeout).toBeUndefined();
    expect(send.template.source).toContain('OPTIONS sip:[service]@[remote_ip]:[remote_port] SIP/2.0');
  });

  it('reads recv attributes, resolving labels to step indexes', () => {
    expect(s.steps[1]).toMatchObject({ kind: 'recv', response: 100, optional: true, rrs: false, crlf: false });
    const recv = s.steps[2] as RecvStep;
    expect(recv).toMatchObject({
      response: 200,
      optional: false,
      rtd: ['ping'],
      timeout: 2000,
      onTimeout: 5,
      crlf: true,
      rrs: true,
      ignoreSdp: false,
    });
    expect(recv.request).toBeUndefined();
    expect(s.steps[6]).toMatchObject({ kind: 'recv', request: 'BYE', ignoreSdp: true, rtd: ['1'], lost: 5.5 });
  });

  it('reads pause, nop and timewait', () => {
    expect(s.steps[3] as PauseStep).toMatchObject({
      milliseconds: 100,
      next: 5,
      rtd: ['1'],
      repeatRtd: true,
    });
    expect((s.steps[4] as NopStep).display).toBe('never here');
    // SIPp sets crlf when the attribute is present, whatever its value.
    expect(s.steps[5] as NopStep).toMatchObject({ crlf: true, startRtd: ['1'] });
    expect(s.steps[7] as TimewaitStep).toMatchObject({ kind: 'timewait', milliseconds: 4000 });
  });

  it('maps labels to the index of the step after them', () => {
    expect([...s.labels]).toEqual([
      ['top', 0],
      ['bye', 5],
    ]);
  });

  it('lists RTD names in first-use order and sorts repartition tables as SIPp does', () => {
    expect(s.rtdNames).toEqual(['ping', '1']);
    expect(s.responseTimeRepartition).toEqual([10, 50, 100]);
    expect(s.callLengthRepartition).toEqual([500, 1000]);
  });
});

describe('loadScenario: source lines', () => {
  it('is not fooled by tags inside comments, CDATA and attribute values', () => {
    compiled.length = 0;
    const s = loadFixture('comments-with-tags.xml');
    expect(s.name).toBe('tricky & A');
    expect(s.steps.map((x) => [x.kind, x.place.line])).toEqual([
      ['send', 8],
      ['recv', 21],
    ]);
    expect(s.steps[0]!.display).toBe('a > b');
    expect(s.steps[1]!.display).toBe('x > y');
    expect(compiled[0]!.place).toEqual({ file: 'comments-with-tags.xml', line: 9 });
    expect(compiled[0]!.cdata).toContain('Subject: <recv response="999"/> <!-- not a comment -->');
  });

  it('passes the raw CDATA text and the line of its <![CDATA[ to the template compiler', () => {
    compiled.length = 0;
    load(doc('', '  <send>', '    <![CDATA[', '      OPTIONS sip:a@b SIP/2.0', '    ]]>', '  </send>'));
    expect(compiled).toEqual([
      { cdata: '\n      OPTIONS sip:a@b SIP/2.0\n    ', place: { file: 't.xml', line: 4 } },
    ]);
  });

  it('reads CRLF files with the same line numbers', () => {
    const s = load(doc('', SEND, '<recv response="200"/>').replace(/\n/g, '\r\n'));
    expect(s.steps.map((x) => x.place.line)).toEqual([3, 4]);
  });

  it('reports broken XML as file:line:col with the validator message', () => {
    expect(errorOf(() => loadFixture('broken-unclosed.xml'))).toBe(
      "broken-unclosed.xml:16:1: Expected closing tag 'recv' (opened in line 15, col 3) instead of closing tag 'scenario'.",
    );
    expect(errorOf(() => load('<scenario>\n  <send a="1"b="2"/>\n</scenario>'))).toBe(
      "t.xml:2:14: Attribute 'b' has no space in starting.",
    );
    expect(errorOf(() => load(''))).toMatch(/^t\.xml:1: /);
  });

  it('refuses a second root element', () => {
    expect(errorOf(() => load(`${doc(SEND)}\n<scenario/>`))).toBe(
      't.xml:4:1: only one root element is allowed (found <scenario> after <scenario>)',
    );
  });
});

describe('loadScenario: what SIPp refuses to load (fixtures; sipp-compare.test.ts checks SIPp agrees)', () => {
  const cases: Array<[fixture: string, message: string]> = [
    ['duplicate-label.xml', "16: The label name 'a' is used twice."],
    ['unknown-next-label.xml', "15: The label 'nowhere' was not defined (index 1, next attribute)"],
    ['unknown-ontimeout-label.xml', "15: The label 'nowhere' was not defined (index 1, ontimeout attribute)"],
    ['timewait-not-last.xml', '17: <timewait> can only be the last message in a scenario!'],
    ['next-on-timewait.xml', '17: next labels are not allowed in <timewait> elements.'],
    [
      'optional-then-pause.xml',
      "17: <recv> before <pause> sequence without a mandatory message. Please remove one 'optional=true' (element 4).",
    ],
    ['send-without-cdata.xml', "4: No CDATA in 'send' section of xml scenario file"],
    ['empty-scenario.xml', '3: Did not find any messages inside of scenario!'],
    ['unknown-element.xml', '15: unknown element <foo>'],
    ['rtd-never-stopped.xml', '4: You have started Response Time Duration a, but have never stopped it!'],
    ['repeat-rtd-without-rtd.xml', '15: There is a repeat_rtd element without an rtd element'],
    ['bad-retrans.xml', `4: retransmission timer 'retrans' parameter, "1s" is not a valid integer!`],
    ['bad-optional.xml', '15: Could not understand optional value for recv: yes'],
    ['bad-response-code.xml', '15: response code, "2xx" is not a valid integer!'],
    ['bad-pause.xml', '16: Pause milliseconds, "1s" is not a floating point number!'],
    ['response-txn-never-started.xml', '15: Transaction t1 is never started!'],
    [
      'not-a-scenario.xml',
      "3: No 'scenario' section in xml scenario file (the root element is <scenarios>)",
    ],
  ];
  it.each(cases)('%s', (fixture, message) => {
    expect(errorOf(() => loadFixture(fixture))).toBe(`${fixture}:${message}`);
  });

  it('has the fixtures it names', () => {
    for (const [fixture] of cases) expect(readFileSync(fixturePath(fixture)).length).toBeGreaterThan(0);
  });
});

describe('loadScenario: SIPp checks (inline)', () => {
  it('allows an optional recv last, and before another recv', () => {
    const s = load(doc(SEND, '<recv response="100" optional="true"/>', '<recv response="200" optional="true"/>'));
    expect(s.steps).toHaveLength(3);
  });

  it('refuses an optional run followed by a send or a nop, naming the SIPp element number', () => {
    expect(errorOf(() => load(doc(SEND, '<recv response="100" optional="true"/>', '<label id="a"/>', SEND)))).toBe(
      "t.xml:5: <recv> before <send> sequence without a mandatory message. Please remove one 'optional=true' (element 4).",
    );
    expect(errorOf(() => load(doc(SEND, '<recv response="100" optional="true"/>', '<nop/>')))).toMatch(
      /^t\.xml:4: <recv> before <nop> sequence/,
    );
  });

  it('accepts optional="false" and refuses ontimeout on a timewait', () => {
    expect((load(doc(SEND, '<recv response="200" optional="false"/>')).steps[1] as RecvStep).optional).toBe(false);
    expect(
      errorOf(() => load(doc(SEND, '<recv response="200"/>', '<label id="e"/>', '<timewait milliseconds="1" ontimeout="e"/>'))),
    ).toBe('t.xml:5: ontimeout labels are not allowed in <timewait> elements.');
  });

  it('refuses two timewaits', () => {
    expect(
      errorOf(() => load(doc(SEND, '<recv response="200"/>', '<timewait milliseconds="1"/>', '<timewait milliseconds="1"/>'))),
    ).toBe('t.xml:5: <timewait> can only be the last message in a scenario!');
  });

  it('lets a label point past the last step', () => {
    const s = load(doc(SEND, '<recv response="200" next="end"/>', '<label id="end"/>'));
    expect(s.labels.get('end')).toBe(2);
    expect(s.steps[1]!.next).toBe(2);
  });

  it('refuses a label without id', () => {
    expect(errorOf(() => load(doc(SEND, '<label/>')))).toBe("t.xml:3: label is missing the required 'id' parameter.");
  });

  it('refuses a send whose CDATA is blank', () => {
    expect(errorOf(() => load(doc('<send><![CDATA[  \n ]]></send>')))).toBe(
      't.xml:2: Empty cdata in xml scenario file',
    );
  });

  it('refuses a recv with both or neither of request and response (SIPp 3.6.1 loads them)', () => {
    expect(errorOf(() => load(doc(SEND, '<recv response="200" request="BYE"/>')))).toBe(
      't.xml:3: <recv> cannot have both a "request" and a "response" attribute',
    );
    expect(errorOf(() => load(doc(SEND, '<recv/>')))).toBe(
      't.xml:3: <recv> needs a "request" or a "response" attribute',
    );
  });

  it('reads numbers as SIPp does (strtol base 0, strtod)', () => {
    const s = load(doc('<send retrans="0x1F4" timeout="010"><![CDATA[OPTIONS sip:x SIP/2.0]]></send>', '<recv response="200" lost="1e1"/>'));
    expect(s.steps[0]).toMatchObject({ retrans: 500, timeout: 8 });
    expect(s.steps[1]).toMatchObject({ lost: 10 });
    expect(errorOf(() => load(doc(SEND, '<recv response="200" timeout="5s"/>')))).toBe(
      `t.xml:3: message timeout 'timeout' parameter, "5s" is not a valid integer!`,
    );
    expect(errorOf(() => load(doc(SEND, '<recv response="200" lost="abc"/>')))).toBe(
      't.xml:3: lost percentage, "abc" is not a floating point number!',
    );
    expect(errorOf(() => load(doc(SEND, '<recv response="200" rrs="maybe"/>')))).toBe(
      't.xml:3: record route set, "maybe" is not a valid boolean!',
    );
  });

  it('treats retrans="0" and timeout="0" as not given (SIPp: 0 is the default)', () => {
    const s = load(doc('<send retrans="0" timeout="0"><![CDATA[OPTIONS sip:x SIP/2.0]]></send>', '<recv response="200" timeout="0"/>'));
    expect((s.steps[0] as SendStep).retrans).toBeUndefined();
    expect((s.steps[0] as SendStep).timeout).toBeUndefined();
    expect((s.steps[1] as RecvStep).timeout).toBeUndefined();
  });

  it('reads send timeout/ontimeout', () => {
    const s = load(doc('<send timeout="3000" ontimeout="x"><![CDATA[OPTIONS sip:x SIP/2.0]]></send>', '<label id="x"/>', '<recv response="200"/>'));
    expect(s.steps[0]).toMatchObject({ timeout: 3000, onTimeout: 1 });
  });

  it('reads rtd="false" as no timer and a comma as part of a timer name (as SIPp 3.6.1)', () => {
    const s = load(doc('<send start_rtd="a,b"><![CDATA[OPTIONS sip:x SIP/2.0]]></send>', '<recv response="200" rtd="a,b"/>', '<nop rtd="false"/>'));
    expect(s.rtdNames).toEqual(['a,b']);
    expect(s.steps[2]!.rtd).toEqual([]);
    expect(errorOf(() => load(doc(SEND, '<recv response="200" rtd="false" repeat_rtd="true"/>')))).toBe(
      't.xml:3: There is a repeat_rtd element without an rtd element',
    );
  });

  it('allows more than five RTD timers (SIPp 3.6.1 does)', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const s = load(doc(SEND, ...names.map((n) => `<nop start_rtd="${n}"/>`), '<recv response="200"/>', ...names.map((n) => `<nop rtd="${n}"/>`)));
    expect(s.rtdNames).toEqual(names);
  });

  it('checks transactions as SIPp does', () => {
    const ok = load(
      doc(
        '<send start_txn="inv"><![CDATA[INVITE sip:x SIP/2.0]]></send>',
        '<recv response="200" response_txn="inv"/>',
        '<send ack_txn="inv"><![CDATA[ACK sip:x SIP/2.0]]></send>',
      ),
    );
    expect(ok.steps[0]).toMatchObject({ startTxn: 'inv', method: 'INVITE' });
    expect(ok.steps[1]).toMatchObject({ responseTxn: 'inv' });
    expect(ok.steps[2]).toMatchObject({ ackTxn: 'inv', method: 'ACK' });

    expect(errorOf(() => load(doc('<send start_txn="t"><![CDATA[INVITE sip:x SIP/2.0]]></send>', '<recv response="200" response_txn="t"/>')))).toBe(
      't.xml:2: Transaction t is an INVITE transaction without an ACK!',
    );
    expect(errorOf(() => load(doc('<send start_txn="t"><![CDATA[OPTIONS sip:x SIP/2.0]]></send>')))).toBe(
      't.xml:2: Transaction t has no responses defined!',
    );
    expect(errorOf(() => load(doc('<send start_txn="t"><![CDATA[ACK sip:x SIP/2.0]]></send>')))).toBe(
      't.xml:2: An ACK message can not start a transaction!',
    );
    expect(errorOf(() => load(doc('<send ack_txn="t"><![CDATA[BYE sip:x SIP/2.0]]></send>')))).toBe(
      't.xml:2: The ack_txn attribute is valid only for ACK messages!',
    );
    expect(errorOf(() => load(doc('<send start_txn="t"><![CDATA[SIP/2.0 200 OK]]></send>')))).toBe(
      't.xml:2: Responses can not start a transaction',
    );
    expect(errorOf(() => load(doc(SEND, '<send response_txn="t"><![CDATA[OPTIONS sip:x SIP/2.0]]></send>')))).toBe(
      't.xml:3: response_txn can only be used for received messages.',
    );
    expect(errorOf(() => load(doc(OK, '<recv request="ACK" response_txn="t"/>')))).toBe(
      't.xml:3: response_txn can only be used for received responses.',
    );
    expect(
      errorOf(() =>
        load(doc('<send start_txn="t"><![CDATA[OPTIONS sip:x SIP/2.0]]></send>', '<recv response="200" response_txn="t"/>', ACK.replace('<send', '<send ack_txn="t"'))),
      ),
    ).toBe('t.xml:2: Transaction t is a non-INVITE transaction with an ACK!');
  });

  it('fills isRequest, method and statusCode from the template', () => {
    const s = load(doc('<recv request="INVITE"/>', OK, '<recv request="ACK"/>'));
    expect(s.steps[1]).toMatchObject({ kind: 'send', isRequest: false, statusCode: 200 });
    expect((s.steps[1] as SendStep).method).toBeUndefined();
    expect(s.startsWithRecv).toBe(true);
  });

  it('decides server mode as SIPp does: the first step that is not a pause or nop', () => {
    expect(load(doc('<pause milliseconds="1"/>', '<nop/>', '<recv request="INVITE"/>', OK)).startsWithRecv).toBe(true);
    expect(load(doc('<nop/>', INVITE, '<recv response="200"/>')).startsWithRecv).toBe(false);
  });

  it('uses an empty name and no repartition tables when absent (SIPp: "<No repartion defined>")', () => {
    const s = load(`<scenario>${SEND}</scenario>`);
    expect(s.name).toBe('');
    expect(s.responseTimeRepartition).toEqual([]);
    expect(s.callLengthRepartition).toEqual([]);
  });

  it('gives the response time table only to timers named before it, as SIPp 3.6.1 does', () => {
    const before = load(doc('<ResponseTimeRepartition value="10, 20"/>', SEND, '<recv response="200" rtd="true"/>'));
    expect(before.rtdNames).toEqual(['1']);
    expect(before.responseTimeRepartition).toEqual([]);
    const after = load(doc(SEND, '<recv response="200" rtd="true"/>', '<ResponseTimeRepartition value="10, 20"/>'));
    expect(after.responseTimeRepartition).toEqual([10, 20]);
    const early = load(doc('<CallLengthRepartition value="5"/>', SEND));
    expect(early.callLengthRepartition).toEqual([5]);
  });

  it('refuses a malformed repartition table (SIPp 3.6.1 silently drops it, newer SIPp refuses it)', () => {
    expect(errorOf(() => load(doc(SEND, '<ResponseTimeRepartition value="10, x"/>')))).toBe(
      "t.xml:3: Could not create table for response time repartition '10, x'",
    );
    expect(errorOf(() => load(doc(SEND, '<CallLengthRepartition/>')))).toBe(
      "t.xml:3: CallLengthRepartition is missing the required 'value' parameter.",
    );
  });
});

describe('loadScenario: unknown and not yet supported', () => {
  it.each([
    ['<DefaultMessage id="x"><![CDATA[x]]></DefaultMessage>', 'Internal Error: Unknown default message: x!'],
    ['<send foo="1"><![CDATA[OPTIONS sip:x SIP/2.0]]></send>', '<send> unknown attribute "foo"'],
    ['<recv response="200" Optional="true"/>', '<recv> unknown attribute "Optional"'],
    ['<label id="a" foo="b"/>', '<label> unknown attribute "foo"'],
    ['<bar/>', 'unknown element <bar>'],
    ['<ereg regexp="x" assign_to="y"/>', '<ereg> is not allowed inside <scenario>'],
    ['<recv response="200"><foo/></recv>', 'unknown element <foo>'],
    ['<recv response="200"><send/></recv>', '<send> is not allowed inside <recv>'],
    ['<recv response="200"><action foo="1"/></recv>', '<action> unknown attribute "foo"'],
  ])('%s', (element, message) => {
    expect(errorOf(() => load(doc(SEND, '<recv response="100"/>', element)))).toBe(`t.xml:4: ${message}`);
  });

  it('refuses an unknown element inside <action>, naming its line', () => {
    expect(errorOf(() => load(doc(SEND, '<recv response="200"><action><bogus/></action></recv>')))).toBe(
      't.xml:3: unknown element <bogus>',
    );
  });

  it('says "not supported yet" for the SIPp actions that are not implemented', () => {
    for (const a of ['rtp_echo', 'pauserestore', 'closecon']) {
      expect(errorOf(() => load(doc(SEND, `<recv response="200"><action><${a}/></action></recv>`)))).toBe(
        `t.xml:3: <${a}> is not supported yet`,
      );
    }
    expect(
      errorOf(() => load(doc(SEND, '<recv response="200"><action><exec play_pcap_audio="a.pcap"/></action></recv>'))),
    ).toBe(
      't.xml:3: <exec play_pcap_audio>: PCAP replay is not supported; synthetic RTP runs with -media_scale and <exec rtp_stream="synthetic,0,0,PCMU/8000,20"/>',
    );
  });

  it('reads hide/hiderest, optional="global" and advance_state as SIPp does', () => {
    const steps = load(
      doc(
        SEND,
        '<recv response="100" optional="true" advance_state="false"/>',
        '<recv response="200" hide="true"/>',
        '<recv request="INFO" optional="global" hiderest="true"/>',
        '<recv request="BYE"/>',
        '<nop hide="false"/>',
      ),
    ).steps as RecvStep[];
    expect(steps[1]).toMatchObject({ optional: true, advanceState: false });
    expect(steps[2]!.hide).toBe(true);
    expect(steps[3]).toMatchObject({ optional: true, globalOptional: true, hide: true });
    expect(steps[4]!.hide).toBe(true);
    expect(steps[5]!.hide).toBeUndefined();
    expect(errorOf(() => load(doc(SEND, '<recv response="200" advance_state="false"/>')))).toBe(
      't.xml:3: advance_state is allowed only for optional messages (index = 1)',
    );
  });

  it('reads distributed, variable and -d pauses, and a timewait without milliseconds', () => {
    const steps = load(
      doc(
        SEND,
        '<recv response="200"><action><assign assign_to="v" value="5"/></action></recv>',
        '<pause distribution="uniform" min="1" max="2"/>',
        '<pause variable="v"/>',
        '<pause normal="1" mean="2" stdev="1" sanity_check="false"/>',
        '<pause milliseconds="7"/>',
        '<timewait/>',
      ),
    ).steps as PauseStep[];
    expect(steps[2]!.pause).toMatchObject({ kind: 'distribution', distribution: { kind: 'uniform' } });
    expect(steps[3]).toMatchObject({ pause: { kind: 'variable', variable: 'v' }, variable: 0 });
    expect(steps[4]!.pause).toMatchObject({ distribution: { kind: 'normal' }, sanityCheck: false });
    expect(steps[5]!.milliseconds).toBe(7);
    expect(steps[6]).toMatchObject({ kind: 'timewait', pause: { distribution: { kind: 'default' } } });
  });

  it('accepts an empty <action> block', () => {
    expect(load(doc(SEND, '<recv response="200"><action/></recv>')).steps).toHaveLength(2);
  });

  it('refuses an unknown attribute on <scenario>', () => {
    expect(errorOf(() => load(`<scenario name="a" nmae="b">\n${SEND}\n</scenario>`))).toBe(
      't.xml:1: <scenario> unknown attribute "nmae"',
    );
  });

  it('passes template compiler errors through', () => {
    const failing = () => {
      throw new ScenarioError({ file: 'x.xml', line: 7 }, 'unknown keyword [foo]');
    };
    expect(() => loadScenario(doc(SEND), 'x.xml', failing)).toThrow('x.xml:7: unknown keyword [foo]');
  });
});
