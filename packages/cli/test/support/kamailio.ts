/**
 * Kamailio (Debian `kamailio`, `kamailio-tls-modules`, `kamailio-websocket-modules`) as a real
 * SIP proxy between our engine and SIPp: started by the test on loopback with a config of
 * ours (kamailio-config.mjs, shared with the bench: UDP in -> `inner`, our side; any other
 * transport in -> `outer`, SIPp over UDP), stopped by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listeningTcpPorts } from './net.js';
import { KAMAILIO_PATH } from './peers.js';
import { writeKamailioConfig, type KamailioConfig, type KamailioPorts } from './kamailio-config.mjs';

export type { KamailioPorts };
export type KamailioOptions = KamailioConfig;

export interface Kamailio {
  readonly pid: number;
  /** What Kamailio printed (log_stderror), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts Kamailio in the foreground (-DD, its children forked) and waits for its TCP listeners. */
export async function startKamailio(options: KamailioOptions): Promise<Kamailio> {
  const dir = mkdtempSync(join(tmpdir(), 'gossipper-kamailio-'));
  const cfg = join(dir, 'kamailio.cfg');
  const child: ChildProcess = spawn(KAMAILIO_PATH, writeKamailioConfig(dir, options), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const wanted = [options.ports.tcp, options.ports.tls, options.ports.ws, options.ports.wss];
  const deadline = Date.now() + 10_000;
  while (!wanted.every((p) => listeningTcpPorts().has(p))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`kamailio did not start (exit ${child.exitCode}):\n${log}\nconfig: ${readFileSync(cfg, 'utf8')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    pid: child.pid!,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
