/**
 * End to end, 3PCC: SIPp's classic demo (controller = 3pcc-C-A + 3pcc-C-B twins over TCP,
 * A = 3pcc-A, B = 3pcc-B) with gossipper in each role and the real SIPp 3.6.1 in the others,
 * and the extended mode (-master / -slave / -slave_cfg). Needs a built CLI. Ports 13500..13599.
 */
import { writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { describeWithSipp } from './support/peers.js';
import { killAllTracked, session, waitFor } from './support/procs.js';
import type { Proc, Session } from './support/procs.js';
import { assertUdpPortsFree, listeningTcpPorts, waitForUdpBound } from './support/net.js';
import { finalCounts, readStatCsv } from './support/files.js';

afterAll(killAllTracked);

const HOST = '127.0.0.1';
const CALLS = 2;

async function waitForTcpListen(port: number, proc: Proc): Promise<void> {
  await waitFor(
    `${proc.label} to listen on TCP port ${port}`,
    () => {
      if (!proc.alive) throw new Error(`${proc.label} exited before listening on ${port}\n${proc.describe()}`);
      return listeningTcpPorts().has(port);
    },
    5000,
    10,
  );
}

type Who = 'sipp' | 'gossipper';

function run(s: Session, who: Who, args: string[]): Proc {
  return who === 'sipp' ? s.sipp(args) : s.gossipper([...args, '-nostdin']);
}

async function expectExit0(proc: Proc, timeoutMs: number): Promise<void> {
  const exit = await proc.wait(timeoutMs);
  expect(exit.code, proc.describe()).toBe(0);
}

interface Roles {
  a: Who;
  b: Who;
  cb: Who;
  ca: Who;
}

/** The demo as SIPp's documentation runs it: A, B, controller B, then controller A (last). */
async function classicDemo(s: Session, roles: Roles, base: number): Promise<void> {
  const [aPort, bPort, cbPort, caPort, twinPort] = [base + 1, base + 2, base + 3, base + 4, base + 5];
  assertUdpPortsFree(aPort, bPort, cbPort, caPort);
  const common = ['-i', HOST, '-m', String(CALLS), '-trace_stat'];
  const a = run(s, roles.a, ['-sn', '3pcc-A', '-p', String(aPort), ...common, '-stf', 'a.csv']);
  const b = run(s, roles.b, ['-sn', '3pcc-B', '-p', String(bPort), ...common, '-stf', 'b.csv']);
  await waitForUdpBound(aPort, a);
  await waitForUdpBound(bPort, b);
  const cb = run(s, roles.cb, [
    '-sn', '3pcc-C-B', `${HOST}:${bPort}`, '-p', String(cbPort), '-3pcc', `${HOST}:${twinPort}`, ...common, '-stf', 'cb.csv',
  ]);
  await waitForTcpListen(twinPort, cb);
  const ca = run(s, roles.ca, [
    '-sn', '3pcc-C-A', `${HOST}:${aPort}`, '-p', String(caPort), '-3pcc', `${HOST}:${twinPort}`, ...common, '-stf', 'ca.csv',
  ]);

  await expectExit0(ca, 20_000);
  await expectExit0(cb, 15_000);
  await expectExit0(a, 15_000);
  await expectExit0(b, 15_000);
  expect(finalCounts(readStatCsv(s.path('ca.csv')))).toMatchObject({ outgoing: CALLS, successful: CALLS, failed: 0 });
  // SIPp counts the calls a controller B starts from commands as outgoing.
  expect(finalCounts(readStatCsv(s.path('cb.csv')))).toMatchObject({ outgoing: CALLS, incoming: 0, successful: CALLS, failed: 0 });
  expect(finalCounts(readStatCsv(s.path('a.csv')))).toMatchObject({ incoming: CALLS, successful: CALLS, failed: 0 });
  expect(finalCounts(readStatCsv(s.path('b.csv')))).toMatchObject({ incoming: CALLS, successful: CALLS, failed: 0 });
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

const MASTER_XML = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="master">
  <sendCmd dest="s1">
    <![CDATA[
      Call-ID: [call_id]
      From: m
      X-Hello: from-master-[call_number]
    ]]>
  </sendCmd>
  <recvCmd src="s1">
    <action>
      <ereg regexp="X-Reply: from-master-[0-9]+" search_in="msg" check_it="true" assign_to="reply" />
      <log message="[$reply]" />
    </action>
  </recvCmd>
${OPTIONS_SEND}
</scenario>
`;

const SLAVE_XML = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="slave">
  <recvCmd src="m">
    <action>
      <ereg regexp="X-Hello: (.*)" search_in="msg" assign_to="all,hello" />
    </action>
  </recvCmd>
  <sendCmd dest="m">
    <![CDATA[
      Call-ID: [call_id]
      From: s1
      X-Reply: [$hello] [$all]
    ]]>
  </sendCmd>
${OPTIONS_SEND}
</scenario>
`;

/**
 * SIPp 3.6.1 now and then aborts in its poll loop when a peer's socket closes while it polls
 * ("Assertion `sock' failed", SIPp issue #217), with either tool on the other side. That
 * crash is SIPp's: the pairing then runs once more, on ports of its own (100 below).
 */
async function retryOnSippPollsetAbort(attempt: (portBase: number) => Promise<void>, base: number): Promise<void> {
  try {
    await attempt(base);
  } catch (error) {
    if (!String(error).includes("Assertion `sock' failed")) throw error;
    console.warn(`SIPp aborted in its poll loop (SIPp issue #217); running the pairing once more`);
    await attempt(base - 100);
  }
}

/** Extended mode: a slave (started first), then the master, from one -slave_cfg file. */
async function masterSlave(s: Session, master: Who, slave: Who, base: number): Promise<void> {
  const [mTwin, sTwin, mSip, sSip, nobody] = [base, base + 1, base + 2, base + 3, base + 9];
  assertUdpPortsFree(mSip, sSip, nobody);
  writeFileSync(s.path('peers.cfg'), `m;${HOST}:${mTwin}\ns1;${HOST}:${sTwin}\n`);
  writeFileSync(s.path('master.xml'), MASTER_XML);
  writeFileSync(s.path('slave.xml'), SLAVE_XML);
  const common = [`${HOST}:${nobody}`, '-i', HOST, '-slave_cfg', 'peers.cfg', '-m', String(CALLS), '-trace_stat'];
  const slaveProc = run(s, slave, ['-sf', 'slave.xml', '-p', String(sSip), '-slave', 's1', ...common, '-stf', 'slave.csv']);
  await waitForTcpListen(sTwin, slaveProc);
  const masterProc = run(s, master, ['-sf', 'master.xml', '-p', String(mSip), '-master', 'm', ...common, '-stf', 'master.csv']);
  await expectExit0(masterProc, 15_000);
  await expectExit0(slaveProc, 15_000);
  expect(finalCounts(readStatCsv(s.path('master.csv')))).toMatchObject({ outgoing: CALLS, successful: CALLS, failed: 0 });
  expect(finalCounts(readStatCsv(s.path('slave.csv')))).toMatchObject({ outgoing: CALLS, successful: CALLS, failed: 0 });
}

const A_PASSIVE_XML = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="apassive">
  <recv request="INVITE" />
  <sendCmd>
    <![CDATA[
      Call-ID: [call_id]
      X-From-A: hello
    ]]>
  </sendCmd>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
  <recv request="ACK" />
  <recv request="BYE" />
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
</scenario>
`;

const LISTENER_XML = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="listener">
  <recvCmd>
    <action>
      <ereg regexp="X-From-A: hello" search_in="msg" check_it="true" assign_to="h" />
      <log message="[$h]" />
    </action>
  </recvCmd>
${OPTIONS_SEND}
</scenario>
`;

describeWithSipp('3PCC interop with the real SIPp', () => {
  it.concurrent('classic demo: gossipper as controller A (3pcc-C-A), SIPp in the other three roles', async (ctx) => {
    await classicDemo(session(ctx), { a: 'sipp', b: 'sipp', cb: 'sipp', ca: 'gossipper' }, 13500);
  }, 60_000);

  it.concurrent('classic demo: gossipper as controller B (3pcc-C-B), SIPp in the other three roles', async (ctx) => {
    await classicDemo(session(ctx), { a: 'sipp', b: 'sipp', cb: 'gossipper', ca: 'sipp' }, 13510);
  }, 60_000);

  it.concurrent('classic demo: gossipper as A (3pcc-A), SIPp in the other three roles', async (ctx) => {
    await classicDemo(session(ctx), { a: 'gossipper', b: 'sipp', cb: 'sipp', ca: 'sipp' }, 13520);
  }, 60_000);

  it.concurrent('classic demo: gossipper as B (3pcc-B), SIPp in the other three roles', async (ctx) => {
    await classicDemo(session(ctx), { a: 'sipp', b: 'gossipper', cb: 'sipp', ca: 'sipp' }, 13530);
  }, 60_000);

  it.concurrent('classic demo: gossipper as both controllers, SIPp as A and B', async (ctx) => {
    await classicDemo(session(ctx), { a: 'sipp', b: 'sipp', cb: 'gossipper', ca: 'gossipper' }, 13540);
  }, 60_000);

  it.concurrent('extended mode: gossipper -master, SIPp -slave', async (ctx) => {
    await retryOnSippPollsetAbort((base) => masterSlave(session(ctx), 'gossipper', 'sipp', base), 13550);
  }, 40_000);

  it.concurrent('extended mode: SIPp -master, gossipper -slave', async (ctx) => {
    await retryOnSippPollsetAbort((base) => masterSlave(session(ctx), 'sipp', 'gossipper', base), 13560);
  }, 40_000);

  it.concurrent('without -3pcc, a 3PCC scenario stops with exit 255 and SIPp\'s message, as SIPp', async (ctx) => {
    const s = session(ctx);
    for (const [name, text] of [
      ['3pcc-C-A', 'sendCmd message found in scenario but no twin sipp address has been passed!'],
      ['3pcc-C-B', 'recvCmd message found in scenario but no twin sipp address has been passed!'],
    ] as const) {
      const args = ['-sn', name, `${HOST}:13599`, '-i', HOST, '-p', '13590', '-m', '1'];
      const sipp = s.sipp(args);
      const ours = s.gossipper([...args, '-nostdin']);
      expect((await sipp.wait(10_000)).code, sipp.describe()).toBe(255);
      expect((await ours.wait(10_000)).code, ours.describe()).toBe(255);
      expect(sipp.stderr + sipp.stdout).toContain(text);
      expect(ours.stderr).toContain(text);
    }
  }, 30_000);

  it.concurrent('A passive (server scenario, sendCmd first): gossipper between SIPp\'s uac and a SIPp twin; both count outgoing calls', async (ctx) => {
    const s = session(ctx);
    const [apPort, uacPort, cbPort, twinPort] = [13578, 13579, 13580, 13581];
    assertUdpPortsFree(apPort, uacPort, cbPort, 13599);
    writeFileSync(s.path('apassive.xml'), A_PASSIVE_XML);
    writeFileSync(s.path('listener.xml'), LISTENER_XML);
    const common = ['-i', HOST, '-m', String(CALLS), '-trace_stat'];
    const cb = s.sipp(['-sf', 'listener.xml', `${HOST}:13599`, '-p', String(cbPort), '-3pcc', `${HOST}:${twinPort}`, ...common, '-stf', 'cb.csv']);
    await waitForTcpListen(twinPort, cb);
    const ap = s.gossipper(['-sf', 'apassive.xml', '-p', String(apPort), '-3pcc', `${HOST}:${twinPort}`, ...common, '-stf', 'ap.csv', '-nostdin']);
    await waitForUdpBound(apPort, ap);
    const uac = s.sipp(['-sn', 'uac', `${HOST}:${apPort}`, '-p', String(uacPort), '-d', '100', ...common, '-stf', 'uac.csv']);
    await expectExit0(uac, 15_000);
    await expectExit0(ap, 15_000);
    await expectExit0(cb, 15_000);
    // SIPp's A passive mode creates its calls as outgoing, even those a SIP request starts.
    expect(finalCounts(readStatCsv(s.path('ap.csv')))).toMatchObject({ incoming: 0, outgoing: CALLS, successful: CALLS, failed: 0 });
    expect(finalCounts(readStatCsv(s.path('cb.csv')))).toMatchObject({ outgoing: CALLS, successful: CALLS, failed: 0 });
  }, 40_000);

  it.concurrent('controller B exits (0) as soon as its controller A goes away, as SIPp', async (ctx) => {
    const s = session(ctx);
    for (const [who, sipPort, twinPort] of [['sipp', 13584, 13585], ['gossipper', 13586, 13587]] as const) {
      const cb = run(s, who, ['-sn', '3pcc-C-B', `${HOST}:13599`, '-i', HOST, '-p', String(sipPort), '-3pcc', `${HOST}:${twinPort}`]);
      await waitForTcpListen(twinPort, cb);
      await new Promise<void>((resolve, reject) => {
        const a = createConnection({ host: HOST, port: twinPort }, () => a.end(() => resolve()));
        a.on('error', reject);
      });
      expect((await cb.wait(10_000)).code, cb.describe()).toBe(0);
      expect(cb.stderr + cb.stdout).toContain('3PCC controller A has ended -> exiting');
    }
  }, 30_000);

  it.concurrent('controller A with no twin listening: exit 255 for both', async (ctx) => {
    const s = session(ctx);
    const args = ['-sn', '3pcc-C-A', `${HOST}:13599`, '-i', HOST, '-3pcc', `${HOST}:13594`, '-m', '1'];
    const sipp = s.sipp([...args, '-p', '13592']);
    expect((await sipp.wait(10_000)).code, sipp.describe()).toBe(255);
    const ours = s.gossipper([...args, '-p', '13593', '-nostdin']);
    expect((await ours.wait(10_000)).code, ours.describe()).toBe(255);
    expect(ours.stderr).toContain('Unable to connect a twin sipp socket');
  }, 30_000);
});
