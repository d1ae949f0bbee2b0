import { spawn } from 'node:child_process';
import { ExitCode } from './exit-codes.js';

/**
 * -bg: SIPp forks and the parent prints the child's PID and exits 99. Node cannot fork, so
 * the same command (without -bg) is started detached; the PID printed is the one to signal.
 */
export function spawnInBackground(): number {
  const args = process.argv.slice(1).filter((arg) => arg !== '-bg' && arg !== '--bg');
  const child = spawn(process.execPath, [...process.execArgv, ...args], { detached: true, stdio: 'ignore' });
  child.unref();
  process.stdout.write(`Background mode - PID=[${child.pid}]\n`);
  return ExitCode.Other;
}
