// vmap: the batched function equals the loop over the batch (stacking the per-item results), with axes
// given as numbers, nulls and trees, and its errors.
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { withoutLeaks } from '@mlxts/testing';

const x = () => mx.reshape(mx.arange(0, 24, 1, 'float32'), [4, 2, 3]);

/** The loop vmap replaces: fn on each slice along `axis` of the mapped inputs, stacked on `outAxis`. */
function loop(fn: (...args: mx.Tensor[]) => mx.Tensor, args: mx.Tensor[], axes: (number | null)[], outAxis = 0): mx.Tensor {
  const n = args[axes.findIndex((a) => a !== null)].shape[axes.find((a) => a !== null)!];
  const items = Array.from({ length: n }, (_, i) =>
    fn(...args.map((a, k) => (axes[k] === null ? a : mx.take(a, mx.array(i, 'int32'), axes[k]!)))),
  );
  return mx.stack(items, outAxis);
}

function expectEqual(actual: mx.Tensor, expected: mx.Tensor): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(mx.allclose(actual, expected, 1e-6, 1e-6).item()).toBe(true);
}

describe('vmap equals the loop over the batch', () => {
  const cases: [string, (...a: mx.Tensor[]) => mx.Tensor, () => mx.Tensor[], (number | null)[], number][] = [
    ['a reduction', (a) => mx.sum(a, -1), () => [x()], [0], 0],
    ['matmul of each item with a shared matrix', (a, w) => mx.matmul(a, w), () => [x(), mx.ones([3, 5])], [0, null], 0],
    ['elementwise over axis 1, result on axis 1', (a) => mx.exp(mx.divide(a, 10)), () => [x()], [1], 1],
    ['two mapped inputs on different axes', (a, b) => mx.multiply(a, b), () => [x(), mx.transpose(x(), [1, 0, 2])], [0, 1], 0],
    ['softmax', (a) => mx.softmax(a, -1), () => [x()], [2], 0],
    ['indexing with a constant index', (a) => mx.take(a, mx.array([2, 0], 'int32'), -1), () => [x()], [0], 0],
  ];
  for (const [name, fn, inputs, axes, outAxis] of cases) {
    it(name, () =>
      withoutLeaks(() => {
        const args = inputs();
        expectEqual(mx.vmap(fn, args.length === 1 ? axes[0] : axes, outAxis)(...args), loop(fn, args, axes, outAxis));
      }));
  }

  it('negative axes count from the end', () =>
    withoutLeaks(() => {
      const fn = (a: mx.Tensor) => mx.sum(a, 0);
      expectEqual(mx.vmap(fn, -1, -1)(x()), loop(fn, [x()], [2], 1));
    }));

  it('trees: axes given per leaf of an object argument, and a tree result', () =>
    withoutLeaks(() => {
      const fn = (p: { a: mx.Tensor; b: mx.Tensor }) => ({ s: mx.add(p.a, p.b), d: [mx.subtract(p.a, p.b)] });
      const a = mx.array([[1, 2], [3, 4], [5, 6]]);
      const b = mx.array([10, 20]);
      const out = mx.vmap(fn, { a: 0, b: null }, { s: 0, d: [1] })({ a, b });
      expect(out.s.toArray()).toEqual([[11, 22], [13, 24], [15, 26]]);
      expect(out.d[0].toArray()).toEqual([[-9, -7, -5], [-18, -16, -14]]);
    }));

  it('per-example gradients: vmap of grad equals the gradient of each row', () =>
    withoutLeaks(() => {
      const w = mx.array([0.5, -1, 2]);
      const loss = (w: mx.Tensor, row: mx.Tensor) => mx.square(mx.sum(mx.multiply(w, row)));
      const rows = mx.array([[1, 2, 3], [0, 1, 0], [2, 0, -1]]);
      const perExample = mx.vmap(mx.grad(loss), [null, 0])(w, rows);
      // d/dw (w·r)^2 = 2 (w·r) r
      const expected = [[1, 2, 3], [0, 1, 0], [2, 0, -1]].map((r) => {
        const dot = 0.5 * r[0] - r[1] + 2 * r[2];
        return r.map((v) => 2 * dot * v);
      });
      expect(perExample.toArray()).toEqual(expected);
    }));

  it('an output that does not depend on the mapped inputs is repeated along the batch', () =>
    withoutLeaks(() => {
      expect(mx.vmap((_x: mx.Tensor) => mx.array([7, 8]))(mx.ones([3])).toArray()).toEqual([[7, 8], [7, 8], [7, 8]]);
    }));
});

describe('vmap errors', () => {
  it('axes that do not fit the shapes are MlxErrors', () =>
    withoutLeaks(() => {
      const id = (a: mx.Tensor) => a;
      expect(() => mx.vmap(id, 3)(x())).toThrow(mx.MlxError);
      expect(() => mx.vmap(id, 3)(x())).toThrow('vmap: axis 3 is out of range for the input (shape [4, 2, 3])');
      expect(() => mx.vmap(id, -4)(x())).toThrow(mx.MlxError);
      expect(() => mx.vmap(id)(mx.array(1))).toThrow(/0-d/);
      expect(() => mx.vmap((a: mx.Tensor, b: mx.Tensor) => mx.add(a, b))(mx.ones([2]), mx.ones([3]))).toThrow(/Inconsistent axis sizes/);
      expect(() => mx.vmap(id, 0, 5)(x())).toThrow('vmap: axis 5 is out of range for an output with 2 axes before mapping');
    }));

  it('axes of the wrong kind or structure, non-tensor arguments and unmapped calls', () =>
    withoutLeaks(() => {
      const id = (a: mx.Tensor) => a;
      expect(() => mx.vmap(id, 0.5)(x())).toThrow(TypeError);
      expect(() => mx.vmap(id, 'x' as never)(x())).toThrow(TypeError);
      expect(() => mx.vmap((p: { a: mx.Tensor }) => p.a, { b: 0 })({ a: x() })).toThrow("vmap: inAxes has no entry for 'a'");
      expect(() => mx.vmap(id)(3 as never)).toThrow('vmap: the arguments must be a tensor, got 3');
      expect(() => mx.vmap(id, null)(x())).toThrow(RangeError);
      expect(() => mx.vmap(id, 0, null)(x())).toThrow(TypeError);
    }));
});
