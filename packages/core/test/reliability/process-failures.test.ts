// Failures that end or stall the whole process, some only intermittently: worker termination, exit while
// MLX works, a kernel loop on undefined memory, an integer division by zero in a kernel. Each run is a
// process of its own, and the intermittent cases run several times.
import { describe, expect, it } from 'vitest';
import { runFixture } from './run-script.js';

describe('process-level failures', () => {
  it('worker.terminate() while the worker runs mlxts ops leaves the process working (10 runs)', async () => {
    for (let run = 0; run < 10; run++) {
      const out = await runFixture('terminate-worker.mjs');
      expect(`${out.ending} ${out.stdout.trim()}`, `run ${run}: ${out.stderr}`).toBe('exit 0 ok 10');
    }
  }, 120_000);

  it('process.exit() while evaluations are in flight exits with its code, not a signal (10 runs)', async () => {
    for (let run = 0; run < 10; run++) {
      const out = await runFixture('exit-during-eval.mjs');
      expect(out.ending, `run ${run}: ${out.stderr}`).toBe('exit 7');
    }
  }, 120_000);

  it('reductions over the empty axis of a non-contiguous view finish with the right values (50 runs)', async () => {
    const expected = {
      sum: [0, 0],
      mean: [null, null],
      prod: [1, 1],
      any: [false, false],
      all: [true, true],
      variance: [null, null],
      std: [null, null],
      norm: [0, 0],
      layerNorm: [[], []],
      rmsNorm: [[], []],
      cumsum: [[], []],
    };
    for (let run = 0; run < 50; run++) {
      const out = await runFixture('empty-view-reductions.mjs', [], 20_000);
      expect(out.ending, `run ${run}: ${out.stderr}`).toBe('exit 0');
      expect(JSON.parse(out.stdout)).toEqual(expected);
    }
  }, 300_000);

  it('matrix products over an empty batch of 2^32-element matrices give the empty result (no SIGFPE)', async () => {
    const out = await runFixture('empty-batch-products.mjs', [], 20_000);
    expect(out.ending, out.stderr).toBe('exit 0');
    expect(JSON.parse(out.stdout)).toEqual({ matmul: [0, 65536, 1], matmulTaller: [0, 131072, 2], einsum: [0, 65536, 1] });
  }, 30_000);
});
