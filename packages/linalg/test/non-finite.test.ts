// eig and eigvals of matrices with infinite or NaN entries. MLX 0.32.4 hands them to LAPACK's geev,
// which corrupts the heap on an infinite entry (the process aborts: "double free or corruption") and
// fails with error -4 on a NaN: such matrices give NaN results instead, and the others of a batch
// are decomposed as usual.
import * as mx from '@mlxts/core';
import * as linalg from '../src/index.js';
import { withoutLeaks } from '@mlxts/testing';
import { describe, expect, it } from 'vitest';

const real = (zs: unknown) => (zs as { re: number; im: number }[]).map((z) => z.re);

describe('eig and eigvals of non-finite matrices', () => {
  it('give NaN for a matrix with an infinite or NaN entry, in float32 and float64', () =>
    withoutLeaks(() => {
      for (const dtype of ['float32', 'float64'] as const) {
        for (const bad of [Infinity, -Infinity, NaN]) {
          const a = mx.array([1, 0, bad, 0, 1, 0, bad, 0, 1], dtype).reshape([3, 3]);
          const [w, v] = linalg.eig(a);
          expect(mx.all(mx.isnan(w)).item(), `${dtype} ${bad}`).toBe(true);
          expect(mx.all(mx.isnan(v)).item()).toBe(true);
          expect(mx.all(mx.isnan(linalg.eigvals(a))).item()).toBe(true);
        }
      }
    }));

  it('decompose the finite matrices of a batch as usual', () =>
    withoutLeaks(() => {
      const batch = mx.array([[[2, 0], [0, 3]], [[1, Infinity], [0, 1]]]);
      const w = linalg.eigvals(batch);
      expect(real(w.at(0).toArray()).sort()).toEqual([2, 3]);
      expect(mx.isnan(w.at(1)).toArray()).toEqual([true, true]);
      const [w2, v] = linalg.eig(batch);
      expect(real(w2.at(0).toArray()).sort()).toEqual([2, 3]);
      // A diagonal matrix's eigenvectors are the unit vectors (up to sign and order).
      expect(mx.abs(v.at(0)).astype('float32').toArray()).toEqual(expect.arrayContaining([[1, 0], [0, 1]]));
      expect(mx.all(mx.isnan(v.at(1))).item()).toBe(true);
    }));
});
