// Intermediates the result-size check does not see: refused before MLX allocates them (found by the
// fuzzer, fuzz/ at the repository root).
import * as mx from '@mlxts/core';
import * as linalg from '@mlxts/linalg';
import { withoutLeaks } from '@mlxts/testing';
import { describe, expect, it } from 'vitest';

describe('pinv', () => {
  it("refuses the full SVD it takes when U and Vt cannot fit (a [1, 40000] input made a 6.4 GB Vt)", () => {
    const limit = mx.memoryLimit();
    mx.setMemoryLimit(1e9);
    try {
      withoutLeaks(() => {
        expect(() => linalg.pinv(mx.full([1, 40_000], 1, 'float32'))).toThrow(mx.MlxError);
        expect(() => linalg.pinv(mx.full([40_000, 1], 1, 'float32'))).toThrow(/pinv: pinv's full SVD and its working set needs 6.4 GB/);
        // A rank-one row's pseudo-inverse is its transpose over its squared norm.
        const p = linalg.pinv(mx.array([[3, 4]])).toArray() as number[][];
        expect(p.flat().map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0.12, 0.16]);
        expect(linalg.pinv(mx.zeros([0, 65536, 65536])).shape).toEqual([0, 65536, 65536]);
      });
    } finally {
      mx.setMemoryLimit(limit);
    }
  });
});
