// Shape and indexing ops against float64 TS references over random shapes (the ops whose schema
// entries point here instead of declaring an elementwise or reduction property).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { broadcastAt, elementwise, expectCloseNd, fromValues, type Nd, runs, shapeArb, sizeOf, strides, toNd, transpose, unravel, withoutLeaks } from '@mlxts/testing';

const iota = (shape: number[]): Nd => ({ shape, data: Array.from({ length: sizeOf(shape) }, (_, i) => i) });
const tensorOf = (x: Nd, dtype: mx.DType = 'float32') => fromValues(x.data, x.shape, dtype);
const check = <T>(arb: fc.Arbitrary<T>, body: (value: T) => void) =>
  fc.assert(fc.property(arb, (v) => withoutLeaks(() => body(v))), { numRuns: runs });

/** Elements of x at the multi-indices produced by `source` for each output position. */
function gatherNd(x: Nd, shape: number[], source: (idx: number[]) => number[]): Nd {
  const st = strides(x.shape);
  const data = Array.from({ length: sizeOf(shape) }, (_, i) => {
    const from = source(unravel(i, shape));
    return x.data[from.reduce((acc, v, k) => acc + v * st[k], 0)];
  });
  return { shape, data };
}

const permutationArb = (n: number) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n });

describe('reshape', () => {
  it('keeps row-major order for any compatible shape, with -1 inferred', () =>
    check(shapeArb(0, 4, 0, 4).chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray(s))), ([shape, perm]) => {
      const x = iota(shape);
      const target = perm.length === 0 ? [sizeOf(shape)] : [...perm.slice(1), sizeOf(shape) / Math.max(1, sizeOf(perm.slice(1)))];
      if (!Number.isInteger(target[target.length - 1]) || sizeOf(target) !== sizeOf(shape)) return;
      const out = mx.reshape(tensorOf(x), target);
      expectCloseNd(toNd(out), { shape: target, data: x.data }, 0, `${shape} -> ${target}`);
      if (sizeOf(shape) > 0) expect(mx.reshape(tensorOf(x), [...target.slice(0, -1), -1]).shape).toEqual(target);
    }));
});

describe('transpose', () => {
  it('matches a permutation of axes, default reversing them', () =>
    check(shapeArb(0, 4, 0, 4).chain((s) => fc.tuple(fc.constant(s), permutationArb(s.length))), ([shape, perm]) => {
      const x = iota(shape);
      expectCloseNd(toNd(mx.transpose(tensorOf(x), perm)), transpose(x, perm), 0, `${shape} by ${perm}`);
      const reversed = [...shape.keys()].reverse();
      expectCloseNd(toNd(mx.transpose(tensorOf(x))), transpose(x, reversed), 0, `${shape} reversed`);
    }));
});

describe('broadcastTo', () => {
  it('stretches length-1 axes and adds leading ones', () =>
    check(
      shapeArb(0, 3, 0, 3).chain((out) =>
        fc.tuple(fc.constant(out), fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length })),
      ),
      ([out, drop, ones]) => {
        const shape = out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d));
        const x = iota(shape);
        const expected = { shape: out, data: Array.from({ length: sizeOf(out) }, (_, i) => broadcastAt(x, unravel(i, out))) };
        expectCloseNd(toNd(mx.broadcastTo(tensorOf(x), out)), expected, 0, `${shape} -> ${out}`);
      },
    ));
});

describe('concatenate and stack', () => {
  const partsArb = shapeArb(1, 3, 0, 3).chain((shape) =>
    fc.tuple(fc.constant(shape), fc.integer({ min: -shape.length, max: shape.length - 1 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 })),
  );

  it('concatenate joins along any axis (negative included)', () =>
    check(partsArb, ([shape, axis, lengths]) => {
      const ax = (axis + shape.length) % shape.length;
      const parts = lengths.map((len, p) => {
        const s = shape.map((d, i) => (i === ax ? len : d));
        return { shape: s, data: iota(s).data.map((v) => v + 100 * p) };
      });
      const outShape = shape.map((d, i) => (i === ax ? lengths.reduce((a, b) => a + b, 0) : d));
      const expected = gatherNdMany(parts, outShape, ax);
      expectCloseNd(toNd(mx.concatenate(parts.map((p) => tensorOf(p)), axis)), expected, 0, `${shape} axis ${axis}`);
    }));

  it('stack inserts a new axis', () =>
    check(partsArb, ([shape, , lengths]) => {
      const parts = lengths.map((_, p) => ({ shape, data: iota(shape).data.map((v) => v + 100 * p) }));
      for (let axis = -shape.length - 1; axis <= shape.length; axis++) {
        const ax = axis < 0 ? axis + shape.length + 1 : axis;
        const outShape = [...shape.slice(0, ax), parts.length, ...shape.slice(ax)];
        const data = Array.from({ length: sizeOf(outShape) }, (_, i) => {
          const idx = unravel(i, outShape);
          const p = idx[ax];
          const inner = [...idx.slice(0, ax), ...idx.slice(ax + 1)];
          return parts[p].data[inner.reduce((acc, v, k) => acc + v * strides(shape)[k], 0)];
        });
        expectCloseNd(toNd(mx.stack(parts.map((p) => tensorOf(p)), axis)), { shape: outShape, data }, 0, `${shape} axis ${axis}`);
      }
    }));
});

function gatherNdMany(parts: Nd[], outShape: number[], axis: number): Nd {
  const data = Array.from({ length: sizeOf(outShape) }, (_, i) => {
    const idx = unravel(i, outShape);
    let k = idx[axis];
    let p = 0;
    while (k >= parts[p].shape[axis]) k -= parts[p++].shape[axis];
    const local = idx.map((v, j) => (j === axis ? k : v));
    return parts[p].data[local.reduce((acc, v, j) => acc + v * strides(parts[p].shape)[j], 0)];
  });
  return { shape: outShape, data };
}

describe('squeeze', () => {
  it('removes the named or all length-1 axes', () =>
    check(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 4 }), (shape) => {
      const x = iota(shape);
      const ones = shape.flatMap((d, i) => (d === 1 ? [i] : []));
      expect(mx.squeeze(tensorOf(x)).shape).toEqual(shape.filter((d) => d !== 1));
      if (ones.length > 0) {
        expect(mx.squeeze(tensorOf(x), ones[0] - shape.length).shape).toEqual(shape.filter((_, i) => i !== ones[0]));
        expectCloseNd(toNd(mx.squeeze(tensorOf(x), ones)), { shape: shape.filter((d) => d !== 1), data: x.data }, 0, `${shape}`);
      }
    }));
});

/** Python's slice.indices(). */
function sliceIndices(start: number, stop: number, step: number, n: number): number[] {
  const norm = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
  const [lo, hi] = step > 0 ? [0, n] : [-1, n - 1];
  const out: number[] = [];
  for (let i = norm(start, lo, hi), end = norm(stop, lo, hi); step > 0 ? i < end : i > end; i += step) out.push(i);
  return out;
}

describe('slice', () => {
  it('follows Python slicing: negative indices, clamping, negative strides', () =>
    check(
      shapeArb(1, 3, 0, 5).chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.array(fc.tuple(fc.integer({ min: -7, max: 7 }), fc.integer({ min: -7, max: 7 }), fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0)), {
            minLength: 1,
            maxLength: shape.length,
          }),
        ),
      ),
      ([shape, spec]) => {
        const x = iota(shape);
        const picks = shape.map((n, i) => (i < spec.length ? sliceIndices(spec[i][0], spec[i][1], spec[i][2], n) : [...Array(n).keys()]));
        const expected = gatherNd(x, picks.map((p) => p.length), (idx) => idx.map((v, i) => picks[i][v]));
        const out = mx.slice(tensorOf(x), spec.map((s) => s[0]), spec.map((s) => s[1]), spec.map((s) => s[2]));
        expectCloseNd(toNd(out), expected, 0, `${shape} ${JSON.stringify(spec)}`);
      },
    ));
});

describe('take and takeAlongAxis', () => {
  const arb = shapeArb(1, 3, 1, 4).chain((shape) =>
    fc.tuple(fc.constant(shape), fc.integer({ min: -shape.length, max: shape.length - 1 }), fc.array(fc.integer({ min: -6, max: 6 }), { minLength: 0, maxLength: 5 })),
  );
  const clampIndex = (i: number, n: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n - 1);

  it('take gathers along an axis or the flattened tensor, clamping out-of-range indices', () =>
    check(arb, ([shape, axis, indices]) => {
      const x = iota(shape);
      const ax = (axis + shape.length) % shape.length;
      const outShape = [...shape.slice(0, ax), indices.length, ...shape.slice(ax + 1)];
      const expected = gatherNd(x, outShape, (idx) => idx.map((v, i) => (i === ax ? clampIndex(indices[v], shape[ax]) : v)));
      expectCloseNd(toNd(mx.take(tensorOf(x), indices, axis)), expected, 0, `${shape} axis ${axis}`);
      const flat = { shape: [indices.length], data: indices.map((i) => x.data[clampIndex(i, x.data.length)]) };
      expectCloseNd(toNd(mx.take(tensorOf(x), indices)), flat, 0, `${shape} flattened`);
    }));

  it('takeAlongAxis picks per position along the axis', () =>
    check(arb, ([shape, axis, raw]) => {
      const x = iota(shape);
      const ax = (axis + shape.length) % shape.length;
      const idxShape = shape.map((d, i) => (i === ax ? Math.max(1, raw.length) : d));
      const indices = Array.from({ length: sizeOf(idxShape) }, (_, i) => raw[i % Math.max(1, raw.length)] ?? 0);
      const expected = gatherNd(x, idxShape, (idx) => idx.map((v, i) => (i === ax ? clampIndex(indices[idx.reduce((a, w, k) => a + w * strides(idxShape)[k], 0)], shape[ax]) : v)));
      const out = mx.takeAlongAxis(tensorOf(x), mx.reshape(mx.array(Int32Array.from(indices)), idxShape), axis);
      expectCloseNd(toNd(out), expected, 0, `${shape} axis ${axis}`);
    }));
});

describe('where', () => {
  it('selects elementwise with three-way broadcasting', () =>
    check(shapeArb(0, 3, 1, 3).chain((s) => fc.tuple(fc.constant(s), fc.array(fc.boolean(), { minLength: sizeOf(s), maxLength: sizeOf(s) }))), ([shape, mask]) => {
      const cond = { shape, data: mask.map(Number) };
      const x = iota(shape);
      const y = { shape: [], data: [-1] };
      const expected = elementwise([cond, x, y], (c, a, b) => (c ? a : b));
      expectCloseNd(toNd(mx.where(tensorOf(cond, 'bool'), tensorOf(x), -1)), expected, 0, `${shape}`);
    }));
});

describe('matmul', () => {
  it('matches a naive product, with batch broadcasting and 1-D operands', () =>
    check(
      fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom('float32', 'float64') as fc.Arbitrary<mx.DType>),
      ([m, k, n, batch, dtype]) => {
        const a = { shape: [batch, m, k], data: Array.from({ length: batch * m * k }, (_, i) => ((i * 7) % 11) - 5) };
        const b = { shape: [k, n], data: Array.from({ length: k * n }, (_, i) => ((i * 5) % 7) - 3) };
        const expected = gatherNd({ shape: [1], data: [0] }, [batch, m, n], () => [0]);
        const data = expected.data.map((_, i) => {
          const [bi, r, c] = unravel(i, [batch, m, n]);
          let s = 0;
          for (let t = 0; t < k; t++) s += a.data[bi * m * k + r * k + t] * b.data[t * n + c];
          return s;
        });
        expectCloseNd(toNd(mx.matmul(tensorOf(a, dtype), tensorOf(b, dtype))), { shape: [batch, m, n], data }, 1e-6, `${batch}x${m}x${k} @ ${k}x${n}`);
        const v = { shape: [k], data: b.data.slice(0, k) };
        const mv = mx.matmul(tensorOf({ shape: [m, k], data: a.data.slice(0, m * k) }, dtype), tensorOf(v, dtype));
        expect(mv.shape).toEqual([m]);
      },
    ));
});

describe('astype', () => {
  it('converts between every pair of real dtypes on small integers', () =>
    withoutLeaks(() => {
      const dtypes: mx.DType[] = ['bool', 'uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float16', 'bfloat16', 'float32', 'float64'];
      for (const from of dtypes) {
        for (const to of dtypes) {
          const values = from === 'bool' ? [0, 1, 1] : [0, 1, 7];
          const out = mx.astype(fromValues(values, [3], from), to);
          expect(out.dtype).toBe(to);
          expect(toNd(out).data, `${from} -> ${to}`).toEqual(to === 'bool' ? values.map((v) => (v ? 1 : 0)) : values);
        }
      }
    }));
});
