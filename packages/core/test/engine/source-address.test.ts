// -t ui in the engine: a client call sends from the address in its -inf line (-ip_field), and
// [local_ip], [server_ip] and [local_port] are that socket's; a server call answers from the
// address it was reached on. On the in-memory network, a socket per address.
import { describe, expect, it } from 'vitest';
import { compileTemplate, InjectionSet, loadScenario } from '../../src/index.js';
import type { EngineConfig, EngineEvent, MemoryNetwork, Scenario, VirtualScheduler } from '../../src/index.js';
import { configFor, newNetwork, scenarioOf, side, type Side } from './harness.js';

const UAC = `<scenario>
<send><![CDATA[
MESSAGE sip:x@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
Call-ID: [call_id]
CSeq: [cseq] MESSAGE
X-Server-Ip: [server_ip]
X-Field: [field1]
Content-Length: 0
]]></send>
<recv response="200"/>
</scenario>`;

const UAS = `<scenario>
<recv request="MESSAGE"/>
<send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port]>
Content-Length: 0
]]></send>
</scenario>`;

function injection(text: string): InjectionSet {
  const set = new InjectionSet();
  set.add('data/ips.csv', text);
  return set;
}

/** An engine whose transport has a socket per address (-t ui). */
function perAddressSide(
  network: MemoryNetwork,
  scenario: Scenario,
  config: EngineConfig,
  sourceAddresses: readonly string[],
  injection: InjectionSet | undefined,
): Promise<Side> {
  return side(network, scenario, config, true, false, undefined, { sourceAddresses, ...(injection !== undefined ? { injection } : {}) });
}

/** Opening a call socket is asynchronous: let its promise settle between clock steps. */
async function runUntil(scheduler: VirtualScheduler, done: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !done(); i++) {
    await new Promise((resolve) => setImmediate(resolve));
    scheduler.advance(5);
  }
}

function received(events: EngineEvent[]): Array<{ from: string; text: string }> {
  return events
    .filter((e): e is Extract<EngineEvent, { kind: 'message-received' }> => e.kind === 'message-received')
    .map((e) => ({ from: `${e.from.address}:${e.from.port}`, text: e.data.toString('latin1') }));
}

function header(text: string, name: string): string {
  return new RegExp(`\\r\\n${name}: ([^\\r]*)`).exec(text)?.[1] ?? '';
}

describe('engine: -t ui (a socket per source address)', () => {
  it('each client call sends from the address of its -inf line, and its keywords name that address', async () => {
    const { scheduler, network } = newNetwork(1);
    const uas = await side(network, scenarioOf(UAS), configFor({ port: 5060 }));
    uas.engine.start();
    const addresses = ['127.0.0.2', '127.0.0.3'];
    const set = injection('SEQUENTIAL\n127.0.0.2;alice\n127.0.0.3;bob\n127.0.0.2;carol\n');
    const uac = await perAddressSide(
      network,
      loadScenario(UAC, 'uac.xml', compileTemplate, { injection: set }),
      { ...configFor({ port: 5070, remotePort: 5060, rate: 100, maxCalls: 4 }), sourceAddressField: 0 },
      addresses,
      set,
    );
    uac.engine.start();
    await runUntil(scheduler, () => uac.engine.callsSucceeded + uac.engine.callsFailed >= 4);
    const summary = await uac.engine.finished;
    expect(summary.callsCreated).toBe(4);
    expect(uac.stats.cumulative.successful).toBe(4);
    const requests = received(uas.events);
    // Lines 0, 1, 2, then 0 again (SEQUENTIAL wraps); every address on the main socket's port.
    expect(requests.map((r) => r.from)).toEqual(['127.0.0.2:5070', '127.0.0.3:5070', '127.0.0.2:5070', '127.0.0.2:5070']);
    expect(requests.map((r) => header(r.text, 'Via').split(';')[0])).toEqual([
      'SIP/2.0/UDP 127.0.0.2:5070',
      'SIP/2.0/UDP 127.0.0.3:5070',
      'SIP/2.0/UDP 127.0.0.2:5070',
      'SIP/2.0/UDP 127.0.0.2:5070',
    ]);
    expect(requests.map((r) => header(r.text, 'X-Server-Ip'))).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.2', '127.0.0.2']);
    expect(requests.map((r) => header(r.text, 'X-Field'))).toEqual(['alice', 'bob', 'carol', 'alice']);
    // The Call-ID keeps the run's [local_ip], as SIPp's does.
    expect(header(requests[1]!.text, 'Call-ID')).toBe('2-4242@127.0.0.1');
    // The answers come back to the socket of each call's address.
    expect(received(uac.events).map((r) => header(r.text, 'Call-ID'))).toEqual(requests.map((r) => header(r.text, 'Call-ID')));
  });

  it('a server answers from the address it was reached on, and its [local_ip] is that address', async () => {
    const { scheduler, network } = newNetwork(1);
    const uas = await perAddressSide(
      network,
      scenarioOf(UAS),
      { ...configFor({ port: 5060 }), sourceAddressField: 0 },
      ['127.0.0.2', '127.0.0.3'],
      undefined,
    );
    uas.engine.start();
    const callers = [];
    for (const [port, target] of [
      [5071, '127.0.0.2'],
      [5072, '127.0.0.3'],
    ] as const) {
      // A pid each, so their Call-IDs differ.
      const config = configFor({ port, remotePort: 5060, rate: 10, maxCalls: 1 });
      const uac = await side(network, scenarioOf(UAC.replace('X-Field: [field1]\n', '')), {
        ...config,
        remote: { address: target, port: 5060 },
        keywords: { ...config.keywords, pid: port },
      });
      uac.engine.start();
      callers.push(uac);
    }
    scheduler.runUntilIdle(10_000);
    for (const [i, target] of ['127.0.0.2', '127.0.0.3'].entries()) {
      const caller = callers[i]!;
      expect(caller.stats.cumulative.successful).toBe(1);
      const answers = received(caller.events);
      expect(answers.map((a) => a.from)).toEqual([`${target}:5060`]);
      expect(header(answers[0]!.text, 'Contact')).toBe(`<sip:${target}:5060>`);
    }
  });

  for (const { name, field, file, reason } of [
    {
      name: 'a call whose field is empty fails before sending, naming the field',
      field: 2,
      file: 'SEQUENTIAL\n127.0.0.2;alice\n',
      reason: '-t ui: no source address for call 1 (field 2 of its -inf line is empty)',
    },
    {
      name: 'a call whose address has no socket fails with the reason',
      field: 0,
      file: 'SEQUENTIAL\n127.0.0.9;alice\n',
      reason: 'cannot open a socket for the call: no socket bound on 127.0.0.9',
    },
  ]) {
    it(name, async () => {
      const { scheduler, network } = newNetwork(1);
      const set = injection(file);
      const uac = await perAddressSide(
        network,
        loadScenario(UAC, 'uac.xml', compileTemplate, { injection: set }),
        { ...configFor({ port: 5070, remotePort: 5060, rate: 10, maxCalls: 1 }), sourceAddressField: field },
        ['127.0.0.2'],
        set,
      );
      uac.engine.start();
      await runUntil(scheduler, () => uac.stats.cumulative.failed >= 1);
      expect(uac.stats.cumulative.failed).toBe(1);
      expect(uac.events.find((e) => e.kind === 'call-ended')).toMatchObject({ reason });
      expect(uac.events.some((e) => e.kind === 'message-sent')).toBe(false);
    });
  }
});
