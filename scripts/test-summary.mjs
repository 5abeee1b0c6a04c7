// Prints one closing line for the whole repository from each package's vitest JSON report.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dirs = ['codegen', 'docs', 'integration', ...readdirSync(join(root, 'packages')).map((d) => join('packages', d))];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const dir of dirs) {
  const results = join(root, dir, 'test-results');
  if (!existsSync(results)) continue;
  for (const file of readdirSync(results).filter((f) => f.endsWith('.json'))) {
    const r = JSON.parse(readFileSync(join(results, file), 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + r.numTodoTests;
  }
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
