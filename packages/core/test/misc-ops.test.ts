// The smaller ops of mlx/ops.h (kron, inner, outer, hadamardTransform, the window functions, unique,
// median with NaN, countNonzero, flip, unstack, minmax, arrayEqual, matrixTranspose, atleast*d,
// broadcastArrays, numberOfElements, toFp8/fromFp8) against float64 TS references: direct loops,
// closed forms and Set-based counting, never a call into MLX.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { broadcastAt, broadcastPairArb, broadcastShapes, checkProperty, expectCloseNd, fromValues, reduce, shapeArb, sizeOf, strides, toNd, transpose, type Nd, unravel, withoutLeaks } from '@mlxts/testing';

const at = (x: Nd, idx: readonly number[]) => x.data[idx.reduce((acc, v, k) => acc + v * strides(x.shape)[k], 0)];
const nd = (shape: number[], f: (idx: number[]) => number): Nd => ({
  shape,
  data: Array.from({ length: sizeOf(shape) }, (_, i) => f(unravel(i, shape))),
});
/** Values that are multiples of 1/4 in [-2, 2] (exact in every float dtype), zeros included. */
const valuesOf = (n: number) => fc.array(fc.integer({ min: -8, max: 8 }).map((k) => k / 4), { minLength: n, maxLength: n });
const withValues = (shape: fc.Arbitrary<number[]>) => shape.chain((s) => fc.tuple(fc.constant(s), valuesOf(sizeOf(s))));
/** An axis list (distinct, in random order, some negative) of a rank-`ndim` tensor. */
const axesArb = (ndim: number) =>
  fc
    .shuffledSubarray([...Array(ndim).keys()])
    .chain((axes) => fc.tuple(fc.constant(axes), fc.array(fc.boolean(), { minLength: axes.length, maxLength: axes.length })))
    .map(([axes, neg]) => axes.map((a, i) => (neg[i] ? a - ndim : a)));
const norm = (axis: number, ndim: number) => (axis < 0 ? axis + ndim : axis);

describe('kron', () => {
  it('places a[i] * b at block i, for operands of any ranks', () =>
    checkProperty(
      fc.tuple(withValues(shapeArb(0, 3, 1, 3)), withValues(shapeArb(0, 3, 1, 3)), fc.constantFrom<mx.DType>('float32', 'int32')),
      ([[sa, va], [sb, vb], dtype]) => {
        const ints = (v: number[]) => (dtype === 'int32' ? v.map((x) => Math.round(x * 4)) : v);
        const a: Nd = { shape: sa, data: ints(va) };
        const b: Nd = { shape: sb, data: ints(vb) };
        const n = Math.max(sa.length, sb.length);
        const pa = [...Array(n - sa.length).fill(1), ...sa];
        const pb = [...Array(n - sb.length).fill(1), ...sb];
        const pad = (x: Nd, shape: number[]): Nd => ({ shape, data: x.data });
        const expected = nd(pa.map((d, i) => d * pb[i]), (idx) =>
          at(pad(a, pa), idx.map((v, i) => Math.floor(v / pb[i]))) * at(pad(b, pb), idx.map((v, i) => v % pb[i])),
        );
        const out = mx.kron(fromValues(a.data, sa, dtype), fromValues(b.data, sb, dtype));
        expect(out.dtype).toBe(dtype);
        expectCloseNd(toNd(out), expected, 0, `${sa} kron ${sb}`);
      },
    ));
});

describe('inner', () => {
  it('sums over the last axes: a.shape[:-1] ++ b.shape[:-1]', () =>
    checkProperty(
      fc
        .tuple(shapeArb(0, 2, 0, 3), shapeArb(0, 2, 0, 3), fc.integer({ min: 0, max: 4 }), fc.constantFrom<mx.DType>('float32', 'float64', 'float16', 'bfloat16'))
        .chain(([ba, bb, k, dtype]) => fc.tuple(withValues(fc.constant([...ba, k])), withValues(fc.constant([...bb, k])), fc.constant(dtype))),
      ([[sa, va], [sb, vb], dtype]) => {
        const k = sa[sa.length - 1];
        const a: Nd = { shape: sa, data: va };
        const b: Nd = { shape: sb, data: vb };
        const outShape = [...sa.slice(0, -1), ...sb.slice(0, -1)];
        const expected = nd(outShape, (idx) => {
          let sum = 0;
          for (let j = 0; j < k; j++) sum += at(a, [...idx.slice(0, sa.length - 1), j]) * at(b, [...idx.slice(sa.length - 1), j]);
          return sum;
        });
        const out = mx.inner(fromValues(va, sa, dtype), fromValues(vb, sb, dtype));
        expect(out.dtype).toBe(dtype);
        // Sums of up to 4 products of quarters are exact except in bfloat16 (8 significant bits).
        expectCloseNd(toNd(out), expected, dtype === 'bfloat16' ? 8e-3 : 1e-6, `${dtype} ${sa} inner ${sb}`);
      },
    ));

  it('multiplies elementwise when an operand is 0-d', () =>
    withoutLeaks(() => expectCloseNd(toNd(mx.inner(mx.array(2), mx.array([[1, 2], [3, 4]]))), { shape: [2, 2], data: [2, 4, 6, 8] }, 0, '0-d')));
});

describe('outer', () => {
  it('multiplies every element of flat(a) by every element of flat(b)', () =>
    checkProperty(
      fc.tuple(withValues(shapeArb(0, 3, 0, 3)), withValues(shapeArb(0, 3, 0, 3)), fc.constantFrom<mx.DType>('float32', 'int32')),
      ([[sa, va], [sb, vb], dtype]) => {
        const ints = (v: number[]) => (dtype === 'int32' ? v.map((x) => Math.round(x * 4)) : v);
        const fa = ints(va);
        const fb = ints(vb);
        const expected = nd([fa.length, fb.length], ([i, j]) => fa[i] * fb[j]);
        const out = mx.outer(fromValues(fa, sa, dtype), fromValues(fb, sb, dtype));
        expect(out.dtype).toBe(dtype);
        expectCloseNd(toNd(out), expected, 0, `${sa} outer ${sb}`);
      },
    ));
});

/** Sylvester's Hadamard transform of each row of length 2^k, in float64: (H x)[i] = sum_j (-1)^popcount(i & j) x[j]. */
function sylvester(x: Nd, scale: number): Nd {
  const n = x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1];
  const parity = (v: number) => {
    let p = 0;
    for (; v; v &= v - 1) p ^= 1;
    return p;
  };
  return nd([...x.shape], (idx) => {
    const i = idx.length === 0 ? 0 : idx[idx.length - 1];
    let sum = 0;
    for (let j = 0; j < n; j++) sum += (parity(i & j) ? -1 : 1) * (idx.length === 0 ? x.data[0] : at(x, [...idx.slice(0, -1), j]));
    return scale * sum;
  });
}

describe('hadamardTransform', () => {
  it('matches the Sylvester-matrix product for lengths 2^k, in every accepted dtype', () =>
    checkProperty(
      fc.tuple(shapeArb(0, 2, 1, 3), fc.integer({ min: 0, max: 6 }), fc.option(fc.constantFrom(1, 0.5, -2), { nil: undefined }), fc.constantFrom<mx.DType>('float32', 'float16', 'bfloat16', 'int32'))
        .chain(([batch, k, scale, dtype]) => fc.tuple(withValues(fc.constant([...batch, 2 ** k])), fc.constant(scale), fc.constant(dtype))),
      ([[shape, values], scale, dtype]) => {
        const n = shape[shape.length - 1];
        const x = fromValues(values, shape, dtype);
        const out = mx.hadamardTransform(x, scale);
        expect(out.dtype).toBe(dtype === 'int32' ? 'float32' : dtype);
        const tol = { float32: 1e-5, float16: 4e-3, bfloat16: 3e-2, int32: 1e-5 }[dtype as string]!;
        expectCloseNd(toNd(out), sylvester(toNd(x), scale ?? 1 / Math.sqrt(n)), tol, `${dtype} ${shape} scale ${scale}`);
      },
    ));

  it('is orthonormal with ±1/sqrt(n) entries for the lengths built on 12, 20 and 28', () =>
    withoutLeaks(() => {
      for (const n of [12, 20, 28, 24, 40, 56]) {
        // Row i of the result is the transform of the unit vector e_i: a column of H / sqrt(n).
        const m = toNd(mx.hadamardTransform(mx.eye(n)));
        for (const v of m.data) expect(Math.abs(Math.abs(v) - 1 / Math.sqrt(n)), `n = ${n}`).toBeLessThan(1e-6);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            let dot = 0;
            for (let k = 0; k < n; k++) dot += m.data[i * n + k] * m.data[j * n + k];
            expect(Math.abs(dot - (i === j ? 1 : 0)), `n = ${n}, rows ${i} and ${j}`).toBeLessThan(1e-5);
          }
        }
        // Linearity: a batch of random rows is transformed by the same matrix.
        const xs = Array.from({ length: 2 * n }, (_, i) => ((i * 7) % 11) - 5);
        const got = toNd(mx.hadamardTransform(fromValues(xs, [2, n], 'float32'), 2));
        const want = nd([2, n], ([r, j]) => {
          let sum = 0;
          for (let i = 0; i < n; i++) sum += xs[r * n + i] * m.data[i * n + j] * Math.sqrt(n) * 2;
          return sum;
        });
        expectCloseNd(got, want, 1e-5, `n = ${n} linear`);
      }
    }));

  it('accepts exactly the lengths m * 2^k with m in (1, 12, 20, 28)', () =>
    withoutLeaks(() => {
      const supported = (n: number) => [1, 12, 20, 28].some((m) => n % m === 0 && Number.isInteger(Math.log2(n / m)));
      for (let n = 1; n <= 130; n++) {
        const call = () => mx.hadamardTransform(mx.ones([n])).toArray();
        if (supported(n)) expect(call, `n = ${n}`).not.toThrow();
        else expect(call, `n = ${n}`).toThrow('supported lengths are m * 2^k');
      }
    }));
});

const windows: Record<'hanning' | 'hamming' | 'blackman' | 'bartlett', (n: number, M: number) => number> = {
  hanning: (n, M) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / (M - 1)),
  hamming: (n, M) => 0.54 - 0.46 * Math.cos((2 * Math.PI * n) / (M - 1)),
  blackman: (n, M) => 0.42 - 0.5 * Math.cos((2 * Math.PI * n) / (M - 1)) + 0.08 * Math.cos((4 * Math.PI * n) / (M - 1)),
  bartlett: (n, M) => 1 - Math.abs((2 * n) / (M - 1) - 1),
};

describe('window functions', () => {
  const windowOps = { hanning: mx.hanning, hamming: mx.hamming, blackman: mx.blackman, bartlett: mx.bartlett };
  for (const [name, formula] of Object.entries(windows)) {
    it(`${name} matches its closed form`, () =>
      withoutLeaks(() => {
        const fn = windowOps[name as keyof typeof windows];
        for (const M of [...Array(42).keys()].map((i) => i - 1).concat([100, 1001, 4096])) {
          const out = fn(M);
          expect(out.dtype).toBe('float32');
          const len = Math.max(M, 0);
          const expected = { shape: [len], data: Array.from({ length: len }, (_, n) => (M === 1 ? 1 : formula(n, M))) };
          expectCloseNd(toNd(out), expected, 2e-6, `${name}(${M})`);
        }
      }));

    it(`${name} refuses a window that cannot fit in the memory limit`, () =>
      withoutLeaks(() => {
        const limit = mx.memoryLimit();
        try {
          mx.setMemoryLimit(1_000_000);
          expect(() => windowOps[name as keyof typeof windows](100_000)).toThrow('memory limit');
          expect(toNd(windowOps[name as keyof typeof windows](1000)).shape).toEqual([1000]);
        } finally {
          mx.setMemoryLimit(limit);
        }
      }));
  }
});

/** NumPy's median: NaN if any element is NaN, else the middle of the sorted values. */
const medianRef = (xs: number[]) => {
  if (xs.some(Number.isNaN)) return NaN;
  const s = [...xs].sort((p, q) => p - q);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

describe('median', () => {
  it('is NaN exactly where a reduced group holds a NaN (over any axis list, empty included)', () =>
    checkProperty(
      shapeArb(1, 3, 1, 4).chain((shape) =>
        fc.tuple(fc.constant(shape), fc.array(fc.oneof(fc.constant(NaN), fc.integer({ min: -8, max: 8 })), { minLength: sizeOf(shape), maxLength: sizeOf(shape) }), axesArb(shape.length)),
      ),
      ([shape, values, axes]) => {
        const x = fromValues(values, shape, 'float32');
        // An empty axis list reduces nothing.
        const expected = reduce(toNd(x), axes.map((a) => norm(a, shape.length)), false, medianRef);
        expectCloseNd(toNd(mx.median(x, axes)), expected, 0, `${shape} axes ${axes}`);
      },
    ));
});

/**
 * unique's outputs by counting: distinct numbers ascending, then every NaN as its own value in order of
 * occurrence; `size` slots, extra slots filled (index of the first slot, count 0), and inverse slots past
 * the end clamped to the last one.
 */
function uniqueRef(flat: number[], size: number, fill: number | undefined) {
  const distinct: { value: number; first: number; count: number }[] = [];
  const byValue = new Map<number, number>();
  const nans: number[] = [];
  flat.forEach((v, i) => {
    if (Number.isNaN(v)) nans.push(i);
    else if (byValue.has(v)) distinct[byValue.get(v)!].count++;
    else byValue.set(v, distinct.push({ value: v, first: i, count: 1 }) - 1);
  });
  distinct.sort((p, q) => p.value - q.value);
  const all = [...distinct, ...nans.map((i) => ({ value: NaN, first: i, count: 1 }))];
  const slot = (v: number, i: number) => (Number.isNaN(v) ? distinct.length + nans.indexOf(i) : distinct.findIndex((d) => d.value === v));
  const slots = Array.from({ length: size }, (_, i) => all[i]);
  return {
    values: slots.map((d) => (d ? d.value : (fill ?? all[0].value))),
    index: slots.map((d) => (d ? d.first : (all[0]?.first ?? 0))),
    inverse: flat.map((v, i) => Math.max(Math.min(slot(v, i), size - 1), 0)),
    counts: slots.map((d) => (d ? d.count : 0)),
  };
}

describe('unique', () => {
  it('matches a Set-based count for every size, with and without a fill value', () =>
    checkProperty(
      shapeArb(0, 3, 0, 4).chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constant(NaN)), { minLength: sizeOf(shape), maxLength: sizeOf(shape) }),
          fc.constantFrom<mx.DType>('float32', 'int32'),
          fc.integer({ min: 0, max: 12 }),
          fc.option(fc.integer({ min: -9, max: 9 }), { nil: undefined }),
        ),
      ),
      ([shape, values, dtype, size, fill]) => {
        const flat = dtype === 'int32' ? values.map((v) => (Number.isNaN(v) ? 5 : v)) : values;
        const x = fromValues(flat, shape, dtype);
        const call = () => mx.unique(x, size, true, true, true, fill);
        if (flat.length === 0 && size > 0 && fill === undefined) {
          expect(call).toThrow('fill value is required');
          return;
        }
        const [values_, index, inverse, counts] = call();
        const ref = uniqueRef(flat, size, fill);
        const context = `${dtype} ${shape} ${flat} size ${size} fill ${fill}`;
        expect([values_.dtype, index.dtype, inverse.dtype, counts.dtype]).toEqual([dtype, 'uint32', 'uint32', 'int32']);
        expectCloseNd(toNd(values_), { shape: [size], data: ref.values }, 0, `${context}: values`);
        expectCloseNd(toNd(index), { shape: [size], data: ref.index }, 0, `${context}: index`);
        expectCloseNd(toNd(inverse), { shape, data: ref.inverse }, 0, `${context}: inverse`);
        expectCloseNd(toNd(counts), { shape: [size], data: ref.counts }, 0, `${context}: counts`);
        // Without the extras only the values come back.
        expect(mx.unique(x, size, false, false, false, fill ?? 0).length).toBe(1);
      },
    ));

  it('refuses a size whose outputs cannot fit in the memory limit', () =>
    withoutLeaks(() => {
      const limit = mx.memoryLimit();
      try {
        mx.setMemoryLimit(1_000_000);
        expect(() => mx.unique(mx.array([1, 2]), 100_000)).toThrow('memory limit');
        expect(mx.unique(mx.array([1, 2]), 1000)[0].shape).toEqual([1000]);
      } finally {
        mx.setMemoryLimit(limit);
      }
    }));
});

describe('countNonzero', () => {
  it('counts the nonzero elements (NaN included) of each group, as int32', () =>
    checkProperty(
      shapeArb(0, 3, 0, 4).chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.array(fc.constantFrom(0, 0, 1, -2, NaN), { minLength: sizeOf(shape), maxLength: sizeOf(shape) }),
          fc.option(axesArb(shape.length), { nil: undefined }),
          fc.boolean(),
          fc.constantFrom<mx.DType>('float32', 'int32', 'bool', 'float16'),
        ),
      ),
      ([shape, values, axes, keepdims, dtype]) => {
        const vals = dtype === 'float32' || dtype === 'float16' ? values : values.map((v) => (Number.isNaN(v) ? 3 : v));
        const x = fromValues(vals, shape, dtype);
        const reduced = axes === undefined ? shape.map((_, i) => i) : axes.map((a) => norm(a, shape.length));
        const expected = reduce(toNd(x), reduced, keepdims, (xs) => xs.filter((v) => v !== 0).length);
        const out = mx.countNonzero(x, { axis: axes, keepdims });
        expect(out.dtype).toBe('int32');
        expectCloseNd(toNd(out), expected, 0, `${dtype} ${shape} axes ${axes} keepdims ${keepdims}`);
      },
    ));
});

describe('flip', () => {
  it('reverses the chosen axes (every axis when none)', () =>
    checkProperty(
      withValues(shapeArb(0, 3, 0, 4)).chain(([shape, values]) =>
        fc.tuple(fc.constant(shape), fc.constant(values), fc.option(fc.oneof(axesArb(shape.length), shape.length ? fc.integer({ min: -shape.length, max: shape.length - 1 }) : fc.constant<number[]>([])), { nil: undefined })),
      ),
      ([shape, values, axis]) => {
        const x: Nd = { shape, data: values };
        const flipped = axis === undefined ? shape.map((_, i) => i) : (Array.isArray(axis) ? axis : [axis]).map((a) => norm(a, shape.length));
        const expected = nd(shape, (idx) => at(x, idx.map((v, i) => (flipped.includes(i) ? shape[i] - 1 - v : v))));
        expectCloseNd(toNd(mx.flip(fromValues(values, shape, 'float32'), axis)), expected, 0, `${shape} axis ${JSON.stringify(axis)}`);
      },
    ));
});

describe('unstack', () => {
  it('returns the slices along an axis, which stack back into the input', () =>
    checkProperty(
      withValues(shapeArb(1, 3, 0, 3)).chain(([shape, values]) =>
        fc.tuple(fc.constant(shape), fc.constant(values), fc.integer({ min: -shape.length, max: shape.length - 1 })),
      ),
      ([shape, values, axis]) => {
        const ax = norm(axis, shape.length);
        const x: Nd = { shape, data: values };
        const parts = mx.unstack(fromValues(values, shape, 'float32'), { axis });
        expect(parts.length).toBe(shape[ax]);
        const partShape = shape.filter((_, i) => i !== ax);
        parts.forEach((p, k) => expectCloseNd(toNd(p), nd(partShape, (idx) => at(x, [...idx.slice(0, ax), k, ...idx.slice(ax)])), 0, `${shape} axis ${axis} part ${k}`));
        if (parts.length) expectCloseNd(toNd(mx.stack(parts, ax)), x, 0, `${shape} restacked`);
      },
    ));
});

describe('minmax', () => {
  it('returns [min, max] of each group, NaN-propagating, in the input dtype', () =>
    checkProperty(
      shapeArb(1, 3, 1, 4).chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.array(fc.oneof(fc.integer({ min: -9, max: 9 }), fc.constant(NaN)), { minLength: sizeOf(shape), maxLength: sizeOf(shape) }),
          fc.option(axesArb(shape.length), { nil: undefined }),
          fc.boolean(),
          fc.constantFrom<mx.DType>('float32', 'int32'),
        ),
      ),
      ([shape, values, axes, keepdims, dtype]) => {
        const vals = dtype === 'int32' ? values.map((v) => (Number.isNaN(v) ? 0 : v)) : values;
        const x = fromValues(vals, shape, dtype);
        const reduced = axes === undefined ? shape.map((_, i) => i) : axes.map((a) => norm(a, shape.length));
        const nanOr = (f: (...v: number[]) => number) => (xs: number[]) => (xs.some(Number.isNaN) ? NaN : f(...xs));
        const [lo, hi] = mx.minmax(x, axes, keepdims);
        expect([lo.dtype, hi.dtype]).toEqual([dtype, dtype]);
        const context = `${dtype} ${shape} axes ${axes} keepdims ${keepdims}`;
        expectCloseNd(toNd(lo), reduce(toNd(x), reduced, keepdims, nanOr(Math.min)), 0, context);
        expectCloseNd(toNd(hi), reduce(toNd(x), reduced, keepdims, nanOr(Math.max)), 0, context);
      },
    ));
});

describe('arrayEqual', () => {
  it('is true iff the shapes match and every pair is equal (NaN pairs only with equalNan)', () =>
    checkProperty(
      shapeArb(0, 3, 0, 3).chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.array(fc.oneof(fc.integer({ min: -2, max: 2 }), fc.constant(NaN)), { minLength: sizeOf(shape), maxLength: sizeOf(shape) }),
          fc.constantFrom('same', 'perturbed', 'reshaped'),
          fc.nat(),
          fc.boolean(),
        ),
      ),
      ([shape, values, kind, pick, equalNan]) => {
        const other = [...values];
        if (kind === 'perturbed' && other.length) other[pick % other.length] = Number.isNaN(other[pick % other.length]) ? 0 : NaN;
        const otherShape = kind === 'reshaped' ? [...shape, 1] : shape;
        const eq = (p: number, q: number) => p === q || (equalNan && Number.isNaN(p) && Number.isNaN(q));
        const expected = kind !== 'reshaped' && values.every((v, i) => eq(v, other[i]));
        const out = mx.arrayEqual(fromValues(values, shape, 'float32'), fromValues(other, otherShape, 'float32'), equalNan);
        expect(out.dtype).toBe('bool');
        expect(out.shape).toEqual([]);
        expect(out.item(), `${shape} ${kind} ${values} vs ${other} equalNan ${equalNan}`).toBe(expected);
      },
    ));
});

describe('matrixTranspose', () => {
  it('swaps the last two axes', () =>
    checkProperty(withValues(shapeArb(2, 4, 0, 3)), ([shape, values]) => {
      const n = shape.length;
      const perm = [...Array(n - 2).keys(), n - 1, n - 2];
      expectCloseNd(toNd(mx.matrixTranspose(fromValues(values, shape, 'float32'))), transpose({ shape, data: values }, perm), 0, `${shape}`);
    }));
});

describe('atleast1d / atleast2d / atleast3d', () => {
  it('add length-1 axes by NumPy’s rules and keep values and dtype', () =>
    checkProperty(withValues(shapeArb(0, 4, 0, 3)), ([shape, values]) => {
      const x = fromValues(values, shape, 'int32');
      const expected1 = shape.length >= 1 ? shape : [1];
      const expected2 = shape.length >= 2 ? shape : shape.length === 1 ? [1, shape[0]] : [1, 1];
      const expected3 = shape.length >= 3 ? shape : shape.length === 2 ? [...shape, 1] : shape.length === 1 ? [1, shape[0], 1] : [1, 1, 1];
      const data = toNd(x).data;
      for (const [out, want] of [[mx.atleast1d(x), expected1], [mx.atleast2d(x), expected2], [mx.atleast3d(x), expected3]] as const) {
        expect(out.dtype).toBe('int32');
        expectCloseNd(toNd(out), { shape: [...want], data }, 0, `${shape} -> ${want}`);
      }
    }));
});

describe('broadcastArrays', () => {
  it('gives every input the common broadcast shape and keeps dtypes', () =>
    checkProperty(
      broadcastPairArb.chain(({ a, b }) => fc.tuple(fc.constant(a), fc.constant(b), valuesOf(sizeOf(a)), valuesOf(sizeOf(b)))),
      ([sa, sb, va, vb]) => {
        const shape = broadcastShapes(sa, sb);
        const a: Nd = { shape: sa, data: va };
        const b: Nd = { shape: sb, data: vb.map((v) => Math.round(v * 4)) };
        const [oa, ob] = mx.broadcastArrays(fromValues(a.data, sa, 'float32'), fromValues(b.data, sb, 'int32'));
        expect([oa.dtype, ob.dtype]).toEqual(['float32', 'int32']);
        expectCloseNd(toNd(oa), nd(shape, (idx) => broadcastAt(a, idx)), 0, `${sa} with ${sb}`);
        expectCloseNd(toNd(ob), nd(shape, (idx) => broadcastAt(b, idx)), 0, `${sb} with ${sa}`);
      },
    ));
});

describe('numberOfElements', () => {
  it('multiplies the lengths of the chosen axes', () =>
    checkProperty(
      shapeArb(0, 4, 0, 5).chain((shape) => fc.tuple(fc.constant(shape), axesArb(shape.length), fc.boolean())),
      ([shape, axes, inverted]) => {
        const count = axes.reduce((p, a) => p * shape[norm(a, shape.length)], 1);
        const out = mx.numberOfElements(mx.zeros(shape), axes, inverted ? { inverted, dtype: 'float32' } : {});
        expect(out.shape).toEqual([]);
        expect(out.dtype).toBe(inverted ? 'float32' : 'int32');
        expect(out.item()).toBeCloseTo(inverted ? 1 / count : count, 6);
      },
    ));
});

/** The value of an E4M3 byte: 1 sign, 4 exponent bits (bias 7), 3 mantissa bits; 0x7f and 0xff are NaN. */
function e4m3(byte: number): number {
  const sign = byte & 0x80 ? -1 : 1;
  const exp = (byte >> 3) & 0xf;
  const man = byte & 0x7;
  if (exp === 0xf && man === 0x7) return NaN;
  return sign * (exp === 0 ? (man / 8) * 2 ** -6 : (1 + man / 8) * 2 ** (exp - 7));
}
const finiteBytes = [...Array(256).keys()].filter((b) => !Number.isNaN(e4m3(b)));

/** Round to the nearest E4M3 value, ties to the even mantissa; beyond ±448 (and NaN, as MLX does) saturate. */
function toE4m3(x: number): number {
  if (Number.isNaN(x) || x >= 448) return 0x7e;
  if (x <= -448) return 0xfe;
  let best = -1;
  for (const b of finiteBytes) {
    if ((b & 0x80 ? 1 : 0) !== (x < 0 || Object.is(x, -0) ? 1 : 0)) continue;
    if (best < 0) {
      best = b;
      continue;
    }
    const d = Math.abs(e4m3(b) - x);
    const db = Math.abs(e4m3(best) - x);
    if (d < db || (d === db && (b & 1) === 0)) best = b;
  }
  return best;
}

describe('fromFp8 / toFp8', () => {
  it('decode every byte like the E4M3 reference, in every float dtype', () =>
    withoutLeaks(() => {
      const bytes = mx.array(Uint8Array.from([...Array(256).keys()]));
      for (const dtype of ['float32', 'float64', 'float16', 'bfloat16'] as const) {
        const out = mx.fromFp8(bytes, dtype);
        expect(out.dtype).toBe(dtype);
        // Every E4M3 value is exact in float16 and bfloat16 too (bfloat16 has 8 exponent bits and E4M3 needs 3 mantissa bits).
        expectCloseNd(toNd(mx.astype(out, 'float64')), { shape: [256], data: [...Array(256).keys()].map(e4m3) }, 0, dtype);
      }
    }));

  it('encode every E4M3 value back to its byte', () =>
    withoutLeaks(() => {
      const values = finiteBytes.map(e4m3);
      for (const dtype of ['float32', 'float64', 'float16', 'bfloat16'] as const) {
        const out = mx.toFp8(mx.array(Float64Array.from(values), dtype));
        expect(out.dtype).toBe('uint8');
        // Compared through the decoded values, so +0 and -0 may take either zero byte.
        expectCloseNd({ shape: out.shape, data: toNd(out).data.map(e4m3) }, { shape: [values.length], data: values }, 0, dtype);
      }
    }));

  it('round random floats to the nearest E4M3 value and saturate at ±448', () =>
    checkProperty(
      fc.array(fc.oneof(fc.double({ min: -600, max: 600, noNaN: true }), fc.double({ min: -0.02, max: 0.02, noNaN: true }), fc.constantFrom(Infinity, -Infinity, NaN)), { minLength: 1, maxLength: 40 }),
      (xs) => {
        const f32 = Array.from(Float32Array.from(xs));
        const out = toNd(mx.toFp8(mx.array(Float32Array.from(f32)))).data;
        f32.forEach((x, i) => {
          const want = toE4m3(x);
          // Compare values, not bytes, so a signed zero either way passes.
          expect(e4m3(out[i]) + 0, `toFp8(${x}) gave byte ${out[i]}, expected ${want}`).toBe(e4m3(want) + 0);
        });
      },
    ));

  it('round a value halfway between two E4M3 values to the even mantissa', () =>
    withoutLeaks(() => {
      const positive = finiteBytes.filter((b) => b < 0x80).map(e4m3).sort((p, q) => p - q);
      const halves = positive.slice(1).map((v, i) => (v + positive[i]) / 2);
      const xs = [...halves, ...halves.map((h) => -h)];
      const out = toNd(mx.toFp8(mx.array(Float32Array.from(xs)))).data;
      xs.forEach((x, i) => expect(e4m3(out[i]) + 0, `toFp8(${x})`).toBe(e4m3(toE4m3(x)) + 0));
    }));
});

describe('non-contiguous inputs', () => {
  it('give the results of their contiguous copies', () =>
    withoutLeaks(() => {
      const base = mx.reshape(mx.astype(mx.arange(24), 'float32'), [2, 3, 4]);
      const views = [
        mx.transpose(base, [2, 1, 0]),
        mx.flip(base, -1),
        mx.broadcastTo(mx.array([1, -2, 0, 4]), [3, 4]),
        mx.slice(base, [0, 0, 0], [2, 3, 4], [1, 2, 2]),
      ];
      const ops: [string, (x: mx.Tensor) => mx.Tensor][] = [
        ['hadamardTransform', (x) => mx.hadamardTransform(x)],
        ['toFp8', (x) => mx.toFp8(mx.divide(x, 4))],
        ['fromFp8', (x) => mx.fromFp8(mx.astype(mx.abs(x), 'uint8'), 'float32')],
        ['unique inverse', (x) => mx.unique(mx.remainder(x, 5), 6, true, true, true)[2]],
        ['median', (x) => mx.median(x, 0)],
        ['countNonzero', (x) => mx.countNonzero(mx.remainder(x, 3), { axis: -1 })],
        ['kron', (x) => mx.kron(x, mx.array([1, -1]))],
        ['inner', (x) => mx.inner(x, x)],
        ['minmax', (x) => mx.subtract(...mx.minmax(x, -1))],
        ['flip', (x) => mx.flip(x, 0)],
        ['matrixTranspose', (x) => mx.matrixTranspose(x)],
      ];
      for (const view of views) {
        const copy = mx.contiguous(view);
        for (const [name, f] of ops) expectCloseNd(toNd(f(view)), toNd(f(copy)), 0, `${name} of a ${view.shape} view`);
      }
    }));
});
