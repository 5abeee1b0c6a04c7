// Shape and indexing ops against float64 TS references over random shapes (the ops whose schema
// entries point here instead of declaring an elementwise or reduction property).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { broadcastAt, checkProperty, elementwise, expectCloseNd, fromValues, shapeArb, sizeOf, strides, toNd, transpose, type Nd, unravel, withoutLeaks } from '@mlxts/testing';

const iota = (shape: number[]): Nd => ({ shape, data: Array.from({ length: sizeOf(shape) }, (_, i) => i) });
const tensorOf = (x: Nd, dtype: mx.DType = 'float32') => fromValues(x.data, x.shape, dtype);

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
    checkProperty(shapeArb(0, 4, 0, 4).chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray(s))), ([shape, perm]) => {
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
    checkProperty(shapeArb(0, 4, 0, 4).chain((s) => fc.tuple(fc.constant(s), permutationArb(s.length))), ([shape, perm]) => {
      const x = iota(shape);
      expectCloseNd(toNd(mx.transpose(tensorOf(x), perm)), transpose(x, perm), 0, `${shape} by ${perm}`);
      const reversed = [...shape.keys()].reverse();
      expectCloseNd(toNd(mx.transpose(tensorOf(x))), transpose(x, reversed), 0, `${shape} reversed`);
    }));
});

describe('broadcastTo', () => {
  it('stretches length-1 axes and adds leading ones', () =>
    checkProperty(
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
    checkProperty(partsArb, ([shape, axis, lengths]) => {
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
    checkProperty(partsArb, ([shape, , lengths]) => {
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
    checkProperty(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 4 }), (shape) => {
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
    checkProperty(
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
    checkProperty(arb, ([shape, axis, indices]) => {
      const x = iota(shape);
      const ax = (axis + shape.length) % shape.length;
      const outShape = [...shape.slice(0, ax), indices.length, ...shape.slice(ax + 1)];
      const expected = gatherNd(x, outShape, (idx) => idx.map((v, i) => (i === ax ? clampIndex(indices[v], shape[ax]) : v)));
      expectCloseNd(toNd(mx.take(tensorOf(x), indices, axis)), expected, 0, `${shape} axis ${axis}`);
      const flat = { shape: [indices.length], data: indices.map((i) => x.data[clampIndex(i, x.data.length)]) };
      expectCloseNd(toNd(mx.take(tensorOf(x), indices)), flat, 0, `${shape} flattened`);
    }));

  it('takeAlongAxis picks per position along the axis', () =>
    checkProperty(arb, ([shape, axis, raw]) => {
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
    checkProperty(shapeArb(0, 3, 1, 3).chain((s) => fc.tuple(fc.constant(s), fc.array(fc.boolean(), { minLength: sizeOf(s), maxLength: sizeOf(s) }))), ([shape, mask]) => {
      const cond = { shape, data: mask.map(Number) };
      const x = iota(shape);
      const y = { shape: [], data: [-1] };
      const expected = elementwise([cond, x, y], (c, a, b) => (c ? a : b));
      expectCloseNd(toNd(mx.where(tensorOf(cond, 'bool'), tensorOf(x), -1)), expected, 0, `${shape}`);
    }));
});

describe('matmul', () => {
  it('matches a naive product, with batch broadcasting and 1-D operands', () =>
    checkProperty(
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

/** Applies `f` to every 1-D lane of x along `ax` (f gets the lane's values, returns the new lane). */
function lanes(x: Nd, ax: number, f: (lane: number[]) => number[]): Nd {
  const n = x.shape[ax];
  const st = strides(x.shape);
  const outLen = f(Array(n).fill(0)).length;
  const outShape = x.shape.map((d, i) => (i === ax ? outLen : d));
  const ost = strides(outShape);
  const data = Array(sizeOf(outShape)).fill(0);
  const other = x.shape.map((d, i) => (i === ax ? 1 : d));
  for (let i = 0; i < sizeOf(other); i++) {
    const idx = unravel(i, other);
    const base = idx.reduce((a, v, k) => a + v * st[k], 0);
    const obase = idx.reduce((a, v, k) => a + v * ost[k], 0);
    const out = f(Array.from({ length: n }, (_, j) => x.data[base + j * st[ax]]));
    out.forEach((v, j) => (data[obase + j * ost[ax]] = v));
  }
  return { shape: outShape, data };
}

const valuesOf = (shape: number[], seed: number[]): Nd => ({ shape, data: Array.from({ length: sizeOf(shape) }, (_, i) => seed[i % seed.length]) });
const laneArb = shapeArb(1, 3, 1, 4).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: -s.length, max: s.length - 1 }), fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 1, maxLength: 8 })));

describe('cumulative scans', () => {
  const scan = (op: (a: number, b: number) => number, id: number) => (lane: number[], reverse: boolean, inclusive: boolean) => {
    const xs = reverse ? [...lane].reverse() : lane;
    const out: number[] = [];
    let acc = id;
    for (const x of xs) {
      if (inclusive) { acc = op(acc, x); out.push(acc); } else { out.push(acc); acc = op(acc, x); }
    }
    return reverse ? out.reverse() : out;
  };
  const lse = (a: number, b: number) => (a === -Infinity ? b : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b))));
  const cases: [string, (a: mx.Tensor, axis?: number, o?: { reverse?: boolean; inclusive?: boolean }) => mx.Tensor, ReturnType<typeof scan>, number][] = [
    ['cumsum', mx.cumsum, scan((a, b) => a + b, 0), 0],
    ['cumprod', mx.cumprod, scan((a, b) => a * b, 1), 1e-6], // products pass 2^24: float32 rounding
    ['cummax', mx.cummax, scan(Math.max, -Infinity), 0],
    ['cummin', mx.cummin, scan(Math.min, Infinity), 0],
    ['logcumsumexp', mx.logcumsumexp, scan(lse, -Infinity), 1e-5],
  ];
  for (const [name, fn, ref, tol] of cases) {
    it(`${name} matches a running reference along any axis and flattened, reverse and exclusive`, () =>
      checkProperty(fc.tuple(laneArb, fc.boolean(), fc.boolean()), ([[shape, axis, seed], reverse, inclusive]) => {
        const x = valuesOf(shape, seed);
        const ax = (axis + shape.length) % shape.length;
        if (name === 'cummax' || name === 'cummin') if (!inclusive) return; // identity is dtype-specific (the dtype's lowest/highest value)
        expectCloseNd(toNd(fn(tensorOf(x), axis, { reverse, inclusive })), lanes(x, ax, (l) => ref(l, reverse, inclusive)), tol, `${name} ${shape} axis ${axis} r${reverse} i${inclusive}`);
        const flat = { shape: [sizeOf(shape)], data: x.data };
        expectCloseNd(toNd(fn(tensorOf(x), undefined, { reverse, inclusive })), lanes(flat, 0, (l) => ref(l, reverse, inclusive)), tol, `${name} ${shape} flat`);
      }));
  }
});

describe('softmax', () => {
  it('normalizes exp over the axis', () =>
    checkProperty(laneArb, ([shape, axis, seed]) => {
      const x = valuesOf(shape, seed);
      const ax = (axis + shape.length) % shape.length;
      const ref = lanes(x, ax, (l) => { const m = Math.max(...l); const e = l.map((v) => Math.exp(v - m)); const s = e.reduce((a, b) => a + b, 0); return e.map((v) => v / s); });
      expectCloseNd(toNd(mx.softmax(tensorOf(x), axis)), ref, 1e-6, `${shape} axis ${axis}`);
    }));
});

describe('sorting', () => {
  const argsortRef = (l: number[]) => l.map((v, i) => [v, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((p) => p[1]);
  it('sort and argsort are ascending and stable along any axis', () =>
    checkProperty(laneArb, ([shape, axis, seed]) => {
      const x = valuesOf(shape, seed);
      const ax = (axis + shape.length) % shape.length;
      expectCloseNd(toNd(mx.sort(tensorOf(x), axis)), lanes(x, ax, (l) => [...l].sort((a, b) => a - b)), 0, `sort ${shape} axis ${axis}`);
      expectCloseNd(toNd(mx.argsort(tensorOf(x), axis)), lanes(x, ax, argsortRef), 0, `argsort ${shape} axis ${axis}`);
    }));
  it('partition, argpartition and topk split around the kth element', () =>
    checkProperty(fc.tuple(laneArb, fc.nat()), ([[shape, axis, seed], kr]) => {
      const x = valuesOf(shape, seed);
      const ax = (axis + shape.length) % shape.length;
      const n = shape[ax];
      const kth = kr % n;
      const sorted = lanes(x, ax, (l) => [...l].sort((a, b) => a - b));
      const part = toNd(mx.partition(tensorOf(x), kth, axis));
      const idx = mx.argpartition(tensorOf(x), kth, axis);
      const gathered = toNd(mx.takeAlongAxis(tensorOf(x), idx, axis));
      for (const p of [part, gathered]) {
        const checkLane = lanes(p, ax, (l) => l);
        lanes(checkLane, ax, (l) => { expect(l.slice(0, kth).every((v) => v <= l[kth]) && l.slice(kth).every((v) => v >= l[kth])).toBe(true); return l; });
        expect(lanes(p, ax, (l) => [...l].sort((a, b) => a - b))).toEqual(sorted);
        expect(lanes(p, ax, (l) => [l[kth]]).data).toEqual(lanes(sorted, ax, (l) => [l[kth]]).data);
      }
      const k = kth + 1;
      const top = mx.sort(mx.topk(tensorOf(x), k, axis), axis);
      expectCloseNd(toNd(top), lanes(sorted, ax, (l) => l.slice(n - k)), 0, `topk ${shape} k ${k}`);
    }));
});

describe('axis moves', () => {
  it('swapaxes, moveaxis, expandDims and flatten match transposes and reshapes', () =>
    checkProperty(shapeArb(1, 4, 1, 3).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }), fc.integer({ min: 0, max: s.length - 1 }))), ([shape, i, j]) => {
      const x = iota(shape);
      const perm = [...shape.keys()];
      [perm[i], perm[j]] = [perm[j], perm[i]];
      expectCloseNd(toNd(mx.swapaxes(tensorOf(x), i, j - shape.length)), transpose(x, perm), 0, `swapaxes ${shape} ${i} ${j}`);
      const order = [...shape.keys()].filter((k) => k !== i);
      order.splice(j, 0, i);
      expectCloseNd(toNd(mx.moveaxis(tensorOf(x), i - shape.length, j)), transpose(x, order), 0, `moveaxis ${shape} ${i} ${j}`);
      const expanded = [...shape.slice(0, i), 1, ...shape.slice(i)];
      expectCloseNd(toNd(mx.expandDims(tensorOf(x), i)), { shape: expanded, data: x.data }, 0, `expandDims ${shape} ${i}`);
      const [lo, hi] = [Math.min(i, j), Math.max(i, j)];
      const flat = [...shape.slice(0, lo), sizeOf(shape.slice(lo, hi + 1)), ...shape.slice(hi + 1)];
      expectCloseNd(toNd(mx.flatten(tensorOf(x), lo, hi)), { shape: flat, data: x.data }, 0, `flatten ${shape} ${lo}..${hi}`);
      expectCloseNd(toNd(mx.unflatten(mx.flatten(tensorOf(x), lo, hi), lo, shape.slice(lo, hi + 1))), x, 0, `unflatten ${shape}`);
    }));
});

describe('split, repeat, tile, roll', () => {
  it('split into sections or at indices concatenates back, with the expected part lengths', () =>
    checkProperty(fc.tuple(laneArb, fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 })), ([[shape, axis], cuts]) => {
      const x = iota(shape);
      const ax = (axis + shape.length) % shape.length;
      const idx = [...cuts].sort((a, b) => a - b);
      const parts = mx.split(tensorOf(x), idx, axis);
      const bounds = [0, ...idx.map((c) => Math.min(c, shape[ax])), shape[ax]];
      expect(parts.map((p) => p.shape[ax])).toEqual(bounds.slice(1).map((b, k) => Math.max(0, b - Math.max(bounds[k], 0))));
      expectCloseNd(toNd(mx.concatenate(parts, axis)), x, 0, `split ${shape} at ${idx}`);
      const even = mx.split(tensorOf(x), shape[ax], axis);
      expect(even.length).toBe(shape[ax]);
    }));
  it('repeat, tile and roll match index maps', () =>
    checkProperty(fc.tuple(laneArb, fc.integer({ min: 0, max: 3 }), fc.integer({ min: -5, max: 5 })), ([[shape, axis], r, shift]) => {
      const x = iota(shape);
      const ax = (axis + shape.length) % shape.length;
      expectCloseNd(toNd(mx.repeat(tensorOf(x), r, axis)), lanes(x, ax, (l) => l.flatMap((v) => Array(r).fill(v))), 0, `repeat ${shape} ${r}`);
      expectCloseNd(toNd(mx.tile(tensorOf(x), shape.map((_, i) => (i === ax ? r : 1)))), lanes(x, ax, (l) => Array.from({ length: r }, () => l).flat()), 0, `tile ${shape} ${r}`);
      const rollRef = (l: number[]) => l.map((_, i) => l[(((i - shift) % l.length) + l.length) % l.length]);
      expectCloseNd(toNd(mx.roll(tensorOf(x), shift, axis)), lanes(x, ax, rollRef), 0, `roll ${shape} ${shift}`);
      expectCloseNd(toNd(mx.roll(tensorOf(x), shift)), { shape, data: rollRef([...x.data]) }, 0, `roll flat ${shape} ${shift}`);
    }));
});

describe('pad', () => {
  const padRef = (l: number[], b: number, a: number, mode: string, c: number) => {
    const n = l.length;
    const at = (i: number): number => {
      if (i >= 0 && i < n) return l[i];
      if (mode === 'constant') return c;
      if (mode === 'edge') return l[Math.min(Math.max(i, 0), n - 1)];
      const period = mode === 'reflect' ? 2 * (n - 1) : 2 * n;
      if (period === 0) return l[0];
      let k = ((i % period) + period) % period;
      if (mode === 'reflect') return l[k < n ? k : period - k];
      return l[k < n ? k : period - 1 - k];
    };
    return Array.from({ length: b + n + a }, (_, i) => at(i - b));
  };
  it('pads every mode along one axis like numpy.pad', () =>
    checkProperty(fc.tuple(laneArb, fc.constantFrom('constant', 'edge', 'reflect', 'symmetric'), fc.nat(3), fc.nat(3)), ([[shape, axis], mode, b0, a0]) => {
      const x = iota(shape);
      const ax = (axis + shape.length) % shape.length;
      const n = shape[ax];
      const limit = mode === 'reflect' ? n - 1 : mode === 'symmetric' ? n : 3;
      const [b, a] = [Math.min(b0, limit), Math.min(a0, limit)];
      const width = shape.map((_, i) => (i === ax ? [b, a] : [0, 0]));
      expectCloseNd(toNd(mx.pad(tensorOf(x), width, mode, -1)), lanes(x, ax, (l) => padRef(l, b, a, mode, -1)), 0, `pad ${shape} ${mode} ${b},${a}`);
    }));
});

describe('triangles and diagonals', () => {
  it('tril, triu, diagonal and trace follow their index rules', () =>
    checkProperty(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: -4, max: 4 })), ([m, n, b, k]) => {
      const shape = [b, m, n];
      const x = iota(shape);
      const keep = (lower: boolean) => ({ shape, data: x.data.map((v, i) => { const [, r, c] = unravel(i, shape); return (lower ? c - r <= k : c - r >= k) ? v : 0; }) });
      expectCloseNd(toNd(mx.tril(tensorOf(x), k)), keep(true), 0, `tril ${shape} ${k}`);
      expectCloseNd(toNd(mx.triu(tensorOf(x), k)), keep(false), 0, `triu ${shape} ${k}`);
      const diag: number[][] = Array.from({ length: b }, (_, bi) => { const d: number[] = []; for (let r = 0; r < m; r++) { const c = r + k; if (c >= 0 && c < n) d.push(x.data[bi * m * n + r * n + c]); } return d; });
      const len = diag[0].length;
      expectCloseNd(toNd(mx.diagonal(tensorOf(x), k, 1, 2)), { shape: [b, len], data: diag.flat() }, 0, `diagonal ${shape} ${k}`);
      expectCloseNd(toNd(mx.trace(tensorOf(x), k, -2, -1)), { shape: [b], data: diag.map((d) => d.reduce((s, v) => s + v, 0)) }, 0, `trace ${shape} ${k}`);
    }));
});
