import { describe, expect, it } from 'vitest';
import type { EngineConfig, EngineEvent } from '../../src/index.js';
import { configFor, newNetwork, requestSend, scenarioOf, sentStartLines, side } from './harness.js';

const UAC_PORT = 5061;
const UAS_PORT = 5060;

/** A UAS answering INVITE with `code` (and, for 180, nothing more), then waiting for `then`. */
function answering(code: string, then = '<recv request="ACK"/>'): string {
  return `<scenario name="uas">
  <recv request="INVITE"/>
  <send>
    <![CDATA[
      SIP/2.0 ${code}
      [last_Via:]
      [last_From:]
      [last_To:];tag=[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  ${then}
</scenario>`;
}

async function run(uasXml: string, uacXml: string, uac: Partial<EngineConfig> = {}, uas: Partial<EngineConfig> = {}) {
  const { scheduler, network } = newNetwork(1);
  const server = await side(network, scenarioOf(uasXml), configFor({ port: UAS_PORT, ...uas }));
  const client = await side(network, scenarioOf(uacXml), configFor({ port: UAC_PORT, remotePort: UAS_PORT, maxCalls: 1, ...uac }));
  server.engine.start();
  client.engine.start();
  scheduler.runUntilIdle(120_000);
  return { server, client };
}

function sentText(events: EngineEvent[], startsWith: string): string | undefined {
  for (const e of events) {
    if (e.kind === 'message-sent' && e.data.toString('latin1').startsWith(startsWith)) return e.data.toString('latin1');
  }
  return undefined;
}

describe("SIPp's default behaviours when a client call is aborted", () => {
  it('an unexpected 486 to the INVITE is acknowledged with SIPp\'s ACK, then the call fails', async () => {
    const { client } = await run(answering('486 Busy Here', ''), 'uac');
    expect(client.engine.callsFailed).toBe(1);
    expect(sentStartLines(client.events)).toEqual([
      'INVITE sip:service@127.0.0.1:5060 SIP/2.0',
      'ACK sip:service@127.0.0.1:5060 SIP/2.0',
    ]);
    const ack = sentText(client.events, 'ACK')!;
    // [last_Via] and [last_To] of the 486 (its Via carries our INVITE's branch), its CSeq number.
    expect(ack).toContain('Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4242-1-0\r\n');
    expect(ack).toContain(';tag=1\r\n');
    expect(ack).toContain('CSeq: 1 ACK\r\n');
    expect(ack).toContain('Contact: <sip:sipp@127.0.0.1:5061;transport=UDP>\r\nMax-Forwards: 70\r\nSubject: Performance Test\r\n');
  });

  it('a receive timeout after a 180 sends a CANCEL; with -nd nothing is sent', async () => {
    const ringing = answering('180 Ringing', '<recv request="CANCEL"/>');
    const uac = `<scenario name="uac">
  ${requestSend('INVITE', 1, { attrs: 'retrans="500"' })}
  <recv response="180"/>
  <recv response="200" timeout="1000"/>
</scenario>`;
    const aborted = await run(ringing, uac);
    // [last_Request_URI] is the To URI of the last message, as SIPp takes it.
    expect(sentStartLines(aborted.client.events)).toEqual(['INVITE sip:x@127.0.0.1:5060 SIP/2.0', 'CANCEL sip:x@127.0.0.1 SIP/2.0']);
    expect(sentText(aborted.client.events, 'CANCEL')).toContain('CSeq: 1 CANCEL\r\n');
    expect(aborted.server.engine.callsSucceeded).toBe(1);

    const quiet = await run(ringing, uac, { defaultBehaviors: { bye: false, abortUnexpected: true, pingReply: true } });
    expect(sentStartLines(quiet.client.events)).toEqual(['INVITE sip:x@127.0.0.1:5060 SIP/2.0']);
    expect(quiet.client.stats.cumulative.failedFor('timeout-on-recv')).toBe(1);
  });
});

describe('unexpected requests', () => {
  it('an unexpected BYE is answered 200 and fails the call; without abortunexp the call goes on', async () => {
    const uas = answering('200 OK');
    const byeInstead = `<scenario name="uac">
  ${requestSend('INVITE', 1)}
  <recv response="200"/>
  ${requestSend('BYE', 2)}
  <recv response="200"/>
</scenario>`;
    const aborted = await run(uas, byeInstead);
    expect(aborted.server.engine.callsFailed).toBe(1);
    expect(aborted.server.stats.cumulative.failedFor('unexpected-message')).toBe(1);
    const sent = aborted.server.events.filter((e) => e.kind === 'message-sent').map((e) => (e as { data: Buffer }).data.toString('latin1'));
    expect(sent.find((m) => m.includes('CSeq: 2 BYE'))).toMatch(
      /^SIP\/2.0 200 OK\r\nVia: SIP\/2.0\/UDP 127.0.0.1:5061;branch=z9hG4bK-4242-1-2\r\n[^]*CSeq: 2 BYE\r\nContact: <sip:127.0.0.1:5060;transport=UDP>\r\n/,
    );
    expect(aborted.client.engine.callsSucceeded).toBe(1);

    const goesOn = await run(uas, byeInstead, {}, { defaultBehaviors: { bye: true, abortUnexpected: false, pingReply: true } });
    expect(goesOn.server.engine.callsFailed).toBe(0);
    expect(goesOn.server.events.some((e) => e.kind === 'error' && e.message.includes('Continuing call on an unexpected BYE'))).toBe(true);
  });

  it('-aa answers an OPTIONS in the middle of a call and the call goes on', async () => {
    const uas = answering('200 OK', '<recv request="ACK"/><recv request="BYE"/>');
    const uac = `<scenario name="uac">
  ${requestSend('INVITE', 1)}
  <recv response="200"/>
  ${requestSend('ACK', 1)}
  ${requestSend('OPTIONS', 2)}
  <pause milliseconds="100"/>
  ${requestSend('BYE', 3)}
</scenario>`;
    const { server } = await run(uas, uac, {}, { autoAnswer: true });
    expect(server.engine.callsSucceeded).toBe(1);
    expect(server.stats.cumulative.autoAnswered).toBe(1);
    expect(sentText(server.events, 'SIP/2.0 200 OK')).toBeDefined();
    const answers = server.events.filter((e) => e.kind === 'message-sent').map((e) => (e as { data: Buffer }).data.toString('latin1'));
    expect(answers.some((a) => a.includes('CSeq: 2 OPTIONS'))).toBe(true);
  });

  it('_unexp.main: an unexpected message jumps there and is handed to the recv that follows', async () => {
    const uas = `<scenario name="uas">
  <recv request="INVITE"/>
  <recv request="ACK"/>
  <label id="_unexp.main"/>
  <recv request="OPTIONS">
    <action><log message="unexpected OPTIONS handled at [$_unexp.retaddr]"/></action>
  </recv>
  <Reference variables="_unexp.retaddr"/>
</scenario>`;
    const uac = `<scenario name="uac">
  ${requestSend('OPTIONS', 1)}
</scenario>`;
    const { server } = await run(uas, uac);
    // The OPTIONS arrives where an INVITE is expected (step 0): retaddr 0 renders empty.
    expect(server.events.filter((e) => e.kind === 'log').map((e) => (e as { text: string }).text)).toEqual([
      'unexpected OPTIONS handled at ',
    ]);
    expect(server.engine.callsSucceeded).toBe(1);
  });

  it('<recv request="..." regexp_match="true"> takes any method the regexp finds', async () => {
    const uas = `<scenario name="uas">
  <recv request="OPTIONS|INFO" regexp_match="true"/>
</scenario>`;
    const uac = (method: string) => `<scenario name="uac">
  ${requestSend(method, 1)}
</scenario>`;
    expect((await run(uas, uac('INFO'))).server.engine.callsSucceeded).toBe(1);
    expect((await run(uas, uac('OPTIONS'))).server.engine.callsSucceeded).toBe(1);
    // A method the regexp does not find is unexpected: the call it started fails.
    const other = await run(uas, uac('MESSAGE'));
    expect(other.server.engine.callsSucceeded).toBe(0);
    expect(other.server.stats.cumulative.failedFor('unexpected-message')).toBe(1);
  });

  it('optional="global" takes its request wherever the call is; advance_state="false" leaves the call in place', async () => {
    const uas = `<scenario name="uas">
  <recv request="OPTIONS"/>
  <recv request="INFO" optional="true" advance_state="false">
    <action><log message="info [call_number]"/></action>
  </recv>
  <recv request="MESSAGE"/>
  <nop next="done"><action><log message="end"/></action></nop>
  <recv request="NOTIFY" optional="global">
    <action><log message="global notify"/></action>
  </recv>
  <label id="done"/>
</scenario>`;
    const send = (method: string, cseq: number) => requestSend(method, cseq);
    const uac = `<scenario name="uac">${send('OPTIONS', 1)}${send('INFO', 2)}${send('INFO', 3)}${send('MESSAGE', 4)}</scenario>`;
    const logs = (e: EngineEvent[]) => e.filter((x) => x.kind === 'log').map((x) => (x as { text: string }).text);
    const first = await run(uas, uac);
    // Both INFOs are taken by the same optional recv; the MESSAGE then finds step 2.
    expect(logs(first.server.events)).toEqual(['info 1', 'info 1', 'end']);
    expect(first.server.engine.callsSucceeded).toBe(1);

    const jumping = await run(uas, `<scenario name="uac">${send('OPTIONS', 1)}${send('NOTIFY', 2)}</scenario>`);
    // The NOTIFY is expected nowhere near: the global recv takes it and the call ends after it.
    expect(logs(jumping.server.events)).toEqual(['global notify']);
    expect(jumping.server.engine.callsSucceeded).toBe(1);
  });

  it('start_txn / response_txn: a response is matched to its transaction by the Via branch', async () => {
    const uas = `<scenario name="uas">
  <recv request="OPTIONS"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <recv request="INFO"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
</scenario>`;
    const send = (method: string, cseq: number, txn: string) => requestSend(method, cseq, { attrs: `start_txn="${txn}"` });
    const uac = `<scenario name="uac">${send('OPTIONS', 1, 'first')}${send('INFO', 2, 'second')}
  <recv response="200" response_txn="first"/>
  <recv response="200" response_txn="second"/>
</scenario>`;
    const { client } = await run(uas, uac);
    expect(client.engine.callsSucceeded).toBe(1);
    // Swapped: the first 200 (to the OPTIONS) is unexpected where the INFO's is awaited.
    const swapped = uac.replace('response_txn="first"/>\n  <recv response="200" response_txn="second"', 'response_txn="second"/>\n  <recv response="200" response_txn="first"');
    expect(swapped).not.toBe(uac);
    const bad = await run(uas, swapped);
    expect(bad.client.stats.cumulative.failedFor('unexpected-message')).toBe(1);
  });
});
