// crossEntropy against a float64 log-sum-exp over random logits, targets and dtypes.
import fc from 'fast-check';
import * as mx from '@mlxts/core';
import { fromValues, runs, shapeArb, sizeOf, toNd, valuesArb, withoutLeaks } from '@mlxts/testing';
import { describe, expect, it } from 'vitest';
import * as fast from '../src/index.js';

// Relative to the row's largest |logit|: the loss is a difference of two terms of that size (logsumexp
// and the target's logit), so half-precision rounding of those terms sets the error, not the loss's size.
const tolerance: Record<string, number> = { float32: 1e-5, float16: 2e-3, bfloat16: 1.6e-2 };

describe('crossEntropy', () => {
  for (const dtype of ['float32', 'float16', 'bfloat16'] as const) {
    it(`${dtype}: logsumexp(row) - row[target], with out-of-range targets wrapped or clamped`, () =>
      fc.assert(
        fc.property(
          fc.tuple(shapeArb(0, 2, 0, 3), fc.integer({ min: 1, max: 6 })).chain(([rows, classes]) =>
            fc.tuple(
              fc.constant(rows),
              fc.constant(classes),
              valuesArb(sizeOf(rows) * classes, { min: -8, max: 8, integer: false }, dtype),
              fc.array(fc.integer({ min: -classes - 2, max: classes + 2 }), { minLength: sizeOf(rows), maxLength: sizeOf(rows) }),
            ),
          ),
          ([rows, classes, values, targets]) =>
            withoutLeaks(() => {
              const logits = fromValues(values, [...rows, classes], dtype);
              // The reference reads the logits as the kernel sees them (rounded to the dtype).
              const seen = toNd(logits).data;
              const out = toNd(fast.crossEntropy(logits, mx.reshape(mx.array(Int32Array.from(targets)), rows)));
              expect(out.shape).toEqual(rows);
              targets.forEach((t, r) => {
                const row = seen.slice(r * classes, (r + 1) * classes);
                const max = Math.max(...row);
                const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
                const k = Math.min(Math.max(t < 0 ? t + classes : t, 0), classes - 1);
                const bound = tolerance[dtype] * (1 + Math.max(...row.map(Math.abs)));
                const context = `${dtype} ${rows}x${classes} targets ${targets}: row ${r}`;
                expect(Math.abs(out.data[r] - (lse - row[k])), context).toBeLessThanOrEqual(bound);
              });
            }),
        ),
        { numRuns: runs },
      ));
  }

  it('accepts targets of any integer dtype and a transposed logits view', () => {
    const logits = mx.transpose(mx.array([[1, 0], [2, 0], [3, 0]], 'float32'));
    const a = fast.crossEntropy(logits, mx.array([2, 0], 'uint8')).toArray() as number[];
    const b = fast.crossEntropy(mx.array([[1, 2, 3], [0, 0, 0]], 'float32'), mx.array([2, 0], 'int64')).toArray() as number[];
    expect(a.map((v) => v.toFixed(5))).toEqual(['0.40761', '1.09861']);
    expect(b).toEqual(a);
  });
});
