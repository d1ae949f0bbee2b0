#!/usr/bin/env node
// `npm run bench`: gossipper's call rate and CPU per call against SIPp's, in one run, over UDP
// (-t u1, the default) or TCP (--transport t1: one connection for all calls). --transport ln
// runs TLS with a connection, so a handshake, per call, ours on both sides (the Debian SIPp has
// no TLS): its highest clean rate is TLS handshakes per second.
//
// Three pairings on 127.0.0.1 (built-in scenarios, -buff_size 4194304 on both sides):
//   sipp uac -> sipp uas (the reference), gossipper uac -> sipp uas, sipp uac -> gossipper uas.
// Each pairing climbs the rate ladder until a step is not clean; the highest clean rate is its
// result. See bench/README.md for how to read the table.
//
//   node bench/sipp-ratio.mjs [--transport u1|t1|ln] [--rates 1000,2000,...] [--seconds 4] [--quick]
//                             [--pairings sipp-sipp,gossipper-uac,gossipper-uas,floor-uas]
//                             [--retries 1] [--json FILE] [--keep]

import { existsSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import {
  GOSSIPPER_BIN,
  HAVE_TIME,
  DEFAULT_PAIRINGS,
  PAIRINGS,
  SIPP_BIN,
  TRANSPORTS,
  idleBaseline,
  loadLine,
  makeBenchCertificate,
  makeWorkDir,
  removeDir,
  runStep,
  sleep,
} from './lib.mjs';

// Up the ladder until a step is not clean; the steps above the first failure are not run.
const DEFAULT_RATES = [1000, 2000, 4000, 6000, 8000, 10000, 12000, 14000, 16000, 20000, 24000, 28000, 32000, 36000, 40000, 48000];
const QUICK_RATES = [2000, 8000, 16000, 24000, 32000, 40000];
// TLS with a handshake per call is an order of magnitude slower.
const TLS_RATES = [250, 500, 750, 1000, 1500, 2000, 3000, 4000];

function parseArgs(argv) {
  const o = { transport: 'u1', rates: undefined, seconds: undefined, quick: false, pairings: undefined, retries: 1, json: undefined, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--transport':
        o.transport = val();
        if (!TRANSPORTS.includes(o.transport)) usage(`--transport: one of ${TRANSPORTS.join(', ')}`);
        break;
      case '--rates':
        o.rates = val().split(',').map(Number);
        if (o.rates.some((r) => !(r > 0))) usage('--rates: positive numbers, comma-separated');
        o.rates.sort((x, y) => x - y);
        break;
      case '--seconds':
        o.seconds = Number(val());
        if (!(o.seconds > 0)) usage('--seconds: a positive number');
        break;
      case '--quick':
        o.quick = true;
        break;
      case '--pairings':
        o.pairings = val().split(',');
        for (const p of o.pairings) if (!(p in PAIRINGS)) usage(`--pairings: unknown "${p}" (${Object.keys(PAIRINGS).join(', ')})`);
        break;
      case '--retries':
        o.retries = Number(val());
        if (!(o.retries >= 0)) usage('--retries: 0 or more');
        break;
      case '--json':
        o.json = val();
        break;
      case '--keep':
        o.keep = true;
        break;
      case '-h':
      case '--help':
        usage();
        break;
      default:
        usage(`unknown argument ${a}`);
    }
  }
  o.pairings ??= o.transport === 'ln' ? ['gossipper-gossipper'] : DEFAULT_PAIRINGS;
  if (o.transport === 'ln' && o.pairings.some((p) => PAIRINGS[p].uac !== 'gossipper' || PAIRINGS[p].uas !== 'gossipper')) {
    usage('--transport ln: only the gossipper-gossipper pairing (SIPp 3.6.1 from Debian has no TLS)');
  }
  o.rates ??= o.transport === 'ln' ? TLS_RATES : o.quick ? QUICK_RATES : DEFAULT_RATES;
  o.seconds ??= o.quick ? 2 : 4;
  return o;
}

function usage(error) {
  const text =
    'usage: node bench/sipp-ratio.mjs [--transport u1|t1|ln] [--rates 1000,2000,...] [--seconds 4] [--quick]\n' +
    '         [--pairings sipp-sipp,gossipper-uac,gossipper-uas,floor-uas,gossipper-gossipper] [--retries 1] [--json FILE] [--keep]\n';
  if (error) {
    process.stderr.write(`sipp-ratio: ${error}\n${text}`);
    process.exit(2);
  }
  process.stdout.write(text);
  process.exit(0);
}

/** Other processes' CPU seconds in one step above which a failed step is run again. */
const DISTURBED_CPU = 0.5;

const log = (s) => process.stderr.write(`${s}\n`);
const us = (cpuSeconds, calls) => (cpuSeconds * 1e6) / calls;
const f1 = (v) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(1));
const kb = (bytes) => `${Math.round(bytes / 1024)}K`;
const f2 = (v) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(2));

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(SIPP_BIN)) usage(`SIPp not found at ${SIPP_BIN} (set SIPP=...)`);
  if (!existsSync(new URL('../packages/cli/dist/main.js', import.meta.url))) {
    usage(`gossipper is not built: run "npx tsc -b packages/cli" first (${GOSSIPPER_BIN})`);
  }
  const sippVersion = (() => {
    try {
      return execFileSync(SIPP_BIN, ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).match(/v\d+(\.\d+)+/)?.[0] ?? '?';
    } catch (e) {
      return String(e.stdout ?? '').match(/v\d+(\.\d+)+/)?.[0] ?? '?';
    }
  })();
  const dir = makeWorkDir();
  const loadBefore = loadLine();
  log(`sipp-ratio: -t ${o.transport}, rates ${o.rates.join(',')} calls/s, ${o.seconds} s per step, retries ${o.retries}; work dir ${dir}`);
  log(`sipp-ratio: ${cpus().length} CPUs, load average ${loadBefore}; CPU time from ${HAVE_TIME ? '/usr/bin/time (rusage)' : '/proc/<pid>/stat polling'}`);

  const startedAt = performance.now();
  try {
    const tls = o.transport === 'ln' ? makeBenchCertificate(dir) : undefined;
    // Start-up cost of each program without traffic (for the "net" CPU figures).
    // The median of 3 runs: the first start-up after a build reads cold files.
    const baseline = {};
    const kinds = [...new Set(o.pairings.flatMap((p) => [PAIRINGS[p].uac, PAIRINGS[p].uas]))];
    for (const kind of kinds) {
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push((await idleBaseline(kind, dir, o.transport, tls)).cpu);
      runs.sort((a, b) => a - b);
      baseline[kind] = runs[1];
      log(`  idle baseline ${kind.padEnd(9)}: ${runs.map(f2).join(', ')} s CPU for start-up + 1 s idle (median ${f2(runs[1])})`);
    }

    const results = {};
    for (const pairing of o.pairings) {
      const steps = [];
      let best;
      let stoppedBy = `passed every rate up to ${o.rates[o.rates.length - 1]}`;
      let topped = true;
      for (const rate of o.rates) {
        let r;
        let disturbed = 0;
        for (let attempt = 0; attempt <= o.retries; attempt++) {
          r = await runStep({ pairing, rate, seconds: o.seconds, dir, transport: o.transport, tls });
          r.attempt = attempt + 1;
          steps.push(r);
          // A failure while something else loaded the machine does not count (at most 3 times).
          if (!r.clean && r.otherCpu > DISTURBED_CPU && disturbed < 3) {
            disturbed++;
            attempt--;
            r.disturbed = true;
            log(`  ${PAIRINGS[pairing].name.padEnd(26)} ${String(rate).padStart(6)}/s: not clean (${r.reason}) while other processes used ${f2(r.otherCpu)} s of CPU: run again`);
            await sleep(2000);
            continue;
          }
          log(
            `  ${PAIRINGS[pairing].name.padEnd(26)} ${String(rate).padStart(6)}/s try ${attempt + 1}: ` +
              (r.clean ? 'clean' : `NOT clean: ${r.reason}`) +
              (r.uac
                ? `  (uac ${f2(r.uac.cpu)} s, uas ${f2(r.uas.cpu)} s CPU; achieved ${f1(r.achieved)}/s; retrans ${r.retransmissions ?? '-'}; ` +
                  `rx drops uac ${r.uac.sock.drops} uas ${r.uas.sock.drops}, system ${r.systemRcvbufErrors}; ` +
                  `max rx queue uac ${kb(r.uac.sock.maxRxQueue)} uas ${kb(r.uas.sock.maxRxQueue)}; ` +
                  `other CPU load ${f2(r.otherCpu)} s, steal ${f2(r.steal)} s)`
                : ''),
          );
          await sleep(300);
          if (r.clean) break;
        }
        if (!r.clean) {
          stoppedBy = `${rate}/s: ${r.reason}`;
          topped = false;
          break;
        }
        best = r;
      }
      results[pairing] = { best, stoppedBy, topped, steps };
    }
    const loadAfter = loadLine();
    const allSteps = Object.values(results).flatMap((r) => r.steps).filter((s) => s.otherCpu !== undefined);
    const worstOther = allSteps.reduce((m, s) => (s.otherCpu > m.otherCpu ? s : m), { otherCpu: 0 });
    const elapsed = (performance.now() - startedAt) / 1000;

    // ---- the table ----
    const ref = results['sipp-sipp']?.best;
    const cpuAt = (pairing, rate) => results[pairing]?.steps.find((s) => s.clean && s.rate === rate);
    const net = (r, role) => {
      const kind = PAIRINGS[r.pairing][role];
      return us(Math.max(0, r[role].cpu - baseline[kind]), r.calls);
    };
    const lines = [];
    lines.push(
      `Gossipper-TS vs SIPp ${sippVersion}, ${{ u1: 'UDP', t1: 'TCP', ln: 'TLS (a handshake per call: calls/s = handshakes/s)' }[o.transport]} -t ${o.transport} on 127.0.0.1, built-in uac/uas, -buff_size 4194304, ` +
        `${o.seconds} s per step (-m = rate x ${o.seconds}), ${cpus().length} CPUs, node ${process.version}`,
    );
    lines.push(`load average before ${loadBefore}, after ${loadAfter}; ${elapsed.toFixed(0)} s`);
    lines.push(
      `other CPU load during the steps (machine busy time not ours): at most ${f2(worstOther.otherCpu)} s in one step` +
        (worstOther.pairing ? ` (${PAIRINGS[worstOther.pairing].name} at ${worstOther.rate}/s)` : '') +
        `; steal at most ${f2(Math.max(0, ...allSteps.map((s) => s.steal)))} s`,
    );
    lines.push('');
    const head = ['pairing', 'max clean/s', 'rate ratio', 'uac us/call', 'uas us/call', 'uac net', 'uas net', 'retrans', 'stopped by'];
    const rows = [];
    for (const pairing of o.pairings) {
      const { best, stoppedBy, topped } = results[pairing];
      if (best === undefined) {
        rows.push([PAIRINGS[pairing].name, 'none', '-', '-', '-', '-', '-', '-', stoppedBy]);
        continue;
      }
      rows.push([
        PAIRINGS[pairing].name,
        `${topped ? '>=' : ''}${best.rate}`,
        ref ? `${topped || results['sipp-sipp'].topped ? '~' : ''}${f2(best.rate / ref.rate)}` : '-',
        f1(us(best.uac.cpu, best.calls)),
        f1(us(best.uas.cpu, best.calls)),
        f1(net(best, 'uac')),
        f1(net(best, 'uas')),
        String(best.retransmissions ?? '-'),
        stoppedBy,
      ]);
    }
    lines.push(...table(head, rows));
    lines.push('');

    // CPU per role at one rate every pairing ran clean: the highest common clean rate.
    const common = Math.min(...o.pairings.map((p) => results[p].best?.rate ?? 0));
    if (common > 0 && o.pairings.includes('sipp-sipp')) {
      lines.push(`CPU per call by role at ${common} calls/s (the highest rate every pairing ran clean); net = minus the idle baseline`);
      const rrows = [];
      for (const pairing of o.pairings) {
        if (pairing === 'sipp-sipp') continue;
        const p = PAIRINGS[pairing];
        const role = p.uac !== 'sipp' ? 'uac' : 'uas';
        const s = cpuAt('sipp-sipp', common);
        const g = cpuAt(pairing, common);
        if (!s || !g) continue;
        const sr = us(s[role].cpu, s.calls);
        const gr = us(g[role].cpu, g.calls);
        const sn = net(s, role);
        const gn = net(g, role);
        rrows.push([`${role}: ${p[role]}`, f1(sr), f1(gr), f2(sr / gr), f1(sn), f1(gn), f2(sn / gn)]);
      }
      lines.push(...table(['role: program', 'sipp us/call', 'its us/call', 'sipp/it', 'sipp net', 'its net', 'net ratio'], rrows));
      lines.push('');
    }
    lines.push(
      `idle baseline (start-up + 1 s idle, no traffic): ${Object.entries(baseline).map(([k, v]) => `${k} ${f2(v)} s`).join(', ')} CPU`,
    );
    process.stdout.write(lines.join('\n') + '\n');

    if (o.json !== undefined) {
      writeFileSync(
        o.json,
        JSON.stringify(
          {
            sipp: sippVersion,
            node: process.version,
            cpus: cpus().length,
            loadBefore,
            loadAfter,
            transport: o.transport,
            rates: o.rates,
            seconds: o.seconds,
            baseline,
            results,
          },
          null,
          2,
        ) + '\n',
      );
      log(`sipp-ratio: JSON written to ${o.json}`);
    }
  } finally {
    if (o.keep) log(`sipp-ratio: logs and CSVs kept in ${dir}`);
    else removeDir(dir);
  }
}

function table(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const fmt = (r) =>
    r.map((c, i) => (i === 0 || i === r.length - 1 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ').trimEnd();
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)];
}

main().catch((e) => {
  process.stderr.write(`sipp-ratio: ${e?.stack ?? e}\n`);
  process.exit(1);
});
