/**
 * `-t ui`: a UDP socket per source address, the addresses from an -inf file (-ip_field), in
 * both roles against the real SIPp 3.6.1, and its start-up errors. Loopback addresses
 * 127.0.0.2 and 127.0.0.3 (all of 127/8 is on `lo` under Linux). Ports: 13360..13399.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { describeWithSipp } from './support/peers.js';
import { killAllTracked, session } from './support/procs.js';
import { assertUdpPortsFree, waitForUdpBound } from './support/net.js';
import { finalCounts, readMessageTrace, readStatCsv, readSummary } from './support/files.js';

afterAll(killAllTracked);

const CALLS = 40;
const IPS = 'SEQUENTIAL\n# two callers\n127.0.0.2;alice\n127.0.0.3;bob\n';

/**
 * Header `name` of each message sent whose start line matches, in order. A retransmission (the
 * same bytes again, on a loaded machine) counts once.
 */
function sentHeaders(tracePath: string, startLine: RegExp, name: string): string[] {
  const sent = readMessageTrace(tracePath)
    .filter((b) => b.direction === 'sent')
    .map((b) => b.message.toString('latin1'));
  return [...new Set(sent)]
    .filter((m) => startLine.test(m.slice(0, m.indexOf('\r\n'))))
    .map((m) => new RegExp(`\\r\\n${name}: ([^\\r]*)`).exec(m)?.[1] ?? '');
}

describeWithSipp('-t ui against the real SIPp', () => {
  it.concurrent(`gossipper -sn uac -t ui -> sipp -sn uas: ${CALLS} calls from two addresses, all successful`, async (ctx) => {
    const s = session(ctx);
    const [sippPort, ourPort] = [13361, 13362];
    assertUdpPortsFree(sippPort, ourPort);
    writeFileSync(s.path('ips.csv'), IPS);
    const sipp = s.sipp(['-sn', 'uas', '-i', '127.0.0.1', '-p', String(sippPort), '-m', String(CALLS)]);
    await waitForUdpBound(sippPort, sipp);
    const uac = s.gossipper([
      '-sn', 'uac', '-t', 'ui', '-inf', 'ips.csv', '-ip_field', '0', `127.0.0.1:${sippPort}`, '-p', String(ourPort),
      '-m', String(CALLS), '-r', '100', '-trace_stat', '-stf', 'uac.csv', '-trace_msg', '-message_file', 'uac.log',
    ]);
    expect((await uac.wait(25_000)).code, uac.describe()).toBe(0);
    expect(finalCounts(readStatCsv(s.path('uac.csv')))).toMatchObject({ outgoing: CALLS, successful: CALLS, failed: 0 });
    // Each INVITE names the address of its -inf line and the one port of every address.
    const vias = sentHeaders(s.path('uac.log'), /^INVITE /, 'Via').map((v) => v.split(';')[0]);
    expect(vias).toEqual(
      Array.from({ length: CALLS }, (_, i) => `SIP/2.0/UDP 127.0.0.${2 + (i % 2)}:${ourPort}`),
    );
    expect((await sipp.wait(15_000)).code, sipp.describe()).toBe(0);
    expect(sipp.stdout).toMatch(new RegExp(`Successful call\\s*\\|\\s*\\d+\\s*\\|\\s*${CALLS}\\b`));
  }, 45_000);

  it.concurrent(`sipp -sn uac -t ui -> gossipper -sn uas: SIPp counts ${CALLS} successful`, async (ctx) => {
    const s = session(ctx);
    const [ourPort, sippPort] = [13371, 13372];
    assertUdpPortsFree(ourPort, sippPort);
    writeFileSync(s.path('ips.csv'), IPS);
    const uas = s.gossipper(['-sn', 'uas', '-i', '127.0.0.1', '-p', String(ourPort), '-m', String(CALLS), '-summary_json', 'uas.json']);
    await waitForUdpBound(ourPort, uas);
    // SIPp's ui wants -max_socket below `ulimit -n`.
    const sipp = s.sipp([
      '-sn', 'uac', '-t', 'ui', '-max_socket', '1000', '-inf', 'ips.csv', `127.0.0.1:${ourPort}`, '-p', String(sippPort),
      '-m', String(CALLS), '-r', '100', '-trace_stat', '-stf', 'sipp.csv',
    ]);
    expect((await sipp.wait(25_000)).code, sipp.describe()).toBe(0);
    expect(finalCounts(readStatCsv(s.path('sipp.csv')))).toMatchObject({ outgoing: CALLS, successful: CALLS, failed: 0 });
    expect((await uas.wait(15_000)).code, uas.describe()).toBe(0);
    expect(readSummary(s.path('uas.json')).calls).toMatchObject({ incoming: CALLS, successful: CALLS, failed: 0 });
  }, 45_000);

  it.concurrent('gossipper -sn uas -t ui listens on every address; each answer comes from, and names, the address called', async (ctx) => {
    const s = session(ctx);
    const [ourPort, sippA, sippB] = [13381, 13382, 13383];
    assertUdpPortsFree(ourPort, sippA, sippB);
    writeFileSync(s.path('ips.csv'), IPS);
    const uas = s.gossipper([
      '-sn', 'uas', '-t', 'ui', '-inf', 'ips.csv', '-p', String(ourPort), '-m', '20',
      '-trace_msg', '-message_file', 'uas.log', '-summary_json', 'uas.json',
    ]);
    await waitForUdpBound(ourPort, uas);
    const callers = [
      s.sipp(['-sn', 'uac', '-i', '127.0.0.1', `127.0.0.2:${ourPort}`, '-p', String(sippA), '-m', '10', '-r', '50']),
      s.sipp(['-sn', 'uac', '-i', '127.0.0.1', `127.0.0.3:${ourPort}`, '-p', String(sippB), '-m', '10', '-r', '50']),
    ];
    for (const caller of callers) {
      // SIPp matches answers to its calls whatever their source; the count says they all came.
      expect((await caller.wait(25_000)).code, caller.describe()).toBe(0);
      expect(caller.stdout).toMatch(/Successful call\s*\|\s*\d+\s*\|\s*10\b/);
    }
    expect((await uas.wait(15_000)).code, uas.describe()).toBe(0);
    expect(readSummary(s.path('uas.json')).calls).toMatchObject({ incoming: 20, successful: 20, failed: 0 });
    const contacts = sentHeaders(s.path('uas.log'), /^SIP\/2\.0 200/, 'Contact');
    expect(contacts.filter((c) => c === `<sip:127.0.0.2:${ourPort};transport=UDP>`)).toHaveLength(20);
    expect(contacts.filter((c) => c === `<sip:127.0.0.3:${ourPort};transport=UDP>`)).toHaveLength(20);
  }, 45_000);
});

describe('-t ui: bad source addresses stop the run at start, naming the -inf line', () => {
  const cases: Array<{ name: string; file: string; args: string[]; code: number; stderr: string }> = [
    {
      name: 'a field that is not an IP address',
      file: 'SEQUENTIAL\n127.0.0.2;a\nsbc.example;b\n',
      args: [],
      code: 255,
      stderr: 'gossipper: -t ui: ips.csv:3: field 0 (-ip_field) is "sbc.example", not an IP address',
    },
    {
      name: 'a missing field',
      file: 'SEQUENTIAL\n127.0.0.2;a\n',
      args: ['-ip_field', '3'],
      code: 255,
      stderr: "gossipper: -t ui: ips.csv:2: field 3 (-ip_field) is missing or empty; it must be the call's source IP address",
    },
    {
      name: 'IPv4 and IPv6 mixed',
      file: 'SEQUENTIAL\n127.0.0.2\n::1\n',
      args: [],
      code: 255,
      stderr: 'gossipper: -t ui: ips.csv:3: ::1 is IPv6 but 127.0.0.2 (ips.csv:2) is IPv4; the addresses of a run must be of one family',
    },
    {
      name: 'an address this host does not have',
      file: 'SEQUENTIAL\n127.0.0.2\n192.0.2.77\n',
      args: ['-p', '13391'],
      code: 255,
      stderr: 'gossipper: -t ui: ips.csv:3: cannot bind 192.0.2.77:13391: no interface of this host has that address (EADDRNOTAVAIL)',
    },
  ];
  for (const c of cases) {
    it.concurrent(`${c.name}: exit ${c.code}`, async (ctx) => {
      const s = session(ctx);
      writeFileSync(s.path('ips.csv'), c.file);
      const run = s.gossipper(['-sn', 'uac', '-t', 'ui', '-inf', 'ips.csv', ...c.args, '127.0.0.1:13399', '-m', '1']);
      expect((await run.wait(10_000)).code, run.describe()).toBe(c.code);
      expect(run.stderr.trim().split('\n').at(-1)).toBe(c.stderr);
    }, 20_000);
  }
});
