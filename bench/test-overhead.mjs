// What a one-call SIP test costs, in wall time: our engine inside the test process (what
// @gossipper/vitest, /mocha and /playwright do: runScenario('uac', { peer: 'uas' }), the
// embedded UAS started and stopped each time) against spawning one `sipp -sn uac -m 1` per
// test toward a UAS already running (what harnesses that shell out to SIPp do).
//
//   node bench/test-overhead.mjs [--runs 20]
//
// 127.0.0.1 only; every process started is stopped by its PID.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePortPair, killAllStarted, SIPP_BIN, sleep, waitListening } from './lib.mjs';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] ?? 20) || 20;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(1)} ms`;

async function inProcess() {
  const { runScenario } = await import('@gossipper/vitest');
  await runScenario('uac', { peer: 'uas' }); // warm-up: module loading and JIT
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = await runScenario('uac', { peer: 'uas' });
    times.push(performance.now() - start);
    if (!result.passed) throw new Error(`in-process run ${i} failed:\n${result.explanation}`);
  }
  return times;
}

function exited(child) {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function spawnedSipp() {
  const uasPort = freePortPair();
  const uas = spawn(SIPP_BIN, ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(uasPort), '-nostdin'], { stdio: 'ignore' });
  uas.running = true;
  uas.once('exit', () => (uas.running = false));
  try {
    if (!(await waitListening(uasPort, uas))) throw new Error('sipp -sn uas did not start');
    const times = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const uac = spawn(SIPP_BIN, ['-sn', 'uac', `127.0.0.1:${uasPort}`, '-i', '127.0.0.1', '-p', String(uasPort + 1), '-m', '1', '-nostdin'], {
        stdio: 'ignore',
      });
      const code = await exited(uac);
      times.push(performance.now() - start);
      if (code !== 0) throw new Error(`sipp -sn uac -m 1 exited ${code}`);
      await sleep(20);
    }
    return times;
  } finally {
    if (uas.running) uas.kill('SIGKILL');
  }
}

try {
  const ours = await inProcess();
  console.log(`one-call test, in process (embedded UAS started and stopped each time), ${runs} runs: median ${fmt(median(ours))}, min ${fmt(Math.min(...ours))}, max ${fmt(Math.max(...ours))}`);
  if (existsSync(SIPP_BIN)) {
    const theirs = await spawnedSipp();
    console.log(`one-call test, one sipp process per test (UAS already running),       ${runs} runs: median ${fmt(median(theirs))}, min ${fmt(Math.min(...theirs))}, max ${fmt(Math.max(...theirs))}`);
    console.log(`ratio (sipp per test / in process, medians): ${(median(theirs) / median(ours)).toFixed(1)}x`);
  } else {
    console.log(`(no ${SIPP_BIN}: apt-get install -y sip-tester for the comparison)`);
  }
} finally {
  killAllStarted();
}
