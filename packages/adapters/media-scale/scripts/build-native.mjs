#!/usr/bin/env node
// Builds the optional sendmmsg addon with node-gyp, offline. It never fails the install: where
// there is no compiler, no Node headers or no node-gyp, it says so in one line and exits 0,
// and the adapter sends through Node's dgram instead (the run prints which path it uses).
// `--strict` (npm run build:native) exits 1 on failure instead, for people who want to know.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');

function done(ok, message) {
  if (ok) {
    console.log(`@gossipper/adapter-media-scale: ${message}`);
    process.exit(0);
  }
  console.log(`@gossipper/adapter-media-scale: sendmmsg addon not built (${message}); media-scale will send with dgram`);
  process.exit(strict ? 1 : 0);
}

if (process.env.GOSSIPPER_SKIP_NATIVE === '1') done(false, 'GOSSIPPER_SKIP_NATIVE=1');
if (process.platform !== 'linux') done(false, `sendmmsg is Linux-only, this is ${process.platform}`);

/** node-gyp: the one npm runs scripts with, a local install, or the copy bundled with npm. */
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  try {
    candidates.push(createRequire(join(packageDir, 'package.json')).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed locally
  }
  const prefix = dirname(dirname(process.execPath));
  candidates.push(join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((path) => path !== undefined && path !== '' && existsSync(path));
}

/** Node's headers: npm's `nodedir` setting, else the ones installed beside this node binary. */
function findNodeDir() {
  const candidates = [process.env.npm_config_nodedir, dirname(dirname(process.execPath))];
  return candidates.find((dir) => dir !== undefined && dir !== '' && existsSync(join(dir, 'include', 'node', 'node_api.h')));
}

let addonApi;
try {
  addonApi = createRequire(join(packageDir, 'package.json')).resolve('node-addon-api');
} catch {
  done(false, 'node-addon-api is not installed');
}
const nodeGyp = findNodeGyp();
if (nodeGyp === undefined) done(false, 'node-gyp not found');
const nodeDir = findNodeDir();
if (nodeDir === undefined) done(false, 'no Node headers (include/node/node_api.h) beside node or in npm_config_nodedir');

const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`], {
  cwd: packageDir,
  encoding: 'utf8',
  timeout: 180_000,
  env: { ...process.env, npm_config_nodedir: nodeDir },
});
if (result.status !== 0) {
  const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
  const firstError = output.split('\n').find((line) => /error/i.test(line)) ?? `exit ${result.status ?? result.signal}`;
  done(false, `node-gyp: ${firstError.trim().slice(0, 200)}`);
}
void addonApi;
done(true, 'sendmmsg addon built');
