// Our Authorization / Proxy-Authorization lines against what a real SIPp 3.6.1 sends, byte for
// byte. A SIPp UAS answers a REGISTER with a fixed 401 or 407 challenge; a SIPp UAC answers it
// with [authentication username=joe password=secret]; its -trace_msg log gives the challenge it
// received and the line it sent. We rebuild that line with SIPp's cnonce and compare.
// Both SIPp processes run on 127.0.0.1, ports 13000-13099, each bounded by -timeout and by a
// kill timer of this test; only their own PIDs are ever signalled.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  AuthError,
  authParameter,
  buildAuthorization,
  parseChallenge,
  selectChallengeHeader,
  sippCnonces,
  sippDigestUri,
  verifyAuthorization,
  type DigestChallenge,
} from '../../src/auth/index.js';

const SIPP = '/usr/bin/sipp';
const HAVE_SIPP = existsSync(SIPP);
const IN_CI = process.env.CI === 'true';

if (!HAVE_SIPP && !IN_CI) {
  console.warn(
    '\n*** SKIPPED: digest authentication parity with real SIPp: /usr/bin/sipp is missing. ' +
      'Install the Debian package `sip-tester` (apt-get install sip-tester) to run it. ***\n',
  );
}

const PORT_MIN = 13000;
const PORT_MAX = 13099;
/** How long one SIPp may live, at most (the kill timer; SIPp's own -timeout is shorter). */
const KILL_AFTER_MS = 20_000;

const children: ChildProcess[] = [];
const sockets: dgram.Socket[] = [];
const workDir = HAVE_SIPP ? mkdtempSync(join(tmpdir(), 'gossipper-auth-parity-')) : '';

afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const socket of sockets.splice(0)) socket.close();
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** A UDP port of 13000-13099 free right now on 127.0.0.1. */
async function freePortInRange(taken: Set<number>): Promise<number> {
  const start = PORT_MIN + Math.floor(Math.random() * (PORT_MAX - PORT_MIN + 1));
  for (let i = 0; i <= PORT_MAX - PORT_MIN; i++) {
    const port = PORT_MIN + ((start - PORT_MIN + i) % (PORT_MAX - PORT_MIN + 1));
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const probe = dgram.createSocket('udp4');
      probe.once('error', () => resolve(false));
      probe.bind(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free UDP port in 13000-13099');
}

/** Runs SIPp until it exits (or the kill timer ends it); resolves with its PID. */
function runSipp(args: string[], dir: string): { pid: number; done: Promise<number | null> } {
  const child = spawn(SIPP, [...args, '-nostdin', '-timeout', '15s', '-timeout_error'], {
    cwd: dir,
    stdio: 'ignore',
  });
  children.push(child);
  const done = new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  return { pid: child.pid!, done };
}

interface Traced {
  direction: 'sent' | 'received';
  text: string;
}

/** The messages of a SIPp -trace_msg log, in order. */
function readTrace(file: string): Traced[] {
  const log = readFileSync(file, 'latin1');
  const out: Traced[] = [];
  const re = /UDP message (sent) \((\d+) bytes\):\n\n|UDP message (received) \[(\d+)\] bytes :\n\n/g;
  for (let m = re.exec(log); m; m = re.exec(log)) {
    const length = Number(m[2] ?? m[4]);
    const start = m.index + m[0].length;
    out.push({ direction: m[1] ? 'sent' : 'received', text: log.slice(start, start + length) });
  }
  return out;
}

function headerLine(message: string, name: string): string | undefined {
  return message.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
}

function headerValue(message: string, name: string): string | undefined {
  const line = headerLine(message, name);
  return line === undefined ? undefined : line.slice(line.indexOf(':') + 1).trim();
}

function bodyOf(message: string): string {
  const at = message.indexOf('\r\n\r\n');
  return at < 0 ? '' : message.slice(at + 4);
}

interface Case {
  name: string;
  status: 401 | 407;
  /** The challenges the UAS sends in turn; each but the last is answered once. */
  challenges: string[];
  /** How many authenticated REGISTERs follow the last challenge (nc 1, 2, ...). */
  answers: number;
}

function uasScenario(c: Case): string {
  const reason = c.status === 401 ? 'Unauthorized' : 'Proxy Authentication Required';
  const challengeHeader = c.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
  const reply = (first: string, extra: string) => `  <send><![CDATA[
${first}
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
${extra}
Content-Length: 0

]]></send>
`;
  let xml = '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="auth uas">\n';
  for (const challenge of c.challenges) {
    xml += '  <recv request="REGISTER"/>\n';
    xml += reply(`SIP/2.0 ${c.status} ${reason}`, `${challengeHeader}: ${challenge}`);
  }
  for (let i = 0; i < c.answers; i++) {
    xml += `  <recv request="REGISTER">
    <action><verifyauth assign_to="ok" username="joe" password="secret"/></action>
  </recv>
`;
    xml += reply('SIP/2.0 200 OK', 'X-Verifyauth: [$ok]');
  }
  return `${xml}</scenario>\n`;
}

function uacScenario(c: Case): string {
  const register = (cseq: number, auth: boolean) => `  <send><![CDATA[
REGISTER sip:registrar.example SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:joe@registrar.example>;tag=[call_number]
To: <sip:joe@registrar.example>
Call-ID: [call_id]
CSeq: ${cseq} REGISTER
Contact: <sip:joe@[local_ip]:[local_port]>
${auth ? '[authentication username=joe password=secret]\n' : ''}Content-Type: text/plain
Content-Length: [len]

hello body ${cseq}
]]></send>
`;
  let xml = '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="auth uac">\n';
  let cseq = 1;
  xml += register(cseq++, false);
  c.challenges.forEach((_, i) => {
    xml += `  <recv response="${c.status}" auth="true"/>\n`;
    if (i < c.challenges.length - 1) xml += register(cseq++, true);
  });
  for (let i = 0; i < c.answers; i++) {
    xml += register(cseq++, true);
    xml += '  <recv response="200"/>\n';
  }
  return `${xml}</scenario>\n`;
}

/** Runs the case with two SIPp; returns the UAC's trace and the UAS port. */
async function runCase(c: Case, index: number): Promise<{ trace: Traced[]; uasPort: number }> {
  const dir = mkdtempSync(join(workDir, `case${index}-`));
  writeFileSync(join(dir, 'uas.xml'), uasScenario(c), 'latin1');
  writeFileSync(join(dir, 'uac.xml'), uacScenario(c), 'latin1');
  const taken = new Set<number>();
  const uasPort = await freePortInRange(taken);
  const uacPort = await freePortInRange(taken);
  const uas = runSipp(['-sf', 'uas.xml', '-i', '127.0.0.1', '-p', String(uasPort), '-m', '1'], dir);
  // The UAC retransmits its REGISTER until the UAS listens: no need to wait for it.
  const uac = runSipp(
    ['-sf', 'uac.xml', `127.0.0.1:${uasPort}`, '-i', '127.0.0.1', '-p', String(uacPort), '-m', '1', '-s', 'svc', '-trace_msg'],
    dir,
  );
  const [uacExit] = await Promise.all([uac.done, uas.done]);
  expect(uacExit, `SIPp UAC (pid ${uac.pid}) should end its call successfully`).toBe(0);
  const log = readdirSync(dir).find((f) => f.startsWith(`uac_${uac.pid}_`) && f.endsWith('_messages.log'));
  if (!log) throw new Error(`no -trace_msg log of SIPp pid ${uac.pid} in ${dir}`);
  return { trace: readTrace(join(dir, log)), uasPort };
}

const CASES: Case[] = [
  {
    name: '401, qop="auth", MD5, realm, nonce, opaque; two answers (nc 1 and 2)',
    status: 401,
    challenges: [
      'Digest realm="sipp.example", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
        'opaque="5ccc069c403ebaf9f0171e9517f40e41", qop="auth", algorithm=MD5',
    ],
    answers: 2,
  },
  {
    name: '401, qop="auth,auth-int": auth-int, over the body',
    status: 401,
    challenges: ['Digest realm="sipp.example",nonce="a1b2c3",qop="auth,auth-int",algorithm=MD5'],
    answers: 1,
  },
  {
    name: '407, qop="auth", an opaque longer than SIPp keeps',
    status: 407,
    challenges: [`Digest realm="proxy.example", nonce="p-nonce-1", qop="auth", algorithm=MD5, opaque="${'0123456789'.repeat(7)}"`],
    answers: 1,
  },
  {
    name: '401 without qop and without algorithm (RFC 2069 style)',
    status: 401,
    challenges: ['Digest realm="sipp.example", nonce="no-qop-nonce"'],
    answers: 1,
  },
  {
    name: '407 without qop',
    status: 407,
    challenges: ['Digest realm="proxy.example",nonce="abc123",algorithm=MD5'],
    answers: 1,
  },
  {
    name: 'a 401 with both headers is answered from Proxy-Authenticate, in an Authorization header',
    status: 401,
    challenges: ['Digest realm="www.example", nonce="www-nonce", qop="auth"\r\nProxy-Authenticate: Digest realm="proxy.example", nonce="proxy-nonce"'],
    answers: 1,
  },
  {
    name: 'a second challenge restarts nc at 00000001',
    status: 401,
    challenges: [
      'Digest realm="sipp.example", nonce="first-nonce", qop="auth", algorithm=MD5',
      'Digest realm="sipp.example", nonce="second-nonce", qop="auth", algorithm=MD5, stale=true',
    ],
    answers: 2,
  },
];

describe.runIf(HAVE_SIPP)('digest authentication against real SIPp', () => {
  CASES.forEach((c, index) => {
    it(c.name, async () => {
      const { trace, uasPort } = await runCase(c, index);
      // Walk the UAC's trace as an engine would: each challenge received replaces the last one
      // and restarts nc; each message sent with the header is checked against ours.
      const headerName = c.status === 401 ? 'Authorization' : 'Proxy-Authorization';
      const cnonces = sippCnonces();
      let challenge: DigestChallenge | undefined;
      let nc = 0;
      let checked = 0;
      for (const t of trace) {
        if (t.direction === 'received' && t.text.startsWith(`SIP/2.0 ${c.status} `)) {
          const value = selectChallengeHeader((name) => headerValue(t.text, name));
          expect(value, 'a challenge header').toBeDefined();
          const parsed = parseChallenge(value!);
          if (parsed instanceof AuthError) throw parsed;
          challenge = parsed;
          nc = 0;
          continue;
        }
        const sippLine = t.direction === 'sent' ? headerLine(t.text, headerName) : undefined;
        if (sippLine === undefined) continue;
        expect(challenge, 'a challenge before the answer').toBeDefined();
        nc++;
        const cnonce = authParameter('cnonce', sippLine);
        // SIPp never seeds rand(): its cnonces are glibc's rand() sequence.
        if (challenge!.qop !== undefined) expect(cnonce).toBe(cnonces());
        else expect(cnonce).toBeUndefined();
        const ours = buildAuthorization({
          challenge: challenge!,
          proxy: c.status === 407,
          method: t.text.slice(0, t.text.indexOf(' ')),
          uri: sippDigestUri('127.0.0.1', uasPort),
          body: bodyOf(t.text),
          username: 'joe',
          password: 'secret',
          cnonce,
          nc,
        });
        expect(ours).toBe(sippLine);
        expect(
          verifyAuthorization({
            authorizationHeaderValue: sippLine.slice(sippLine.indexOf(':') + 1).trim(),
            method: 'REGISTER',
            username: 'joe',
            password: 'secret',
            body: bodyOf(t.text),
          }),
        ).toBe(true);
        checked++;
      }
      expect(checked).toBe(c.challenges.length - 1 + c.answers);

      // SIPp's own <verifyauth> on the UAS side: true for an Authorization; it reads no
      // Proxy-Authorization header, so false after a 407.
      const verdicts = trace
        .filter((t) => t.direction === 'received' && t.text.startsWith('SIP/2.0 200 '))
        .map((t) => headerValue(t.text, 'X-Verifyauth'));
      expect(verdicts).toEqual(Array(c.answers).fill(c.status === 401 ? 'true' : 'false'));
    });
  });
});

/** Sends `request` from `socket` until a response of CSeq `cseq` comes back (SIPp may not
 * listen yet; it answers a retransmission again); gives up after 10 s. */
function exchange(socket: dgram.Socket, port: number, request: string, cseq: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const send = () => socket.send(Buffer.from(request, 'latin1'), port, '127.0.0.1');
    const onMessage = (data: Buffer) => {
      const text = data.toString('latin1');
      if (!text.startsWith('SIP/2.0 ') || headerValue(text, 'CSeq') !== `${cseq} REGISTER`) return;
      done();
      resolve(text);
    };
    const timer = setInterval(send, 300);
    const giveUp = setTimeout(() => {
      done();
      reject(new Error(`no answer to CSeq ${cseq} from SIPp on port ${port}`));
    }, 10_000);
    const done = () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.off('message', onMessage);
    };
    socket.on('message', onMessage);
    send();
  });
}

describe.runIf(HAVE_SIPP)("SIPp's <verifyauth> on what Gossipper writes", () => {
  it('accepts our auth-int answer and refuses one of a wrong password', async () => {
    const c: Case = {
      name: 'verify',
      status: 401,
      challenges: ['Digest realm="sipp.example", nonce="verify-nonce", qop="auth-int", algorithm=MD5, opaque="op"'],
      answers: 2,
    };
    const dir = mkdtempSync(join(workDir, 'verify-'));
    writeFileSync(join(dir, 'uas.xml'), uasScenario(c), 'latin1');
    const taken = new Set<number>();
    const uasPort = await freePortInRange(taken);
    const ourPort = await freePortInRange(taken);
    const uas = runSipp(['-sf', 'uas.xml', '-i', '127.0.0.1', '-p', String(uasPort), '-m', '1'], dir);
    const socket = dgram.createSocket('udp4');
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.bind(ourPort, '127.0.0.1', resolve));

    const body = (cseq: number) => `hello body ${cseq}\r\n`;
    const request = (cseq: number, authorization?: string) =>
      'REGISTER sip:registrar.example SIP/2.0\r\n' +
      `Via: SIP/2.0/UDP 127.0.0.1:${ourPort};branch=z9hG4bK-gossipper-${cseq}\r\n` +
      'From: <sip:joe@registrar.example>;tag=g1\r\n' +
      'To: <sip:joe@registrar.example>\r\n' +
      `Call-ID: verify-${process.pid}@127.0.0.1\r\n` +
      `CSeq: ${cseq} REGISTER\r\n` +
      `Contact: <sip:joe@127.0.0.1:${ourPort}>\r\n` +
      (authorization ? `${authorization}\r\n` : '') +
      'Content-Type: text/plain\r\n' +
      `Content-Length: ${body(cseq).length}\r\n\r\n` +
      body(cseq);

    const challenged = await exchange(socket, uasPort, request(1), 1);
    const challenge = parseChallenge(selectChallengeHeader((name) => headerValue(challenged, name))!);
    if (challenge instanceof AuthError) throw challenge;
    expect(challenge.qop).toBe('auth-int');
    const answer = (cseq: number, password: string) =>
      buildAuthorization({
        challenge,
        proxy: false,
        method: 'REGISTER',
        uri: sippDigestUri('127.0.0.1', uasPort),
        body: body(cseq),
        username: 'joe',
        password,
        cnonce: '0a4f113b',
        nc: cseq - 1,
      });
    const good = await exchange(socket, uasPort, request(2, answer(2, 'secret')), 2);
    const bad = await exchange(socket, uasPort, request(3, answer(3, 'not-the-password')), 3);
    expect(headerValue(good, 'X-Verifyauth')).toBe('true');
    expect(headerValue(bad, 'X-Verifyauth')).toBe('false');
    expect(await uas.done).toBe(0);
  });
});

describe.runIf(!HAVE_SIPP && IN_CI)('digest authentication against real SIPp', () => {
  it('needs /usr/bin/sipp in CI', () => {
    throw new Error('/usr/bin/sipp is missing: install the Debian package `sip-tester` in the CI image');
  });
});
