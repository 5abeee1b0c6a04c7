// Tree utilities: paths as MLX Python's tree_flatten writes them, round trips, and treeMap over several trees.
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';

class Box {
  constructor(readonly v: number) {}
}

describe('treeFlatten', () => {
  it('writes dotted paths depth first in key order', () => {
    const box = new Box(1);
    const tree = { layers: [{ w: 1, b: 2 }, { w: 3 }], scale: 'x', box, none: null };
    expect(mx.treeFlatten(tree)).toEqual([
      ['layers.0.w', 1],
      ['layers.0.b', 2],
      ['layers.1.w', 3],
      ['scale', 'x'],
      ['box', box],
      ['none', null],
    ]);
  });

  it('prefixes paths, and a leaf root has the prefix as its path', () => {
    expect(mx.treeFlatten([1, [2]], 'model')).toEqual([['model.0', 1], ['model.1.0', 2]]);
    expect(mx.treeFlatten(7)).toEqual([['', 7]]);
    expect(mx.treeFlatten(7, 'p')).toEqual([['p', 7]]);
  });

  it('keeps tensors as leaves and drops empty nodes', () => {
    const t = mx.array([1]);
    const flat = mx.treeFlatten({ a: t, e: {}, l: [] });
    expect(flat.map(([path]) => path)).toEqual(['a']);
    expect(flat[0][1]).toBe(t);
    t.dispose();
  });

  it('stops at nodes isLeaf picks', () => {
    expect(mx.treeFlatten({ a: [1, 2], b: [3] }, '', (v) => Array.isArray(v) && v.length === 2)).toEqual([
      ['a', [1, 2]],
      ['b.0', 3],
    ]);
  });
});

describe('treeUnflatten', () => {
  it('inverts treeFlatten', () => {
    const tree = { layers: [{ w: 1, b: 2 }, { w: 3 }], head: { out: [4, 5] } };
    expect(mx.treeUnflatten(mx.treeFlatten(tree))).toEqual(tree);
    expect(mx.treeUnflatten(mx.treeFlatten(9))).toBe(9);
  });

  it('numeric segments make arrays, in index order, with empty objects for missing indices', () => {
    expect(mx.treeUnflatten([['2.a', 'c'], ['0.a', 'a']])).toEqual([{ a: 'a' }, {}, { a: 'c' }]);
    expect(mx.treeUnflatten([['01', 1]])).toEqual({ '01': 1 });
    expect(mx.treeUnflatten([])).toEqual({});
  });

  it('rejects an empty path beside others', () => {
    expect(() => mx.treeUnflatten([['', 1], ['a', 2]])).toThrow(TypeError);
  });
});

describe('treeMap', () => {
  it('maps leaves and keeps the structure', () => {
    expect(mx.treeMap((x: number) => x * 10, { a: [1, 2], b: { c: 3 } })).toEqual({ a: [10, 20], b: { c: 30 } });
  });

  it('passes the leaves of the other trees at the same path', () => {
    const out = mx.treeMap((a: number, b: number, c: number) => a + b + c, [1, { x: 2 }], [10, { x: 20 }], [100, { x: 200 }]);
    expect(out).toEqual([111, { x: 222 }]);
  });

  it('maps tensors', () => {
    const params = { w: mx.array([1, 2]), b: [mx.array(3)] };
    const grads = { w: mx.array([10, 10]), b: [mx.array(1)] };
    const next = mx.treeMap((p: mx.Tensor, g: mx.Tensor) => p.subtract(g.multiply(0.1)), params, grads);
    expect(next.w.toArray()).toEqual([0, 1]);
    expect(next.b[0].toArray()).toBeCloseTo(2.9, 6);
    for (const [, t] of mx.treeFlatten<mx.Tensor>([params, grads, next])) t.dispose();
  });

  it('names the path where the trees differ', () => {
    expect(() => mx.treeMap((a: number, b: number) => a + b, { a: 1, b: 2 }, { a: 1 })).toThrow(/treeMap: .* at 'b'/);
    expect(() => mx.treeMap((a: number, b: number) => a + b, { a: [1, 2] }, { a: [1] })).toThrow(/at 'a'/);
  });
});
