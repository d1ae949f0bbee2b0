// The install script of the addon must never fail `npm ci`: it is run here on a copy of the
// package where the compiler fails, and where node-addon-api is missing.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const packageDir = resolve(import.meta.dirname, '..');
const rootModules = resolve(packageDir, '../../../node_modules');
const copies: string[] = [];
afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function copyOfPackage(withModules: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'gossipper-native-'));
  copies.push(dir);
  for (const part of ['package.json', 'binding.gyp', 'native', 'scripts']) cpSync(join(packageDir, part), join(dir, part), { recursive: true });
  if (withModules) symlinkSync(rootModules, join(dir, 'node_modules'));
  return dir;
}

function install(dir: string, env: NodeJS.ProcessEnv, ...flags: string[]) {
  return spawnSync(process.execPath, [join(dir, 'scripts/build-native.mjs'), ...flags], {
    cwd: dir,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('scripts/build-native.mjs (the install script)', () => {
  it('exits 0 and says dgram will run when the compiler fails', () => {
    const dir = copyOfPackage(true);
    const run = install(dir, { CC: '/bin/false', CXX: '/bin/false' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/sendmmsg addon not built \(node-gyp: .*\); media-scale will send with dgram/);
    expect(existsSync(join(dir, 'build/Release/gossipper_sendmmsg.node'))).toBe(false);
  }, 130_000);

  it('exits 0 without node-addon-api, and 1 with --strict', () => {
    const dir = copyOfPackage(false);
    const run = install(dir, {});
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('sendmmsg addon not built (node-addon-api is not installed); media-scale will send with dgram');
    expect(install(dir, {}, '--strict').status).toBe(1);
  });

  it('GOSSIPPER_SKIP_NATIVE=1 skips the build', () => {
    const dir = copyOfPackage(true);
    const run = install(dir, { GOSSIPPER_SKIP_NATIVE: '1' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('(GOSSIPPER_SKIP_NATIVE=1)');
  });
});
