/**
 * Actions and variables, the same scenario run by the real SIPp and by gossipper: what each
 * puts on the wire and in its statistics must be the same. Ports: 12500..12529.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { describeWithSipp } from './support/peers.js';
import { killAllTracked, session } from './support/procs.js';
import type { Session } from './support/procs.js';
import { assertUdpPortsFree, waitForUdpBound } from './support/net.js';
import { finalCounts, readMessageTrace, readStatCsv, col, statCsvName } from './support/files.js';

afterAll(killAllTracked);

const HOST = '127.0.0.1';

const UAC = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="options uac">
  <send>
    <![CDATA[
      OPTIONS sip:x@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:a@[local_ip]>;tag=[call_number]
      To: <sip:x@[remote_ip]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      X-Num: 4[call_number]-abc
      Contact: <sip:a@[local_ip]:[local_port]>
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
</scenario>
`;

const UAS = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="actions uas">
  <Global variables="total"/>
  <recv request="OPTIONS" counter="options">
    <action>
      <ereg regexp="X-Num: ([0-9]+)-([a-z]+)" search_in="msg" assign_to="whole,num,word"/>
      <ereg regexp="sip:([a-z]+)@" search_in="hdr" header="Contact:" assign_to="_,user"/>
      <ereg regexp="nomatch" search_in="msg" assign_to="nm"/>
      <ereg regexp="Call-ID: (.*)" search_in="msg" assign_to="_,rest"/>
      <assign assign_to="d" value="3"/>
      <assign assign_to="f" value="2.5"/>
      <add assign_to="f" value="1"/>
      <multiply assign_to="f" variable="d"/>
      <add assign_to="total" value="1"/>
      <assignstr assign_to="s" value="call [call_number] at [$num]"/>
      <test assign_to="t" variable="d" compare="greater_than" value="2"/>
      <test assign_to="tf" variable="d" compare="less_than" value="2"/>
      <todouble assign_to="dd" variable="num"/>
      <strcmp assign_to="sc" variable="word" value="abd"/>
      <index assign_to="idx"/>
      <log message="call [call_number]: [$s] f=[$f] t=[$t]"/>
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
      X-Whole: [$whole]
      X-Num: [$num] [$word] [$user]
      X-NoMatch: <[$nm]>
      X-D: [$d] [$f] [$dd] [$total]
      X-S: [$s]
      X-T: [$t] [$tf] [$sc] [$idx]
      Content-Length: 0

    ]]>
  </send>
  <Reference variables="rest"/>
</scenario>
`;

/** The X- headers of every 200 OK a SIPp UAC received, from its -trace_msg file. */
function receivedXHeaders(s: Session, file: string): string[] {
  return readMessageTrace(s.path(file))
    .map((block) => ({ direction: block.direction, text: block.message.toString('latin1') }))
    .filter((block) => block.direction === 'received' && block.text.startsWith('SIP/2.0 200'))
    .map((block) =>
      block.text
        .split('\r\n')
        .filter((line) => line.startsWith('X-'))
        .join('\n'),
    );
}

describeWithSipp('actions and variables: gossipper and SIPp run one scenario alike', () => {
  it.concurrent('the 200 OKs of an ereg/assign/test/strcmp uas carry the same values from both', async (ctx) => {
    const s = session(ctx);
    writeFileSync(s.path('uac.xml'), UAC, 'latin1');
    writeFileSync(s.path('uas.xml'), UAS, 'latin1');
    const [sippUas, ourUas, uac1, uac2] = [12501, 12502, 12503, 12504];
    assertUdpPortsFree(sippUas, ourUas, uac1, uac2);
    const theirs = s.sipp(['-sf', 'uas.xml', '-i', HOST, '-p', String(sippUas), '-m', '3', '-trace_logs', '-log_file', 'theirs_logs.log', '-trace_stat', '-stf', 'theirs.csv']);
    const ours = s.gossipper(['-sf', 'uas.xml', '-i', HOST, '-p', String(ourUas), '-m', '3', '-trace_logs', '-log_file', 'ours_logs.log', '-trace_stat', '-stf', 'ours.csv']);
    await Promise.all([waitForUdpBound(sippUas, theirs), waitForUdpBound(ourUas, ours)]);

    const toTheirs = s.sipp(['-sf', 'uac.xml', `${HOST}:${sippUas}`, '-i', HOST, '-p', String(uac1), '-m', '3', '-r', '20',
      '-trace_msg', '-message_file', 'theirs.log']);
    const toOurs = s.sipp(['-sf', 'uac.xml', `${HOST}:${ourUas}`, '-i', HOST, '-p', String(uac2), '-m', '3', '-r', '20',
      '-trace_msg', '-message_file', 'ours.log']);
    const [a, b] = await Promise.all([toTheirs.wait(15_000), toOurs.wait(15_000)]);
    expect(a.code, toTheirs.describe()).toBe(0);
    expect(b.code, toOurs.describe()).toBe(0);

    const expected = receivedXHeaders(s, 'theirs.log');
    expect(expected).toHaveLength(3);
    expect(expected[1]).toContain('X-D: 3.000000 10.500000 42.000000 2.000000');
    expect(receivedXHeaders(s, 'ours.log')).toEqual(expected);
    const [ourExit, theirExit] = await Promise.all([ours.wait(10_000), theirs.wait(10_000)]);
    expect(ourExit.code, ours.describe()).toBe(theirExit.code);
    // <log> lines, as -trace_logs writes them.
    const theirLog = readFileSync(s.path('theirs_logs.log'), 'latin1');
    expect(theirLog).toContain('call 2: call 2 at 42 f=10.500000 t=true\n');
    expect(readFileSync(s.path('ours_logs.log'), 'latin1')).toBe(theirLog);
    // counter="options": an (P)/(C) column pair after CallLengthStDev, as SIPp writes it.
    const [theirCsv, ourCsv] = [readStatCsv(s.path('theirs.csv')), readStatCsv(s.path('ours.csv'))];
    expect(ourCsv.headerLine).toBe(theirCsv.headerLine);
    const at = theirCsv.header.indexOf('options(C)');
    expect(at).toBeGreaterThan(0);
    expect(theirCsv.final[at]).toBe('3');
    expect(ourCsv.final[at]).toBe('3');
  }, 30_000);

  it.concurrent('a failed check_it: the call still answers, and ends failed with FailedRegexpDoesntMatch', async (ctx) => {
    const s = session(ctx);
    writeFileSync(s.path('uac.xml'), UAC, 'latin1');
    writeFileSync(
      s.path('check.xml'),
      UAS.replace(
        '<ereg regexp="nomatch" search_in="msg" assign_to="nm"/>',
        '<ereg regexp="nomatch" search_in="msg" assign_to="nm" check_it="true"/>',
      ),
      'latin1',
    );
    const [sippUas, ourUas, uac1, uac2] = [12511, 12512, 12513, 12514];
    assertUdpPortsFree(sippUas, ourUas, uac1, uac2);
    const theirs = s.sipp(['-sf', 'check.xml', '-i', HOST, '-p', String(sippUas), '-m', '2', '-trace_stat', '-stf', 'theirs.csv']);
    const ours = s.gossipper(['-sf', 'check.xml', '-i', HOST, '-p', String(ourUas), '-m', '2', '-trace_stat']);
    await Promise.all([waitForUdpBound(sippUas, theirs), waitForUdpBound(ourUas, ours)]);
    const clients = [
      s.sipp(['-sf', 'uac.xml', `${HOST}:${sippUas}`, '-i', HOST, '-p', String(uac1), '-m', '2', '-r', '20']),
      s.sipp(['-sf', 'uac.xml', `${HOST}:${ourUas}`, '-i', HOST, '-p', String(uac2), '-m', '2', '-r', '20']),
    ];
    for (const client of clients) expect((await client.wait(15_000)).code, client.describe()).toBe(0);
    const [ourExit, theirExit] = await Promise.all([ours.wait(10_000), theirs.wait(10_000)]);
    expect(theirExit.code, theirs.describe()).toBe(1);
    expect(ourExit.code, ours.describe()).toBe(1);

    const theirCsv = readStatCsv(s.path('theirs.csv'));
    const ourCsv = readStatCsv(s.path(statCsvName('check', ours.pid)));
    const last = (csv: typeof theirCsv) => csv.rows[csv.rows.length - 1]!;
    // Column 34: FailedRegexpDoesntMatch(C); 18: FailedCall(C).
    expect(col(last(theirCsv), 34)).toBe('2');
    expect(col(last(ourCsv), 34)).toBe(col(last(theirCsv), 34));
    expect(finalCounts(ourCsv)).toEqual(finalCounts(theirCsv));
  }, 30_000);

  for (const [ours, theirs, ourPort, theirPort] of [
    ['branchc', 'branchs', 12531, 12532],
    ['branchs', 'branchc', 12533, 12534],
  ] as const) {
    it.concurrent(`-sn ${ours} (gossipper) with -sn ${theirs} (SIPp): 4 calls through every branch, both exit 0`, async (ctx) => {
      const s = session(ctx);
      assertUdpPortsFree(ourPort, theirPort);
      const server = ours === 'branchs' ? s.gossipper(['-sn', ours, '-i', HOST, '-p', String(ourPort), '-m', '4'])
        : s.sipp(['-sn', theirs, '-i', HOST, '-p', String(theirPort), '-m', '4']);
      const serverPort = ours === 'branchs' ? ourPort : theirPort;
      await waitForUdpBound(serverPort, server);
      const clientArgs = (port: number) => ['-sn', 'branchc', `${HOST}:${serverPort}`, '-i', HOST, '-p', String(port), '-m', '4', '-r', '10', '-trace_stat', '-stf', 'client.csv'];
      const client = ours === 'branchc' ? s.gossipper(clientArgs(ourPort)) : s.sipp(clientArgs(theirPort));
      expect((await client.wait(30_000)).code, client.describe()).toBe(0);
      expect(finalCounts(readStatCsv(s.path('client.csv')))).toMatchObject({ outgoing: 4, successful: 4, failed: 0 });
      expect((await server.wait(15_000)).code, server.describe()).toBe(0);
    }, 50_000);
  }

  it.concurrent('-sn regexp (gossipper, ereg check_it on every response) against sipp -sn uas: all successful', async (ctx) => {
    const s = session(ctx);
    const [sippPort, ourPort] = [12535, 12536];
    assertUdpPortsFree(sippPort, ourPort);
    const sipp = s.sipp(['-sn', 'uas', '-i', HOST, '-p', String(sippPort), '-m', '3']);
    await waitForUdpBound(sippPort, sipp);
    const uac = s.gossipper(['-sn', 'regexp', `${HOST}:${sippPort}`, '-i', HOST, '-p', String(ourPort), '-m', '3', '-r', '10', '-trace_stat']);
    expect((await uac.wait(20_000)).code, uac.describe()).toBe(0);
    expect(finalCounts(readStatCsv(s.path(statCsvName('regexp', uac.pid))))).toMatchObject({ outgoing: 3, successful: 3, failed: 0 });
    expect((await sipp.wait(15_000)).code, sipp.describe()).toBe(0);
  }, 30_000);
});
