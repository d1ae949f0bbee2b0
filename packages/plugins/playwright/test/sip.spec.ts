// Run by Playwright itself (npm test): SIP-only tests, no browser is started.
import { expect, sipScenario, test } from '@gossipper/playwright';

// The same thunk as in Vitest and Mocha.
test('INVITE flow', sipScenario('uac', { peer: 'uas' }));

test('the sip fixture: a peer for the test, a run against it, the summary attached', async ({ sip }, testInfo) => {
  const uas = await sip.uas('uas');
  expect(uas.address).toMatch(/^127\.0\.0\.1:\d+$/);
  const result = await sip.run('uac', { remote: uas.address, calls: 3, rate: 30 });
  expect(result.summary.calls.successful).toBe(3);
  expect(testInfo.attachments.map((a) => a.name)).toEqual(['sip-summary-1-uac.json']);
});

test('a failing run throws a ScenarioFailure that explains it, its ladder attached to the report', async ({ sip }, testInfo) => {
  const result = await sip.runAllowingFailure('uac', { remote: '127.0.0.1:9', timeout: 500 });
  expect(result.passed).toBe(false);
  expect(result.explanation).toContain('still open when the run stopped');
  await expect(sip.run('uac', { remote: '127.0.0.1:9', timeout: 500 })).rejects.toThrow(/SIP scenario uac: 0 of 1 calls succeeded/);
  expect(testInfo.attachments.map((a) => a.name)).toEqual([
    'sip-summary-1-uac.json',
    'sip-summary-2-uac.json',
    'call-1-ladder.html',
    'call-1-messages.log',
  ]);
});
