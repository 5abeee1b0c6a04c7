// Normalizations of inputs with no elements (found by the fuzzer, fuzz/ at the repository root): MLX
// 0.32.4 kept a float32 statistic per row, so 2^31 - 1 empty rows took 8.6 GB and minutes for an empty
// result.
import * as mx from '@mlxts/core';
import * as fast from '@mlxts/fast';
import { withoutLeaks } from '@mlxts/testing';
import { describe, expect, it } from 'vitest';

describe('rmsNorm and layerNorm of empty inputs', () => {
  it('give an empty result shaped like the input without per-row work', () =>
    withoutLeaks(() => {
      mx.resetPeakMemory();
      const x = mx.zeros([2 ** 31 - 1, 0], 'float16');
      for (const out of [fast.rmsNorm(x, null), fast.layerNorm(x, null, null), fast.rmsNorm(mx.zeros([0, 4]), mx.ones([4]))]) {
        mx.evalSync(out);
        expect(out.size).toBe(0);
      }
      expect(fast.rmsNorm(x, null).shape).toEqual([2 ** 31 - 1, 0]);
      expect(fast.layerNorm(x, null, null).dtype).toBe('float16');
      expect(mx.memory().peakBytes).toBeLessThan(1_000_000);
    }));

  it("keep MLX's checks and values otherwise", () =>
    withoutLeaks(() => {
      expect(() => fast.rmsNorm(mx.zeros([0, 4]), mx.ones([3]))).toThrow(mx.MlxError);
      // [3, 4] / sqrt(mean([9, 16])) = [3, 4] / sqrt(12.5)
      const y = fast.rmsNorm(mx.array([[3, 4]]), null, 0).toArray() as number[][];
      expect(y[0].map((v) => Math.round(v * 1e5) / 1e5)).toEqual([3 / Math.sqrt(12.5), 4 / Math.sqrt(12.5)].map((v) => Math.round(v * 1e5) / 1e5));
    }));
});
