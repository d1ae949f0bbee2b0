#!/usr/bin/env node
// Summarise a V8 .cpuprofile (node --cpu-prof): self time by function + script, total
// (inclusive) time of the functions that matter, and self time by area (parser, template,
// engine, stats, dgram, timers, GC, native).
//
//   node bench/cpuprofile-top.mjs FILE.cpuprofile [--top 30] [--all]
//
// Samples before the engine's first call work (module loading, start-up) are left out unless
// --all. Note what this profiler cannot see: other threads (GC helpers, compiler), and the
// time libuv spends in recvmsg, which V8 counts as idle. bench/perf-top.mjs shows those.
//
// Also exported: summarise(profile, { top, all }) -> string.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Shorten a script URL to something readable (package-relative path or node: module). */
export function shortUrl(url) {
  if (!url) return '';
  let u = url.replace(/^file:\/\//, '');
  const m = /\/packages\/(.*)$/.exec(u);
  if (m) return m[1].replace(/\/dist\//, '/');
  const nm = /\/node_modules\/(.*)$/.exec(u);
  if (nm) return `npm:${nm[1]}`;
  return u;
}

/** Which part of the program a frame belongs to. */
export function areaOf(fn, url) {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)') return 'idle (waiting in epoll)';
  if (fn === '(program)') return 'native, outside JS (libuv, syscalls, V8 runtime)';
  if (fn === '(root)') return 'root';
  const u = shortUrl(url);
  if (u === '') return `native builtin (${fn || 'anonymous'})`;
  if (u.includes('core/sip/')) return 'core: SIP parser';
  if (u.includes('core/template/')) return 'core: template render';
  if (u.includes('core/engine/timer-heap') || u.includes('core/ports/scheduler')) return 'core: timers (heap/scheduler)';
  if (u.includes('core/engine/')) return 'core: engine (calls, matching)';
  if (u.includes('core/stats/')) return 'core: stats';
  if (u.includes('core/')) return `core: other (${u.split('/').slice(-1)[0]})`;
  if (u.includes('adapters/udp/')) return 'adapter: udp transport';
  if (u.includes('cli/')) return `cli: ${u.split('/').slice(-1)[0]}`;
  if (u.startsWith('node:dgram') || u.startsWith('node:internal/dgram')) return 'node: dgram';
  if (u.startsWith('node:internal/timers') || u.startsWith('node:timers')) return 'node: timers/immediates';
  if (u.startsWith('node:events')) return 'node: events (emit)';
  if (u.startsWith('node:buffer') || u.startsWith('node:internal/buffer')) return 'node: buffer';
  if (u.startsWith('node:internal/process/task_queues')) return 'node: microtasks/nextTick';
  if (u.startsWith('node:')) return `node: ${u.slice(5).replace(/^internal\//, '')}`;
  if (u.startsWith('npm:')) return u.split('/')[0];
  return u;
}

/** Functions whose presence on the stack means the engine is handling calls (start-up is over). */
const WORK = /^(onDatagram|generate|run|onMessage)$/;

export function summarise(profile, { top = 30, all = false } = {}) {
  const nodes = new Map();
  for (const n of profile.nodes) nodes.set(n.id, n);
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // Time per sampled node (µs).
  const selfByNode = new Map();
  const samples = profile.samples;
  const deltas = profile.timeDeltas;
  // Skip start-up: everything before the first sample with engine call work on its stack.
  let first = 0;
  if (!all) {
    const working = new Map();
    const isWorking = (id) => {
      let w = working.get(id);
      if (w !== undefined) return w;
      const n = nodes.get(id);
      w = (WORK.test(n.callFrame.functionName) && /core\/dist\/engine\//.test(n.callFrame.url)) ||
        (parent.has(id) && isWorking(parent.get(id)));
      working.set(id, w);
      return w;
    };
    first = samples.findIndex((id) => isWorking(id));
    if (first < 0) first = 0;
  }
  let skipped = 0;
  for (let i = 0; i < first; i++) skipped += i + 1 < deltas.length ? Math.max(0, deltas[i + 1]) : 0;
  let total = 0;
  for (let i = first; i < samples.length; i++) {
    // timeDeltas[i] is the time before sample i; attribute the interval that follows a sample to it.
    const d = i + 1 < deltas.length ? deltas[i + 1] : 0;
    if (d <= 0) continue;
    selfByNode.set(samples[i], (selfByNode.get(samples[i]) ?? 0) + d);
    total += d;
  }

  const keyOf = (n) => {
    const cf = n.callFrame;
    const fn = cf.functionName || '(anonymous)';
    const u = shortUrl(cf.url);
    return u ? `${fn}  ${u}:${cf.lineNumber + 1}` : fn;
  };

  const self = new Map();
  const area = new Map();
  const inclusive = new Map();
  const stackKeys = new Map();
  const keysOnStack = (id) => {
    let ks = stackKeys.get(id);
    if (ks) return ks;
    const set = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) set.add(keyOf(nodes.get(cur)));
    ks = [...set];
    stackKeys.set(id, ks);
    return ks;
  };
  let idle = 0;
  for (const [id, t] of selfByNode) {
    const n = nodes.get(id);
    const k = keyOf(n);
    self.set(k, (self.get(k) ?? 0) + t);
    const a = areaOf(n.callFrame.functionName, n.callFrame.url);
    area.set(a, (area.get(a) ?? 0) + t);
    if (n.callFrame.functionName === '(idle)') idle += t;
    for (const key of keysOnStack(id)) inclusive.set(key, (inclusive.get(key) ?? 0) + t);
  }
  const busy = total - idle;
  const pct = (t) => `${((100 * t) / busy).toFixed(1).padStart(5)}%`;
  const ms = (t) => `${(t / 1000).toFixed(0).padStart(6)} ms`;
  const out = [];
  out.push(
    `profile: ${(total / 1e6).toFixed(2)} s sampled after start-up (${(skipped / 1e6).toFixed(2)} s of start-up left out), ` +
      `${(idle / 1e6).toFixed(2)} s idle, ${(busy / 1e6).toFixed(2)} s busy on the main thread (percentages are of busy time)`,
  );
  out.push('');
  out.push('self time by area:');
  for (const [k, t] of [...area].filter(([k]) => !k.startsWith('idle')).sort((a, b) => b[1] - a[1])) {
    if (t / busy < 0.002) continue;
    out.push(`  ${pct(t)} ${ms(t)}  ${k}`);
  }
  out.push('');
  out.push(`top ${top} functions by self time:`);
  for (const [k, t] of [...self].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top)) {
    out.push(`  ${pct(t)} ${ms(t)}  ${k}`);
  }
  out.push('');
  out.push(`top ${top} functions by total (inclusive) time:`);
  for (const [k, t] of [...inclusive].filter(([k]) => !k.startsWith('(')).sort((a, b) => b[1] - a[1]).slice(0, top)) {
    out.push(`  ${pct(t)} ${ms(t)}  ${k}`);
  }
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  let top = 30;
  let all = false;
  const files = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--top') top = Number(args[++i]);
    else if (args[i] === '--all') all = true;
    else files.push(args[i]);
  }
  if (files.length === 0) {
    process.stderr.write('usage: node bench/cpuprofile-top.mjs FILE.cpuprofile [--top 30] [--all]\n');
    process.exit(2);
  }
  for (const f of files) {
    if (files.length > 1) process.stdout.write(`== ${f}\n`);
    process.stdout.write(summarise(JSON.parse(readFileSync(f, 'utf8')), { top, all }) + '\n');
  }
}
