/**
 * Checks that the real SIPp (when installed) refuses the same fixtures for the same reason:
 * `sipp -sf fixture.xml` exits 1 and prints the message our loader gives (SIPp's wording).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturePath } from './helpers.js';

const SIPP = '/usr/bin/sipp';
const cwd = existsSync(SIPP) ? mkdtempSync(join(tmpdir(), 'sipp-compare-')) : '';
afterAll(() => {
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

function sipp(fixture: string): { status: number | null; output: string } {
  const r = spawnSync(SIPP, ['-sf', fixturePath(fixture), '127.0.0.1:5999', '-m', '1', '-timeout', '1s'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 5000,
  });
  return { status: r.status, output: `${r.stdout.toString('latin1')}${r.stderr.toString('latin1')}` };
}

describe.skipIf(!existsSync(SIPP))('SIPp 3.6.1 refuses the same fixtures', () => {
  it.each([
    ['duplicate-label.xml', "The label name 'a' is used twice."],
    ['unknown-next-label.xml', "The label 'nowhere' was not defined (index 1, next attribute)"],
    ['unknown-ontimeout-label.xml', "The label 'nowhere' was not defined (index 1, ontimeout attribute)"],
    ['timewait-not-last.xml', '<timewait> can only be the last message in a scenario!'],
    ['next-on-timewait.xml', 'next labels are not allowed in <timewait> elements.'],
    [
      'optional-then-pause.xml',
      "<recv> before <pause> sequence without a mandatory message. Please remove one 'optional=true' (element 4).",
    ],
    ['send-without-cdata.xml', "No CDATA in 'send' section of xml scenario file"],
    ['empty-scenario.xml', 'Did not find any messages inside of scenario!'],
    ['unknown-element.xml', "Unknown element 'foo' in xml scenario file"],
    ['rtd-never-stopped.xml', 'You have started Response Time Duration a, but have never stopped it!'],
    ['repeat-rtd-without-rtd.xml', 'There is a repeat_rtd element without an rtd element'],
    ['bad-retrans.xml', `retransmission timer 'retrans' parameter, "1s" is not a valid integer!`],
    ['bad-optional.xml', 'Could not understand optional value for recv: yes'],
    ['bad-response-code.xml', 'response code, "2xx" is not a valid integer!'],
    ['bad-pause.xml', 'Pause milliseconds, "1s" is not a floating point number!'],
    ['response-txn-never-started.xml', 'Transaction t1 is never started!'],
    ['not-a-scenario.xml', "No 'scenario' section in xml scenario file"],
    ['broken-unclosed.xml', 'Unexpected </scenario> (expected </recv>)'],
  ])('%s', (fixture, message) => {
    const r = sipp(fixture);
    expect(r.status).toBe(1);
    expect(r.output).toContain(message);
  });
});
