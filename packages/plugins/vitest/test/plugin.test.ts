// The Vitest plugin as a user's project has it: a separate Vitest run of the fixture project
// (its vitest.config.mjs lists `gossipper({ peer: 'uas', calls: 3, ... })`), through the
// built package as node_modules resolves it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const project = fileURLToPath(new URL('./fixtures/plugin-project/', import.meta.url));
const vitestBin = join(createRequire(import.meta.url).resolve('vitest/package.json'), '..', 'vitest.mjs');

test('the plugin gives defaults, matchers and a report of the failed scenarios', () => {
  const reportDir = mkdtempSync(join(tmpdir(), 'gossipper-sip-report-'));
  const run = spawnSync(process.execPath, [vitestBin, 'run', '--root', project, '--reporter', 'verbose'], {
    encoding: 'utf8',
    env: { ...process.env, SIP_REPORT_DIR: reportDir, FORCE_COLOR: '0', NO_COLOR: '1' },
    timeout: 60_000,
  });
  rmSync(join(project, '.vitest-attachments'), { recursive: true, force: true });
  const out = run.stdout + run.stderr;
  expect(run.status, out).toBe(1);
  // The two passing tests ran on the plugin's defaults (an embedded UAS, 3 calls) and matchers.
  expect(out).toMatch(/✓ invite\.test\.mjs > INVITE flow/);
  expect(out).toMatch(/✓ invite\.test\.mjs > defaults and matchers come from the plugin/);
  expect(out).toMatch(/× invite\.test\.mjs > busy callee/);
  expect(out).toContain('Tests  1 failed | 2 passed (3)');
  // The reporter lists the failed scenario's ladder and trace, and copies them to reportDir.
  expect(out).toMatch(/SIP ladders and message traces of the failed scenarios:\n  invite\.test\.mjs > busy callee\n    \S+\.html\n    \S+\.log\n/);
  expect(out).toContain(`SIP report: ${join(reportDir, 'index.html')}`);
  expect(readdirSync(join(reportDir, '1')).sort()).toEqual(['call-1-ladder.html', 'call-1-messages.log']);
  expect(readFileSync(join(reportDir, '1', 'call-1-ladder.html'), 'latin1')).toContain('>SIP/2.0 486 Busy Here<');
  const index = readFileSync(join(reportDir, 'index.html'), 'utf8');
  expect(index).toContain('invite.test.mjs &gt; busy callee');
  expect(index).toContain('<a href="1/call-1-ladder.html">call-1-ladder.html</a>');
});
