import { defineConfig } from '@playwright/test';

// SIP-only tests: no browser, no web server.
export default defineConfig({
  testDir: './test',
  timeout: 30_000,
  reporter: [['list']],
  outputDir: '/tmp/gossipper-playwright-results',
});
