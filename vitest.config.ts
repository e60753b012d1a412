import { defineConfig } from 'vitest/config';

/**
 * Two groups, run one after the other: everything else (files in parallel), then the crash and
 * fault-injection tests one file at a time — they start and SIGKILL processes, and their timing
 * bounds (a session never waits longer than the sweeper interval plus the lock time) are about
 * the bot, not about a machine starved by other test files.
 */
const shared = {
  globalSetup: ['test/harness/redis-global-setup.ts'],
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: 'forks' as const,
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'main',
          include: ['src/**/*.test.ts', 'adapters/**/*.test.ts', 'commands/**/*.test.ts', 'prompts/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/resilience/**', 'node_modules/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'resilience',
          include: ['test/resilience/**/*.test.ts'],
          sequence: { groupOrder: 1 },
          fileParallelism: false,
        },
      },
    ],
  },
});
