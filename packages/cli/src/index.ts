// The in-process API the test plugins build on; the command line is bin/gossipper.js.
export { runEmbeddedScenario, ScenarioFailure, setScenarioDefaults, sipScenario, startPeer } from './embedded.js';
export type { EmbeddedPeer, EmbeddedScenarioOptions, EmbeddedScenarioResult, ResponseTimes } from './embedded.js';
