// SIP scenarios as tests: `test('INVITE flow', sipScenario('uac.xml', { peer: 'uas' }))`.
// The scenario runs inside the test worker on ephemeral ports; a failure says which call,
// which step (file:line), what was expected and what arrived.
import { runEmbeddedScenario } from '@gossipper/cli';
import type { EmbeddedScenarioOptions, EmbeddedScenarioResult } from '@gossipper/cli';

export { ScenarioFailure, setScenarioDefaults, sipScenario } from '@gossipper/cli';
export type ScenarioOptions = EmbeddedScenarioOptions;
export type ScenarioResult = EmbeddedScenarioResult;

/** Run a scenario (a file ending in .xml, or a built-in name) and return its summary. */
export function runScenario(scenario: string, options: ScenarioOptions = {}): Promise<ScenarioResult> {
  return runEmbeddedScenario(scenario, options);
}

export { sipMatchers } from './matchers.js';
export { gossipper, GossipperReporter } from './plugin.js';
export type { GossipperPluginOptions } from './plugin.js';
