import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'adapters/**/*.test.ts', 'commands/**/*.test.ts', 'prompts/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/harness/redis-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
