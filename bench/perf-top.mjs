#!/usr/bin/env node
// Summarise a `perf record -g` of a node process run with --perf-basic-prof: where ALL of its
// CPU goes (every thread, kernel included), which the V8 profiler (--cpu-prof) cannot show:
// it sees only the main thread's JS, and counts the receive syscalls as idle.
//
//   node bench/perf-top.mjs PERF.DATA [--top 25] [--all]
//
// Samples before the first one with an engine frame on the main thread (module loading,
// start-up) are left out unless --all. Needs `perf` on PATH.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { shortUrl } from './cpuprofile-top.mjs';

const GC = /Scaveng|MarkCompact|ConcurrentMarking|MarkingVisitor|IncrementalMarking|Sweeper|ArrayBufferSweeper|Heap::CollectGarbage|Heap::PerformGarbageCollection|GCTracer|MinorMC|EvacuateNewSpace|Evacuator|PointersUpdating|RememberedSet|MarkingBarrier|Heap::AllocateRaw|Factory::New.*Slow|GlobalHandles::|Heap::ReportExternalMemoryPressure/;
const JIT = /v8::internal::compiler::|v8::internal::maglev::|OptimizingCompileDispatcher|Compiler::Compile|v8::internal::baseline::|Parser::|Scanner::|BytecodeGenerator/;

/** Parse `perf script` output into samples { tid, time, period, frames: [{sym, dso}] } (leaf first). */
function* samples(text) {
  let cur;
  for (const line of text.split('\n')) {
    if (line === '') {
      if (cur) yield cur;
      cur = undefined;
      continue;
    }
    // Sample header: "  TID  TIME:  PERIOD" (frames start with a tab).
    const h = line[0] === '\t' ? null : /^\s*(\d+)\s+([\d.]+):\s+(\d+)/.exec(line);
    if (h) {
      if (cur) yield cur;
      cur = { tid: Number(h[1]), time: Number(h[2]), period: Number(h[3]), frames: [] };
      continue;
    }
    if (!cur) continue;
    const m = /^\s*[0-9a-f]+\s+(.*?)\s+\(([^)]*)\)\s*$/.exec(line);
    if (m) cur.frames.push({ sym: m[1].replace(/\+0x[0-9a-f]+$/, ''), dso: m[2] });
  }
  if (cur) yield cur;
}

const isKernel = (f) => f.dso.includes('kernel');
const isJs = (f) => f.sym.startsWith('JS:');

function jsName(sym) {
  // "JS:*parse file:///.../message.js:257:15" -> "parse  core/sip/message.js:257"
  const m = /^JS:[*~^+]?(\S*)\s+(.*?):(\d+):\d+$/.exec(sym);
  if (!m) return sym.slice(3);
  return `${m[1] || '(anonymous)'}  ${shortUrl(m[2])}:${m[3]}`;
}

function kernelCategory(frames) {
  const has = (re) => frames.some((f) => isKernel(f) && re.test(f.sym));
  if (has(/udp_sendmsg|__sys_sendmsg|__sys_sendto|__sys_sendmmsg/)) return 'kernel: UDP send (incl. loopback delivery)';
  if (has(/udp_recvmsg|__sys_recvmsg|__sys_recvmmsg|__sys_recvfrom/)) return 'kernel: UDP receive';
  if (has(/do_epoll_wait|ep_poll/)) return 'kernel: epoll_wait';
  if (has(/exc_page_fault|handle_mm_fault/)) return 'kernel: page faults';
  if (has(/sys_munmap|sys_mmap|sys_madvise|sys_mprotect|sys_brk/)) return 'kernel: mmap/munmap/madvise';
  if (has(/futex/)) return 'kernel: futex (thread wake-ups)';
  if (has(/schedule|finish_task_switch/)) return 'kernel: scheduling';
  const sys = frames.find((f) => isKernel(f) && /^__(x64|do)_sys_/.test(f.sym));
  if (sys) return `kernel: ${sys.sym.replace(/^__(x64|do)_sys_/, '')}`;
  if (has(/irq|softirq|apic|timer/)) return 'kernel: interrupts/timers';
  return 'kernel: other';
}

function category(frames) {
  const leaf = frames[0];
  if (leaf === undefined) return 'unknown';
  if (isKernel(leaf)) return kernelCategory(frames);
  const userFrames = frames;
  if (userFrames.some((f) => GC.test(f.sym))) return 'V8 GC';
  if (userFrames.some((f) => JIT.test(f.sym))) return 'V8 JIT compile / parse';
  if (isJs(leaf)) return 'JS code (optimised or baseline)';
  if (leaf.sym.startsWith('Builtins_')) return 'V8 builtins (string/map/buffer ops, ICs, interpreter)';
  if (/malloc|free|realloc|calloc|_int_|consolidate|tcache/.test(leaf.sym) && /libc/.test(leaf.dso)) return 'libc malloc/free';
  if (/^uv_|^uv__/.test(leaf.sym)) return 'libuv';
  if (/node::/.test(leaf.sym)) return 'node C++';
  if (/v8::/.test(leaf.sym)) return 'V8 C++ runtime';
  if (/libc/.test(leaf.dso)) return 'libc other (memcpy, memchr, ...)';
  return `other (${leaf.dso.split('/').pop()})`;
}

export function summarisePerf(file, { top = 25, all = false } = {}) {
  const text = execFileSync('perf', ['script', '-i', file, '-F', 'tid,time,period,ip,sym,dso'], {
    encoding: 'latin1',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const list = [...samples(text)];
  if (list.length === 0) return 'no samples';
  // The main thread is the process's first thread: the lowest tid.
  const mainTid = Math.min(...list.map((s) => s.tid));
  let from = -Infinity;
  if (!all) {
    const first = list.find((s) => s.tid === mainTid && s.frames.some((f) => isJs(f) && /core\/dist\/engine\//.test(f.sym)));
    if (first) from = first.time;
  }
  const used = list.filter((s) => s.time >= from);
  const skipped = list.length - used.length;
  const add = (map, k, v) => map.set(k, (map.get(k) ?? 0) + v);
  const byThread = new Map();
  const byCat = new Map();
  const byCatMain = new Map();
  const byJs = new Map();
  const byFile = new Map();
  const bySym = new Map();
  let total = 0;
  let skippedNs = 0;
  for (const s of list) if (s.time < from) skippedNs += s.period;
  for (const s of used) {
    total += s.period;
    const main = s.tid === mainTid;
    add(byThread, main ? 'main thread (JS, libuv, syscalls)' : 'other threads (V8 GC helpers, compiler, libuv pool)', s.period);
    const cat = category(s.frames);
    add(byCat, `${main ? 'main' : 'other'}: ${cat}`, s.period);
    if (main) add(byCatMain, cat, s.period);
    const js = s.frames.find(isJs);
    if (main && !cat.startsWith('V8 GC') && !cat.startsWith('V8 JIT')) {
      const name = js ? jsName(js.sym) : '(no JS frame: event loop / libuv / native)';
      add(byJs, name, s.period);
      const fileKey = js ? name.split('  ')[1]?.replace(/:\d+$/, '') ?? name : name;
      add(byFile, fileKey, s.period);
    }
    const leaf = s.frames[0];
    if (leaf) add(bySym, `${leaf.sym.startsWith('JS:') ? jsName(leaf.sym) : leaf.sym.slice(0, 110)}`, s.period);
  }
  const pct = (v) => `${((100 * v) / total).toFixed(1).padStart(5)}%`;
  const ms = (v) => `${(v / 1e6).toFixed(0).padStart(6)} ms`;
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);
  const out = [];
  out.push(
    `perf: ${(total / 1e9).toFixed(2)} s CPU sampled after start-up (${(skippedNs / 1e9).toFixed(2)} s of start-up left out, ${skipped} samples)`,
  );
  out.push('by thread:');
  for (const [k, v] of sorted(byThread)) out.push(`  ${pct(v)} ${ms(v)}  ${k}`);
  out.push('by kind of work (leaf frame; GC/JIT when anywhere on the stack):');
  for (const [k, v] of sorted(byCat)) if (v / total >= 0.003) out.push(`  ${pct(v)} ${ms(v)}  ${k}`);
  out.push('main thread, by source file of the innermost JS frame (what it called included: builtins, C++, kernel):');
  for (const [k, v] of sorted(byFile).slice(0, top)) if (v / total >= 0.003) out.push(`  ${pct(v)} ${ms(v)}  ${k}`);
  out.push(`main thread, top ${top} innermost JS functions (same attribution):`);
  for (const [k, v] of sorted(byJs).slice(0, top)) out.push(`  ${pct(v)} ${ms(v)}  ${k}`);
  out.push(`top ${top} leaf symbols (all threads):`);
  for (const [k, v] of sorted(bySym).slice(0, top)) out.push(`  ${pct(v)} ${ms(v)}  ${k}`);
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  let top = 25;
  let all = false;
  const files = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--top') top = Number(args[++i]);
    else if (args[i] === '--all') all = true;
    else files.push(args[i]);
  }
  if (files.length === 0) {
    process.stderr.write('usage: node bench/perf-top.mjs PERF.DATA [--top 25] [--all]\n');
    process.exit(2);
  }
  for (const f of files) process.stdout.write(summarisePerf(f, { top, all }) + '\n');
}
