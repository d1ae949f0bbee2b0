/**
 * Guards for tests that need a real peer program (SIPp, Kamailio, Chromium, tmux).
 *
 * Locally, a missing peer skips the describe block with one loud line naming the Debian
 * package(s) to install. On CI (CI=true) a missing peer is an error: the block is replaced
 * by one test that throws, so the run fails instead of passing with nothing tested.
 */
import { accessSync, constants } from 'node:fs';
import { describe, it } from 'vitest';
import { DEFAULT_KAMAILIO_PATH, KAMAILIO_MODULES } from './kamailio-config.mjs';

/** A program a test runs against, and what installs it. */
export interface Peer {
  /** How the messages name it ("real SIPp"). */
  readonly name: string;
  /** The files that must exist (the first is the executable, which must be executable). */
  readonly files: readonly string[];
  /** The Debian packages that install them, space-separated. */
  readonly packages: string;
}

/** The SIPp the interop tests run; GOSSIPPER_E2E_SIPP overrides it (to exercise this guard). */
export const SIPP_PATH = process.env.GOSSIPPER_E2E_SIPP ?? '/usr/bin/sipp';
export const SIPP: Peer = { name: 'real SIPp', files: [SIPP_PATH], packages: 'sip-tester' };

/** Kamailio with the TLS and WebSocket modules; GOSSIPPER_E2E_KAMAILIO overrides the binary. */
export const KAMAILIO_PATH = process.env.GOSSIPPER_E2E_KAMAILIO ?? DEFAULT_KAMAILIO_PATH;
export const KAMAILIO: Peer = {
  name: 'Kamailio with its tls and websocket modules',
  files: [KAMAILIO_PATH, `${KAMAILIO_MODULES}/tls.so`, `${KAMAILIO_MODULES}/websocket.so`],
  packages: 'kamailio kamailio-tls-modules kamailio-websocket-modules',
};

/** The browser the WebSocket browser tests drive; GOSSIPPER_E2E_CHROMIUM overrides it. */
export const CHROMIUM_PATH = process.env.GOSSIPPER_E2E_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM: Peer = { name: 'Chromium', files: [CHROMIUM_PATH], packages: 'chromium' };

/** The openssl command, for tests that make throwaway certificates alongside another peer. */
export const OPENSSL: Peer = { name: 'the openssl command', files: ['/usr/bin/openssl'], packages: 'openssl' };

/** The first of the peer's files that is missing (or, for the executable, not executable). */
export function missingFile(peer: Peer): string | undefined {
  return peer.files.find((file, i) => {
    try {
      accessSync(file, i === 0 ? constants.X_OK : constants.R_OK);
      return false;
    } catch {
      return true;
    }
  });
}

export function peerAvailable(peer: Peer): boolean {
  return missingFile(peer) === undefined;
}

/** The one line a local run prints when it skips for lack of `peer`. */
export function missingWarning(peer: Peer): string {
  const plural = peer.packages.includes(' ') ? 's' : '';
  return `SKIPPED: ${peer.name} not found; install the Debian package${plural} ${peer.packages} (apt-get install -y ${peer.packages})`;
}

export const SIPP_MISSING_WARNING = missingWarning(SIPP);

const warned = new Set<Peer>();

/**
 * Throws when one of `peers` is missing on CI; returns false (after one warning per peer)
 * when one is missing locally; true when all are there. For use inside a test or a describe
 * factory.
 */
export function requirePeers(...peers: Peer[]): boolean {
  let all = true;
  for (const peer of peers) {
    const missing = missingFile(peer);
    if (missing === undefined) continue;
    if (process.env.CI === 'true') {
      throw new Error(`${peer.name} not found (${missing}): CI must install ${peer.packages} (apt-get install -y ${peer.packages})`);
    }
    all = false;
    if (!warned.has(peer)) {
      warned.add(peer);
      console.warn(missingWarning(peer));
    }
  }
  return all;
}

/** `describe` for a block whose tests run all of `peers`. */
export function describeWithPeers(peers: readonly Peer[], name: string, factory: () => void): void {
  if (peers.every(peerAvailable)) {
    describe(name, factory);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it(`has ${peers.map((p) => p.name).join(' and ')} to test against`, () => {
        requirePeers(...peers);
      });
    });
  } else {
    requirePeers(...peers);
    describe.skip(name, factory);
  }
}

export function sippAvailable(): boolean {
  return peerAvailable(SIPP);
}

export function requireSipp(): boolean {
  return requirePeers(SIPP);
}

/** `describe` for a block whose tests run SIPp. */
export function describeWithSipp(name: string, factory: () => void): void {
  describeWithPeers([SIPP], name, factory);
}
