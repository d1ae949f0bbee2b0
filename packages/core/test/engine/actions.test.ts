import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/index.js';
import { configFor, newNetwork, scenarioOf, side } from './harness.js';

const UAC_PORT = 5061;
const UAS_PORT = 5060;

/** A UAC that sends one OPTIONS per call carrying `headers`, then waits for a 200. */
function optionsUac(headers: string, extra = ''): string {
  return `<scenario name="uac">
  <send>
    <![CDATA[
      OPTIONS sip:x@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:a@[local_ip]>;tag=[call_number]
      To: <sip:x@[remote_ip]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      ${headers}
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
  ${extra}
</scenario>`;
}

/** A UAS whose OPTIONS recv runs `actions`; its 200 carries `headers`; `after` follows the 200. */
function optionsUas(actions: string, headers: string, after = '', before = ''): string {
  return `<scenario name="uas">
  ${before}
  <recv request="OPTIONS">
    <action>
      ${actions}
    </action>
  </recv>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      ${headers}
      Content-Length: 0

    ]]>
  </send>
  ${after}
</scenario>`;
}

async function run(uasXml: string, uacXml: string, calls = 1, uasRandom?: () => number) {
  const { scheduler, network } = newNetwork(1);
  const uas = await side(network, scenarioOf(uasXml), configFor({ port: UAS_PORT }));
  if (uasRandom !== undefined) (uas.engine as { random: () => number }).random = uasRandom;
  const uac = await side(
    network,
    scenarioOf(uacXml),
    configFor({ port: UAC_PORT, remotePort: UAS_PORT, rate: 10, maxCalls: calls }),
  );
  uas.engine.start();
  uac.engine.start();
  scheduler.runUntilIdle(120_000);
  return { uas, uac };
}

/** The values of header `name` in the messages a side sent, in order. */
function sentHeader(events: EngineEvent[], name: string): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (e.kind !== 'message-sent') continue;
    const line = e.data
      .toString('latin1')
      .split('\r\n')
      .find((l) => l.startsWith(`${name}:`));
    if (line !== undefined) out.push(line.slice(name.length + 1).trimStart());
  }
  return out;
}

describe('actions and variables in a running call', () => {
  it('ereg fills the whole match and sub-matches; [$v] renders them; doubles print as %lf; 0 renders empty', async () => {
    const uas = optionsUas(
      `<ereg regexp="X-Num: ([0-9]+)-([a-z]+)" search_in="msg" assign_to="whole,num,word"/>
      <ereg regexp="[0-9]+" search_in="hdr" header="X-Num:" assign_to="hnum"/>
      <ereg regexp="nomatch" search_in="msg" assign_to="nm"/>
      <assign assign_to="d" value="3"/>
      <assign assign_to="f" value="2.5"/>
      <add assign_to="f" value="1"/>
      <assignstr assign_to="s" value="call [call_number] at [$num]"/>
      <test assign_to="t" variable="d" compare="greater_than" value="2"/>
      <test assign_to="tf" variable="d" compare="less_than" value="2"/>
      <todouble assign_to="dd" variable="num"/>
      <strcmp assign_to="sc" variable="word" value="abc"/>
      <index assign_to="idx"/>`,
      `X-Whole: [$whole]
      X-Num: [$num] [$hnum] [$word]
      X-NoMatch: <[$nm]>
      X-D: [$d] [$f] [$dd]
      X-S: [$s]
      X-T: [$t] [$tf] [$sc]
      X-Idx: [$idx]`,
    );
    const { uas: server, uac } = await run(uas, optionsUac('X-Num: 42-abc'));
    expect(uac.engine.callsSucceeded).toBe(1);
    // The same scenario run by SIPp 3.6.1 answers with exactly these values (see docs/actions.md).
    expect(sentHeader(server.events, 'X-Whole')).toEqual(['X-Num: 42-abc']);
    expect(sentHeader(server.events, 'X-Num')).toEqual(['42 42 abc']);
    expect(sentHeader(server.events, 'X-NoMatch')).toEqual(['<>']);
    expect(sentHeader(server.events, 'X-D')).toEqual(['3.000000 3.500000 42.000000']);
    expect(sentHeader(server.events, 'X-S')).toEqual(['call 1 at 42']);
    expect(sentHeader(server.events, 'X-T')).toEqual(['true false ']);
    expect(sentHeader(server.events, 'X-Idx')).toEqual(['']);
  });

  it('a failed check_it lets the call go on and fails it at its end with the regexp cause', async () => {
    const uas = optionsUas(
      `<ereg regexp="Nope: (.*)" search_in="msg" check_it="true" assign_to="a"/>
      <assign assign_to="never" value="1"/>`,
      'X-A: [$a] [$never]',
    );
    const { uas: server, uac } = await run(uas, optionsUac('X-Num: 42-abc'));
    // The 200 was still sent (the client succeeds), the action after the failed check did not run.
    expect(uac.engine.callsSucceeded).toBe(1);
    expect(sentHeader(server.events, 'X-A')).toEqual(['']);
    expect(server.engine.callsFailed).toBe(1);
    expect(server.stats.cumulative.failedFor('regexp-doesnt-match')).toBe(1);
    const warning = server.events.find((e) => e.kind === 'error');
    expect(warning).toMatchObject({ message: expect.stringContaining("with regexp 'Nope: (.*)'") });
  });

  it('test + next branches on a variable; condexec skips a step; log emits the rendered text', async () => {
    const uas = optionsUas(
      `<ereg regexp="X-Branch: ([a-z]+)" search_in="msg" assign_to="_,branch"/>
      <strcmp assign_to="cmp" variable="branch" value="yes"/>
      <test assign_to="isyes" variable="cmp" compare="equal" value="0"/>`,
      'X-B: [$branch]',
      `<nop test="isyes" next="taken"/>
      <nop><action><log message="not taken [$branch]"/></action></nop>
      <nop condexec="isyes"><action><log message="condexec ran"/></action></nop>
      <label id="taken"/>
      <nop condexec="isyes" condexec_inverse="true"><action><log message="inverse ran [call_number]"/></action></nop>`,
    );
    const yes = await run(uas, optionsUac('X-Branch: yes'));
    const logs = (events: EngineEvent[]) =>
      events.filter((e): e is Extract<EngineEvent, { kind: 'log' }> => e.kind === 'log').map((e) => e.text);
    expect(logs(yes.uas.events)).toEqual([]);
    expect(yes.uas.engine.callsSucceeded).toBe(1);
    const no = await run(uas, optionsUac('X-Branch: no'));
    expect(logs(no.uas.events)).toEqual(['not taken no', 'inverse ran 1']);
  });

  it('chance takes next with the given probability (random below it: taken)', async () => {
    const after = `<nop chance="0.3" next="end"><action><log message="x"/></action></nop>
      <nop><action><log message="not taken"/></action></nop>
      <label id="end"/>`;
    const uas = optionsUas('<assign assign_to="_" value="1"/>', 'X-C: 1', after);
    const taken = await run(uas, optionsUac('X-C: 1'), 1, () => 0.29);
    const notTaken = await run(uas, optionsUac('X-C: 1'), 1, () => 0.3);
    const texts = (s: typeof taken) => s.uas.events.filter((e) => e.kind === 'log').map((e) => (e as { text: string }).text);
    expect(texts(taken)).toEqual(['x']);
    expect(texts(notTaken)).toEqual(['x', 'not taken']);
  });

  it('jump goes to a step index; a variable can hold it', async () => {
    const after = `<nop><action><assign assign_to="target" value="4"/><jump variable="target"/></action></nop>
      <nop><action><log message="skipped"/></action></nop>
      <nop><action><log message="landed"/></action></nop>`;
    const uas = optionsUas('<assign assign_to="_" value="1"/>', 'X-J: 1', after);
    const { uas: server } = await run(uas, optionsUac('X-J: 1'));
    expect(server.events.filter((e) => e.kind === 'log').map((e) => (e as { text: string }).text)).toEqual(['landed']);
    expect(server.engine.callsSucceeded).toBe(1);
  });

  it('<Global> variables are shared by every call; per-call variables start unset in each call', async () => {
    const uas = optionsUas(
      '<add assign_to="count" value="1"/><add assign_to="mine" value="1"/>',
      'X-Count: [$count] [$mine]',
      '',
      '<Global variables="count"/>',
    );
    const { uas: server } = await run(uas, optionsUac('X-G: 1'), 3);
    expect(sentHeader(server.events, 'X-Count')).toEqual([
      '1.000000 1.000000',
      '2.000000 1.000000',
      '3.000000 1.000000',
    ]);
  });

  it('-set gives a <Global> its first value, as a string', async () => {
    const { scheduler, network } = newNetwork(1);
    const uasXml = optionsUas('<assign assign_to="_" value="1"/>', 'X-Set: [$greeting]', '', '<Global variables="greeting"/>');
    const uas = await side(network, scenarioOf(uasXml), configFor({ port: UAS_PORT, globals: { greeting: '5' } }));
    const uac = await side(network, scenarioOf(optionsUac('X: 1')), configFor({ port: UAC_PORT, remotePort: UAS_PORT, maxCalls: 1 }));
    uas.engine.start();
    uac.engine.start();
    scheduler.runUntilIdle(60_000);
    expect(sentHeader(uas.events, 'X-Set')).toEqual(['5']);
  });

  it('int_cmd stop_call fails the call as rejected; stop_now ends the run; <error> is fatal', async () => {
    const stopCall = await run(optionsUas('<exec int_cmd="stop_call"/>', 'X: 1'), optionsUac('X: 1'));
    expect(stopCall.uas.stats.cumulative.failedFor('call-rejected')).toBe(1);

    const stopNow = await run(optionsUas('<exec int_cmd="stop_now"/>', 'X: 1'), optionsUac('X: 1'));
    expect(await stopNow.uas.engine.finished).toMatchObject({ reason: 'stop-now' });

    const fatal = await run(optionsUas('<error message="bad call [call_number]"/>', 'X: 1'), optionsUac('X: 1'));
    expect(await fatal.uas.engine.finished).toMatchObject({ reason: 'fatal', fatalError: 'bad call 1' });
  });

  it('exec command hands the rendered command to the runner', async () => {
    const { scheduler, network } = newNetwork(1);
    const commands: string[] = [];
    const uasScenario = scenarioOf(optionsUas('<exec command="echo [call_id] > /dev/null"/>', 'X: 1'));
    const { MemoryTransport, RunStats, Engine } = await import('../../src/index.js');
    const transport = new MemoryTransport(network, false);
    const engine = new Engine(uasScenario, configFor({ port: UAS_PORT }), {
      transport,
      scheduler: network.scheduler,
      stats: new RunStats(uasScenario, network.scheduler),
      runCommand: (c) => commands.push(c),
    });
    await engine.open();
    const uac = await side(network, scenarioOf(optionsUac('X: 1')), configFor({ port: UAC_PORT, remotePort: UAS_PORT, maxCalls: 1 }));
    engine.start();
    uac.engine.start();
    scheduler.runUntilIdle(60_000);
    expect(commands).toEqual(['echo 1-4242@127.0.0.1 > /dev/null']);
  });

  it('a pause waits a variable\'s value or a distribution\'s draw; <sample> stores a draw', async () => {
    const after = `<pause variable="w"/>
      <nop><action><log message="after variable pause"/></action></nop>
      <pause distribution="uniform" min="100" max="200"/>
      <nop><action><sample assign_to="s" distribution="fixed" value="42"/><log message="[$s]"/></action></nop>`;
    const uas = optionsUas('<assign assign_to="w" value="250"/>', 'X-P: 1', after);
    const { uas: server } = await run(uas, optionsUac('X-P: 1'));
    const logs = server.events.filter((e): e is Extract<EngineEvent, { kind: 'log' }> => e.kind === 'log');
    const answeredAt = server.events.find((e) => e.kind === 'message-sent')!.at;
    expect(logs.map((l) => l.text)).toEqual(['after variable pause', '42.000000']);
    expect(logs[0]!.at - answeredAt).toBe(250);
    // random() is 0.5 in the harness: uniform 100..200 draws 150.
    expect(logs[1]!.at - logs[0]!.at).toBe(150);
  });

  it('the summary names the first failed calls: step, place, what was expected and what arrived; and gives percentiles', async () => {
    const uas = optionsUas('<assign assign_to="_" value="1"/>', 'X: 1').replace('SIP/2.0 200 OK', 'SIP/2.0 486 Busy Here');
    const { uac } = await run(uas, optionsUac('X: 1'), 12);
    const { summaryJson } = await import('../../src/index.js');
    const summary = summaryJson(uac.stats, { scenario: 'uac' });
    expect(summary.calls.failed).toBe(12);
    expect(summary.failedCalls).toHaveLength(10);
    expect(summary.failedCalls[0]).toMatchObject({
      callNumber: 1,
      cause: 'unexpected-message',
      step: 1,
      place: 'test.xml:15',
      expected: '<recv response="200">',
      received: expect.stringMatching(/^SIP\/2.0 486 Busy Here\nCall-ID: 1-4242@127.0.0.1\nCSeq: 1 OPTIONS\n/),
    });
    // Every call lasted one round trip on the 1 ms virtual network: 2 ms.
    expect(summary.callLength).toMatchObject({ count: 12, p50Ms: 2, p90Ms: 2, p99Ms: 2, maxMs: 2 });
  });

  it('<init> runs its nops once before the first call: globals set there are seen by every call', async () => {
    const uas = optionsUas(
      '<add assign_to="seen" value="1"/>',
      'X-Init: [$greeting] [$seen]',
      '',
      `<Global variables="greeting,seen"/>
  <init>
    <nop><action><assignstr assign_to="greeting" value="hello from [pid]"/><assign assign_to="seen" value="10"/></action></nop>
    <nop next="skip"/>
    <nop><action><assign assign_to="seen" value="1000"/></action></nop>
    <label id="skip"/>
  </init>`,
    );
    const { uas: server } = await run(uas, optionsUac('X: 1'), 2);
    expect(sentHeader(server.events, 'X-Init')).toEqual(['hello from 4242 11.000000', 'hello from 4242 12.000000']);
    expect(server.engine.callsCreated).toBe(2);
  });
});
