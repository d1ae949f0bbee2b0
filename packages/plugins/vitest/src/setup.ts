// Runs in each test worker before the test files (the plugin adds it to `setupFiles`).
import { expect, inject } from 'vitest';
import { setScenarioDefaults } from '@gossipper/cli';
import { sipMatchers } from './matchers.js';
import type {} from './plugin.js'; // ProvidedContext.gossipperDefaults

expect.extend(sipMatchers);
setScenarioDefaults(inject('gossipperDefaults') ?? {});
