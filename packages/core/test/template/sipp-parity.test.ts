// Our rendering against what a real SIPp sends, byte for byte: SIPp's built-in uac sends its
// INVITE to a UDP socket of this test; SIPp's built-in uas answers an INVITE of this test
// (several Via, compact From, odd spacing) with its 180 and 200.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { compileTemplate } from '../../src/template/compile.js';
import { UAC_SENDS, UAS_SENDS } from './builtin-sends.js';
import { callState, lastMessage, PLACE, runValues } from './helpers.js';

const SIPP = '/usr/bin/sipp';
const HAVE_SIPP = existsSync(SIPP);
const IN_CI = process.env.CI === 'true';

if (!HAVE_SIPP && !IN_CI) {
  console.warn(
    '\n*** SKIPPED: template parity with real SIPp: /usr/bin/sipp is missing. ' +
      'Install the Debian package `sip-tester` (apt-get install sip-tester) to run it. ***\n',
  );
}

const children: ChildProcess[] = [];
const sockets: dgram.Socket[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const socket of sockets.splice(0)) socket.close();
});

function startSipp(args: string[]): ChildProcess {
  const child = spawn(SIPP, args, { cwd: tmpdir(), stdio: 'ignore' });
  children.push(child);
  return child;
}

async function udpSocket(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

async function freePort(): Promise<number> {
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
  const port = probe.address().port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** SIPp moves its media port when the one it wants is taken: read it from its SDP. */
function mediaPortOf(message: string): number {
  const m = /\r\nm=audio (\d+) /.exec(message);
  if (!m) throw new Error(`no m=audio line in ${JSON.stringify(message)}`);
  return Number(m[1]);
}

describe.runIf(HAVE_SIPP)('templates against real SIPp', () => {
  it('renders the uac INVITE SIPp sends', async () => {
    const socket = await udpSocket();
    const invite = new Promise<{ data: string; port: number }>((resolve) => {
      socket.once('message', (data, from) => resolve({ data: data.toString('latin1'), port: from.port }));
    });
    const ourPort = socket.address().port;
    const child = startSipp(['-sn', 'uac', `127.0.0.1:${ourPort}`, '-i', '127.0.0.1', '-m', '1']);
    const got = await invite;

    const ours = compileTemplate(UAC_SENDS[0]!, PLACE)
      .bind(runValues({ pid: child.pid!, localPort: got.port, remotePort: ourPort, mediaPort: mediaPortOf(got.data) }))
      .render(callState({ callId: `1-${child.pid}@127.0.0.1`, callNumber: 1, localPort: got.port, stepIndex: 0 }));
    expect(ours.toString('latin1')).toBe(got.data);
  });

  it('renders the uas 180 and 200 SIPp answers an INVITE with', async () => {
    const socket = await udpSocket();
    const ourPort = socket.address().port;
    const sippPort = await freePort();
    const child = startSipp(['-sn', 'uas', '-i', '127.0.0.1', '-p', String(sippPort), '-m', '1']);

    const sdp =
      'v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n';
    const invite =
      `INVITE sip:service@127.0.0.1:${sippPort} SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP 127.0.0.1:${ourPort};branch=z9hG4bK-parity-1;rport\r\n` +
      'v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-x  \r\n' +
      'Via:  SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK-y, SIP/2.0/UDP 10.0.0.3;branch=z9hG4bK-z\r\n' +
      'f: "Alice" <sip:alice@127.0.0.1>;tag=abc\r\n' +
      `To:<sip:service@127.0.0.1:${sippPort}>\r\n` +
      `Call-ID: parity-${process.pid}@127.0.0.1\r\n` +
      'CSeq:   7 INVITE\r\n' +
      `Contact: <sip:alice@127.0.0.1:${ourPort}>\r\n` +
      'Max-Forwards: 70\r\n' +
      'Content-Type: application/sdp\r\n' +
      `Content-Length: ${sdp.length}\r\n` +
      '\r\n' +
      sdp;

    const responses = new Map<number, string>();
    const done = new Promise<void>((resolve) => {
      socket.on('message', (data) => {
        const text = data.toString('latin1');
        const code = Number(text.slice(8, 11));
        if (!responses.has(code)) responses.set(code, text);
        if (responses.has(180) && responses.has(200)) resolve();
      });
    });
    // SIPp may not listen yet: send until it answers (it answers a retransmission the same way).
    const timer = setInterval(() => socket.send(Buffer.from(invite, 'latin1'), sippPort, '127.0.0.1'), 200);
    socket.send(Buffer.from(invite, 'latin1'), sippPort, '127.0.0.1');
    try {
      await done;
    } finally {
      clearInterval(timer);
    }

    const ok = responses.get(200)!;
    const run = runValues({ pid: child.pid!, localPort: sippPort, remotePort: ourPort, mediaPort: mediaPortOf(ok) });
    const call = { callId: 'unused', callNumber: 1, localPort: sippPort, lastMessage: lastMessage(invite) };
    const [ringing, answer] = UAS_SENDS.map((t) => compileTemplate(t, PLACE).bind(run));
    expect(ringing!.render(callState({ ...call, stepIndex: 1 })).toString('latin1')).toBe(responses.get(180));
    expect(answer!.render(callState({ ...call, stepIndex: 2 })).toString('latin1')).toBe(ok);
  });
});

describe.runIf(!HAVE_SIPP && IN_CI)('templates against real SIPp', () => {
  it('needs /usr/bin/sipp in CI', () => {
    throw new Error('/usr/bin/sipp is missing: install the Debian package `sip-tester` in the CI image');
  });
});
