// SIP scenarios in Mocha: `it('INVITE flow', sipScenario('uac.xml', { peer: 'uas' }))`, and a
// root hook plugin that sets the options every scenario of the run starts from.
import { runEmbeddedScenario, setScenarioDefaults } from '@gossipper/cli';
import type { EmbeddedScenarioOptions, EmbeddedScenarioResult } from '@gossipper/cli';

export { ScenarioFailure, setScenarioDefaults, sipScenario } from '@gossipper/cli';
export type ScenarioOptions = EmbeddedScenarioOptions;
export type ScenarioResult = EmbeddedScenarioResult;

/** Run a scenario (a file ending in .xml, or a built-in name) and return its summary. */
export function runScenario(scenario: string, options: ScenarioOptions = {}): Promise<ScenarioResult> {
  return runEmbeddedScenario(scenario, options);
}

/**
 * Mocha's root hooks for a `--require` file: `export const mochaHooks = sipRootHooks({ rate: 50 })`
 * gives every scenario of the run those options (a scenario's own options win).
 */
export function sipRootHooks(defaults: ScenarioOptions): { beforeAll(): void } {
  return {
    beforeAll() {
      setScenarioDefaults(defaults);
    },
  };
}
