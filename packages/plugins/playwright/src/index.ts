// Playwright's `test` with a `sip` fixture: `await sip.run('uac.xml', opts)` runs a scenario in
// the test process; `await sip.uas('uas.xml')` starts a peer a page under test can call. Peers
// stop after the test; each run's summary is attached to the report. A test that uses only
// `sip` starts no browser.
import { basename } from 'node:path';
import { test as base } from '@playwright/test';
import { runEmbeddedScenario, ScenarioFailure, sipScenario as sipScenarioThunk, startPeer } from '@gossipper/cli';
import type { TestInfo } from '@playwright/test';
import type { EmbeddedPeer, EmbeddedScenarioOptions, EmbeddedScenarioResult } from '@gossipper/cli';

export { ScenarioFailure, setScenarioDefaults } from '@gossipper/cli';

/**
 * The same thunk as in Vitest and Mocha, shaped as Playwright wants a test body (its first
 * parameter destructures the fixtures); a failure attaches the ladders to the report.
 */
export function sipScenario(scenario: string, options: EmbeddedScenarioOptions = {}): (fixtures: object, testInfo: TestInfo) => Promise<void> {
  // eslint-disable-next-line no-empty-pattern
  return async ({}: object, testInfo: TestInfo) => sipScenarioThunk(scenario, options)(testInfo);
}
export type ScenarioOptions = EmbeddedScenarioOptions;
export type ScenarioResult = EmbeddedScenarioResult;

export interface SipFixture {
  /** Run a scenario to its end; throws a ScenarioFailure unless every call succeeded. */
  run(scenario: string, options?: ScenarioOptions): Promise<ScenarioResult>;
  /** Run a scenario and return its result whatever happened. */
  runAllowingFailure(scenario: string, options?: ScenarioOptions): Promise<ScenarioResult>;
  /** Start a peer (a built-in name or an .xml file) for this test: its `address` is `ip:port`. */
  uas(scenario?: string): Promise<EmbeddedPeer>;
}

export const test = base.extend<{ sip: SipFixture }>({
  // eslint-disable-next-line no-empty-pattern
  sip: async ({}, use, testInfo) => {
    const peers: EmbeddedPeer[] = [];
    let runs = 0;
    const runAllowingFailure = async (scenario: string, options: ScenarioOptions = {}): Promise<ScenarioResult> => {
      const result = await runEmbeddedScenario(scenario, options);
      runs++;
      await testInfo.attach(`sip-summary-${runs}-${scenario.replace(/[^\w.-]+/g, '_')}.json`, {
        body: JSON.stringify(result.summary, null, 2),
        contentType: 'application/json',
      });
      return result;
    };
    await use({
      runAllowingFailure,
      async run(scenario, options) {
        const result = await runAllowingFailure(scenario, options);
        if (!result.passed) {
          // The failed calls' ladders and traces go into the report.
          for (const path of result.artifacts) {
            await testInfo.attach(basename(path), { path, contentType: path.endsWith('.html') ? 'text/html' : 'text/plain' });
          }
          throw new ScenarioFailure(scenario, result);
        }
        return result;
      },
      async uas(scenario = 'uas') {
        const peer = await startPeer(scenario);
        peers.push(peer);
        return peer;
      },
    });
    for (const peer of peers) await peer.stop();
  },
});

export { expect } from '@playwright/test';
