// Scatter, dynamic-slice and indexed-matmul ops against float64 TS references (direct loops) over random
// shapes, indices and dtypes: scatterProd/Max/Min, putAlongAxis, scatterAddAxis, maskedScatter, sliceDynamic,
// sliceUpdateDynamic, sliceUpdateAdd/Prod/Max/Min, addmm, blockMaskedMm, gatherMm and searchsorted.
// References read their inputs back from the tensors, so they see values already rounded to the dtype.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { checkProperty, expectCloseNd, fromValues, shapeArb, sizeOf, strides, toNd, type Nd, unravel, withoutLeaks } from '@mlxts/testing';

const flatIndex = (shape: readonly number[], idx: readonly number[]) => idx.reduce((acc, v, k) => acc + v * strides(shape)[k], 0);
const ints = (n: number, min: number, max: number) => fc.array(fc.integer({ min, max }), { minLength: n, maxLength: n });
/** Small integers: exact in every dtype, and products of up to six of them stay exact in bfloat16. */
const smallInts = (n: number, dtype: mx.DType) => ints(n, dtype.startsWith('uint') ? 0 : -2, 2);
/** Multiples of 1/8 in [-1, 1], for the matrix products. */
const eighths = (n: number) => ints(n, -8, 8).map((v) => v.map((k) => k / 8));

/** The gather/scatter index rule: negative counts from the end, then clamp into [0, n - w]. */
const clampIndex = (i: number, n: number, w: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), Math.max(n - w, 0));

/** A non-contiguous tensor with the values of x: its axes reversed in memory, then transposed back. */
function transposedCopy(x: Nd, dtype: mx.DType): mx.Tensor {
  const tShape = [...x.shape].reverse();
  const tData = Array.from({ length: sizeOf(tShape) }, (_, i) => x.data[flatIndex(x.shape, unravel(i, tShape).reverse())]);
  return mx.transpose(fromValues(tData, tShape, dtype), x.shape.map((_, i) => x.shape.length - 1 - i));
}

const scatterDtypes: mx.DType[] = ['float32', 'float16', 'bfloat16', 'float64', 'int32', 'int64', 'int8', 'uint8', 'uint32'];
const floatTol: Partial<Record<mx.DType, number>> = { float32: 1e-5, float16: 2e-3, bfloat16: 1.6e-2, float64: 1e-12 };

describe('scatterProd, scatterMax, scatterMin', () => {
  const combine = { prod: (x: number, y: number) => x * y, max: Math.max, min: Math.min };
  const ops = { prod: mx.scatterProd, max: mx.scatterMax, min: mx.scatterMin };
  // Rank 1-3; k indexed axes (distinct), L index rows drawn from [-6, 6] so duplicates and out-of-range
  // indices are common; the update slice is 1 along indexed axes and whole along the others.
  const arb = fc
    .tuple(shapeArb(1, 3, 1, 4), fc.constantFrom(...scatterDtypes), fc.constantFrom('prod', 'max', 'min') as fc.Arbitrary<'prod' | 'max' | 'min'>, fc.integer({ min: 0, max: 5 }))
    .chain(([shape, dtype, kind, rows]) =>
      fc.tuple(
        fc.constant(shape),
        fc.constant(dtype),
        fc.constant(kind),
        fc.shuffledSubarray([...shape.keys()], { minLength: 1 }),
        fc.array(ints(rows, -6, 6), { minLength: shape.length, maxLength: shape.length }),
        smallInts(sizeOf(shape), dtype),
        smallInts(rows * sizeOf(shape), dtype),
        fc.boolean(),
      ),
    );
  it('combine every (clamped, repeated) index with the old value, like a float64 loop', () =>
    checkProperty(arb, ([shape, dtype, kind, axes, idxLists, aVals, uVals, strided]) => {
      const rows = idxLists[0].length;
      const win = shape.map((d, j) => (axes.includes(j) ? 1 : d));
      const updShape = [rows, ...win];
      const a = strided && shape.length > 1 ? transposedCopy({ shape, data: aVals }, dtype) : fromValues(aVals, shape, dtype);
      const upd = fromValues(uVals.slice(0, sizeOf(updShape)), updShape, dtype);
      const x = toNd(a);
      const u = toNd(upd);
      const data = [...x.data];
      u.data.forEach((v, i) => {
        const [r, ...rest] = unravel(i, updShape);
        const pos = rest.map((o, j) => (axes.includes(j) ? clampIndex(idxLists[axes.indexOf(j)][r], shape[j], 1) : o));
        const f = flatIndex(shape, pos);
        data[f] = combine[kind](data[f], v);
      });
      const out = ops[kind](a, axes.map((ax) => mx.array(idxLists[axes.indexOf(ax)], 'int32')), upd, axes);
      expect(out.dtype).toBe(dtype);
      expectCloseNd(toNd(out), { shape, data: wrapTo(dtype, data) }, 0, `${kind} ${dtype} ${shape} axes ${axes} at ${JSON.stringify(idxLists)}`);
    }));

  it('replace a NaN in a by an update, keep a NaN update, and leave a unchanged for an empty update', () =>
    withoutLeaks(() => {
      for (const op of [mx.scatterMax, mx.scatterMin]) {
        const out = toNd(op(mx.array([NaN, 1]), [mx.array([0, 1], 'int32')], mx.array([[2], [NaN]]), [0])).data;
        expect(out[0]).toBe(2);
        expect(out[1]).toBeNaN();
      }
      for (const op of [mx.scatterProd, mx.scatterMax, mx.scatterMin]) {
        expect(op(mx.array([1, 2]), [mx.array([], 'int32')], mx.zeros([0, 1]), [0]).toArray()).toEqual([1, 2]);
        expect(op(mx.zeros([0, 2]), [mx.array([1], 'int32')], mx.zeros([1, 0, 2]), [0]).shape).toEqual([0, 2]);
      }
    }));

  it('clamp indices of narrow and unsigned dtypes on an axis longer than the dtype can count', () =>
    withoutLeaks(() => {
      const a = mx.zeros([300]);
      const out = mx.scatterMax(a, [mx.array([127, -1], 'int8')], mx.array([[5], [7]]), [0]);
      const got = toNd(out).data;
      expect([got[127], got[299]]).toEqual([5, 7]);
      const big = mx.scatterMin(mx.zeros([3]), [mx.array([2 ** 40], 'uint64')], mx.array([[-4]]), [0]);
      expect(big.toArray()).toEqual([0, 0, -4]);
    }));
});

/** Values as the dtype holds them after a float64 computation (integer dtypes wrap like C casts). */
function wrapTo(dtype: mx.DType, data: number[]): number[] {
  const bits = { int8: 8, uint8: 8, int16: 16, uint16: 16, int32: 32, uint32: 32 }[dtype as string];
  if (!bits) return data;
  const m = 2 ** bits;
  return data.map((v) => {
    const w = ((v % m) + m) % m;
    return dtype.startsWith('int') && w >= m / 2 ? w - m : w;
  });
}

describe('putAlongAxis and scatterAddAxis', () => {
  // indices have a's rank; along `axis` m entries in [-6, 6], on other axes 1 (broadcast) or a's length.
  const arb = fc
    .tuple(shapeArb(1, 3, 1, 4), fc.constantFrom(...scatterDtypes), fc.integer({ min: 0, max: 4 }))
    .chain(([shape, dtype, m]) =>
      fc
        .tuple(fc.integer({ min: 0, max: shape.length - 1 }), fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }))
        .chain(([axis, ones]) => {
          const idxShape = shape.map((d, j) => (j === axis ? m : ones[j] ? 1 : d));
          return fc.tuple(
            fc.constant(shape),
            fc.constant(dtype),
            fc.constant(axis),
            fc.constant(idxShape),
            ints(sizeOf(idxShape), -6, 6),
            smallInts(sizeOf(shape), dtype),
            smallInts(sizeOf(idxShape), dtype),
            fc.boolean(),
          );
        }),
    );

  /** For each position of a, the values written there: the broadcast index loop. */
  function writes(shape: number[], axis: number, idxShape: number[], idx: number[], vals: readonly number[]): number[][] {
    const bShape = shape.map((d, j) => (j === axis ? idxShape[axis] : d));
    const hits: number[][] = Array.from({ length: sizeOf(shape) }, () => []);
    for (let i = 0; i < sizeOf(bShape); i++) {
      const p = unravel(i, bShape);
      const src = flatIndex(idxShape, p.map((v, j) => (idxShape[j] === 1 ? 0 : v)));
      const dst = p.map((v, j) => (j === axis ? clampIndex(idx[src], shape[axis], 1) : v));
      hits[flatIndex(shape, dst)].push(vals[src]);
    }
    return hits;
  }

  it('scatterAddAxis adds every (clamped, repeated) value, like a float64 loop', () =>
    checkProperty(arb, ([shape, dtype, axis, idxShape, idx, aVals, vVals, strided]) => {
      const a = strided && shape.length > 1 ? transposedCopy({ shape, data: aVals }, dtype) : fromValues(aVals, shape, dtype);
      const v = fromValues(vVals, idxShape, dtype);
      const hits = writes(shape, axis, idxShape, idx, toNd(v).data);
      const data = toNd(a).data.map((x, f) => hits[f].reduce((s, y) => s + y, x));
      const out = mx.scatterAddAxis(a, mx.array(idx, 'int32').reshape(idxShape), v, axis);
      expect(out.dtype).toBe(dtype);
      expectCloseNd(toNd(out), { shape, data: wrapTo(dtype, data) }, 0, `${dtype} ${shape} axis ${axis} at ${idx} (${idxShape})`);
    }));

  it('putAlongAxis writes one of the values aimed at each position and keeps the rest', () =>
    checkProperty(arb, ([shape, dtype, axis, idxShape, idx, aVals, vVals]) => {
      const a = fromValues(aVals, shape, dtype);
      const v = fromValues(vVals, idxShape, dtype);
      const hits = writes(shape, axis, idxShape, idx, toNd(v).data);
      const old = toNd(a).data;
      const got = toNd(mx.putAlongAxis(a, mx.array(idx, 'int64').reshape(idxShape), v, axis - shape.length)).data;
      got.forEach((g, f) => {
        const allowed = hits[f].length ? hits[f] : [old[f]];
        expect(allowed, `${dtype} ${shape} axis ${axis} at ${idx}: position ${f}`).toContain(g);
      });
    }));

  it('without an axis, write into the flattened tensor; empty inputs leave a unchanged', () =>
    withoutLeaks(() => {
      expect(mx.putAlongAxis(mx.zeros([2, 2]), [0, -1, 9], mx.array([1, 2, 3])).shape).toEqual([2, 2]);
      const flat = toNd(mx.putAlongAxis(mx.zeros([2, 3]), [1, 4], mx.array([5, 6]))).data;
      expect(flat).toEqual([0, 5, 0, 0, 6, 0]);
      expect(mx.putAlongAxis(mx.zeros([0, 3]), mx.array([[1]], 'int32'), mx.array(1), 0).shape).toEqual([0, 3]);
      expect(mx.scatterAddAxis(mx.zeros([2, 0]), mx.array([[0], [0]], 'int32'), mx.array(1), 1).shape).toEqual([2, 0]);
      expect(mx.scatterAddAxis(mx.array([1, 2]), mx.array([], 'int32'), mx.array(1), 0).toArray()).toEqual([1, 2]);
      expect(mx.putAlongAxis(mx.ones([300]), mx.array([-1, 127], 'int8'), mx.array(0), 0).sum().item()).toBe(298);
      // The shared index clamp (also behind take and takeAlongAxis) works in int64, whatever the index dtype.
      expect(mx.take(mx.arange(300), mx.array([-1, 127], 'int8')).toArray()).toEqual([299, 127]);
      expect(mx.take(mx.arange(200), mx.array([5, -2], 'int8')).toArray()).toEqual([5, 198]);
      expect(mx.takeAlongAxis(mx.arange(200), mx.array([5, 254], 'uint8'), 0).toArray()).toEqual([5, 199]);
    }));

  it('reject 0-d a, bad axes and non-integer indices', () =>
    withoutLeaks(() => {
      expect(() => mx.putAlongAxis(mx.array(1), mx.array(0, 'int32'), mx.array(2), 0)).toThrow('out of bounds');
      expect(() => mx.scatterAddAxis(mx.zeros([2]), mx.array([true]), mx.array(1), 0)).toThrow('integer dtype');
      expect(() => mx.putAlongAxis(mx.zeros([2]), [0], mx.array(1), 0.5 as never)).toThrow(TypeError);
    }));
});

describe('maskedScatter', () => {
  // A mask over the leading d axes of a; src stacks one sub-tensor per true entry (plus 0-2 spare rows),
  // or is a single sub-tensor written at every true entry.
  const arb = fc
    .tuple(shapeArb(1, 3, 1, 3), fc.constantFrom(...scatterDtypes), fc.boolean(), fc.integer({ min: 0, max: 2 }))
    .chain(([shape, dtype, single, spare]) =>
      fc.integer({ min: 1, max: shape.length }).chain((d) =>
        fc.tuple(
          fc.constant({ shape, dtype, single, spare, d }),
          fc.array(fc.boolean(), { minLength: sizeOf(shape.slice(0, d)), maxLength: sizeOf(shape.slice(0, d)) }),
          smallInts(sizeOf(shape), dtype),
          smallInts((sizeOf(shape.slice(0, d)) + 3) * sizeOf(shape.slice(d)), dtype),
          fc.boolean(),
        ),
      ),
    );
  it('writes consecutive src sub-tensors at the true positions, in row-major order', () =>
    checkProperty(arb, ([{ shape, dtype, single, spare, d }, maskVals, aVals, srcVals, strided]) => {
      const sub = shape.slice(d);
      const subSize = sizeOf(sub);
      const count = maskVals.filter(Boolean).length;
      const srcShape = single ? sub : [count + Math.max(spare, count === 0 ? 1 : 0), ...sub];
      const a = strided && shape.length > 1 ? transposedCopy({ shape, data: aVals }, dtype) : fromValues(aVals, shape, dtype);
      const src = fromValues(srcVals.slice(0, sizeOf(srcShape)), srcShape, dtype);
      const sv = toNd(src).data;
      const data = [...toNd(a).data];
      let k = 0;
      maskVals.forEach((m, i) => {
        if (!m) return;
        for (let j = 0; j < subSize; j++) data[i * subSize + j] = sv[(single ? 0 : k * subSize) + j];
        k++;
      });
      const out = mx.maskedScatter(a, mx.array(maskVals).reshape(shape.slice(0, d)), src);
      expect(out.dtype).toBe(dtype);
      expectCloseNd(toNd(out), { shape, data }, 0, `${dtype} ${shape} mask ${maskVals} src ${srcShape}`);
    }));

  it('handles 0-d and empty tensors; too few src entries fail at evaluation', () =>
    withoutLeaks(() => {
      expect(mx.maskedScatter(mx.array(1), mx.array(true), mx.array([5])).item()).toBe(5);
      expect(mx.maskedScatter(mx.array(1), mx.array(false), mx.array([5])).item()).toBe(1);
      expect(mx.maskedScatter(mx.zeros([0, 2]), mx.zeros([0], 'bool'), mx.zeros([0, 2])).shape).toEqual([0, 2]);
      expect(() => mx.maskedScatter(mx.zeros([2, 2]), mx.array([false, false]), mx.zeros([0, 2]))).toThrow('src is empty');
      const short = mx.maskedScatter(mx.zeros([2, 2]), mx.array([true, true]), mx.array([[1, 2]]));
      expect(() => short.toArray()).toThrow('not have enough elements');
    }));
});

describe('sliceDynamic and sliceUpdateDynamic', () => {
  // Per axis: a block size in [0, n] and a start in [-8, 8] (often out of range); a random subset of axes
  // gets a start, the others start at 0.
  const arb = fc
    .tuple(shapeArb(1, 3, 0, 5), fc.constantFrom<mx.DType>('float32', 'int32', 'float16', 'bfloat16', 'int64', 'uint8', 'bool'), fc.constantFrom<mx.DType>('int32', 'int64', 'int16', 'uint32'))
    .chain(([shape, dtype, startType]) =>
      fc.tuple(
        fc.constant(shape),
        fc.constant(dtype),
        fc.constant(startType),
        fc.tuple(...shape.map((n) => fc.integer({ min: 0, max: n }))),
        fc.shuffledSubarray([...shape.keys()]),
        ints(shape.length, startType === 'uint32' ? 0 : -8, 8),
        fc.boolean(),
      ),
    );

  const effective = (shape: number[], block: number[], axes: number[], start: number[]) =>
    shape.map((n, j) => (axes.includes(j) ? clampIndex(start[axes.indexOf(j)], n, block[j]) : 0));

  it('sliceDynamic reads the block at the clamped start, like a loop and like the static slice', () =>
    checkProperty(arb, ([shape, dtype, startType, block, axes, starts, negAxes]) => {
      const x: Nd = { shape, data: Array.from({ length: sizeOf(shape) }, (_, i) => (dtype === 'bool' ? i % 2 : (i % 50) + 1)) };
      const a = shape.length > 1 ? transposedCopy(x, dtype) : fromValues(x.data, shape, dtype);
      const held = toNd(a);
      const start = starts.slice(0, axes.length);
      const eff = effective(shape, block, axes, start);
      const data = Array.from({ length: sizeOf(block) }, (_, i) => held.data[flatIndex(shape, unravel(i, block).map((v, j) => v + eff[j]))]);
      const axesArg = negAxes ? axes.map((ax) => ax - shape.length) : axes;
      const startT = axes.length === 1 && negAxes ? mx.array(start[0], startType) : mx.array(start, startType);
      const out = mx.sliceDynamic(a, startT, axesArg, block);
      expect(out.dtype).toBe(dtype);
      const ctx = `${dtype} ${shape} block ${block} axes ${axes} start ${start}`;
      expectCloseNd(toNd(out), { shape: block, data }, 0, ctx);
      const stat = mx.slice(a, eff, eff.map((e, j) => e + block[j]));
      expectCloseNd(toNd(out), toNd(stat), 0, `${ctx} vs slice`);
    }));

  it('sliceUpdateDynamic writes the update block at the clamped start, like a loop', () =>
    checkProperty(arb, ([shape, dtype, startType, block, axes, starts, lowerRank]) => {
      const x: Nd = { shape, data: Array.from({ length: sizeOf(shape) }, (_, i) => (dtype === 'bool' ? 0 : i + 1)) };
      const a = fromValues(x.data, shape, dtype);
      const lead = lowerRank ? block.findIndex((b) => b !== 1) : 0;
      const updShape = block.slice(lead === -1 ? block.length : lead);
      const upd = fromValues(Array.from({ length: sizeOf(block) }, (_, i) => (dtype === 'bool' ? 1 : (dtype === 'uint8' ? 200 : -100) - i)), updShape, dtype);
      const start = starts.slice(0, axes.length);
      const eff = effective(shape, block, axes, start);
      const data = [...toNd(a).data];
      toNd(upd).data.forEach((v, i) => {
        data[flatIndex(shape, unravel(i, block).map((p, j) => p + eff[j]))] = v;
      });
      const out = mx.sliceUpdateDynamic(a, upd, mx.array(start, startType), axes);
      expect(out.dtype).toBe(dtype);
      expectCloseNd(toNd(out), { shape, data }, 0, `${dtype} ${shape} update ${updShape} axes ${axes} start ${start}`);
    }));

  it('clamp extreme starts of every integer dtype and cast the update to a', () =>
    withoutLeaks(() => {
      const a = mx.arange(10);
      expect(mx.sliceDynamic(a, mx.array([2 ** 31 - 1], 'int32'), [0], [3]).toArray()).toEqual([7, 8, 9]);
      expect(mx.sliceDynamic(a, mx.array([-(2 ** 31)], 'int32'), [0], [3]).toArray()).toEqual([0, 1, 2]);
      expect(mx.sliceDynamic(a, mx.array([2n ** 63n - 1n]), [0], [2]).toArray()).toEqual([8, 9]);
      expect(mx.sliceDynamic(a, mx.array([2 ** 40], 'uint64'), [0], [2]).toArray()).toEqual([8, 9]);
      expect(mx.sliceDynamic(a, mx.array([-1], 'int8'), [0], [1]).toArray()).toEqual([9]);
      expect(mx.sliceUpdateDynamic(mx.zeros([3], 'int32'), mx.array([2.9]), mx.array(2 ** 31 - 1, 'int32'), [0]).toArray()).toEqual([0, 0, 2]);
      expect(mx.sliceUpdateDynamic(mx.zeros([2, 0]), mx.zeros([1, 0]), [5], [0]).shape).toEqual([2, 0]);
      expect(mx.sliceDynamic(mx.zeros([0, 2]), [3], [0], [0, 2]).shape).toEqual([0, 2]);
    }));

  it('reject a start that is not one integer per axis and blocks that do not fit', () =>
    withoutLeaks(() => {
      expect(() => mx.sliceDynamic(mx.zeros([4]), mx.array([1], 'float32'), [0], [1])).toThrow('integer dtype');
      expect(() => mx.sliceDynamic(mx.zeros([4]), [1, 2], [0], [1])).toThrow('start has 2 entries');
      expect(() => mx.sliceDynamic(mx.zeros([4]), [1], [0], [-1])).toThrow('does not fit');
      expect(() => mx.sliceDynamic(mx.array(1), [], [], [])).not.toThrow();
      expect(() => mx.sliceUpdateDynamic(mx.zeros([2, 2]), mx.ones([3]), [0], [1])).toThrow('does not fit');
      expect(() => mx.sliceUpdateDynamic(mx.zeros([2, 2]), mx.ones([1, 2]), [0], [0, 1])).toThrow('start has 1 entries');
      expect(() => mx.sliceUpdateDynamic(mx.zeros([2, 2]), mx.ones([1, 2]), [0, 0], [1, -1])).toThrow('axes must be distinct');
    }));
});

describe('sliceUpdateAdd, sliceUpdateProd, sliceUpdateMax, sliceUpdateMin', () => {
  const combine = { add: (x: number, y: number) => x + y, prod: (x: number, y: number) => x * y, max: Math.max, min: Math.min };
  const ops = { add: mx.sliceUpdateAdd, prod: mx.sliceUpdateProd, max: mx.sliceUpdateMax, min: mx.sliceUpdateMin };

  /** The positions a Python slice start:stop:step visits on an axis of length n. */
  function visited(start: number, stop: number, step: number, n: number): number[] {
    const lo = step > 0 ? 0 : -1;
    const hi = step > 0 ? n : n - 1;
    const norm = (v: number) => (v < 0 ? Math.max(v + n, lo) : Math.min(v, hi));
    const out: number[] = [];
    for (let i = norm(start); step > 0 ? i < norm(stop) : i > norm(stop); i += step) out.push(i);
    return out;
  }

  const arb = fc
    .tuple(shapeArb(1, 3, 0, 4), fc.constantFrom(...scatterDtypes), fc.constantFrom('add', 'prod', 'max', 'min') as fc.Arbitrary<'add' | 'prod' | 'max' | 'min'>)
    .chain(([shape, dtype, kind]) =>
      fc.tuple(
        fc.constant(shape),
        fc.constant(dtype),
        fc.constant(kind),
        fc.array(fc.tuple(fc.integer({ min: -6, max: 6 }), fc.integer({ min: -6, max: 6 }), fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0)), { minLength: 0, maxLength: shape.length }),
        smallInts(sizeOf(shape), dtype),
        smallInts(sizeOf(shape) + 4, dtype),
        fc.boolean(),
      ),
    );
  it('combine each slice position with its (broadcast) update element, like a float64 loop', () =>
    checkProperty(arb, ([shape, dtype, kind, spec, aVals, uVals, broadcastRow]) => {
      const picks = shape.map((n, i) => (i < spec.length ? visited(spec[i][0], spec[i][1], spec[i][2], n) : [...Array(n).keys()]));
      const sliceShape = picks.map((p) => p.length);
      // Either the full slice shape, or its last axis only (broadcast over the others).
      const updShape = broadcastRow ? sliceShape.slice(-1) : sliceShape;
      const a = fromValues(aVals, shape, dtype);
      const upd = fromValues(uVals.slice(0, sizeOf(updShape)), updShape, dtype);
      const u = toNd(upd);
      const data = [...toNd(a).data];
      for (let i = 0; i < sizeOf(sliceShape); i++) {
        const p = unravel(i, sliceShape);
        const v = broadcastRow ? u.data[p[p.length - 1]] : u.data[i];
        const f = flatIndex(shape, p.map((k, j) => picks[j][k]));
        data[f] = combine[kind](data[f], v);
      }
      const out = ops[kind](a, upd, spec.map((s) => s[0]), spec.map((s) => s[1]), spec.map((s) => s[2]));
      expect(out.dtype).toBe(dtype);
      expectCloseNd(toNd(out), { shape, data: wrapTo(dtype, data) }, 0, `${kind} ${dtype} ${shape} ${JSON.stringify(spec)}`);
    }));
});

/** [..., m, k] @ [..., k, n] with batch broadcasting, in float64. */
function batchedMatmul(a: Nd, b: Nd): Nd {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const pad = (s: number[]) => [...Array(rank - s.length).fill(1), ...s];
  const [pa, pb] = [pad(aBatch), pad(bBatch)];
  const batch = pa.map((d, i) => Math.max(d, pb[i]));
  const outShape = [...batch, m, n];
  const data = Array.from({ length: sizeOf(outShape) }, (_, i) => {
    const idx = unravel(i, outShape);
    const bi = idx.slice(0, rank);
    const aOff = flatIndex(pa, bi.map((v, j) => (pa[j] === 1 ? 0 : v))) * m * k;
    const bOff = flatIndex(pb, bi.map((v, j) => (pb[j] === 1 ? 0 : v))) * k * n;
    const [r, c] = idx.slice(rank);
    let s = 0;
    for (let t = 0; t < k; t++) s += a.data[aOff + r * k + t] * b.data[bOff + t * n + c];
    return s;
  });
  return { shape: outShape, data };
}

const matmulDtypes: mx.DType[] = ['float32', 'float16', 'bfloat16', 'float64'];
// MLX's gather_mm kernel is float32 only: half precision goes through float32, float64 is rejected.
const gatherMmDtypes: mx.DType[] = ['float32', 'float16', 'bfloat16'];

describe('addmm', () => {
  const arb = fc
    .tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 2 }), fc.constantFrom(...matmulDtypes), fc.constantFrom('full', 'row', 'scalar', 'column'))
    .chain(([m, k, n, batch, dtype, cKind]) => {
      const bs = batch ? [batch] : [];
      const cShape = { full: [...bs, m, n], row: [n], scalar: [], column: [m, 1] }[cKind];
      return fc.tuple(
        fc.constant({ aShape: [...bs, m, k], bShape: [k, n], cShape, dtype }),
        eighths(sizeOf([...bs, m, k])),
        eighths(k * n),
        eighths(sizeOf(cShape)),
        fc.constantFrom(1, 0, -0.5, 2.25),
        fc.constantFrom(1, 0, 0.5, -3),
      );
    });
  it('equals beta * c + alpha * (a @ b) computed in float64', () =>
    checkProperty(arb, ([{ aShape, bShape, cShape, dtype }, av, bv, cv, alpha, beta]) => {
      const [a, b, c] = [fromValues(av, aShape, dtype), fromValues(bv, bShape, dtype), fromValues(cv, cShape, dtype)];
      const prod = batchedMatmul(toNd(a), toNd(b));
      const cNd = toNd(c);
      const data = prod.data.map((p, i) => {
        const idx = unravel(i, prod.shape).slice(prod.shape.length - cShape.length);
        const cv0 = cNd.data[flatIndex(cShape, idx.map((v, j) => (cShape[j] === 1 ? 0 : v)))];
        return alpha * p + beta * cv0;
      });
      const out = mx.addmm(c, a, b, alpha, beta);
      expect(out.dtype).toBe(dtype);
      // Float32 alpha/beta and half-precision rounding of the result.
      expectCloseNd(toNd(out), { shape: prod.shape, data }, dtype === 'float64' ? 1e-6 : floatTol[dtype]! * 4, `${dtype} ${aShape}@${bShape} + ${cShape} alpha ${alpha} beta ${beta}`);
    }));

  it('promotes mixed operands and takes JS numbers for c; non-contiguous operands; empty batched results', () =>
    withoutLeaks(() => {
      expect(mx.addmm(mx.array(1), mx.ones([1, 0, 0]), mx.ones([0, 0])).shape).toEqual([1, 0, 0]);
      expect(mx.addmm(mx.ones([0, 1, 1]), mx.ones([1, 2]), mx.ones([2, 1])).shape).toEqual([0, 1, 1]);
      expect(mx.addmm(mx.array(1, 'float16'), mx.ones([2, 0, 3], 'float16'), mx.ones([3, 4], 'float16')).dtype).toBe('float16');
      expect(mx.addmm(mx.ones([2, 2], 'bfloat16'), mx.ones([2, 3]), mx.ones([3, 2])).dtype).toBe('float32');
      expect(mx.addmm(1, mx.ones([2, 3]), mx.ones([3, 2]), 1, 2).toArray()).toEqual([[5, 5], [5, 5]]);
      const a = mx.transpose(mx.reshape(mx.arange(0, 6, 1, 'float32'), [3, 2]));
      expect(mx.addmm(mx.zeros([2, 2]), a, mx.transpose(a)).toArray()).toEqual([[20, 26], [26, 35]]);
      expect(mx.addmm(mx.ones([2]), mx.ones([3]), mx.ones([3, 2])).toArray()).toEqual([4, 4]);
    }));
});

describe('blockMaskedMm', () => {
  const arb = fc
    .tuple(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 0, max: 70 }), fc.integer({ min: 1, max: 40 }), fc.constantFrom(32, 64), fc.constantFrom<mx.DType>('float32', 'float16', 'bfloat16'), fc.integer({ min: 0, max: 2 }))
    .chain(([m, k, n, bs, dtype, batch]) => {
      const [bm, bk, bn] = [m, k, n].map((d) => Math.ceil(d / bs));
      const bsh = batch ? [batch] : [];
      const mask = (r: number, c: number) => fc.option(fc.tuple(fc.boolean(), ints(sizeOf([...bsh, r, c]), 0, 4)), { nil: undefined });
      return fc.tuple(
        fc.constant({ m, k, n, bs, dtype, bsh, grids: { out: [bm, bn], lhs: [bm, bk], rhs: [bk, bn] } }),
        eighths(sizeOf([...bsh, m, k])),
        eighths(sizeOf([...bsh, k, n])),
        mask(bm, bn),
        mask(bm, bk),
        mask(bk, bn),
      );
    });

  /** x with each element scaled by its block's mask entry (a bool mask as 0/1); x and mask share batch axes. */
  function masked(x: Nd, mask: Nd | undefined, bs: number): Nd {
    if (!mask) return x;
    const rank = x.shape.length;
    return {
      shape: x.shape,
      data: x.data.map((v, i) => {
        const idx = unravel(i, x.shape);
        return v * mask.data[flatIndex(mask.shape, idx.map((p, j) => (j >= rank - 2 ? Math.floor(p / bs) : p)))];
      }),
    };
  }

  it('equals the float64 product of the block-masked operands, masked again by blocks of the output', () =>
    checkProperty(arb, ([{ m, k, n, bs, dtype, bsh, grids }, av, bv, out, lhs, rhs]) => {
      const a = fromValues(av, [...bsh, m, k], dtype);
      const b = fromValues(bv, [...bsh, k, n], dtype);
      const maskOf = (spec: readonly [boolean, number[]] | undefined, grid: readonly number[]) => {
        if (!spec) return undefined;
        const shape = [...bsh, ...grid];
        return spec[0] ? mx.array(spec[1].map((v) => v > 1), 'bool').reshape(shape) : fromValues(spec[1].map((v) => v / 2), shape, dtype);
      };
      const [mo, ml, mr] = [maskOf(out, grids.out), maskOf(lhs, grids.lhs), maskOf(rhs, grids.rhs)];
      const prod = batchedMatmul(masked(toNd(a), ml && toNd(ml), bs), masked(toNd(b), mr && toNd(mr), bs));
      const expected = masked(prod, mo && toNd(mo), bs);
      const got = mx.blockMaskedMm(a, b, bs, mo, ml, mr);
      expect(got.dtype).toBe(dtype);
      // Sums of up to 70 products: the tolerance is relative to their size.
      expectCloseNd(toNd(got), expected, floatTol[dtype]! * Math.max(1, k / 4), `${dtype} ${bsh} ${m}x${k}x${n} bs ${bs} masks ${[out, lhs, rhs].map((x) => (x ? (x[0] ? 'bool' : 'num') : '-'))}`);
    }));

  it('multiplies without masks in any float dtype, including float64', () =>
    withoutLeaks(() => {
      expect(mx.blockMaskedMm(mx.ones([2, 3], 'float64'), mx.ones([3, 2], 'float64'), 32).toArray()).toEqual([[3, 3], [3, 3]]);
      expect(mx.blockMaskedMm(mx.ones([0, 3]), mx.ones([3, 2]), 32, mx.zeros([0, 1], 'bool')).shape).toEqual([0, 2]);
    }));
});

describe('gatherMm', () => {
  const arb = fc
    .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom(...gatherMmDtypes), fc.integer({ min: 0, max: 4 }))
    .chain(([m, n, k, na, nb, len, dtype, layout]) =>
      fc.tuple(
        fc.constant({ m, n, k, na, nb, len, dtype, layout }),
        eighths(na * m * k),
        eighths(nb * k * n),
        ints(len, -na - 2, na + 2),
        ints(len, -nb - 2, nb + 2),
      ),
    );
  it('equals a float64 matmul of the (clamped) picked matrices', () =>
    checkProperty(arb, ([{ m, n, k, na, nb, len, dtype, layout }, av, bv, li, ri]) => {
      const a = fromValues(av, [na, m, k], dtype);
      const b = fromValues(bv, [nb, k, n], dtype);
      const [A, B] = [toNd(a), toNd(b)];
      // layout 0: both index lists [len]; 1: lhs [len, 1] against rhs [len] (an outer product of picks);
      // 2: only rhs indices, with a of batch 1; 3: sorted rhs indices with sortedIndices; 4: a non-contiguous b.
      const pick = (x: Nd, i: number) => ({ shape: x.shape.slice(1), data: x.data.slice(i * sizeOf(x.shape.slice(1)), (i + 1) * sizeOf(x.shape.slice(1))) });
      const mm = (i: number, j: number) => batchedMatmul(pick(A, clampIndex(i, na, 1)), pick(B, clampIndex(j, nb, 1))).data;
      let out: mx.Tensor;
      let shape: number[];
      let data: number[];
      if (layout === 1) {
        out = mx.gatherMm(a, b, mx.array(li, 'int32').reshape([len, 1]), mx.array(ri, 'int64'));
        shape = [len, len, m, n];
        data = li.flatMap((i) => ri.flatMap((j) => mm(i, j)));
      } else if (layout === 2) {
        const a1 = mx.sliceDynamic(a, [clampIndex(li[0], na, 1)], [0], [1, m, k]);
        out = mx.gatherMm(a1, b, undefined, mx.array(ri, 'int32'));
        shape = [len, m, n];
        data = ri.flatMap((j) => mm(li[0], j));
      } else if (layout === 3) {
        const sorted = ri.map((j) => clampIndex(j, nb, 1)).sort((x, y) => x - y);
        out = mx.gatherMm(a, b, mx.array(li, 'int32'), mx.array(sorted, 'uint32'), { sortedIndices: true });
        shape = [len, m, n];
        data = li.flatMap((i, t) => mm(i, sorted[t]));
      } else {
        const bt = layout === 4 ? mx.swapaxes(fromValues(Array.from({ length: nb * k * n }, (_, i) => { const [e, c, r] = unravel(i, [nb, n, k]); return B.data[(e * k + r) * n + c]; }), [nb, n, k], dtype), 1, 2) : b;
        out = mx.gatherMm(a, bt, mx.array(li, 'int32'), mx.array(ri, 'int32'));
        shape = [len, m, n];
        data = li.flatMap((i, t) => mm(i, ri[t]));
      }
      expect(out.dtype).toBe(dtype);
      expectCloseNd(toNd(out), { shape, data }, floatTol[dtype]! * 2, `${dtype} layout ${layout} a [${na},${m},${k}] b [${nb},${k},${n}] lhs ${li} rhs ${ri}`);
    }));

  it('handles empty index lists, an empty inner dimension and 1-D operands', () =>
    withoutLeaks(() => {
      expect(mx.gatherMm(mx.ones([3, 2, 4]), mx.ones([5, 4, 2]), mx.array([], 'uint32'), mx.array([], 'uint32')).shape).toEqual([0, 2, 2]);
      expect(mx.gatherMm(mx.ones([3, 2, 0]), mx.ones([5, 0, 2]), mx.array([0], 'int32'), mx.array([9], 'int32')).toArray()).toEqual([[[0, 0], [0, 0]]]);
      expect(mx.gatherMm(mx.ones([4]), mx.ones([5, 4, 2]), undefined, mx.array([0], 'int32')).toArray()).toEqual([[4, 4]]);
      expect(() => mx.gatherMm(mx.ones([3, 2, 4]), mx.ones([0, 4, 2]), undefined, mx.array([0], 'int32'))).toThrow('rhsIndices cannot index');
      expect(() => mx.gatherMm(mx.ones([1, 2], 'float64'), mx.ones([2, 1]))).toThrow('float64 operands are not supported');
    }));
});

describe('searchsorted', () => {
  /** Total order of sort: NaN after every number, NaN equal to NaN. */
  const less = (x: number, y: number) => (Number.isNaN(x) ? false : Number.isNaN(y) ? true : x < y);
  /** Binary search for the first position whose element is not before v (left) or is after v (right). */
  function insertion(seq: readonly number[], v: number, side: 'left' | 'right'): number {
    let lo = 0;
    let hi = seq.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const goRight = side === 'left' ? less(seq[mid], v) : !less(v, seq[mid]);
      if (goRight) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  const special = [NaN, Infinity, -Infinity];
  const arb = fc
    .tuple(fc.constantFrom<mx.DType>('float32', 'float16', 'bfloat16', 'float64', 'int32', 'int64', 'uint8', 'int8'), fc.integer({ min: 0, max: 8 }), shapeArb(0, 2, 0, 4), fc.constantFrom<'left' | 'right'>('left', 'right'))
    .chain(([dtype, len, vShape, side]) => {
      const isFloat = dtype.startsWith('float') || dtype === 'bfloat16';
      const value = isFloat ? fc.oneof(fc.integer({ min: -6, max: 6 }).map((v) => v / 2), fc.constantFrom(...special)) : fc.integer({ min: dtype.startsWith('uint') ? 0 : -6, max: 6 });
      return fc.tuple(fc.constant({ dtype, vShape, side }), fc.array(value, { minLength: len, maxLength: len }), fc.array(value, { minLength: sizeOf(vShape), maxLength: sizeOf(vShape) }));
    });
  it('matches a float64 binary search on both sides, with duplicates, infinities and NaN', () =>
    checkProperty(arb, ([{ dtype, vShape, side }, seqRaw, vals]) => {
      const seq = [...seqRaw].sort((x, y) => (less(x, y) ? -1 : less(y, x) ? 1 : 0));
      const s = fromValues(seq, [seq.length], dtype);
      const v = fromValues(vals, vShape, dtype);
      const sorted = toNd(s).data;
      const data = toNd(v).data.map((x) => insertion(sorted, x, side));
      const out = mx.searchsorted(s, v, side);
      expect(out.dtype).toBe('uint32');
      expectCloseNd(toNd(out), { shape: vShape, data }, 0, `${dtype} ${JSON.stringify(sorted)} ${side} ${JSON.stringify(toNd(v).data)}`);
    }));

  it('promotes mixed dtypes and stays in range on an unsorted sequence', () =>
    withoutLeaks(() => {
      expect(mx.searchsorted(mx.array([1, 2, 3], 'int32'), mx.array([2.5])).toArray()).toEqual([2]);
      expect(mx.searchsorted(mx.array([], 'float32'), mx.array([1, 2])).toArray()).toEqual([0, 0]);
      const unsorted = toNd(mx.searchsorted(mx.array([3, 1, 2, 0]), mx.array([-1, 0.5, 1.5, 2.5, 9]))).data;
      expect(unsorted.every((i) => i >= 0 && i <= 4)).toBe(true);
      expect(mx.searchsorted(mx.array([-0, 0]), mx.array([0, -0]), 'right').toArray()).toEqual([2, 2]);
    }));
});
