import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@gossipper/core': src('./packages/core/src/index.ts'),
      '@gossipper/adapter-udp': src('./packages/adapters/udp/src/index.ts'),
      '@gossipper/adapter-media-scale': src('./packages/adapters/media-scale/src/index.ts'),
      '@gossipper/adapter-tcp-tls': src('./packages/adapters/tcp-tls/src/index.ts'),
      '@gossipper/cli': src('./packages/cli/src/index.ts'),
      '@gossipper/vitest': src('./packages/plugins/vitest/src/index.ts'),
    },
  },
  test: {
    include: ['packages/**/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
