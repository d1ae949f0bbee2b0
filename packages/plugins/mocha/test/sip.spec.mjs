// Run by Mocha itself (npm test), over the built package, as a user's suite would be.
import assert from 'node:assert/strict';
import { runScenario, ScenarioFailure, sipScenario } from '@gossipper/mocha';

describe('SIP scenarios in Mocha', function () {
  this.timeout(30_000);

  // The same thunk as in Vitest and Playwright.
  it('INVITE flow', sipScenario('uac', { peer: 'uas' }));

  it('takes the root hook defaults (2 calls), a scenario option wins', async () => {
    const byDefault = await runScenario('uac', { peer: 'uas' });
    assert.equal(byDefault.summary.calls.successful, 2);
    const own = await runScenario('uac', { peer: 'uas', calls: 3 });
    assert.equal(own.summary.calls.successful, 3);
  });

  it('a failing scenario rejects with a ScenarioFailure that explains it', async () => {
    // Nobody answers on 127.0.0.1:9 (discard): the run is cut off at its timeout.
    await assert.rejects(sipScenario('uac', { remote: '127.0.0.1:9', timeout: 500, calls: 1 }), (error) => {
      assert.ok(error instanceof ScenarioFailure);
      assert.match(error.message, /SIP scenario uac: 0 of 1 calls succeeded/);
      return true;
    });
  });
});
