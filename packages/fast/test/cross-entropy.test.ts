// crossEntropy against a float64 log-sum-exp over random logits, targets and dtypes.
import fc from 'fast-check';
import * as mx from '@mlxts/core';
import { expectCloseNd, fromValues, runs, shapeArb, sizeOf, toNd, valuesArb, withoutLeaks } from '@mlxts/testing';
import { describe, expect, it } from 'vitest';
import * as fast from '../src/index.js';

const tolerance: Record<string, number> = { float32: 1e-5, float16: 4e-3, bfloat16: 3e-2 };

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
              const data = targets.map((t, r) => {
                const row = seen.slice(r * classes, (r + 1) * classes);
                const max = Math.max(...row);
                const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
                const k = Math.min(Math.max(t < 0 ? t + classes : t, 0), classes - 1);
                return lse - row[k];
              });
              const out = fast.crossEntropy(logits, mx.reshape(mx.array(Int32Array.from(targets)), rows));
              expectCloseNd(toNd(out), { shape: rows, data }, tolerance[dtype], `${dtype} ${rows}x${classes} targets ${targets}`);
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
