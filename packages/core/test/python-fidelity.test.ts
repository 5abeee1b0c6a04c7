// Calls written as MLX Python writes them (positional dtype, ddof and norm; rest operands; `var`), with
// the expected values worked out by hand or by float64 loops here, never by another MLX call.
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { withoutLeaks } from '@mlxts/testing';

describe('the three calls of MLX Python that used to fail', () => {
  it("mx.arange(0, 10, 2, 'float32'): dtype is the fourth positional argument", () =>
    withoutLeaks(() => {
      const t = mx.arange(0, 10, 2, 'float32');
      expect(t.dtype).toBe('float32');
      expect(t.toArray()).toEqual([0, 2, 4, 6, 8]);
      expect(mx.arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
      expect(mx.arange(5).dtype).toBe('int32');
    }));

  it('mx.var is the variance, with ddof the fourth positional argument', () =>
    withoutLeaks(() => {
      const xs = [1, 2, 3, 4];
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      const squares = xs.reduce((s, x) => s + (x - mean) ** 2, 0);
      expect(mx.var(mx.array(xs)).item()).toBeCloseTo(squares / 4, 6);
      expect(mx.var(mx.array(xs), undefined, false, 1).item()).toBeCloseTo(squares / 3, 6);
      expect(mx.array(xs).var(0, true).toArray()).toEqual([squares / 4]);
      expect(mx.std(mx.array(xs), 0, false, 1).item()).toBeCloseTo(Math.sqrt(squares / 3), 6);
      expect(mx.var).toBe(mx.variance);
    }));

  it("mx.einsum('ij,jk->ik', a, b) takes the operands as rest arguments", () =>
    withoutLeaks(() => {
      const a = [[1, 2, 3], [4, 5, 6]];
      const b = [[1, 0], [0, 1], [2, -1]];
      const product = a.map((row) => b[0].map((_, k) => row.reduce((s, v, j) => s + v * b[j][k], 0)));
      expect(mx.einsum('ij,jk->ik', mx.array(a), mx.array(b)).toArray()).toEqual(product);
      expect(mx.einsum('ij,jk->ik', a, b, { stream: 'cpu' }).toArray()).toEqual(product);
      expect(mx.einsum('ii', mx.array([[1, 2], [3, 4]])).item()).toBe(5);
    }));
});

describe('rest arguments and the options after them', () => {
  it('meshgrid and broadcastArrays take their tensors as rest arguments, the options last', () =>
    withoutLeaks(() => {
      const [x, y] = mx.meshgrid([1, 2, 3], [4, 5], { indexing: 'ij' });
      expect(x.toArray()).toEqual([[1, 1], [2, 2], [3, 3]]);
      expect(y.toArray()).toEqual([[4, 5], [4, 5], [4, 5]]);
      expect(mx.meshgrid().length).toBe(0);
      const [p, q] = mx.broadcastArrays(mx.array([[1], [2]]), [3, 4]);
      expect([p.toArray(), q.toArray()]).toEqual([[[1, 1], [2, 2]], [[3, 4], [3, 4]]]);
    }));

  it('a trailing complex number is an operand, not the options', () =>
    withoutLeaks(() => {
      const grids = mx.broadcastArrays([1, 2], { re: 0, im: 1 });
      expect(grids.length).toBe(2);
      expect(grids[1].toArray()).toEqual([{ re: 0, im: 1 }, { re: 0, im: 1 }]);
    }));

  it('an unknown option key after rest arguments is a TypeError', () => {
    expect(() => mx.meshgrid([1], { nope: 1 } as never)).toThrow(TypeError);
    expect(() => mx.einsum('i', [1, 2], { nope: 1 } as never)).toThrow(/einsum: unknown option 'nope'/);
  });
});

describe('positional arguments and defaults as in MLX Python', () => {
  it('dtype is positional for the creation ops', () =>
    withoutLeaks(() => {
      expect(mx.eye(2, 3, 1, 'int32').toArray()).toEqual([[0, 1, 0], [0, 0, 1]]);
      expect(mx.eye(2, undefined, 0, 'int32').dtype).toBe('int32');
      expect(mx.identity(2, 'bool').toArray()).toEqual([[true, false], [false, true]]);
      expect(mx.tri(2, 3, 0, 'int32').toArray()).toEqual([[1, 0, 0], [1, 1, 0]]);
      expect(mx.zerosLike(mx.ones([2]), 'int32').dtype).toBe('int32');
      expect(mx.onesLike(mx.zeros([2]), 'bool').toArray()).toEqual([true, true]);
      expect(mx.fullLike(mx.zeros([2]), 7, 'int32').toArray()).toEqual([7, 7]);
      expect(mx.trace(mx.array([[1, 2], [3, 4]]), 0, 0, 1, 'int32').dtype).toBe('int32');
      expect(mx.linspace(0, 1, 4, false, 'float64').toArray()).toEqual([0, 0.25, 0.5, 0.75]);
      expect(mx.linspace(0, 1, 4, false, 'float64').dtype).toBe('float64');
    }));

  it('fft norm is positional', () =>
    withoutLeaks(() => {
      // The DFT of four ones is [4, 0, 0, 0]; 'ortho' divides by sqrt(4).
      const out = mx.fft(mx.array([1, 1, 1, 1]), undefined, -1, 'ortho');
      expect(out.toArray()).toEqual([{ re: 2, im: 0 }, { re: 0, im: 0 }, { re: 0, im: 0 }, { re: 0, im: 0 }]);
      expect(mx.rfft(mx.array([1, 1, 1, 1]), 4, 0, 'forward').toArray()).toEqual([{ re: 1, im: 0 }, { re: 0, im: 0 }, { re: 0, im: 0 }]);
    }));

  it('cumsum and cumprod take a dtype option', () =>
    withoutLeaks(() => {
      const big = mx.array([200, 100], 'uint8');
      // In uint8 200 + 100 wraps to 44; in int32 it is 300.
      expect(mx.cumsum(big).toArray()).toEqual([200, 44]);
      expect(mx.cumsum(big, 0, { dtype: 'int32' }).toArray()).toEqual([200, 300]);
      expect(mx.cumsum(big, undefined, { dtype: 'int32' }).dtype).toBe('int32');
      expect(mx.cumprod(mx.array([16, 32], 'uint8'), 0, { dtype: 'int32' }).toArray()).toEqual([16, 512]);
    }));

  it('takeAlongAxis defaults to the last axis, tensordot to two axes', () =>
    withoutLeaks(() => {
      expect(mx.takeAlongAxis(mx.array([[10, 20], [30, 40]]), mx.array([[1], [0]], 'int32')).toArray()).toEqual([[20], [30]]);
      const a = [[1, 2], [3, 4]];
      const b = [[5, 6], [7, 8]];
      expect(mx.tensordot(mx.array(a), mx.array(b)).item()).toBe(1 * 5 + 2 * 6 + 3 * 7 + 4 * 8);
    }));

  it("vecdot's axis is an option, as MLX Python's keyword-only axis", () =>
    withoutLeaks(() => {
      expect(mx.vecdot(mx.array([[1, 2], [0, 1]]), mx.array([[3], [4]]), { axis: 0 }).toArray()).toEqual([3, 10]);
    }));
});
