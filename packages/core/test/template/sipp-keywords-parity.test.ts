// The keywords of the second batch against what a real SIPp 3.6.1 sends, byte for byte: SIPp
// runs a scenario with every one of them (-users 2, two calls) and sends to a UDP socket of this
// test; we load the same scenario, render it with the values SIPp could not share with us (its
// clock, its wall clock, its media port) read back from its messages, and compare.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/loader.js';
import { parseTdmMap, TdmMap } from '../../src/engine/tdm-map.js';
import type { SendStep } from '../../src/scenario/types.js';
import { callState, runValues } from './helpers.js';

const SIPP = '/usr/bin/sipp';
const HAVE_SIPP = existsSync(SIPP);
/** Ports of this test (the 13600-13699 block): SIPp's SIP port, our socket, SIPp's media port. */
const SIPP_PORT = 13640;
const OUR_PORT = 13641;
const MEDIA_PORT = 13650;
const TZ = 'Asia/Kolkata';
/** The -tdmmap run: SIPp's port and ours. */
const TDM_SIPP_PORT = 13642;
const TDM_OUR_PORT = 13643;

const children: ChildProcess[] = [];
const sockets: dgram.Socket[] = [];
const dirs: string[] = [];
const savedTz = process.env.TZ;

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const socket of sockets.splice(0)) socket.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

const SCENARIO = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="keywords">
  <nop><action><assign assign_to="n" value="5"/><assign assign_to="neg" value="-3"/><assign assign_to="frac" value="2.9"/><assignstr assign_to="s" value="7"/></action></nop>
  <send><![CDATA[
MESSAGE sip:a@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
Call-ID: [call_id]
CSeq: [cseq] MESSAGE
X-Clock: [clock_tick]
X-Ts: [timestamp]
X-Date: [date]
X-Ver: [sipp_version] [sipp_version+1]
X-Users: [users] [userid] [users+1] [userid+1]
X-Server: [server_ip]
X-Auto: audio [auto_media_port] [auto_media_port+2] [media_port]
X-Rtp: [rtpstream_audio_port] [rtpstream_audio_port+1] [rtpstream_video_port] [rtpstream_video_port+1]
X-Dyn: [dynamic_id] [dynamic_id] [dynamic_id+1]
X-Fill: [fill text="ab" variable=n] [fill variable=n] [fill text="xyz" variable=neg]|[fill text="q" variable=frac]|[fill text="q" variable=s]|
Content-Length: [len]

[file name="f1.txt"]
mid
[file name="f2-[call_number].txt"]
]]></send>
  <pause milliseconds="300"/>
</scenario>
`;

function header(message: string, name: string): string {
  const m = new RegExp(`\\r\\n${name}: ([^\\r]*)`).exec(message);
  if (!m) throw new Error(`no ${name} in ${JSON.stringify(message)}`);
  return m[1]!;
}

describe.runIf(HAVE_SIPP)('the second batch of keywords against real SIPp', () => {
  it('renders [clock_tick] [timestamp] [date] [sipp_version] [users] [userid] [server_ip] [auto_media_port] [rtpstream_*] [dynamic_id] [fill] [file] as SIPp', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gossipper-keywords-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'keywords.xml'), SCENARIO);
    writeFileSync(join(dir, 'f1.txt'), 'line1\nline2 [call_id]\n');
    writeFileSync(join(dir, 'f2-1.txt'), 'F2-one');
    writeFileSync(join(dir, 'f2-2.txt'), Buffer.from('F2-\xe9two\n', 'latin1'));

    const socket = dgram.createSocket('udp4');
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.bind(OUR_PORT, '127.0.0.1', resolve));
    const received: string[] = [];
    const both = new Promise<void>((resolve) => {
      socket.on('message', (data) => {
        received.push(data.toString('latin1'));
        if (received.length === 2) resolve();
      });
    });
    const child = spawn(
      SIPP,
      ['-sf', 'keywords.xml', `127.0.0.1:${OUR_PORT}`, '-i', '127.0.0.1', '-p', String(SIPP_PORT),
        '-mp', String(MEDIA_PORT), '-users', '2', '-m', '2', '-nostdin'],
      { cwd: dir, stdio: 'ignore', env: { ...process.env, TZ } },
    );
    children.push(child);
    await both;

    // The formats, whatever the values.
    for (const message of received) {
      expect(header(message, 'X-Clock')).toMatch(/^\d+$/);
      expect(header(message, 'X-Ts')).toMatch(/^\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\.\d{6}\t\d{10}\.\d{6}$/);
      expect(header(message, 'X-Date')).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/);
    }

    process.env.TZ = TZ;
    const scenario = loadScenario(SCENARIO, 'keywords.xml', undefined, { readFile: (name) => readFileSync(join(dir, name)) });
    const step = scenario.steps.find((s): s is SendStep => s.kind === 'send')!;
    const slotValues: Record<string, number> = { n: 5, neg: -3, frac: 2.9 };
    // SIPp moves its media port when the one asked for is taken: call 1's [auto_media_port] is it.
    const mediaPort = Number(header(received[0]!, 'X-Auto').split(' ')[1]);
    const bound = step.template.bind(
      runValues({ pid: child.pid!, localPort: SIPP_PORT, remotePort: OUR_PORT, mediaPort, serverIp: '127.0.0.1', users: 2 }),
    );
    let dynamicId = 10000;
    const byCall = new Map(received.map((m) => [Number(header(m, 'Call-ID').split('-')[0]), m]));
    for (const callNumber of [1, 2]) {
      const theirs = byCall.get(callNumber)!;
      // The wall clock SIPp read for [timestamp] (its epoch part), then for [date].
      const clocks = [Number(header(theirs, 'X-Ts').split('\t')[2]) * 1000, Date.parse(header(theirs, 'X-Date'))];
      const ours = bound.render(
        callState({
          callId: `${callNumber}-${child.pid}@127.0.0.1`,
          callNumber,
          cseq: 1,
          localPort: SIPP_PORT,
          stepIndex: 1,
          userId: 3 - callNumber,
          clockTick: () => Number(header(theirs, 'X-Clock')),
          wallClockMs: () => clocks.shift()!,
          nextDynamicId: () => ((dynamicId += 4), dynamicId - 4),
          variableDouble: (slot) => slotValues[scenario.variables[slot]!.name] ?? 0,
        }),
      );
      expect(ours.toString('latin1')).toBe(theirs);
    }
  });

  it('[tdmmap]: the circuits SIPp picks for 8 calls at once (its unseeded rand()) and how it writes them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gossipper-tdmmap-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'tdm.xml'),
      '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="tdm"><send><![CDATA[\n' +
        'MESSAGE sip:a@[remote_ip]:[remote_port] SIP/2.0\nCall-ID: [call_id]\nX-T: [tdmmap]\nContent-Length: 0\n\n' +
        ']]></send><pause milliseconds="300"/></scenario>\n',
    );
    const socket = dgram.createSocket('udp4');
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.bind(TDM_OUR_PORT, '127.0.0.1', resolve));
    const received: string[] = [];
    const all = new Promise<void>((resolve) => {
      socket.on('message', (data) => {
        received.push(data.toString('latin1'));
        if (received.length === 8) resolve();
      });
    });
    const spec = '{0-1}{99}{5-6}{1-2}';
    children.push(
      spawn(
        SIPP,
        ['-sf', 'tdm.xml', `127.0.0.1:${TDM_OUR_PORT}`, '-i', '127.0.0.1', '-p', String(TDM_SIPP_PORT),
          '-tdmmap', spec, '-users', '8', '-m', '8', '-nostdin'],
        { cwd: dir, stdio: 'ignore' },
      ),
    );
    await all;
    const theirs = new Map(received.map((m) => [Number(header(m, 'Call-ID').split('-')[0]), header(m, 'X-T')]));
    const map = new TdmMap(parseTdmMap(spec)!);
    const ours = [1, 2, 3, 4, 5, 6, 7, 8].map(() => map.render(map.take()));
    expect(ours).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => theirs.get(n)));
  });
});
