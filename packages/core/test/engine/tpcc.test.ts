import { describe, expect, it } from 'vitest';
import {
  commandCallId,
  commandFrom,
  commandText,
  Engine,
  isAbortCommand,
  MemoryTransport,
  MemoryTwinHub,
  parseSlaveCfg,
  renderScenarioScreen,
  RunStats,
  thirdPartyRole,
  ThirdPartyError,
} from '../../src/index.js';
import type { EngineConfig, EngineEvent, MemoryNetwork, Scenario, ThirdPartyRole, TwinChannel } from '../../src/index.js';
import { configFor, newNetwork, scenarioOf } from './harness.js';

interface TwinSide {
  engine: Engine;
  stats: RunStats;
  events: EngineEvent[];
}

async function twinSide(
  network: MemoryNetwork,
  scenario: Scenario,
  config: EngineConfig,
  twin?: { channel: TwinChannel; role: ThirdPartyRole },
): Promise<TwinSide> {
  const stats = new RunStats(scenario, network.scheduler);
  const events: EngineEvent[] = [];
  const engine = new Engine(scenario, config, {
    transport: new MemoryTransport(network),
    scheduler: network.scheduler,
    stats,
    events: { emit: (e) => events.push(e) },
    random: () => 0.5,
    ...(twin !== undefined ? { twin: twin.channel, thirdPartyRole: twin.role } : {}),
  });
  await engine.open();
  return { engine, stats, events };
}

function sentTexts(events: EngineEvent[]): string[] {
  return events
    .filter((e): e is Extract<EngineEvent, { kind: 'message-sent' }> => e.kind === 'message-sent')
    .map((e) => e.data.toString('latin1'));
}

const OPTIONS_SEND = `
  <send>
    <![CDATA[
      OPTIONS sip:x@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:a@[local_ip]>;tag=[call_number]
      To: <sip:x@[remote_ip]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      Content-Length: 0
    ]]>
  </send>`;

function doc(...body: string[]): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="t">\n${body.join('\n')}\n</scenario>\n`;
}

describe('3PCC: the classic demo (3pcc-C-A, 3pcc-C-B, 3pcc-A, 3pcc-B) on a virtual clock', () => {
  it('3 calls: every side succeeds, the SDP of B reaches A through the twin commands', async () => {
    const { scheduler, network } = newNetwork(1);
    const hub = new MemoryTwinHub(scheduler, 1);
    hub.pair('ca', 'cb');
    const a = await twinSide(network, scenarioOf('3pcc-A'), configFor({ port: 5061, maxCalls: 3 }));
    const b = await twinSide(network, scenarioOf('3pcc-B'), configFor({ port: 5062, maxCalls: 3 }));
    const cb = await twinSide(network, scenarioOf('3pcc-C-B'), configFor({ port: 5063, remotePort: 5062, maxCalls: 3 }), {
      channel: hub.channel('cb'),
      role: 'controller-b',
    });
    const ca = await twinSide(network, scenarioOf('3pcc-C-A'), configFor({ port: 5064, remotePort: 5061, maxCalls: 3 }), {
      channel: hub.channel('ca'),
      role: 'controller-a',
    });
    for (const side of [a, b, cb, ca]) side.engine.start();
    scheduler.runUntilIdle(120_000);
    for (const side of [a, b, cb, ca]) {
      expect(await side.engine.finished).toMatchObject({ reason: 'completed', callsSucceeded: 3, callsFailed: 0 });
    }
    // SIPp counts the controller B's calls as outgoing: created by a command, they send the INVITE.
    expect(cb.stats.cumulative).toMatchObject({ outgoing: 3, incoming: 0, successful: 3 });
    expect(a.stats.cumulative).toMatchObject({ incoming: 3, successful: 3 });

    // The command: the Call-ID line, then [$1] (SIPp's ereg "Content-Type:.*" runs to the end of
    // the 200 OK); no empty line is added after a body that came in a variable.
    const first = hub.channel('ca').sent[0]!.text;
    expect(first.startsWith('Call-ID: 1-4242@127.0.0.1\r\nContent-Type: application/sdp\r\nContent-Length:   129\r\n\r\nv=0\r\n')).toBe(true);
    expect(first.endsWith('a=rtpmap:0 PCMU/8000\r\n')).toBe(true);
    expect(first.endsWith('\r\n\r\n')).toBe(false);
    // Controller B's calls take the Call-ID of the command.
    const invites = sentTexts(cb.events).filter((t) => t.startsWith('INVITE '));
    expect(invites.map((t) => /Call-ID: (.*)\r\n/.exec(t)![1])).toEqual(['1-4242@127.0.0.1', '2-4242@127.0.0.1', '3-4242@127.0.0.1']);
    expect(invites[0]).toContain('Content-Type: application/sdp\r\n');
    // A's ACK carries B's answer ([$2] from controller B's command).
    const ack = sentTexts(ca.events).find((t) => t.startsWith('ACK '))!;
    expect(ack).toContain('Content-Type: application/sdp\r\nContent-Length:   129\r\n\r\nv=0\r\n');

    // Per-step counters and SIPp's two screen lines.
    const steps = ca.engine.scenario.steps;
    const sendCmd = steps.findIndex((s) => s.kind === 'sendCmd');
    const recvCmd = steps.findIndex((s) => s.kind === 'recvCmd');
    expect(ca.stats.stepCounters[sendCmd]!.sent).toBe(3);
    expect(ca.stats.stepCounters[recvCmd]!.received).toBe(3);
    const screen = renderScenarioScreen(ca.stats, { transport: 'UDP', localPort: 5064, remoteHost: '127.0.0.1', remotePort: 5061 });
    expect(screen).toContain(`        [ Sent Command ]         3${' '.repeat(38)}\n`);
    expect(screen).toContain(`    [ Received Command ]         3${' '.repeat(38)}\n`);
    const cbScreen = renderScenarioScreen(cb.stats, { transport: 'UDP', localPort: 5063 });
    // Controller B is a server for SIPp's screen: its first step is a recvCmd.
    expect(cbScreen).toContain('  Port   Total-time  Total-calls  Transport');
  });
});

describe('3PCC: engine rules', () => {
  async function pairOf(xmlA: string, xmlB: string, roleB: ThirdPartyRole = 'controller-b') {
    const { scheduler, network } = newNetwork(1);
    const hub = new MemoryTwinHub(scheduler, 1);
    hub.pair('x', 'y');
    const b = await twinSide(network, scenarioOf(xmlB), configFor({ port: 5071, remotePort: 5999, maxCalls: 1 }), {
      channel: hub.channel('y'),
      role: roleB,
    });
    const a = await twinSide(network, scenarioOf(xmlA), configFor({ port: 5072, remotePort: 5999, maxCalls: 1 }), {
      channel: hub.channel('x'),
      role: 'controller-a',
    });
    return { scheduler, hub, a, b };
  }

  it('a received command runs the recvCmd actions (ereg on it, [call_id]); [last_*] still means the last SIP message', async () => {
    const { scheduler, hub, a, b } = await pairOf(
      doc(
        '<sendCmd><![CDATA[\n  Call-ID: [call_id]\n  X-Foo: bar\n]]></sendCmd>',
        '<recvCmd><action><ereg regexp="X-Var: .*" search_in="msg" assign_to="all"/><log message="[$all]"/></action></recvCmd>',
        OPTIONS_SEND,
      ),
      doc(
        '<recvCmd><action><ereg regexp="X-Foo: ([a-z]*)" search_in="msg" assign_to="all,foo"/></action></recvCmd>',
        '<sendCmd><![CDATA[\n  Call-ID: [call_id]\n  X-Last: [last_X-Foo:]\n  X-Var: [$foo] [$all] [call_number]\n]]></sendCmd>',
        OPTIONS_SEND,
      ),
    );
    b.engine.start();
    a.engine.start();
    scheduler.runUntilIdle(10_000);
    expect(b.engine.callsSucceeded).toBe(1);
    expect(a.engine.callsSucceeded).toBe(1);
    // As SIPp 3.6.1: the command is not the "last message" of the call.
    expect(hub.channel('y').sent[0]!.text).toBe('Call-ID: 1-4242@127.0.0.1\r\nX-Last: \r\nX-Var: bar X-Foo: bar 1\r\n\r\n');
    expect(a.events.filter((e) => e.kind === 'log').map((e) => (e as { text: string }).text)).toEqual(['X-Var: bar X-Foo: bar 1']);
  });

  it('a command that cannot be sent fails the call as FailedCmdNotSent', async () => {
    const { scheduler, hub, a } = await pairOf(
      doc('<sendCmd><![CDATA[\n  Call-ID: [call_id]\n]]></sendCmd>', OPTIONS_SEND),
      doc('<recvCmd/>', OPTIONS_SEND),
    );
    hub.channel('x').up = false;
    a.engine.start();
    scheduler.runUntilIdle(10_000);
    expect(a.engine.callsFailed).toBe(1);
    expect(a.stats.cumulative.failedFor('cmd-not-sent')).toBe(1);
  });

  it('a command while the call waits for something else rejects the call (FailedCallRejected)', async () => {
    const { scheduler, hub, a, b } = await pairOf(
      doc('<sendCmd><![CDATA[\n  Call-ID: [call_id]\n]]></sendCmd>', '<sendCmd><![CDATA[\n  Call-ID: [call_id]\n]]></sendCmd>', OPTIONS_SEND),
      doc('<recvCmd/>', '<pause milliseconds="1000"/>', '<recvCmd/>', OPTIONS_SEND),
    );
    b.engine.start();
    a.engine.start();
    scheduler.runUntilIdle(10_000);
    expect(hub.channel('x').sent.length).toBe(2);
    expect(b.engine.callsFailed).toBe(1);
    expect(b.stats.cumulative.failedFor('call-rejected')).toBe(1);
  });

  it('optional recvs before a recvCmd are skipped; "internal-cmd: abort_call" ends the call as failed', async () => {
    const { scheduler, network } = newNetwork(1);
    const hub = new MemoryTwinHub(scheduler, 1);
    const channel = hub.channel('solo');
    const b = await twinSide(
      network,
      scenarioOf(doc('<recvCmd/>', OPTIONS_SEND, '<recv response="100" optional="true"/>', '<recvCmd/>', OPTIONS_SEND)),
      configFor({ port: 5081, remotePort: 5999, maxCalls: 2 }),
      { channel, role: 'controller-b' },
    );
    b.engine.start();
    channel.inject('Call-ID: one\r\n\r\n');
    scheduler.advance(10);
    channel.inject('Call-ID: one\r\n\r\n');
    scheduler.advance(10);
    expect(b.engine.callsSucceeded).toBe(1);
    channel.inject('Call-ID: two\r\n\r\n');
    scheduler.advance(10);
    channel.inject('Call-ID: two\r\ninternal-cmd: abort_call\r\n\r\n');
    scheduler.runUntilIdle(10_000);
    expect(b.engine.callsFailed).toBe(1);
    expect(await b.engine.finished).toMatchObject({ reason: 'completed', callsCreated: 2 });
  });

  it('a recvCmd optional="global" takes a command wherever the call is waiting', async () => {
    const { scheduler, network } = newNetwork(1);
    const hub = new MemoryTwinHub(scheduler, 1);
    const channel = hub.channel('solo');
    const b = await twinSide(
      network,
      scenarioOf(
        doc(
          '<recvCmd/>',
          '<pause milliseconds="500"/>',
          '<recvCmd/>',
          '<nop next="done"/>',
          '<recvCmd optional="global"><action><log message="global [call_id]"/></action></recvCmd>',
          '<label id="done"/>',
        ),
      ),
      configFor({ port: 5082, remotePort: 5999, maxCalls: 1 }),
      { channel, role: 'controller-b' },
    );
    b.engine.start();
    channel.inject('Call-ID: g1\r\n\r\n');
    scheduler.advance(10);
    // During the pause no recvCmd is awaited: the global one takes this command.
    channel.inject('Call-ID: g1\r\n\r\n');
    scheduler.runUntilIdle(10_000);
    expect(b.events.filter((e) => e.kind === 'log').map((e) => (e as { text: string }).text)).toEqual(['global g1']);
    expect(b.engine.callsSucceeded).toBe(1);
  });

  it('extended mode: a recvCmd takes a command only from its src= peer (the From: of the command)', async () => {
    const { scheduler, network } = newNetwork(1);
    const hub = new MemoryTwinHub(scheduler, 1);
    const slave = hub.channel('s1');
    const b = await twinSide(
      network,
      scenarioOf(doc('<recvCmd src="m"/>', '<sendCmd dest="m"><![CDATA[\n  Call-ID: [call_id]\n  From: s1\n]]></sendCmd>', OPTIONS_SEND)),
      configFor({ port: 5091, remotePort: 5999, maxCalls: 2 }),
      { channel: slave, role: 'slave' },
    );
    hub.channel('m');
    b.engine.start();
    slave.inject('Call-ID: c1\r\nFrom: m\r\n\r\n');
    scheduler.advance(10);
    expect(b.engine.callsSucceeded).toBe(1);
    expect(slave.sent).toEqual([{ dest: 'm', text: 'Call-ID: c1\r\nFrom: s1\r\n\r\n' }]);
    slave.inject('Call-ID: c2\r\nFrom: intruder\r\n\r\n');
    scheduler.runUntilIdle(10_000);
    expect(b.engine.callsFailed).toBe(1);
    expect(b.stats.cumulative.failedFor('call-rejected')).toBe(1);
  });

  it('a command for no known call is out-of-call for a controller A', async () => {
    const { scheduler, hub, a } = await pairOf(
      doc('<sendCmd><![CDATA[\n  Call-ID: [call_id]\n]]></sendCmd>', '<recvCmd/>', OPTIONS_SEND),
      doc('<recvCmd/>', OPTIONS_SEND),
    );
    a.engine.start();
    hub.channel('x').inject('Call-ID: nobody\r\n\r\n');
    scheduler.advance(5);
    expect(a.stats.cumulative.outOfCall).toBe(1);
  });
});

describe('3PCC: roles and command text', () => {
  const info = (firstCommand: 'sendCmd' | 'recvCmd', creation: 'client' | 'server') => ({
    thirdParty: { firstCommand, creation, peers: [] },
  });

  it("computes SIPp's thirdPartyMode", () => {
    expect(thirdPartyRole({}, {})).toBeUndefined();
    expect(thirdPartyRole(info('sendCmd', 'client'), { twinAddress: 'h:1' })).toBe('controller-a');
    expect(thirdPartyRole(info('sendCmd', 'server'), { twinAddress: 'h:1' })).toBe('a-passive');
    expect(thirdPartyRole(info('recvCmd', 'server'), { twinAddress: 'h:1' })).toBe('controller-b');
    expect(thirdPartyRole(info('sendCmd', 'client'), { extended: true, master: 'm' })).toBe('master');
    expect(thirdPartyRole(info('sendCmd', 'server'), { extended: true, master: 'm' })).toBe('master-passive');
    expect(thirdPartyRole(info('recvCmd', 'server'), { extended: true, slave: 's1' })).toBe('slave');
    expect(() => thirdPartyRole(info('sendCmd', 'client'), {})).toThrow(ThirdPartyError);
    expect(() => thirdPartyRole(info('recvCmd', 'server'), {})).toThrow(
      'recvCmd message found in scenario but no twin sipp address has been passed! Use -3pcc option',
    );
    expect(() => thirdPartyRole(info('recvCmd', 'server'), { extended: true })).toThrow(/slave scenario but -slave/);
    // SIPp 3.6.1 cannot run a scenario of commands only; extended mode names every peer.
    const only = { thirdParty: { ...info('sendCmd', 'client').thirdParty, sipSteps: false } };
    expect(() => thirdPartyRole(only, { twinAddress: 'h:1' })).toThrow('Unable to determine send mode of the tool (server, client)');
    const noSrc = { thirdParty: { ...info('recvCmd', 'server').thirdParty, recvCmdWithoutSrc: true } };
    expect(() => thirdPartyRole(noSrc, { extended: true, slave: 's1' })).toThrow("You must specify a 'src' for recvCmd");
    expect(thirdPartyRole(noSrc, { twinAddress: 'h:1' })).toBe('controller-b');
  });

  it('reads the -slave_cfg file and the fields of a command', () => {
    expect([...parseSlaveCfg('m;127.0.0.1:8080\ns1;127.0.0.1:7080\n\nbad\ns2;;\n')]).toEqual([
      ['m', '127.0.0.1:8080'],
      ['s1', '127.0.0.1:7080'],
    ]);
    expect(commandCallId('Call-ID: abc@h\r\nX: y\r\n')).toBe('abc@h');
    expect(commandCallId('i: short\r\n')).toBe('short');
    expect(commandFrom('Call-ID: a\r\nFrom: s1\r\n')).toBe('s1');
    expect(commandFrom('Call-ID: a\r\nFrom: s1')).toBeUndefined();
    expect(isAbortCommand('Call-ID: a\r\ninternal-cmd: abort_call\r\n')).toBe(true);
    expect(isAbortCommand('Call-ID: a\r\ninternal-cmd: other\r\n')).toBe(false);
    expect(commandText('a\r\nb\r\n\r\n')).toBe('a\r\nb');
  });

  it('scenario load: first twin command, creation mode and dest= peers; a body in a command keeps no line end', () => {
    const master = scenarioOf(
      doc(
        '<sendCmd dest="s1"><![CDATA[\n  Call-ID: [call_id]\n  From: m\n]]></sendCmd>',
        '<sendCmd dest="s2"><![CDATA[\n  Call-ID: [call_id]\n  From: m\n\n  body\n\n]]></sendCmd>',
        '<recvCmd src="s1"/>',
        OPTIONS_SEND,
      ),
    );
    expect(master.thirdParty).toMatchObject({ firstCommand: 'sendCmd', creation: 'client', peers: ['s1', 's2'], sendCmdWithoutDest: false });
    expect(master.startsWithRecv).toBe(false);
    const slave = scenarioOf(doc('<recvCmd src="m"/>', OPTIONS_SEND));
    expect(slave.thirdParty).toMatchObject({ firstCommand: 'recvCmd', creation: 'server', peers: [], recvCmdWithoutSrc: false });
    expect(slave.startsWithRecv).toBe(true);
    expect(scenarioOf('uac').thirdParty).toBeUndefined();
  });
});
