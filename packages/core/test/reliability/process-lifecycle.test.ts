// The process survives the ends of threads and of itself while MLX work is in flight. Each run is a
// process of its own, because what fails here is the process (an abort or a segfault), and only
// intermittently: every case runs several times.
import { describe, expect, it } from 'vitest';
import { runFixture } from './run-script.js';

describe('process lifecycle', () => {
  it('worker.terminate() while the worker runs mlxts ops leaves the process working (10 runs)', () => {
    for (let run = 0; run < 10; run++) {
      const out = runFixture('terminate-worker.mjs');
      expect(`${out.ending} ${out.stdout.trim()}`, `run ${run}: ${out.stderr}`).toBe('exit 0 ok 10');
    }
  }, 120_000);

  it('process.exit() while evaluations are in flight exits with its code, not a signal (10 runs)', () => {
    for (let run = 0; run < 10; run++) {
      const out = runFixture('exit-during-eval.mjs');
      expect(out.ending, `run ${run}: ${out.stderr}`).toBe('exit 7');
    }
  }, 120_000);
});
