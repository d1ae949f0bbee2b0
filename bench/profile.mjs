#!/usr/bin/env node
// Profiles of gossipper in both roles against SIPp, summarised.
//
//   node bench/profile.mjs [--rate 6000] [--seconds 4] [--interval 200] [--top 25]
//                          [--roles uac,uas] [--tools cpu-prof,perf] [--dir /tmp/gossipper-prof]
//
// uac: gossipper uac -> sipp uas; uas: sipp uac -> gossipper uas.
// Tools (each one is a separate run):
// - cpu-prof: node --cpu-prof (V8's sampler: the main thread's JS only; libuv's recvmsg counts
//   as idle, GC helper threads are not seen). Summary by bench/cpuprofile-top.mjs.
// - perf: `perf record -e cpu-clock -g` of the node process with --perf-basic-prof: every
//   thread, kernel included. Summary by bench/perf-top.mjs. Skipped when perf is missing.
// The raw files stay in --dir (.cpuprofile opens in Chrome DevTools / speedscope; perf.data
// with `perf report`).

import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { runStep, loadLine, makeWorkDir, removeDir } from './lib.mjs';
import { summarise } from './cpuprofile-top.mjs';
import { summarisePerf } from './perf-top.mjs';

const o = { rate: 6000, seconds: 4, interval: 200, top: 25, roles: ['uac', 'uas'], tools: ['cpu-prof', 'perf'], dir: '/tmp/gossipper-prof' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const v = argv[++i];
  if (a === '--rate') o.rate = Number(v);
  else if (a === '--seconds') o.seconds = Number(v);
  else if (a === '--interval') o.interval = Number(v);
  else if (a === '--top') o.top = Number(v);
  else if (a === '--roles') o.roles = v.split(',');
  else if (a === '--tools') o.tools = v.split(',');
  else if (a === '--dir') o.dir = v;
  else {
    process.stderr.write(
      'usage: node bench/profile.mjs [--rate 6000] [--seconds 4] [--interval 200] [--top 25] [--roles uac,uas]\n' +
        '         [--tools cpu-prof,perf] [--dir DIR]\n',
    );
    process.exit(2);
  }
}

const havePerf = (() => {
  try {
    execFileSync('perf', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const write = (s) => process.stdout.write(s);
const work = makeWorkDir('gossipper-prof-');
try {
  write(`load average ${loadLine()}\n`);
  for (const role of o.roles) {
    const pairing = role === 'uac' ? 'gossipper-uac' : 'gossipper-uas';
    for (const tool of o.tools) {
      if (tool === 'perf' && !havePerf) {
        write(`\n(perf not found: skipping the perf profile of the ${role})\n`);
        continue;
      }
      const profDir = join(o.dir, role, tool);
      rmSync(profDir, { recursive: true, force: true });
      mkdirSync(profDir, { recursive: true });
      const perfData = join(profDir, 'perf.data');
      const step =
        tool === 'cpu-prof'
          ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-interval=${o.interval}`] }
          : {
              // --perf-basic-prof also opens V8's log: keep it out of the working directory.
              nodeArgs: ['--perf-basic-prof', '--no-logfile-per-isolate', `--logfile=${join(profDir, 'v8.log')}`],
              wrap: ['perf', 'record', '-q', '-e', 'cpu-clock', '-F', '4000', '-g', '-o', perfData, '--'],
            };
      const r = await runStep({ pairing, rate: o.rate, seconds: o.seconds, dir: work, ...step });
      const g = r[role];
      write(
        `\n===== gossipper ${role}, ${tool}, ${o.rate} calls/s x ${o.seconds} s (${r.calls} calls): ` +
          `${r.clean ? 'clean' : `NOT clean: ${r.reason}`}; CPU ${g ? g.cpu.toFixed(2) : '-'} s ` +
          `= ${g ? ((g.cpu * 1e6) / r.calls).toFixed(1) : '-'} us/call (start-up and profiler overhead included)\n`,
      );
      if (tool === 'cpu-prof') {
        const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
        if (files.length === 0) write(`no .cpuprofile written in ${profDir}\n`);
        for (const f of files) {
          write(`${join(profDir, f)}\n`);
          write(summarise(JSON.parse(readFileSync(join(profDir, f), 'utf8')), { top: o.top }) + '\n');
        }
      } else {
        write(`${perfData}\n`);
        try {
          write(summarisePerf(perfData, { top: o.top }) + '\n');
        } catch (e) {
          write(`perf summary failed: ${e.message}\n`);
        }
      }
    }
  }
} finally {
  removeDir(work);
}
