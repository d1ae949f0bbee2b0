// Runs the real SIPp (when installed) and compares its -trace_stat file with ours.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { statCsvFileName, statCsvHeader } from '../../src/stats/csv.js';

/** SIPP_BIN overrides the path (e.g. to check the skip and the CI failure). */
const SIPP = process.env.SIPP_BIN ?? '/usr/bin/sipp';
const HAVE_SIPP = existsSync(SIPP);
const IN_CI = process.env.CI === 'true';

if (!HAVE_SIPP && !IN_CI) {
  console.warn(
    `\n!!! ${SIPP} not found: SKIPPING the comparison with real SIPp's -trace_stat file.\n` +
      '!!! Install it with the Debian package `sip-tester` (apt-get install sip-tester).\n',
  );
}

/** The built-in uac scenario's CSV layout. */
const UAC_LAYOUT = {
  rtdNames: ['1'],
  responseTimeRepartition: [10, 20, 30, 40, 50, 100, 150, 200],
  callLengthRepartition: [10, 50, 100, 500, 1000, 5000, 10000],
};

const started: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(() => {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) child.kill('SIGKILL');
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function runSipp(args: string[], cwd: string): ChildProcess {
  const child = spawn(SIPP, args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    // SIPp draws its screen with curses, which needs a terminal type even when not on a tty.
    env: { ...process.env, TERM: process.env.TERM || 'dumb' },
  });
  child.stdout?.resume();
  child.stderr?.resume();
  started.push(child);
  return child;
}

function exited(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) {
      resolve(child.exitCode);
      return;
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sipp did not exit within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!HAVE_SIPP && !IN_CI)('real SIPp 3.6.1 -trace_stat', () => {
  it('writes <scenario>_<pid>_.csv with the header we produce for the built-in uac', async () => {
    if (!HAVE_SIPP) throw new Error(`${SIPP} is missing in CI: install the Debian package sip-tester`);
    const dir = mkdtempSync(join(tmpdir(), 'gossipper-stats-'));
    dirs.push(dir);
    let lastError = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      const uasPort = 5000 + Math.floor(Math.random() * 50) * 2;
      const uas = runSipp(['-sn', 'uas', '-i', '127.0.0.1', '-p', String(uasPort), '-m', '5'], dir);
      await sleep(300);
      if (uas.exitCode !== null) {
        lastError = `uas on port ${uasPort} exited with ${uas.exitCode}`;
        continue;
      }
      const uac = runSipp(
        ['-sn', 'uac', `127.0.0.1:${uasPort}`, '-i', '127.0.0.1', '-p', String(uasPort + 1), '-m', '5', '-r', '50', '-trace_stat', '-timeout', '10'],
        dir,
      );
      const code = await exited(uac, 15_000);
      uas.kill('SIGTERM');
      const file = join(dir, statCsvFileName('uac', uac.pid!));
      if (code !== 0 || !existsSync(file)) {
        lastError = `uac exited with ${code}; files: ${readdirSync(dir).join(', ')}`;
        continue;
      }
      const lines = readFileSync(file, 'latin1').split('\n');
      expect(lines[0] + '\n').toBe(statCsvHeader(UAC_LAYOUT));
      const header = lines[0]!.split(';');
      const last = lines.filter((l) => l.length > 0).at(-1)!.split(';');
      expect(last).toHaveLength(header.length);
      expect(last[header.indexOf('OutgoingCall(C)')]).toBe('5');
      expect(last[header.indexOf('SuccessfulCall(C)')]).toBe('5');
      for (const f of last.slice(0, 3)) expect(f).toMatch(/^\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\.\d{6}\t\d{10}\.\d{6}$/);
      return;
    }
    throw new Error(`could not run sipp: ${lastError}`);
  });
});
