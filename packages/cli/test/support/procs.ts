/**
 * Spawning the programs under test, tracked by PID so that nothing outlives its test.
 *
 * Every test makes its own {@link Session} (`session(ctx)`): a fresh temporary directory
 * (the processes' cwd, so their output files land there) and a list of the processes it
 * started. When the test finishes, each of them still alive is killed by its PID; a file's
 * `afterAll(killAllTracked)` sweeps whatever is left. Sessions are per test, so tests of a
 * file may run concurrently.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'vitest';
import { SIPP_PATH } from './peers.js';

/** packages/cli/bin/gossipper.js: the command as users run it. */
export const GOSSIPPER_BIN = fileURLToPath(new URL('../../bin/gossipper.js', import.meta.url));

const MAX_CAPTURE_BYTES = 16 * 1024 * 1024;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From spawn to exit (the 'exit' event), in ms. */
  elapsedMs: number;
}

class Capture {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  add(chunk: Buffer): void {
    if (this.size >= MAX_CAPTURE_BYTES) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** One spawned process. */
export class Proc {
  readonly pid: number;
  readonly startedAt = performance.now();
  /** Resolves once the process has exited and its stdout/stderr are drained. */
  readonly exited: Promise<Exit>;
  private readonly out = new Capture();
  private readonly err = new Capture();
  private exitInfo: Exit | undefined;

  constructor(
    readonly label: string,
    readonly child: ChildProcess,
  ) {
    if (child.pid === undefined) throw new Error(`${label}: spawn failed`);
    this.pid = child.pid;
    child.stdout?.on('data', (chunk: Buffer) => this.out.add(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.err.add(chunk));
    let exitedAt = 0;
    child.on('exit', () => {
      exitedAt = performance.now();
    });
    this.exited = new Promise<Exit>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => {
        this.exitInfo = { code, signal, elapsedMs: (exitedAt || performance.now()) - this.startedAt };
        resolve(this.exitInfo);
      });
    });
    this.exited.catch(() => undefined);
  }

  get stdout(): string {
    return this.out.text();
  }

  get stderr(): string {
    return this.err.text();
  }

  /** Not yet exited (as far as Node knows). */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Send a signal to this PID. */
  signal(sig: NodeJS.Signals): void {
    process.kill(this.pid, sig);
  }

  /** Wait for the exit, at most `timeoutMs`; a timeout throws with the output's tail. */
  async wait(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.label} (pid ${this.pid}) still running after ${timeoutMs} ms\n${this.describe()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The command's output tails, for assertion messages. */
  describe(): string {
    const tail = (s: string) => (s.length > 3000 ? `...${s.slice(-3000)}` : s);
    const exit = this.exitInfo ? ` exit code ${this.exitInfo.code} signal ${this.exitInfo.signal}` : '';
    return `--- ${this.label}${exit}\n--- stdout:\n${tail(this.stdout)}\n--- stderr:\n${tail(this.stderr)}`;
  }

  /** SIGKILL this PID if it is still alive, and wait (bounded) for it to go. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      return; // already gone
    }
    await Promise.race([this.exited.catch(() => undefined), delay(3000)]);
  }
}

const everyProcess = new Set<Proc>();

/** Kill (by PID) every process any session of this file started that is still alive. */
export async function killAllTracked(): Promise<void> {
  await Promise.all([...everyProcess].map((p) => p.kill()));
}

export interface SpawnOptions {
  /** Working directory; the session's directory by default. */
  cwd?: string;
  /** Variables added to this process's environment. */
  env?: NodeJS.ProcessEnv;
}

/** The processes and the temporary directory of one test. */
export class Session {
  readonly dir: string;
  readonly procs: Proc[] = [];
  private failed = false;

  constructor(readonly name: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'gossipper-e2e-'));
  }

  /** `node packages/cli/bin/gossipper.js ARGS` in the session directory. */
  gossipper(args: readonly string[], options: SpawnOptions = {}): Proc {
    return this.spawn(`gossipper ${args.join(' ')}`, process.execPath, [GOSSIPPER_BIN, ...args], options);
  }

  /** The real SIPp, in the foreground with stdin closed (-nostdin; stdin is /dev/null). */
  sipp(args: readonly string[], options: SpawnOptions = {}): Proc {
    return this.spawn(`sipp ${args.join(' ')}`, SIPP_PATH, [...args, '-nostdin'], options);
  }

  spawn(label: string, command: string, args: readonly string[], options: SpawnOptions = {}): Proc {
    const child = spawn(command, args, {
      cwd: options.cwd ?? this.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env !== undefined ? { ...process.env, ...options.env } : process.env,
    });
    const proc = new Proc(label, child);
    this.procs.push(proc);
    everyProcess.add(proc);
    void proc.exited.then(
      () => everyProcess.delete(proc),
      () => everyProcess.delete(proc),
    );
    return proc;
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  markFailed(): void {
    this.failed = true;
  }

  /** Kill what is still alive; remove the directory unless the test failed (kept for a look). */
  async cleanup(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.kill()));
    if (this.failed) {
      console.warn(`[${this.name}] kept ${this.dir} for inspection`);
      for (const p of this.procs) console.warn(p.describe());
    } else {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** A session bound to the running test: cleaned up when it finishes. */
export function session(ctx: TestContext): Session {
  const s = new Session(ctx.task.name);
  ctx.onTestFinished(async () => {
    if (ctx.task.result?.state === 'fail') s.markFailed();
    await s.cleanup();
  });
  return s;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `check` every `everyMs` until it returns true; throw naming `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 20,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(everyMs);
  }
}
