// The engine's side of the run-wide keywords: the -users pool ([users], [userid]), SIPp's
// dynamic_id counter, [clock_tick] on the run's clock, [server_ip] from the bound socket, and
// keywords that stop the run.
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/index.js';
import { configFor, newNetwork, scenarioOf, side } from './harness.js';

function sent(events: EngineEvent[]): string[] {
  return events
    .filter((e): e is Extract<EngineEvent, { kind: 'message-sent' }> => e.kind === 'message-sent')
    .map((e) => e.data.toString('latin1'));
}

function header(message: string, name: string): string {
  return new RegExp(`\\r\\n${name}: ([^\\r]*)`).exec(message)![1]!;
}

const scenario = (line: string, pauseMs: number) => `<scenario>
<send><![CDATA[
MESSAGE sip:x@[remote_ip]:[remote_port] SIP/2.0
Call-ID: [call_id]
CSeq: [cseq] MESSAGE
${line}
Content-Length: 0
]]></send>
<pause milliseconds="${pauseMs}"/>
</scenario>`;

describe('engine: run-wide keyword state', () => {
  it('-users N: N calls at once with users N, N-1, ... 1; a user freed goes to the back of the line', async () => {
    const { scheduler, network } = newNetwork(1);
    const uac = await side(
      network,
      scenarioOf(scenario('X: [users] [userid] [clock_tick] [server_ip]', 250)),
      configFor({ port: 5061, remotePort: 5060, rate: 10, maxCalls: 6, users: 3, callLimit: 3 }),
    );
    uac.engine.start();
    scheduler.runUntilIdle(10_000);
    expect((await uac.engine.finished).callsCreated).toBe(6);
    // SIPp 3.6.1, -users 3 -m 6, the same scenario: users 3 2 1 3 2 1, the rate (-r) plays no
    // part: three calls at once, three more when they end. [server_ip]: the bound address.
    expect(sent(uac.events).map((m) => `${header(m, 'Call-ID').split('-')[0]} ${header(m, 'X')}`)).toEqual([
      '1 3 3 0 127.0.0.1',
      '2 3 2 0 127.0.0.1',
      '3 3 1 0 127.0.0.1',
      '4 3 3 250 127.0.0.1',
      '5 3 2 250 127.0.0.1',
      '6 3 1 250 127.0.0.1',
    ]);
  });

  it('-users: <User variables> belong to the user and carry over to its next call', async () => {
    const xml = `<scenario>
<User variables="u"/>
<nop><action><add assign_to="u" value="1"/></action></nop>
<send><![CDATA[
MESSAGE sip:x@[remote_ip]:[remote_port] SIP/2.0
Call-ID: [call_id]
CSeq: [cseq] MESSAGE
X: [userid] [$u]
Content-Length: 0
]]></send>
<pause milliseconds="250"/>
</scenario>`;
    const { scheduler, network } = newNetwork(1);
    const uac = await side(network, scenarioOf(xml), configFor({ port: 5061, remotePort: 5060, rate: 10, maxCalls: 5, users: 2, callLimit: 2 }));
    uac.engine.start();
    scheduler.runUntilIdle(10_000);
    // SIPp 3.6.1 sent these.
    expect(sent(uac.events).map((m) => header(m, 'X'))).toEqual(['2 1.000000', '1 1.000000', '2 2.000000', '1 2.000000', '2 3.000000']);
  });

  it('without -users: [users] is -1 and [userid] 0', async () => {
    const { scheduler, network } = newNetwork(1);
    const uac = await side(network, scenarioOf(scenario('X: [users] [userid]', 0)), configFor({ port: 5061, remotePort: 5060, maxCalls: 1 }));
    uac.engine.start();
    scheduler.runUntilIdle(10_000);
    expect(sent(uac.events).map((m) => header(m, 'X'))).toEqual(['-1 0']);
  });

  it('[dynamic_id] counts 10000, 10004, ... 18000, then starts again at 10000, across calls', async () => {
    const { scheduler, network } = newNetwork(1);
    const uac = await side(
      network,
      scenarioOf(scenario(`X: ${'[dynamic_id] '.repeat(2001)}`, 0)),
      configFor({ port: 5061, remotePort: 5060, maxCalls: 2 }),
    );
    uac.engine.start();
    scheduler.runUntilIdle(10_000);
    const [first, second] = sent(uac.events).map((m) => header(m, 'X').trim().split(' '));
    expect(first!.slice(0, 3)).toEqual(['10000', '10004', '10008']);
    expect(first!.slice(-1)).toEqual(['18000']);
    // 2001 values per message: the second call starts where the wrap left the counter.
    expect(second!.slice(0, 2)).toEqual(['10000', '10004']);
    expect(second!.slice(-2)).toEqual(['17996', '18000']);
  });

  it('-dynamicStart/-dynamicStep/-dynamicMax set the counter, printed as %u (SIPp 3.6.1 sent these)', async () => {
    for (const [dynamicId, expected] of [
      [{ start: 5, step: 3, max: 12 }, '5 8 11 5 8 11'],
      [{ start: -5, step: -2, max: 100 }, '4294967291 4294967289 4294967287 4294967285 4294967283 4294967281'],
    ] as const) {
      const { scheduler, network } = newNetwork(1);
      const uac = await side(
        network,
        scenarioOf(scenario(`X: ${'[dynamic_id] '.repeat(6).trim()}`, 0)),
        configFor({ port: 5061, remotePort: 5060, maxCalls: 1, dynamicId }),
      );
      uac.engine.start();
      scheduler.runUntilIdle(10_000);
      expect(sent(uac.events).map((m) => header(m, 'X'))).toEqual([expected]);
    }
  });

  it('-tdmmap: each call takes a circuit for [tdmmap]; with none free the call fails (outbound congestion)', async () => {
    const { scheduler, network } = newNetwork(1);
    const uac = await side(
      network,
      scenarioOf(scenario('X-T: [tdmmap]', 300)),
      configFor({
        port: 5061, remotePort: 5060, maxCalls: 9, users: 9, callLimit: 9,
        tdmMap: { x: 0, a: 1, h: 99, y: 5, b: 1, z: 1, c: 1 },
      }),
    );
    uac.engine.start();
    scheduler.runUntilIdle(10_000);
    // What SIPp 3.6.1 sent with -tdmmap {0-1}{99}{5-6}{1-2} -users 9: eight calls, the ninth failed.
    expect(sent(uac.events).map((m) => header(m, 'X-T'))).toEqual([
      '1.99.6/2', '1.99.6/1', '0.99.5/2', '0.99.6/2', '0.99.6/1', '0.99.5/1', '1.99.5/1', '1.99.5/2',
    ]);
    expect(await uac.engine.finished).toMatchObject({ callsCreated: 9, callsSucceeded: 8, callsFailed: 1 });
    expect(uac.stats.cumulative.failedFor('outbound-congestion')).toBe(1);
    expect(uac.events.some((e) => e.kind === 'error' && e.message === "Can't create new outgoing call: all tdm_map circuits busy")).toBe(true);
  });

  it('-tdmmap, one call at a time: circuits come back as in SIPp 3.6.1, so every third call fails with two', async () => {
    const { scheduler, network } = newNetwork(1);
    const uac = await side(
      network,
      scenarioOf(scenario('X-T: [tdmmap]', 50)),
      configFor({ port: 5061, remotePort: 5060, maxCalls: 6, users: 1, callLimit: 1, tdmMap: { x: 0, a: 0, h: 0, y: 0, b: 0, z: 1, c: 1 } }),
    );
    uac.engine.start();
    scheduler.runUntilIdle(10_000);
    // SIPp 3.6.1, -tdmmap {0-0}{0}{0-0}{1-2} -users 1 -m 6: calls 1, 2, 4, 5 sent these; 3 and 6 failed.
    expect(sent(uac.events).map((m) => `${header(m, 'Call-ID').split('-')[0]} ${header(m, 'X-T')}`)).toEqual([
      '1 0.0.0/2', '2 0.0.0/1', '4 0.0.0/2', '5 0.0.0/1',
    ]);
    expect(await uac.engine.finished).toMatchObject({ callsCreated: 6, callsSucceeded: 4, callsFailed: 2 });
  });

  it('a keyword SIPp stops on ([tdmmap] without -tdmmap) ends the run as fatal before sending', async () => {
    const { scheduler, network } = newNetwork(1);
    const uac = await side(network, scenarioOf(scenario('X: [tdmmap]', 0)), configFor({ port: 5061, remotePort: 5060, maxCalls: 3 }));
    uac.engine.start();
    scheduler.runUntilIdle(10_000);
    const result = await uac.engine.finished;
    expect(result.reason).toBe('fatal');
    expect(result.fatalError).toBe('[tdmmap] keyword without -tdmmap parameter on command line');
    expect(sent(uac.events)).toEqual([]);
  });
});
