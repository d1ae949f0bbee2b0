// What real SIPp puts into each call's message from -inf files, against what this module selects
// for call 1, 2, 3... SIPp (UAC) sends one OPTIONS per call to a UDP socket of this test, with
// headers `X-<name>: <[fieldN ...]>`; the test compares, call by call, SIPp's text with ours.
// Also: SIPp's error texts for bad files and options against InjectionError.detail.
// Ports: 13100-13199 only. Every SIPp process is bounded in time and stopped by its PID.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { InjectionError, InjectionSet, parseFieldKeyword, parseInjectionFile } from '../../src/inject/index.js';

const SIPP = '/usr/bin/sipp';
const HAVE_SIPP = existsSync(SIPP);
const IN_CI = process.env.CI === 'true';
/** Upper bound of one SIPp run; a run normally takes well under a second. */
const RUN_LIMIT_MS = 20_000;

if (!HAVE_SIPP && !IN_CI) {
  console.warn(
    '\n*** SKIPPED: injection-file parity with real SIPp: /usr/bin/sipp is missing. ' +
      'Install the Debian package `sip-tester` (apt-get install sip-tester) to run it. ***\n',
  );
}

const children: ChildProcess[] = [];
const sockets: dgram.Socket[] = [];
const dirs: string[] = [];
let nextPortBlock = 0;

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const socket of sockets.splice(0)) socket.close();
});
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Ports 13100-13199 in 10 blocks of 10: [our UDP socket, SIPp -p, -mp (and up), -cp]. Runs are
 * sequential and each ends (or is killed) before the next, so blocks are reused round-robin.
 */
function portBlock(): { ours: number; sipp: number; media: number; control: number } {
  const base = 13100 + 10 * (nextPortBlock++ % 10);
  return { ours: base, sipp: base + 1, media: base + 4, control: base + 8 };
}

function workDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gossipper-inject-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), Buffer.from(text, 'latin1'));
  }
  return dir;
}

/**
 * A scenario sending one OPTIONS per call, with `X-<name>: <[keyword]>` headers; `before` and
 * `after` are actions run before and after the send.
 */
function scenario(headers: ReadonlyArray<readonly [string, string]>, before = '', after = ''): string {
  const lines = headers.map(([name, keyword]) => `      X-${name}: <[${keyword}]>`).join('\n');
  const nop = (actions: string): string => (actions === '' ? '' : `  <nop><action>${actions}</action></nop>\n`);
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="inject parity">
${nop(before)}  <send>
    <![CDATA[
      OPTIONS sip:parity@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:sipp@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:parity@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      X-Call: [call_number]
      X-User: [userid]
${lines}
      Content-Length: 0

    ]]>
  </send>
${nop(after)}</scenario>
`;
}

interface SippCall {
  call: number;
  user: number;
  headers: Record<string, string>;
}

/** Runs SIPp until it has sent `calls` messages and exited; returns them by call number. */
async function runSipp(
  files: Record<string, string>,
  headers: ReadonlyArray<readonly [string, string]>,
  args: string[],
  calls: number,
  actions: { before?: string; after?: string } = {},
): Promise<SippCall[]> {
  const dir = workDir({ ...files, 'parity.xml': scenario(headers, actions.before, actions.after) });
  const ports = portBlock();
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(ports.ours, '127.0.0.1', () => resolve());
  });
  const got: SippCall[] = [];
  const allSent = new Promise<void>((resolve) => {
    socket.on('message', (data) => {
      const lines = data.toString('latin1').split('\r\n');
      const record: Record<string, string> = {};
      let call = 0;
      let user = 0;
      for (const line of lines) {
        const m = /^X-([A-Za-z0-9]+): (.*)$/s.exec(line);
        if (!m) continue;
        if (m[1] === 'Call') call = Number(m[2]);
        else if (m[1] === 'User') user = Number(m[2]);
        else record[m[1]!] = m[2]!.slice(1, -1); // strip the < >
      }
      got.push({ call, user, headers: record });
      if (got.length === calls) resolve();
    });
  });

  const child = spawn(
    SIPP,
    [
      `127.0.0.1:${ports.ours}`,
      '-sf', 'parity.xml',
      ...args,
      '-m', String(calls),
      '-i', '127.0.0.1',
      '-p', String(ports.sipp),
      '-mp', String(ports.media),
      '-cp', String(ports.control),
      '-trace_msg',
      '-nostdin',
      '-timeout', `${RUN_LIMIT_MS / 1000}s`,
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString('latin1')));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString('latin1')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'limit'>((resolve) => (timer = setTimeout(() => resolve('limit'), RUN_LIMIT_MS)));
  try {
    const outcome = await Promise.race([Promise.all([allSent, exited]), exited.then(() => 'exited' as const), limit]);
    if (outcome === 'limit') throw new Error(`SIPp did not finish in ${RUN_LIMIT_MS} ms; output:\n${output}`);
    // The process may exit before the last datagram is read: wait for the messages too (bounded).
    if (got.length < calls) await Promise.race([allSent, limit]);
    if (got.length < calls) throw new Error(`SIPp sent ${got.length} of ${calls} messages; output:\n${output}`);
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  return got.sort((a, b) => a.call - b.call);
}

/** Ours: per call, the lines in call order, then each header's [fieldN ...] text. */
function expected(
  set: InjectionSet,
  headers: ReadonlyArray<readonly [string, string]>,
  users: readonly number[],
): Array<Record<string, string>> {
  return users.map((userId) => {
    const lines = set.linesForNewCall({ userId, random: () => 0 });
    const record: Record<string, string> = {};
    for (const [name, raw] of headers) {
      const keyword = parseFieldKeyword(raw);
      record[name] = set.fieldText(lines, set.resolveKeyword(keyword), keyword.field, keyword.line);
    }
    return record;
  });
}

/** SIPp's output when it stops at once on the command line or at its first call. */
async function sippFails(files: Record<string, string>, args: string[]): Promise<string> {
  const dir = workDir({ ...files, 'parity.xml': scenario([['F0', 'field0']]) });
  const ports = portBlock();
  const child = spawn(
    SIPP,
    [
      `127.0.0.1:${ports.ours}`, '-sf', 'parity.xml', ...args, '-m', '1',
      '-i', '127.0.0.1', '-p', String(ports.sipp), '-mp', String(ports.media), '-cp', String(ports.control),
      '-nostdin', '-timeout', '5s',
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString('latin1')));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString('latin1')));
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c))),
    new Promise<'limit'>((resolve) => (timer = setTimeout(() => resolve('limit'), RUN_LIMIT_MS))),
  ]);
  clearTimeout(timer);
  if (code === 'limit') throw new Error(`SIPp did not stop; output:\n${output}`);
  expect(code).not.toBe(0);
  return output;
}

function detailOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof InjectionError) return e.detail;
    throw e;
  }
  throw new Error('no InjectionError');
}

describe.runIf(HAVE_SIPP)('injection files against real SIPp', () => {
  it('SEQUENTIAL files, CRLF, comments, missing fields, several files, file= and line=, USER without -users', async () => {
    const files = {
      'data/users.csv': 'SEQUENTIAL\r\nalice;pw1\r\n#comment\r\nbob;pw2;\r\n// not a comment\r\n\r\ncarol\r\n',
      'b.csv': 'SEQUENTIAL\nb0;B0\nb1;B1\nb2;B2;extra\n\nafter the empty line\n',
      'u.csv': 'USER\nu1;x\nu2;y\n',
    };
    const headers = [
      ['F0', 'field0'],
      ['F1', 'field1'],
      ['F2', 'field2'],
      ['F9', 'field9'],
      ['Sp', 'field 1'],
      ['Off', 'field1+1'],
      ['B0', 'field0 file="b.csv"'],
      ['B2', 'field2 file=b.csv'],
      ['L0', 'field0 line=0'],
      ['L2', 'field1 file="b.csv" line="2"'],
      ['L3', 'field0 file="b.csv" line="3"'],
      ['Lf', 'field0 line="1.9"'],
      ['Lneg', 'field0 line=-1'],
      ['U', 'field0 file="u.csv"'],
    ] as const;
    const calls = 7;
    const sipp = await runSipp(files, headers, ['-inf', 'data/users.csv', '-inf', 'b.csv', '-inf', 'u.csv', '-r', '100'], calls);

    const set = new InjectionSet();
    for (const [path, text] of Object.entries(files)) set.add(path, text);
    const ours = expected(set, headers, new Array<number>(calls).fill(0));
    expect(sipp.map((c) => c.call)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(sipp.map((c) => c.headers)).toEqual(ours);
    // The test can tell lines apart: the default file walks its 5 data lines, the CR included.
    expect(ours.map((r) => r.F0)).toEqual(['alice', 'bob', '// not a comment\r', '\r', 'carol\r', 'alice', 'bob']);
  });

  it('USER files with -users: the line of the user SIPp gives each call', async () => {
    const files = { 'u.csv': 'USER\nu1;x\nu2;y\nu3;z\n' };
    const headers = [
      ['F0', 'field0'],
      ['F1', 'field1'],
    ] as const;
    const sipp = await runSipp(files, headers, ['-inf', 'u.csv', '-users', '3'], 6);
    const set = new InjectionSet();
    set.add('u.csv', files['u.csv']);
    const users = sipp.map((c) => c.user);
    expect(users.every((u) => u >= 1 && u <= 3)).toBe(true);
    expect(sipp.map((c) => c.headers)).toEqual(expected(set, headers, users));
  });

  it('PRINTF files with PRINTFOFFSET and PRINTFMULTIPLE, wrapping', async () => {
    const files = { 'p.csv': 'SEQUENTIAL,PRINTF=5,PRINTFOFFSET=100,PRINTFMULTIPLE=3\nu%03d;p%d-x;%-4d|;%%d\nv%d;%5.3d\n' };
    const headers = [
      ['F0', 'field0'],
      ['F1', 'field1'],
      ['F2', 'field2'],
      ['F3', 'field3'],
      ['L4', 'field0 line=4'],
      ['L5', 'field0 line=5'],
    ] as const;
    const sipp = await runSipp(files, headers, ['-inf', 'p.csv', '-r', '100'], 7);
    const set = new InjectionSet();
    set.add('p.csv', files['p.csv']);
    const ours = expected(set, headers, new Array<number>(7).fill(0));
    expect(sipp.map((c) => c.headers)).toEqual(ours);
    expect(ours.map((r) => r.F0)).toEqual(['u100', 'v103', 'u106', 'v109', 'u112', 'u100', 'v103']);
  });

  it('-infindex with the lookup, insert and replace actions, call after call', async () => {
    const files = { 'sub/b.csv': 'SEQUENTIAL\nb0;B0\nb1;B1\n', 'a.csv': 'SEQUENTIAL\nb0\nb1\nb2\n' };
    const headers = [
      ['N', '$n'],
      ['M', '$m'],
      ['K', '$k'],
      ['LN', 'field1 file="b.csv" line="[$n]"'],
      ['D0', 'field0'],
      ['D1', 'field1'],
    ] as const;
    const before =
      '<lookup assign_to="n" file="b.csv" key="b1"/>' +
      '<lookup assign_to="m" file="b.csv" key="zz"/>' +
      '<lookup assign_to="k" file="b.csv" key="[field0 file=&quot;a.csv&quot;]"/>';
    const after = '<insert file="b.csv" value="b1;INS[call_number]"/><replace file="b.csv" line="0" value="r[call_number];R"/>';
    // -l 1: a call starts only once the previous one has ended, so each sees the previous edits.
    const args = ['-inf', 'sub/b.csv', '-inf', 'a.csv', '-infindex', 'b.csv', '0', '-r', '100', '-l', '1'];
    const sipp = await runSipp(files, headers, args, 4, { before, after });

    const set = new InjectionSet();
    for (const [path, text] of Object.entries(files)) set.add(path, text);
    set.index('b.csv', '0');
    // SIPp renders a number variable with %lf, and one holding 0 as nothing (seen with SIPp 3.6.1).
    const number = (v: number): string => (v === 0 ? '' : `${v.toFixed(6)}`);
    const ours = [1, 2, 3, 4].map((call) => {
      const lines = set.linesForNewCall({ userId: 0, random: () => 0 });
      const n = set.lookup('b.csv', 'b1');
      const m = set.lookup('b.csv', 'zz');
      const k = set.lookup('b.csv', set.fieldText(lines, 'a.csv', 0));
      const record = {
        N: number(n),
        M: number(m),
        K: number(k),
        LN: set.fieldText(lines, 'b.csv', 1, number(n)),
        D0: set.fieldText(lines, 'b.csv', 0),
        D1: set.fieldText(lines, 'b.csv', 1),
      };
      set.insert('b.csv', `b1;INS${call}`);
      set.replace('b.csv', '0', `r${call};R`);
      return record;
    });
    expect(sipp.map((c) => c.headers)).toEqual(ours);
    expect(ours.map((r) => r.D1)).toEqual(['B0', 'B1', 'INS1', 'INS2']);
  });

  it("SIPp's error texts", async () => {
    const cases: Array<[Record<string, string>, string[], () => unknown]> = [
      [{ 'e.csv': '' }, ['-inf', 'e.csv'], () => parseInjectionFile('', 'e.csv')],
      [{ 'e.csv': 'BOGUS\na\n' }, ['-inf', 'e.csv'], () => parseInjectionFile('BOGUS\na\n', 'e.csv')],
      [{ 'd/e.csv': 'SEQUENTIAL\n\na\n' }, ['-inf', 'd/e.csv'], () => parseInjectionFile('SEQUENTIAL\n\na\n', 'd/e.csv')],
      [
        { 'e.csv': 'SEQUENTIAL,PRINTF=3,PRINTFOFFSET=5\r\na\r\n' },
        ['-inf', 'e.csv'],
        () => parseInjectionFile('SEQUENTIAL,PRINTF=3,PRINTFOFFSET=5\r\na\r\n', 'e.csv'),
      ],
      [
        { 'e.csv': 'SEQUENTIAL,PRINTFOFFSET=5,PRINTF=3\na\n' },
        ['-inf', 'e.csv'],
        () => parseInjectionFile('SEQUENTIAL,PRINTFOFFSET=5,PRINTF=3\na\n', 'e.csv'),
      ],
      [
        { 'd/e.csv': 'SEQUENTIAL\na\n' },
        ['-inf', 'd/e.csv', '-infindex', 'd/e.csv', '0'],
        () => {
          const set = new InjectionSet();
          set.add('d/e.csv', 'SEQUENTIAL\na\n');
          set.index('d/e.csv', '0');
        },
      ],
      [
        { 'e.csv': 'USER\nu1\n' },
        ['-inf', 'e.csv', '-users', '2'],
        () => {
          const set = new InjectionSet();
          set.add('e.csv', 'USER\nu1\n');
          set.linesForNewCall({ userId: 2, random: () => 0 });
        },
      ],
      [
        { 'e.csv': 'SEQUENTIAL,PRINTF=2\nx%5\n' },
        ['-inf', 'e.csv'],
        () => parseInjectionFile('SEQUENTIAL,PRINTF=2\nx%5\n', 'e.csv').field(0, 0),
      ],
      [{}, [], () => new InjectionSet().resolveKeyword(parseFieldKeyword('field0'))],
    ];
    for (const [files, args, ours] of cases) {
      const detail = detailOf(ours);
      const output = await sippFails(files, args);
      expect(output, `SIPp output for ${JSON.stringify(files)} ${args.join(' ')}`).toContain(detail);
    }
  });
});

describe.runIf(!HAVE_SIPP && IN_CI)('injection files against real SIPp', () => {
  it('needs /usr/bin/sipp in CI', () => {
    throw new Error('/usr/bin/sipp is missing: install the Debian package `sip-tester` in the CI image');
  });
});
