/**
 * Guards for tests that need a real peer program (SIPp).
 *
 * Locally, a missing /usr/bin/sipp skips the describe block with one loud line. On CI
 * (CI=true) a missing peer is an error: the block is replaced by one test that throws, so
 * the run fails instead of passing with nothing tested.
 */
import { accessSync, constants } from 'node:fs';
import { describe, it } from 'vitest';

/** The SIPp the interop tests run; GOSSIPPER_E2E_SIPP overrides it (to exercise this guard). */
export const SIPP_PATH = process.env.GOSSIPPER_E2E_SIPP ?? '/usr/bin/sipp';

export const SIPP_MISSING_WARNING =
  'SKIPPED: real SIPp not found; install the Debian package sip-tester (apt-get install -y sip-tester)';

export function sippAvailable(): boolean {
  try {
    accessSync(SIPP_PATH, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

let warned = false;

/**
 * Throws when SIPp is missing on CI; returns false (after one warning) when it is missing
 * locally; true when it is there. For use inside a test or a describe factory.
 */
export function requireSipp(): boolean {
  if (sippAvailable()) return true;
  if (process.env.CI === 'true') {
    throw new Error(`real SIPp not found at ${SIPP_PATH}: CI must install sip-tester (apt-get install -y sip-tester)`);
  }
  if (!warned) {
    warned = true;
    console.warn(SIPP_MISSING_WARNING);
  }
  return false;
}

/** `describe` for a block whose tests run SIPp. */
export function describeWithSipp(name: string, factory: () => void): void {
  if (sippAvailable()) {
    describe(name, factory);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('has real SIPp to test against', () => {
        requireSipp();
      });
    });
  } else {
    requireSipp();
    describe.skip(name, factory);
  }
}
