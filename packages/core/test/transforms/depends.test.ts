// depends: values pass through, gradients reach the inputs only, and the dependencies are computed.
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { withoutLeaks } from '@mlxts/testing';

describe('depends', () => {
  it('passes values through, with dtypes and shapes', () =>
    withoutLeaks(() => {
      const [a, b] = mx.depends([mx.array([[1, 2]], 'int32'), mx.array(true)], [mx.ones([3])]);
      expect([a.dtype, a.shape, a.toArray()]).toEqual(['int32', [1, 2], [[1, 2]]]);
      expect(b.toArray()).toBe(true);
    }));

  it('gives gradients to the inputs and none to the dependencies', () =>
    withoutLeaks(() => {
      const [ga, gd] = mx.grad((a: mx.Tensor, d: mx.Tensor) => mx.sum(mx.multiply(mx.depends([a], [d])[0], 3)), [0, 1])(mx.array([1, 2]), mx.array([5]));
      expect(ga.toArray()).toEqual([3, 3]);
      expect(gd.toArray()).toEqual([0]);
    }));

  it('evaluating a result computes the dependencies (their memory shows at peak)', async () => {
    const small = mx.array([1]);
    await small.eval();
    const big = mx.multiply(mx.ones([1 << 20]), 2); // 4 MB, not yet computed
    const [out] = mx.depends([small], [big]);
    mx.clearCache();
    const base = mx.memory().activeBytes;
    mx.resetPeakMemory();
    await out.eval();
    expect(mx.memory().peakBytes - base).toBeGreaterThanOrEqual(4 << 20);
    for (const t of [small, big, out]) t.dispose();
  });
});
