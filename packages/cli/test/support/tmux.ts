/**
 * tmux for the terminal tests: a private tmux server (its own socket, no config file) whose
 * windows run gossipper and SIPp on a real pseudo-terminal, driven with send-keys and read
 * with capture-pane. Only that server is ever killed (kill-server on its own socket).
 *
 * Locally, a missing tmux skips with one loud line naming the Debian package; on CI
 * (CI=true) it fails: the guard of peers.ts.
 */
import { execFileSync } from 'node:child_process';
import { describeWithPeers, missingWarning, peerAvailable, SIPP, type Peer } from './peers.js';

export const TMUX_PATH = process.env.GOSSIPPER_E2E_TMUX ?? '/usr/bin/tmux';
export const TMUX: Peer = { name: 'tmux', files: [TMUX_PATH], packages: 'tmux' };

export const TMUX_MISSING_WARNING = missingWarning(TMUX);

export function tmuxAvailable(): boolean {
  return peerAvailable(TMUX);
}

/** `describe` for a block that needs tmux and the real SIPp. */
export function describeWithTmuxAndSipp(name: string, factory: () => void): void {
  describeWithPeers([TMUX, SIPP], name, factory);
}

/** A private tmux server. */
export class Tmux {
  readonly socket = `gossipper-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  private run(args: readonly string[]): string {
    return execFileSync(TMUX_PATH, ['-L', this.socket, '-f', '/dev/null', ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** A new session (window) of 80x40 running `command` through sh in `cwd`. */
  start(name: string, command: string, cwd: string): void {
    this.run(['new-session', '-d', '-s', name, '-x', '80', '-y', '40', '-c', cwd, command]);
  }

  /** The visible screen of a session, one string per row (trailing blanks cut). */
  capture(name: string): string[] {
    return this.run(['capture-pane', '-p', '-t', name]).split('\n').map((l) => l.replace(/\s+$/, ''));
  }

  /** Keys typed into a session, each given to tmux literally (-l). */
  type(name: string, keys: string): void {
    this.run(['send-keys', '-t', name, '-l', keys]);
  }

  /** A tmux key name (C-c, Enter, ...). */
  press(name: string, key: string): void {
    this.run(['send-keys', '-t', name, key]);
  }

  /** A tmux format of the session's pane: `#{alternate_on}`, `#{cursor_flag}`, ... */
  display(name: string, format: string): string {
    return this.run(['display-message', '-p', '-t', name, format]).trim();
  }

  /** Kill this server and what runs in it. Safe when it is not running. */
  kill(): void {
    try {
      this.run(['kill-server']);
    } catch {
      // Not running.
    }
  }
}
