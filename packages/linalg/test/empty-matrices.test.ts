// Matrices with an empty row or column axis: what NumPy/SciPy give (empty results of the right shapes),
// never a crash. MLX 0.32.4's CPU kernels divide by the matrix size for these ops (SIGFPE).
import * as mx from '@mlxts/core';
import { withoutLeaks } from '@mlxts/testing';
import { describe, expect, it } from 'vitest';
import * as linalg from '../src/index.js';

const shapesOf = (out: mx.Tensor | mx.Tensor[]) => (Array.isArray(out) ? out : [out]).map((t) => [t.shape, t.dtype]);

describe('linalg on empty matrices', () => {
  it('inverses of 0 x 0 matrices (and batches of them) are empty', () =>
    withoutLeaks(() => {
      for (const shape of [[0, 0], [2, 0, 0]]) {
        for (const inverse of [linalg.inv, linalg.triInv, linalg.choleskyInv]) {
          const out = inverse(mx.zeros(shape));
          expect(out.shape).toEqual(shape);
          expect(out.dtype).toBe('float32');
          expect(out.size).toBe(0);
          expect(out.toTypedArray()).toHaveLength(0);
        }
      }
      // float16 is computed in float32 as for non-empty input.
      expect(linalg.inv(mx.zeros([0, 0], 'float16')).dtype).toBe('float32');
    }));

  it('lu of an M x 0 matrix has identity row indices, as scipy.linalg.lu has an identity P', () =>
    withoutLeaks(() => {
      const [p, l, u] = linalg.lu(mx.zeros([4, 0]));
      expect(shapesOf([p, l, u])).toEqual([[[4], 'uint32'], [[4, 0], 'float32'], [[0, 0], 'float32']]);
      expect(p.toArray()).toEqual([0, 1, 2, 3]);
      const batched = linalg.lu(mx.zeros([2, 3, 0]));
      expect(batched[0].toArray()).toEqual([[0, 1, 2], [0, 1, 2]]);
      expect(shapesOf(linalg.lu(mx.zeros([0, 4])))).toEqual([[[0], 'uint32'], [[0, 0], 'float32'], [[0, 4], 'float32']]);
      expect(shapesOf(linalg.lu(mx.zeros([0, 0])))).toEqual([[[0], 'uint32'], [[0, 0], 'float32'], [[0, 0], 'float32']]);
    }));

  it('luFactor of empty matrices: the packed factor has the input shape, no pivots', () =>
    withoutLeaks(() => {
      for (const [shape, pivots] of [[[0, 0], [0]], [[0, 4], [0]], [[4, 0], [0]], [[2, 3, 0], [2, 0]]]) {
        const [lu, piv] = linalg.luFactor(mx.zeros(shape));
        expect(shapesOf([lu, piv])).toEqual([[shape, 'float32'], [pivots, 'uint32']]);
        mx.evalSync(lu, piv);
      }
    }));

  it('solving with an empty system gives an empty solution', () =>
    withoutLeaks(() => {
      expect(linalg.solve(mx.zeros([0, 0]), mx.zeros([0])).shape).toEqual([0]);
      expect(linalg.solve(mx.zeros([0, 0]), mx.zeros([0, 3])).toArray()).toEqual([]);
      expect(linalg.solveTriangular(mx.zeros([2, 0, 0]), mx.zeros([2, 0, 3])).shape).toEqual([2, 0, 3]);
      expect(linalg.solveTriangular(mx.zeros([0, 0]), mx.zeros([0, 2]), { upper: true }).toTypedArray()).toHaveLength(0);
    }));

  it("MLX's own checks still run first", () => {
    expect(() => linalg.inv(mx.zeros([0, 3]))).toThrow(/inv: .*square/);
    expect(() => linalg.inv(mx.zeros([0, 0], 'int32'))).toThrow(/inv: .*float32 or float64/);
    expect(() => linalg.solve(mx.zeros([0, 0]), mx.zeros([2]))).toThrow(mx.MlxError);
  });
});

describe('linalg on an empty batch of large matrices', () => {
  it('gives empty outputs: MLX 0.32.4 counted the matrices as size / (M * N) in 32 bits and trapped for 2^32-element matrices', () =>
    withoutLeaks(() => {
      const a = mx.zeros([0, 65536, 65536]);
      const ops: Array<[string, () => mx.Tensor | mx.Tensor[]]> = [
        ['inv', () => linalg.inv(a)], ['lu', () => linalg.lu(a)], ['luFactor', () => linalg.luFactor(a)],
        ['cholesky', () => linalg.cholesky(a)], ['choleskyInv', () => linalg.choleskyInv(a)], ['triInv', () => linalg.triInv(a)],
        ['qr', () => linalg.qr(a)], ['svd', () => linalg.svd(a)], ['svd without U and V', () => linalg.svd(a, false)],
        ['det', () => linalg.det(a)], ['slogdet', () => linalg.slogdet(a)], ['pinv', () => linalg.pinv(a)],
        ['eigh', () => linalg.eigh(a)], ['eigvalsh', () => linalg.eigvalsh(a)], ['eig', () => linalg.eig(a)], ['eigvals', () => linalg.eigvals(a)],
        ['solve', () => linalg.solve(a, mx.zeros([0, 65536, 1]))], ['solveTriangular', () => linalg.solveTriangular(a, mx.zeros([0, 65536, 1]))],
      ];
      for (const [name, op] of ops) {
        const outs = [op()].flat();
        for (const out of outs) {
          expect(out.shape[0], name).toBe(0);
          expect(out.toTypedArray(), name).toHaveLength(0);
        }
      }
      // A batch of small empty matrices keeps what MLX gives: det of a 0 x 0 matrix is 1.
      expect(linalg.det(mx.zeros([2, 0, 0])).toArray()).toEqual([1, 1]);
    }));
});

describe('norm of integer input', () => {
  it('is computed in float32: the 2-norm of an int32 vector no longer wraps to 0', () =>
    withoutLeaks(() => {
      const v = mx.array([2 ** 20, 2 ** 20], 'int32');
      expect(linalg.norm(v).dtype).toBe('float32');
      expect(Math.abs((linalg.norm(v).item() as number) - Math.SQRT2 * 2 ** 20)).toBeLessThan(1);
      expect(linalg.norm(mx.reshape(v, [1, 2])).item()).toBeCloseTo(Math.SQRT2 * 2 ** 20, -1);
      expect(linalg.norm(mx.array([3, 4], 'uint8')).item()).toBe(5);
    }));
});
