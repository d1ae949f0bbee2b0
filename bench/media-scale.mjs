// Synthetic RTP at scale (-media_scale): our engine against a C sendmmsg sender, one run.
//
//   node bench/media-scale.mjs [--duration S] [--search-seconds S] [--search 2000,4000,...]
//                              [--threads N] [--json FILE] [--only max,shared,10k,5k,1k] [--ptime MS]
//
// Everything goes to 127.0.0.1, to the C counting sink of bench/rtp-blaster.c (compiled here
// with cc), which checks every SSRC's sequence numbers and timestamp steps. The engine runs
// in this process (the same ShardedMediaEngine `gossipper -rtp_send -media_scale` runs), so
// process.cpuUsage() holds its threads' CPU and nothing else's. Figures only: no pass/fail.
//
// Parts:
//  max  the highest rate the engine sustains on time (sent within 1 % of streams x 50/s x
//       seconds, nothing skipped, no send errors, p99 lateness <= 50 ms: a usual jitter-buffer
//       depth), next to the C sender's rate with the same shape (one socket per stream, one
//       packet per socket per round) and with one socket and batches of 64 (this machine's
//       sendmmsg ceiling). Ratios: our rate / C's, and C's CPU per packet / ours.
//  shared  the same search with -media_shared_socket (one socket per thread), against C with
//       one socket and batches of 64.
//  10k  10,000 streams at 20 ms for --duration s (500,000 packets/s asked).
//  5k   5,000 streams (250,000 packets/s): counts must be within 1 %.
//  1k   1,000 streams with the sink checking order, sequence numbers and timestamps.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT } from './lib.mjs';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const DURATION_S = Number(flag('duration', '60'));
const SEARCH_S = Number(flag('search-seconds', '5'));
const SEARCH = flag('search', '1000,2000,3000,4000,5000,6000,8000,10000').split(',').map(Number);
const THREADS = Number(flag('threads', String(availableParallelism())));
const ONLY = new Set(flag('only', 'max,shared,10k,5k,1k').split(','));
const JSON_OUT = flag('json', undefined);
const PTIME = Number(flag('ptime', '20'));
const ON_TIME_P99_MS = 50;
const SINK_PORT = 20000;
const FIRST_LOCAL_PORT = 20002; // streams take 20002, 20004, ... (bench range 20000-39999)

const { ShardedMediaEngine } = await import(join(ROOT, 'packages/adapters/media-scale/dist/index.js'));

const work = mkdtempSync(join(tmpdir(), 'gossipper-media-bench-'));
const BLASTER = join(work, 'rtp-blaster');
execFileSync('cc', ['-O2', '-o', BLASTER, join(ROOT, 'bench/rtp-blaster.c')]);

const started = new Set();
process.on('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

/** Runs rtp-blaster; resolves with its last JSON line. `ready` resolves once a sink listens. */
function blaster(argv) {
  const child = spawn(BLASTER, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  started.add(child);
  let out = '';
  let markReady;
  const ready = new Promise((r) => (markReady = r));
  child.stdout.on('data', (d) => {
    out += d;
    if (out.includes('"listening"')) markReady();
  });
  const done = new Promise((resolve, reject) => {
    child.on('close', (code) => {
      started.delete(child);
      const lines = out.trim().split('\n');
      if (code !== 0) reject(new Error(`rtp-blaster ${argv.join(' ')} exited ${code}`));
      else resolve(JSON.parse(lines[lines.length - 1]));
    });
  });
  return { ready, done };
}

function spec(i, streams, durationMs) {
  return {
    remoteHost: '127.0.0.1',
    remotePort: SINK_PORT,
    localHost: '127.0.0.1',
    localPort: FIRST_LOCAL_PORT + 2 * i,
    codec: 'PCMU',
    payloadType: 0,
    clockRate: 8000,
    ptimeMs: PTIME,
    pattern: 'silence',
    durationMs,
    startDelayMs: (i * PTIME) / streams,
  };
}

/** One engine run of `streams` x `seconds` to a fresh C sink. */
async function engineRun(streams, seconds, sharedSocket = false) {
  const sink = blaster(['sink', '127.0.0.1', String(SINK_PORT), String(seconds + 10)]);
  await sink.ready;
  const media = new ShardedMediaEngine({ threads: THREADS, sharedSocket });
  await media.whenReady();
  const cpuBefore = process.cpuUsage();
  const load = loadavg()[0];
  const t0 = performance.now();
  media.startStreams(
    Array.from({ length: streams }, (_, i) => i),
    Array.from({ length: streams }, (_, i) => spec(i, streams, seconds * 1000)),
  );
  // Memory once every stream is up (half way), from the threads' own accounting and the RSS.
  await new Promise((r) => setTimeout(r, (seconds * 1000) / 2));
  const rssDuring = process.memoryUsage().rss;
  const engineBytes = media.memoryBytes();
  await new Promise((r) => setTimeout(r, (seconds * 1000) / 2 + PTIME + 300));
  await media.close();
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - t0;
  const counters = media.counters();
  const received = await sink.done;
  const expected = streams * Math.ceil((seconds * 1000) / PTIME);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    streams,
    seconds,
    threads: THREADS,
    sendPath: counters.sendPath,
    ptimeMs: PTIME,
    packetsAsked: streams * (1000 / PTIME),
    expected,
    sent: counters.rtpPacketsSent,
    sentVsExpectedPct: (100 * counters.rtpPacketsSent) / expected,
    received: received.packets,
    sinkStreams: received.streams,
    seqErrors: received.seqErrors,
    timestampErrors: received.timestampErrors,
    sendErrors: counters.sendErrors,
    socketErrors: counters.socketErrors,
    latePackets: counters.latePackets,
    skippedPackets: counters.skippedPackets,
    latenessP50Ms: counters.latenessP50Ms,
    latenessP99Ms: counters.latenessP99Ms,
    latenessMaxMs: counters.latenessMaxMs,
    cpuMsPer100kPackets: counters.rtpPacketsSent > 0 ? (cpuMs * 100_000) / counters.rtpPacketsSent : 0,
    cpuCores: cpuMs / wallMs,
    engineBytesPerStream: engineBytes / streams,
    rssMb: rssDuring / 1e6,
    loadAverageAtStart: load,
  };
}

function onTime(r) {
  return r.sendErrors === 0 && r.socketErrors === 0 && r.skippedPackets === 0 && r.sent >= 0.99 * r.expected && r.latenessP99Ms <= ON_TIME_P99_MS;
}

const fmt = (n, digits = 0) => Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function line(label, r) {
  return (
    `${label}: ${fmt(r.streams)} streams every ${r.ptimeMs} ms x ${r.seconds} s (${r.sendPath}, ${r.threads} threads): sent ${fmt(r.sent)} of ${fmt(r.expected)} ` +
    `(${fmt(r.sentVsExpectedPct, 2)} %), sink got ${fmt(r.received)} from ${fmt(r.sinkStreams)} SSRCs ` +
    `(${r.seqErrors} sequence / ${r.timestampErrors} timestamp errors); send errors ${r.sendErrors}; skipped (>500 ms late) ${r.skippedPackets}; lateness p50 ${fmt(r.latenessP50Ms, 1)} ms, ` +
    `p99 ${fmt(r.latenessP99Ms, 1)} ms, max ${fmt(r.latenessMaxMs, 1)} ms; CPU ${fmt(r.cpuMsPer100kPackets, 1)} ms per 100k packets ` +
    `(${fmt(r.cpuCores, 2)} cores); memory ${fmt(r.engineBytesPerStream)} B/stream in the engine (process RSS ${fmt(r.rssMb)} MB); ` +
    `load ${fmt(r.loadAverageAtStart, 2)} at start`
  );
}

async function cBlast(sockets, batch, seconds) {
  const sink = blaster(['sink', '127.0.0.1', String(SINK_PORT), String(seconds + 10)]);
  await sink.ready;
  const sent = await blaster(['blast', '127.0.0.1', String(SINK_PORT), String(seconds), String(sockets), String(batch)]).done;
  const received = await sink.done;
  return { ...sent, received: received.packets, receivedPerSecond: received.packetsPerSecond };
}

const report = { machine: { cores: availableParallelism(), loadAverage: loadavg() }, runs: {} };
console.log(`media-scale bench: ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; work dir ${work}`);

if (ONLY.has('max')) {
  const results = [];
  let best;
  for (const streams of SEARCH) {
    const r = await engineRun(streams, SEARCH_S);
    results.push(r);
    const ok = onTime(r);
    console.log(`${ok ? 'on time ' : 'NOT on time'} ${line('  search', r)}`);
    if (ok) best = r;
    else break;
  }
  const sameShape = await cBlast(best?.streams ?? SEARCH[0], 1, SEARCH_S);
  const batched = await cBlast(1, 64, SEARCH_S);
  const ours = best === undefined ? 0 : best.sent / best.seconds;
  const cCpuMsPer100k = (sameShape.cpuSeconds * 1000 * 100_000) / sameShape.sent;
  const cpuRatio = best === undefined ? 0 : cCpuMsPer100k / best.cpuMsPer100kPackets;
  report.runs.max = {
    search: results,
    best,
    cSameShape: { ...sameShape, cpuMsPer100kPackets: cCpuMsPer100k },
    cOneSocketBatch64: batched,
    rateRatio: ours / sameShape.packetsPerSecond,
    cpuRatio,
  };
  console.log(
    `max on time: ours ${fmt(ours)} packets/s (${best?.streams ?? 0} streams, p99 ${fmt(best?.latenessP99Ms ?? 0, 1)} ms, ` +
      `${fmt(best?.cpuMsPer100kPackets ?? 0, 1)} ms CPU per 100k packets); C sendmmsg flat out, ${fmt(sameShape.sockets)} sockets x 1 packet: ` +
      `${fmt(sameShape.packetsPerSecond)} packets/s, ${fmt(cCpuMsPer100k, 1)} ms CPU per 100k (sink got ${fmt(sameShape.receivedPerSecond)}/s); ` +
      `rate ratio ${fmt(ours / sameShape.packetsPerSecond, 2)}, CPU-per-packet ratio C/ours ${fmt(cpuRatio, 2)} (goal 0.9). ` +
      `C sendmmsg, 1 socket x 64: ${fmt(batched.packetsPerSecond)} packets/s (sink got ${fmt(batched.receivedPerSecond)}/s)`,
  );
}
if (ONLY.has('shared')) {
  // -media_shared_socket: one socket per thread, one sendmmsg per tick, set against C with one
  // socket and batches of 64 (the same shape).
  const results = [];
  let best;
  for (const streams of SEARCH) {
    const r = await engineRun(streams, SEARCH_S, true);
    results.push(r);
    const ok = onTime(r);
    console.log(`${ok ? 'on time ' : 'NOT on time'} ${line('  shared', r)}`);
    if (ok) best = r;
    else break;
  }
  const batched = await cBlast(1, 64, SEARCH_S);
  const ours = best === undefined ? 0 : best.sent / best.seconds;
  const cCpuMsPer100k = (batched.cpuSeconds * 1000 * 100_000) / batched.sent;
  const cpuRatio = best === undefined ? 0 : cCpuMsPer100k / best.cpuMsPer100kPackets;
  report.runs.shared = { search: results, best, cOneSocketBatch64: { ...batched, cpuMsPer100kPackets: cCpuMsPer100k }, rateRatio: ours / batched.packetsPerSecond, cpuRatio };
  console.log(
    `shared socket, max on time: ours ${fmt(ours)} packets/s (${best?.streams ?? 0} streams, p99 ${fmt(best?.latenessP99Ms ?? 0, 1)} ms, ` +
      `${fmt(best?.cpuMsPer100kPackets ?? 0, 1)} ms CPU per 100k); C sendmmsg flat out, 1 socket x 64: ${fmt(batched.packetsPerSecond)} packets/s, ` +
      `${fmt(cCpuMsPer100k, 1)} ms CPU per 100k; rate ratio ${fmt(ours / batched.packetsPerSecond, 2)}, CPU-per-packet ratio C/ours ${fmt(cpuRatio, 2)} (goal 0.9)`,
  );
}
for (const [key, streams] of [
  ['10k', 10_000],
  ['5k', 5_000],
  ['1k', 1_000],
]) {
  if (!ONLY.has(key)) continue;
  const r = await engineRun(streams, key === '1k' ? Math.min(DURATION_S, 20) : DURATION_S);
  report.runs[key] = r;
  console.log(line(key, r));
}
if (JSON_OUT !== undefined) writeFileSync(JSON_OUT, `${JSON.stringify(report, null, 2)}\n`);
