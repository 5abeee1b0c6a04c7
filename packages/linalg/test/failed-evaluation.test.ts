// A tensor whose evaluation failed stays failed: every read and every evaluation that depends on it
// throws the original error (MLX raises a kernel error once and leaves the buffers holding garbage).
import * as mx from '@mlxts/core';
import { describe, expect, it } from 'vitest';
import * as linalg from '../src/index.js';

const LU_FAILED = /\[Inverse::eval_cpu\] LU factorization failed/;

describe('a failed evaluation', () => {
  it('leaves the tensor failed for every read, however it is read', async () => {
    const inverse = linalg.inv(mx.zeros([3, 3]));
    await expect(inverse.eval()).rejects.toThrow(LU_FAILED);
    const reads: [string, () => unknown][] = [
      ['toArray', () => inverse.toArray()],
      ['toTypedArray', () => inverse.toTypedArray()],
      ['item of a sum', () => mx.sum(inverse).item()],
      ['toBytes', () => inverse.toBytes()],
      ['toArrayBuffer', () => inverse.toArrayBuffer()],
      ['dataPointer', () => inverse.dataPointer()],
      ['strides', () => inverse.strides],
      ['evalSync', () => mx.evalSync(inverse)],
    ];
    for (const [name, read] of reads) {
      expect(read, name).toThrow(mx.MlxError);
      expect(read, name).toThrow(LU_FAILED);
    }
    await expect(inverse.data()).rejects.toThrow(LU_FAILED);
    await expect(inverse.eval()).rejects.toThrow(LU_FAILED);
    // Its shape and dtype are still known; disposing it works.
    expect([inverse.shape, inverse.dtype]).toEqual([[3, 3], 'float32']);
    inverse.dispose();
  });

  it('fails every evaluation built on it, before or after the failure, with the same error', async () => {
    const inverse = linalg.inv(mx.zeros([2, 2]));
    const builtBefore = mx.add(inverse, 1);
    expect(() => inverse.toArray()).toThrow(LU_FAILED);
    const builtAfter = mx.matmul(inverse, mx.eye(2));
    for (const dependent of [builtBefore, builtAfter, mx.exp(builtAfter), mx.reshape(inverse, [4])]) {
      expect(() => dependent.toArray()).toThrow(LU_FAILED);
      await expect(dependent.eval()).rejects.toThrow(/^eval: \[Inverse::eval_cpu\]/);
    }
    // Unrelated evaluations are untouched.
    expect(linalg.inv(mx.array([[1, 1], [0, 1]])).add(0).toArray()).toEqual([[1, -1], [0, 1]]); // + 0 turns -0 into 0
  });

  it('marks a live tensor inside the failed graph, not only the one read', () => {
    const inverse = linalg.inv(mx.zeros([2, 2]));
    const scaled = mx.multiply(inverse, 3);
    expect(() => mx.sum(scaled).item()).toThrow(LU_FAILED);
    // inverse and scaled were computed by that failed evaluation: both stay failed.
    expect(() => inverse.toArray()).toThrow(LU_FAILED);
    expect(() => scaled.toArray()).toThrow(LU_FAILED);
  });

  it('marks every output of the evaluation that failed, including ones that computed fine', async () => {
    const good = mx.add(mx.ones([2]), 1);
    const bad = linalg.inv(mx.zeros([2, 2]));
    await expect(mx.eval(good, bad)).rejects.toThrow(LU_FAILED);
    // MLX reports one error for the whole evaluation, not which array it came from.
    expect(() => good.toArray()).toThrow(LU_FAILED);
    const again = mx.add(mx.ones([2]), 1);
    expect(again.toArray()).toEqual([2, 2]);
  });

  it('frees the failed buffers with the tensors', () => {
    const before = mx.memory().activeBytes;
    for (let i = 0; i < 20; i++) {
      const inverse = linalg.inv(mx.zeros([256, 256]));
      expect(() => inverse.toArray()).toThrow(LU_FAILED);
      inverse.dispose();
    }
    expect(mx.memory().activeBytes - before).toBeLessThan(256 * 256 * 4);
  });
});
