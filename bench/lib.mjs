// Shared helpers of the benchmarks: spawn SIPp / gossipper on 127.0.0.1, measure the CPU time
// of each process, read the UAC's -trace_stat CSV, and stop every process by its PID.
//
// Plain Node ESM, Linux only (/proc). No dependency beyond Node itself.

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_KAMAILIO_PATH, writeKamailioConfig } from '../packages/cli/test/support/kamailio-config.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const GOSSIPPER_BIN = join(ROOT, 'packages/cli/bin/gossipper.js');
export const FLOOR_BIN = join(ROOT, 'bench/floor-uas.mjs');
export const SIPP_BIN = process.env.SIPP ?? '/usr/bin/sipp';
export const KAMAILIO_BIN = process.env.KAMAILIO ?? DEFAULT_KAMAILIO_PATH;
export const TIME_BIN = '/usr/bin/time';
/** BENCH_NO_TIME=1 forces the /proc polling fallback (to test it). */
export const HAVE_TIME = existsSync(TIME_BIN) && !process.env.BENCH_NO_TIME;
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export const BUFF_SIZE = 4194304;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- processes we started -------------------------------------------------------------------

/** Every PID this process started and has not yet seen exit (the wrapper and the real one). */
const live = new Set();

/** Kill every process we started that is still alive (SIGKILL), by PID. */
export function killAllStarted() {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  live.clear();
}

let exitHooked = false;
function hookExit() {
  if (exitHooked) return;
  exitHooked = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      killAllStarted();
      process.exit(130);
    });
  }
  process.on('exit', killAllStarted);
}

/** ppid of a process from /proc/<pid>/stat, or -1. */
function ppidOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]);
  } catch {
    return -1;
  }
}

/** utime + stime of a live process, in seconds; undefined when it is gone. */
export function cpuSecondsOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); utime is field 14, stime field 15.
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/**
 * utime + stime of `root` and every live descendant, in seconds (a scan of /proc). For a
 * program that forks workers (Kamailio): its rusage at exit counts only the workers it reaped.
 */
export function treeCpuSeconds(root) {
  const parentOf = new Map();
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    parentOf.set(Number(name), ppidOf(Number(name)));
  }
  const inTree = (pid) => {
    for (let p = pid, depth = 0; p > 1 && depth < 64; p = parentOf.get(p) ?? -1, depth++) if (p === root) return true;
    return false;
  };
  let total = 0;
  for (const pid of parentOf.keys()) if (inTree(pid)) total += cpuSecondsOf(pid) ?? 0;
  return total;
}

/** The first child of `parent` (found by scanning /proc), or -1. */
function childOf(parent) {
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    if (ppidOf(Number(name)) === parent) return Number(name);
  }
  return -1;
}

/**
 * A process started for a measurement. With /usr/bin/time the CPU time comes from its
 * rusage report (the whole life of the process, exact to 10 ms); without it, /proc/<pid>/stat
 * is polled every 100 ms and the last value seen is kept.
 *
 * `pid` is always the measured program itself (not the time wrapper): that is what we signal.
 */
export class Measured {
  constructor(label, argv, { logFile, cwd = ROOT, env = process.env } = {}) {
    hookExit();
    this.label = label;
    this.argv = argv;
    this.logFile = logFile;
    this.timeFile = logFile ? `${logFile}.time` : undefined;
    const fd = logFile ? openSync(logFile, 'w') : 'ignore';
    const useTime = HAVE_TIME && this.timeFile !== undefined;
    const [cmd, ...args] = useTime ? [TIME_BIN, '-f', '%e %U %S', '-o', this.timeFile, ...argv] : argv;
    this.startedAt = performance.now();
    this.child = spawn(cmd, args, { cwd, env, stdio: ['ignore', fd, fd] });
    if (typeof fd === 'number') closeSync(fd);
    this.wrapperPid = useTime ? this.child.pid : undefined;
    this.pid = useTime ? -1 : this.child.pid;
    live.add(this.child.pid);
    this.lastCpu = 0;
    this.exitCode = undefined;
    this.signal = undefined;
    this.exited = new Promise((resolveExit) => {
      this.child.on('exit', (code, signal) => {
        this.wallSeconds = (performance.now() - this.startedAt) / 1000;
        live.delete(this.child.pid);
        if (this.pid > 0) live.delete(this.pid);
        clearInterval(this.poller);
        resolveExit();
      });
    });
    if (!useTime) {
      this.poller = setInterval(() => {
        const v = cpuSecondsOf(this.pid);
        if (v !== undefined) this.lastCpu = v;
      }, 100);
    }
  }

  /** Resolves once the real program's PID is known (the child of the time wrapper). */
  async ready() {
    if (this.pid > 0) return this.pid;
    for (let i = 0; i < 200; i++) {
      const pid = childOf(this.wrapperPid);
      if (pid > 0) {
        this.pid = pid;
        live.add(pid);
        return pid;
      }
      if (this.wallSeconds !== undefined) return -1;
      await sleep(5);
    }
    return -1;
  }

  get running() {
    return this.wallSeconds === undefined;
  }

  /** Wait for exit up to `ms`; true when it exited. */
  async waitExit(ms) {
    let timer;
    const timedOut = new Promise((r) => (timer = setTimeout(() => r(false), ms)));
    const done = await Promise.race([this.exited.then(() => true), timedOut]);
    clearTimeout(timer);
    return done;
  }

  /** SIGTERM the program by PID, SIGKILL it (and the wrapper) if it is still there after 2 s. */
  async stop() {
    if (!this.running) return;
    this.killed = true;
    if (this.pid > 0) {
      try {
        process.kill(this.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    if (await this.waitExit(2000)) return;
    for (const pid of [this.pid, this.wrapperPid]) {
      if (pid === undefined || pid <= 0) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await this.waitExit(2000);
  }

  /** After exit: { cpu (s), user, sys, wall, code } of the measured program. */
  result() {
    let cpu = this.lastCpu;
    let user;
    let sys;
    let code = this.child.exitCode;
    if (this.timeFile !== undefined && HAVE_TIME) {
      try {
        const lines = readFileSync(this.timeFile, 'utf8').trim().split('\n');
        const last = lines[lines.length - 1].trim().split(/\s+/).map(Number);
        user = last[1];
        sys = last[2];
        cpu = user + sys;
        // GNU time exits with the program's status; "Command exited with non-zero status N" precedes.
        const m = /exited with non-zero status (\d+)/.exec(lines.join('\n'));
        code = m ? Number(m[1]) : /terminated by signal (\d+)/.test(lines.join('\n')) ? -1 : 0;
      } catch {
        /* no report: keep the polled value */
      }
    }
    return { cpu, user, sys, wall: this.wallSeconds, code, killed: this.killed === true };
  }
}

// ---- ports ---------------------------------------------------------------------------------

/**
 * Local ports of the sockets in /proc/net/{proto}{,6} ('udp' or 'tcp'), with `state` only those
 * in it (TCP 0A: LISTEN).
 */
function portsInUse(proto, state) {
  const ports = new Set();
  for (const f of [`/proc/net/${proto}`, `/proc/net/${proto}6`]) {
    let text;
    try {
      text = readFileSync(f, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (!local || (state !== undefined && fields[3] !== state)) continue;
      ports.add(parseInt(local.slice(local.lastIndexOf(':') + 1), 16));
    }
  }
  return ports;
}

/** Local UDP ports in use on IPv4 and IPv6 (from /proc/net/udp{,6}). */
export function udpPortsInUse() {
  return portsInUse('udp');
}

/**
 * Per-socket receive queue and drops of the UDP sockets bound on `ports`, from /proc/net/udp:
 * { port: { rxQueue, drops } } (rx_queue in bytes waiting, drops = datagrams dropped because
 * the receive buffer was full).
 */
export function udpSocketStats(ports) {
  const out = {};
  let text;
  try {
    text = readFileSync('/proc/net/udp', 'latin1');
  } catch {
    return out;
  }
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 13) continue;
    const port = parseInt(f[1].slice(f[1].lastIndexOf(':') + 1), 16);
    if (!ports.includes(port)) continue;
    const rxQueue = parseInt(f[4].split(':')[1], 16);
    out[port] = { rxQueue, drops: Number(f[f.length - 1]) };
  }
  return out;
}

/** System-wide UDP counters (/proc/net/snmp): { RcvbufErrors, SndbufErrors, InDatagrams, ... }. */
export function udpSnmp() {
  try {
    const lines = readFileSync('/proc/net/snmp', 'latin1').split('\n').filter((l) => l.startsWith('Udp:'));
    const names = lines[0].split(/\s+/).slice(1);
    const values = lines[1].split(/\s+/).slice(1).map(Number);
    return Object.fromEntries(names.map((n, i) => [n, values[i]]));
  } catch {
    return {};
  }
}

/** Machine-wide CPU seconds from /proc/stat: { busy (all but idle/iowait/steal), steal }. */
export function machineCpu() {
  try {
    const f = readFileSync('/proc/stat', 'latin1').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal = 0] = f;
    return { busy: (user + nice + system + irq + softirq) / CLK_TCK, steal: steal / CLK_TCK };
  } catch {
    return { busy: 0, steal: 0 };
  }
}

/** Local TCP ports in use (any state) on IPv4 and IPv6 (from /proc/net/tcp{,6}); with `state` only those in it (0A: LISTEN). */
export function tcpPortsInUse(state) {
  return portsInUse('tcp', state);
}

let nextPort = 16000 + (process.pid % 1000) * 2;
/** Two consecutive ports free on UDP and TCP (a fresh pair for every step: no stale datagram or connection reaches a new run). */
export function freePortPair() {
  const used = new Set([...udpPortsInUse(), ...tcpPortsInUse()]);
  for (let i = 0; i < 4000; i++) {
    if (nextPort > 40000) nextPort = 16000;
    const p = nextPort;
    nextPort += 2;
    if (!used.has(p) && !used.has(p + 1)) return p;
  }
  throw new Error('no free UDP port pair');
}

/** Wait until something listens on 127.0.0.1:port (UDP, or TCP for `tcp`), or the process exits. */
export async function waitListening(port, proc, timeoutMs = 15000, tcp = false) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if ((tcp ? tcpPortsInUse('0A') : udpPortsInUse()).has(port)) return true;
    if (!proc.running) return false;
    await sleep(20);
  }
  return false;
}

// ---- the -trace_stat CSV ---------------------------------------------------------------------

/** The last row of a SIPp -trace_stat CSV as { column: value }, or undefined. */
export function lastStatRow(file) {
  let text;
  try {
    text = readFileSync(file, 'latin1');
  } catch {
    return undefined;
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return undefined;
  const head = lines[0].split(';');
  const row = lines[lines.length - 1].split(';');
  const out = {};
  head.forEach((h, i) => (out[h] = row[i]));
  return out;
}

// ---- one measurement -------------------------------------------------------------------------

export const PAIRINGS = {
  'sipp-sipp': { name: 'sipp uac -> sipp uas', uac: 'sipp', uas: 'sipp' },
  'gossipper-uac': { name: 'gossipper uac -> sipp uas', uac: 'gossipper', uas: 'sipp' },
  'gossipper-uas': { name: 'sipp uac -> gossipper uas', uac: 'sipp', uas: 'gossipper' },
  /** Not in the default run: the least a Node UAS can do (bench/floor-uas.mjs). */
  'floor-uas': { name: 'sipp uac -> node floor uas', uac: 'sipp', uas: 'floor' },
  /** Ours on both sides: the TLS run (the Debian SIPp has no TLS). */
  'gossipper-gossipper': { name: 'gossipper uac -> gossipper uas', uac: 'gossipper', uas: 'gossipper' },
};
export const DEFAULT_PAIRINGS = ['sipp-sipp', 'gossipper-uac', 'gossipper-uas'];

/** argv of one program; `wrap` (e.g. perf record ... --) and `nodeArgs` apply to gossipper only. */
function programArgv(kind, args, nodeArgs, wrap = []) {
  if (kind === 'sipp') return [SIPP_BIN, ...args];
  if (kind === 'floor') return [process.execPath, FLOOR_BIN, ...args];
  return [...wrap, process.execPath, ...nodeArgs, GOSSIPPER_BIN, ...args];
}

export function makeWorkDir(prefix = 'gossipper-bench-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The -t values the bench runs: UDP with one socket, TCP with one connection, and TLS with a
 * connection (so a handshake) per call, which needs `tls` files.
 */
export const TRANSPORTS = ['u1', 't1', 'ln'];

/** A throwaway self-signed certificate and key for the TLS run, made with the openssl CLI in `dir`. */
export function makeBenchCertificate(dir) {
  const cert = join(dir, 'bench-cert.pem');
  const key = join(dir, 'bench-key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=bench', '-days', '1'], {
    stdio: 'ignore',
  });
  return { cert, key };
}

/** The UAS side's -t behind Kamailio: `via` is 'udp' or 'tls' (Kamailio -> UAS). */
export const VIA_KAMAILIO = { udp: 'u1', tls: 'l1' };

/**
 * Kamailio between the two sides, for one step: the UAC connects to its tcp (t1) or tls (ln)
 * listener, Kamailio relays to the UAS over `via` (udp or tls). Started in the foreground
 * under /usr/bin/time like the others, so its CPU time (its forked workers included, which
 * it waits for when it stops) is measured.
 */
async function startKamailioFor({ dir, tag, transport, via, uasPort, tls, workers }) {
  const ports = { udp: freePortPair(), tcp: 0, tls: 0, ws: 0, wss: 0 };
  ports.tcp = ports.udp + 1;
  ports.tls = freePortPair();
  ports.ws = ports.tls + 1;
  ports.wss = freePortPair();
  // A directory per start: a retried step starts another Kamailio.
  const kdir = mkdtempSync(join(dir, `${tag}-kamailio-`));
  const argv = writeKamailioConfig(kdir, {
    ports,
    cert: tls.cert,
    key: tls.key,
    // Never used here (nothing arrives over UDP), but the config needs one.
    inner: { port: uasPort, transport: 'tcp' },
    outer: { port: uasPort, transport: via },
    debug: 1,
    tcpChildren: workers,
    sharedMemoryMb: 512,
  });
  const proc = new Measured('kamailio', [KAMAILIO_BIN, ...argv], { logFile: join(dir, `${tag}-kamailio.log`) });
  await proc.ready();
  const listener = transport === 'ln' || transport === 'l1' ? ports.tls : ports.tcp;
  if (!(await waitListening(listener, proc, 15000, true))) {
    await proc.stop();
    throw new Error(`kamailio did not start (see ${proc.logFile})`);
  }
  return { proc, listener };
}

/**
 * One step: a UAS, then a UAC sending `rate` calls/s for `seconds` (-m rate*seconds), over
 * `transport` (-t u1, t1 or ln). With `via` ('udp' or 'tls'), Kamailio sits between them and
 * reaches the UAS over that transport, with `kamailioWorkers` TCP/TLS worker processes. Returns the verdict and the processes' CPU time.
 * `nodeArgs` go to gossipper's node (e.g. --cpu-prof), `wrap` goes before gossipper's node
 * (e.g. perf record -g --). Every process is stopped by PID before returning.
 */
export async function runStep({ pairing, rate, seconds, dir, nodeArgs = [], wrap = [], uasGraceMs = 6000, transport = 'u1', tls, via, kamailioWorkers = 1 }) {
  const p = PAIRINGS[pairing];
  const calls = Math.max(1, Math.round(rate * seconds));
  const uasPort = freePortPair();
  const uacPort = uasPort + 1;
  const uasTransport = via ? VIA_KAMAILIO[via] : transport;
  const tag = `${pairing}-${transport}${via ? `-via-kamailio-${via}` : ''}-${rate}`;
  const csv = join(dir, `${tag}-uac.csv`);
  const common = ['-i', '127.0.0.1', '-buff_size', String(BUFF_SIZE), '-nostdin', '-m', String(calls)];
  const uasTls = tls && (uasTransport === 'ln' || uasTransport === 'l1');
  const uasArgs = ['-sn', 'uas', '-p', String(uasPort), '-t', uasTransport, ...common, ...(uasTls ? ['-tls_cert', tls.cert, '-tls_key', tls.key] : [])];
  let proxy;
  const uacArgs = (target) => [
    '-sn', 'uac', '-p', String(uacPort), `127.0.0.1:${target}`, '-t', transport, ...common,
    '-r', String(rate), '-trace_stat', '-stf', csv, '-fd', '1',
  ];
  const out = { pairing, rate, seconds, calls, clean: false, reason: '' };
  // Receive-buffer drops: per socket (polled, the last value before each socket closes) and
  // system-wide (every UDP socket of the machine: anything else using UDP shows up there too).
  const snmpBefore = udpSnmp();
  const cpuBefore = machineCpu();
  const selfBefore = process.cpuUsage();
  const sock = { uas: { maxRxQueue: 0, drops: 0 }, uac: { maxRxQueue: 0, drops: 0 } };
  const poll = setInterval(() => {
    const st = udpSocketStats([uasPort, uacPort]);
    for (const [role, port] of [['uas', uasPort], ['uac', uacPort]]) {
      const v = st[port];
      if (v === undefined) continue;
      if (v.rxQueue > sock[role].maxRxQueue) sock[role].maxRxQueue = v.rxQueue;
      if (v.drops > sock[role].drops) sock[role].drops = v.drops;
    }
  }, 200);
  const uas = new Measured(`${p.uas} uas`, programArgv(p.uas, uasArgs, nodeArgs, wrap), { logFile: join(dir, `${tag}-uas.log`) });
  let uac;
  try {
    await uas.ready();
    if (!(await waitListening(uasPort, uas, 15000, uasTransport !== 'u1'))) {
      out.reason = `uas did not start (see ${uas.logFile})`;
      return out;
    }
    if (via) {
      try {
        proxy = await startKamailioFor({ dir, tag, transport, via, uasPort, tls, workers: kamailioWorkers });
      } catch (error) {
        out.reason = error.message;
        return out;
      }
    }
    const target = proxy ? proxy.listener : uasPort;
    uac = new Measured(`${p.uac} uac`, programArgv(p.uac, uacArgs(target), nodeArgs, wrap), { logFile: join(dir, `${tag}-uac.log`) });
    await uac.ready();
    const limitMs = (seconds * 3 + 10) * 1000;
    const finished = await uac.waitExit(limitMs);
    if (!finished) await uac.stop();
    // The UAS ends by itself after -m calls and the 4 s timewait; give it 6 s, then stop it.
    if (!(await uas.waitExit(uasGraceMs))) await uas.stop();

    if (proxy) {
      const workersCpu = treeCpuSeconds(proxy.proc.pid);
      await proxy.proc.stop();
      out.proxy = proxy.proc.result();
      out.proxy.cpu = Math.max(out.proxy.cpu, workersCpu);
    }
    out.uac = uac.result();
    out.uas = uas.result();
    clearInterval(poll);
    out.uac.sock = sock.uac;
    out.uas.sock = sock.uas;
    const snmpAfter = udpSnmp();
    // CPU the machine spent on anything but the two programs and this script: other load.
    const cpuAfter = machineCpu();
    const self = process.cpuUsage(selfBefore);
    out.otherCpu = Math.max(0, cpuAfter.busy - cpuBefore.busy - out.uac.cpu - out.uas.cpu - (out.proxy?.cpu ?? 0) - (self.user + self.system) / 1e6);
    out.steal = cpuAfter.steal - cpuBefore.steal;
    out.systemRcvbufErrors = (snmpAfter.RcvbufErrors ?? 0) - (snmpBefore.RcvbufErrors ?? 0);
    const row = lastStatRow(csv);
    if (row !== undefined) {
      out.created = Number(row['OutgoingCall(C)']);
      out.successful = Number(row['SuccessfulCall(C)']);
      out.failed = Number(row['FailedCall(C)']);
      out.achieved = Number(row['CallRate(C)']);
      out.retransmissions = Number(row['Retransmissions(C)']);
    }
    if (!finished) out.reason = `uac did not finish in ${limitMs / 1000} s`;
    else if (row === undefined) out.reason = `no -trace_stat row (uac exit ${out.uac.code}, see ${uac.logFile})`;
    else if (out.failed > 0) out.reason = `${out.failed} failed calls`;
    else if (out.successful < calls) out.reason = `${out.successful}/${calls} calls succeeded`;
    else if (!(out.achieved >= 0.9 * rate)) out.reason = `achieved ${out.achieved.toFixed(0)} calls/s < 90% of ${rate}`;
    else if (out.uac.code !== 0) out.reason = `uac exit status ${out.uac.code}`;
    else if (out.uas.killed) out.reason = 'uas did not finish its -m calls (stopped)';
    // Over TCP, SIPp's uas counts the calls still in its 4 s timewait when the client closes
    // the connection as failed (against its own uac too), so its exit status 1 says nothing
    // about the traffic: the client's counts above decide.
    else if (out.uas.code !== 0 && !(uasTransport !== 'u1' && p.uas === 'sipp' && out.uas.code === 1)) out.reason = `uas exit status ${out.uas.code}`;
    else out.clean = true;
    if (!out.clean && (sock.uac.drops > 0 || sock.uas.drops > 0)) {
      out.reason += ` (receive-buffer drops: uac ${sock.uac.drops}, uas ${sock.uas.drops})`;
    }
    return out;
  } finally {
    clearInterval(poll);
    if (uac !== undefined) await uac.stop();
    await uas.stop();
    await proxy?.proc.stop();
  }
}

/**
 * CPU cost of a program that gets no traffic: started as a UAS, idle for 1 s, stopped by its
 * own -timeout. Mostly start-up (module loading for gossipper).
 */
export async function idleBaseline(kind, dir, transport = 'u1', tls = undefined) {
  const port = freePortPair();
  const args = ['-sn', 'uas', '-t', transport, '-i', '127.0.0.1', '-p', String(port), '-buff_size', String(BUFF_SIZE), '-nostdin', '-timeout', '1s',
    ...(tls ? ['-tls_cert', tls.cert, '-tls_key', tls.key] : [])];
  const proc = new Measured(`${kind} idle`, programArgv(kind, args, []), { logFile: join(dir, `${kind}-idle.log`) });
  await proc.ready();
  if (!(await proc.waitExit(15000))) await proc.stop();
  return proc.result();
}

export function loadLine() {
  return loadavg().map((v) => v.toFixed(2)).join(' ');
}
