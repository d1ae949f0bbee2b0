import { describe, expect, it } from 'vitest';
import { configFor, newNetwork, scenarioOf, sentStartLines, side } from './harness.js';

const UAC_PORT = 5061;
const UAS_PORT = 5060;

describe('engine: built-in uac against built-in uas on a virtual clock', () => {
  it('runs 50 calls to success on both sides, in order, at the configured rate', async () => {
    const { scheduler, network } = newNetwork(1);
    const uas = await side(network, scenarioOf('uas'), configFor({ port: UAS_PORT }));
    const uac = await side(
      network,
      scenarioOf('uac'),
      configFor({ port: UAC_PORT, remotePort: UAS_PORT, rate: 10, maxCalls: 50 }),
    );
    uas.engine.start();
    uac.engine.start();
    scheduler.advance(2_450);
    // 10 calls/s: call n starts at (n - 1) * 100 ms, so 25 calls exist after 2.45 s.
    expect(uac.engine.callsCreated).toBe(25);
    scheduler.runUntilIdle(60_000);
    const result = await uac.engine.finished;
    expect(result).toMatchObject({ reason: 'completed', callsCreated: 50, callsSucceeded: 50, callsFailed: 0 });
    expect(uas.engine.callsSucceeded).toBe(50);
    expect(uac.stats.cumulative.successful).toBe(50);
    // The client sees INVITE, ACK, BYE per call and no retransmission on a loss-free network.
    const lines = sentStartLines(uac.events);
    expect(lines.slice(0, 3)).toEqual([
      'INVITE sip:service@127.0.0.1:5060 SIP/2.0',
      'ACK sip:service@127.0.0.1:5060 SIP/2.0',
      'BYE sip:service@127.0.0.1:5060 SIP/2.0',
    ]);
    expect(lines.length).toBe(150);
    expect(uac.stats.cumulative.retransmissions).toBe(0);
    expect(sentStartLines(uas.events).slice(0, 3)).toEqual(['SIP/2.0 180 Ringing', 'SIP/2.0 200 OK', 'SIP/2.0 200 OK']);
  });

  it('UAS call ends only after its timewait, and late BYE retransmissions get the 200 again', async () => {
    const { scheduler, network } = newNetwork(1);
    const uas = await side(network, scenarioOf('uas'), configFor({ port: UAS_PORT }));
    const uac = await side(network, scenarioOf('uac'), configFor({ port: UAC_PORT, remotePort: UAS_PORT, maxCalls: 1 }));
    uas.engine.start();
    uac.engine.start();
    // Drop the first 200 OK to the BYE: the client retransmits the BYE after 500 ms.
    let dropped = 0;
    network.dropFilter = (data) => {
      const text = data.toString('latin1');
      if (dropped === 0 && text.startsWith('SIP/2.0 200') && text.includes('CSeq: 2 BYE')) {
        dropped++;
        return true;
      }
      return false;
    };
    scheduler.runUntilIdle(60_000);
    expect(dropped).toBe(1);
    expect(uac.engine.callsSucceeded).toBe(1);
    expect(uac.stats.cumulative.retransmissions).toBe(1);
    // The UAS recognised the BYE copy as a retransmission and answered it without counting it again.
    expect(uas.engine.callsSucceeded).toBe(1);
    expect(uas.engine.callsFailed).toBe(0);
    const uasLines = sentStartLines(uas.events);
    expect(uasLines.filter((l) => l === 'SIP/2.0 200 OK').length).toBe(3);
  });

  it('no peer: INVITE retransmits at 0.5, 1, 2, 4, 8, 16 s and the call fails after 31.5 s (max-udp-retrans)', async () => {
    const { scheduler, network } = newNetwork(0);
    const uac = await side(network, scenarioOf('uac'), configFor({ port: UAC_PORT, remotePort: 5999, maxCalls: 1 }));
    uac.engine.start();
    scheduler.advance(31_400);
    expect(uac.engine.openCalls).toBe(1);
    expect(uac.transport.sent).toBe(6);
    scheduler.advance(200);
    expect(uac.engine.openCalls).toBe(0);
    expect(uac.engine.callsFailed).toBe(1);
    expect(uac.stats.cumulative.retransmissions).toBe(5);
    const result = await uac.engine.finished;
    expect(result.reason).toBe('completed');
  });

  it('-nr: no retransmission at all; -recv_timeout fails the call on timeout-on-recv', async () => {
    const { scheduler, network } = newNetwork(0);
    const uac = await side(
      network,
      scenarioOf('uac'),
      configFor({ port: UAC_PORT, remotePort: 5999, maxCalls: 1, retransmissions: false, recvTimeoutMs: 2000 }),
    );
    uac.engine.start();
    scheduler.runUntilIdle(60_000);
    expect(uac.transport.sent).toBe(1);
    expect(uac.engine.callsFailed).toBe(1);
    expect(scheduler.now()).toBeGreaterThanOrEqual(2000);
  });

  it('an unexpected response fails the call as unexpected-message', async () => {
    const { scheduler, network } = newNetwork(1);
    const rejecting = scenarioOf(`<?xml version="1.0"?>
<scenario name="reject">
  <recv request="INVITE"/>
  <send><![CDATA[
    SIP/2.0 486 Busy Here
    [last_Via:]
    [last_From:]
    [last_To:];tag=x
    [last_Call-ID:]
    [last_CSeq:]
    Content-Length: 0
  ]]></send>
</scenario>`);
    const uas = await side(network, rejecting, configFor({ port: UAS_PORT }));
    const uac = await side(network, scenarioOf('uac'), configFor({ port: UAC_PORT, remotePort: UAS_PORT, maxCalls: 3 }));
    uas.engine.start();
    uac.engine.start();
    scheduler.runUntilIdle(60_000);
    expect(uac.engine.callsFailed).toBe(3);
    expect(uac.stats.cumulative.failedFor("unexpected-message")).toBe(3);
    expect(uas.engine.callsSucceeded).toBe(3);
  });

  it('-t un: each client call uses its own socket and local port', async () => {
    const { scheduler, network } = newNetwork(1);
    const uas = await side(network, scenarioOf('uas'), configFor({ port: UAS_PORT }));
    const uac = await side(
      network,
      scenarioOf('uac'),
      configFor({ port: UAC_PORT, remotePort: UAS_PORT, maxCalls: 3, rate: 100 }),
      true,
    );
    uas.engine.start();
    uac.engine.start();
    // Opening a call socket is asynchronous: let its promise settle between clock steps.
    for (let i = 0; i < 200 && uac.engine.callsSucceeded < 3; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      scheduler.advance(5);
    }
    expect(uac.engine.callsSucceeded).toBe(3);
    const vias = uac.events
      .filter((e) => e.kind === 'message-sent')
      .map((e) => (e as { data: Buffer }).data.toString('latin1').match(/Via: SIP\/2.0\/UDP 127.0.0.1:(\d+)/)![1]);
    expect(new Set(vias).size).toBe(3);
    expect(vias).not.toContain(String(UAC_PORT));
  });

  it('malformed datagrams are counted and do not disturb calls', async () => {
    const { scheduler, network } = newNetwork(1);
    const uas = await side(network, scenarioOf('uas'), configFor({ port: UAS_PORT }));
    const uac = await side(network, scenarioOf('uac'), configFor({ port: UAC_PORT, remotePort: UAS_PORT, maxCalls: 5 }));
    uas.engine.start();
    uac.engine.start();
    for (let i = 0; i < 100; i++) {
      uas.transport.deliver(0, Buffer.from(`garbage ${i}\r\n\r\n`), { address: '127.0.0.1', port: 9 });
    }
    scheduler.runUntilIdle(60_000);
    expect(uac.engine.callsSucceeded).toBe(5);
    expect(uas.stats.cumulative.malformed).toBe(100);
  });

  it('stop() ends open calls as aborted, not failed', async () => {
    const { scheduler, network } = newNetwork(0);
    const uac = await side(network, scenarioOf('uac'), configFor({ port: UAC_PORT, remotePort: 5999, maxCalls: 10, rate: 10 }));
    uac.engine.start();
    scheduler.advance(450);
    uac.engine.stop('timeout');
    const result = await uac.engine.finished;
    expect(result).toMatchObject({ reason: 'timeout', callsCreated: 5, callsAborted: 5, callsFailed: 0 });
  });
});
