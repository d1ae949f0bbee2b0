// Runs every ```sh example block of docs/*.md, as a reader would paste it, with `gossipper`
// on the PATH. A block passes when it exits 0; its grep/test lines are the checks. Servers a
// block starts in the background end by themselves (-m and -timeout), or the block stops them
// by PID (a trap on EXIT). A block that runs a real peer says so in its fence,
// ```sh example needs=kamailio (names: sipp, kamailio, chromium), and goes through the peer
// guard: skipped with one line locally when the peer is missing, failed under CI=true.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, KAMAILIO, requirePeers, SIPP, type Peer } from './support/peers.js';

const root = resolve(import.meta.dirname, '../../..');
const docsDir = join(root, 'docs');
const bin = join(root, 'packages/cli/bin/gossipper.js');

const PEERS: Record<string, Peer> = { sipp: SIPP, kamailio: KAMAILIO, chromium: CHROMIUM };

interface Example {
  file: string;
  line: number;
  script: string;
  needs: Peer[];
}

/** The peers of a fence's `needs=a,b`; an unknown name is an error in the docs. */
function needsOf(fence: string, where: string): Peer[] {
  const names = /\bneeds=(\S+)/.exec(fence)?.[1]?.split(',') ?? [];
  return names.map((name) => {
    const peer = PEERS[name];
    if (peer === undefined) throw new Error(`${where}: unknown needs=${name} (known: ${Object.keys(PEERS).join(', ')})`);
    return peer;
  });
}

function examplesOf(file: string): Example[] {
  const lines = readFileSync(join(docsDir, file), 'utf8').split('\n');
  const found: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = lines[i]!.trim();
    if (fence !== '```sh example' && !fence.startsWith('```sh example ')) continue;
    const start = i + 1;
    const needs = needsOf(fence, `docs/${file}:${i + 1}`);
    const body: string[] = [];
    for (i = start; i < lines.length && lines[i]!.trim() !== '```'; i++) body.push(lines[i]!);
    found.push({ file, line: start, script: body.join('\n'), needs });
  }
  return found;
}

const examples = readdirSync(docsDir)
  .filter((f) => f.endsWith('.md'))
  .flatMap(examplesOf);

const shimDir = mkdtempSync(join(tmpdir(), 'gossipper-docs-bin-'));
writeFileSync(join(shimDir, 'gossipper'), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`);
chmodSync(join(shimDir, 'gossipper'), 0o755);

describe('docs examples', () => {
  it('finds the worked examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });

  for (const example of examples) {
    it(`docs/${example.file}:${example.line} runs and its checks pass`, (ctx) => {
      if (!requirePeers(...example.needs)) ctx.skip();
      const cwd = mkdtempSync(join(tmpdir(), 'gossipper-docs-'));
      const run = spawnSync('bash', ['-e', '-c', example.script], {
        cwd,
        env: { ...process.env, PATH: `${shimDir}:${process.env.PATH}` },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0);
    });
  }
});
