import { configDefaults, defineConfig } from 'vitest/config';

// test/golden holds generated test files as expected output, not as tests to run.
export default defineConfig({
  test: { exclude: [...configDefaults.exclude, 'test/golden/**'] },
});
