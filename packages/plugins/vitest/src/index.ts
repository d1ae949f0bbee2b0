// SIP scenarios as tests: `test('INVITE flow', sipScenario('uac.xml', { peer: 'uas' }))`.
// The scenario runs inside the test worker on ephemeral ports; a failure says which call,
// which step (file:line), what was expected and what arrived.
import { runEmbeddedScenario } from '@gossipper/cli';
import type { EmbeddedScenarioOptions, EmbeddedScenarioResult } from '@gossipper/cli';

export type ScenarioOptions = EmbeddedScenarioOptions;
export type ScenarioResult = EmbeddedScenarioResult;

/** Run a scenario (a file ending in .xml, or a built-in name) and return its summary. */
export function runScenario(scenario: string, options: ScenarioOptions = {}): Promise<ScenarioResult> {
  return runEmbeddedScenario(scenario, options);
}

/** A failed scenario: the message is the explanation; `result` holds the whole summary. */
export class ScenarioFailure extends Error {
  constructor(
    readonly scenario: string,
    readonly result: ScenarioResult,
  ) {
    const { calls } = result.summary;
    super(
      `SIP scenario ${scenario}: ${calls.successful} of ${calls.created} calls succeeded (exit code ${result.exitCode})\n` +
        result.explanation,
    );
    this.name = 'ScenarioFailure';
  }
}

/**
 * A plain async test function, so the same call works in Vitest's and Playwright's `test`
 * and in Mocha's `it`: it resolves when every call succeeded and throws a ScenarioFailure
 * otherwise.
 */
export function sipScenario(scenario: string, options: ScenarioOptions = {}): () => Promise<void> {
  return async () => {
    const result = await runEmbeddedScenario(scenario, options);
    if (!result.passed) throw new ScenarioFailure(scenario, result);
  };
}

export { sipMatchers } from './matchers.js';
