import { defineConfig } from 'vitest/config';

// The native addon is process-wide state: run test files in forked processes, not worker threads.
export default defineConfig({
  test: {
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
  },
});
