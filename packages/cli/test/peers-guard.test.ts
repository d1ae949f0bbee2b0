/** The guard every real-peer test goes through (support/peers.ts): skip loudly locally, fail on CI. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHROMIUM, KAMAILIO, missingWarning, peerAvailable, requirePeers, SIPP, type Peer } from './support/peers.js';

const absent: Peer = { name: 'a peer that is not there', files: ['/nonexistent/peer-bin'], packages: 'peer-one peer-two' };
const present: Peer = { name: 'sh', files: ['/bin/sh'], packages: 'dash' };
const withoutModule: Peer = { name: 'sh with a module', files: ['/bin/sh', '/nonexistent/module.so'], packages: 'dash' };

describe('real-peer guard', () => {
  const ci = process.env.CI;
  afterEach(() => {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
    vi.restoreAllMocks();
  });

  it('locally: a missing peer gives false and one warning line naming the packages, once', () => {
    delete process.env.CI;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(requirePeers(present, absent)).toBe(false);
    expect(requirePeers(absent)).toBe(false);
    expect(warn.mock.calls).toEqual([
      ['SKIPPED: a peer that is not there not found; install the Debian packages peer-one peer-two (apt-get install -y peer-one peer-two)'],
    ]);
    expect(requirePeers(present)).toBe(true);
  });

  it('on CI: a missing peer (or one missing module) throws, naming the file and the packages', () => {
    process.env.CI = 'true';
    expect(() => requirePeers(absent)).toThrow('a peer that is not there not found (/nonexistent/peer-bin): CI must install peer-one peer-two');
    expect(() => requirePeers(present, withoutModule)).toThrow('sh with a module not found (/nonexistent/module.so)');
    expect(requirePeers(present)).toBe(true);
  });

  it('names the Debian packages of SIPp, Kamailio and Chromium', () => {
    expect(missingWarning(SIPP)).toBe('SKIPPED: real SIPp not found; install the Debian package sip-tester (apt-get install -y sip-tester)');
    expect(missingWarning(KAMAILIO)).toContain('apt-get install -y kamailio kamailio-tls-modules kamailio-websocket-modules');
    expect(missingWarning(CHROMIUM)).toContain('apt-get install -y chromium');
    expect(peerAvailable(withoutModule)).toBe(false);
  });
});
