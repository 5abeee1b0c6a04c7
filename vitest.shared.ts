// Vitest settings shared by every package's tests.
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The native addon is process-wide state: run test files in forked processes, not worker threads.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    exclude: [...configDefaults.exclude, 'test/golden/**'],
    // A JSON report per package lets `npm test` print one closing count for the whole repository.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
