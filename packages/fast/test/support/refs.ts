// Property checks behind the generated tests of @mlxts/fast (schema test.kind `check`): random shapes
// and options, each result compared with the float64 references in reference.ts.
import fc from 'fast-check';
import { expect } from 'vitest';
import * as mx from '@mlxts/core';
import { expectCloseNd, fromValues, runs, sizeOf, toNd, withoutLeaks, type Nd, type OpFn } from '@mlxts/testing';
import { attention, causal, layerNorm, noMask, rmsNorm, rope, type AttentionMask } from './reference.js';

type Fn<A extends unknown[]> = (...args: A) => mx.Tensor;

const valuesArb = (n: number, bound = 1) => fc.array(fc.integer({ min: -1024, max: 1024 }).map((k) => (k / 1024) * bound), { minLength: n, maxLength: n });

/** A random tensor of `dtype` and the float64 values it actually holds. */
function input(values: number[], shape: number[], dtype: mx.DType): [mx.Tensor, Nd] {
  const t = fromValues(values, shape, dtype);
  return [t, toNd(t)];
}

function check<T>(arb: fc.Arbitrary<T>, body: (value: T) => void): void {
  fc.assert(fc.property(arb, (v) => withoutLeaks(() => body(v))), { numRuns: Math.max(5, Math.floor(runs / 2)) });
}

const headDims = fc.constantFrom(8, 64, 80, 128);

export function checkRmsNorm(fn: OpFn, dtype: mx.DType, tol: number): void {
  const arb = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.constantFrom(1, 7, 64, 80, 128), fc.boolean(), fc.constantFrom(1e-5, 1e-6))
    .chain(([b, t, d, weighted, eps]) => fc.tuple(fc.constant<number[]>([b, t, d]), valuesArb(b * t * d, 4), valuesArb(d, 2), fc.constant(weighted), fc.constant(eps)));
  check(arb, ([shape, xs, ws, weighted, eps]) => {
    const [x, xn] = input(xs, shape, dtype);
    const [w, wn] = input(ws, [shape[2]], dtype);
    const out = (fn as Fn<[mx.Tensor, mx.Tensor | null, number]>)(x, weighted ? w : null, eps);
    expect(out.dtype).toBe(dtype);
    expectCloseNd(toNd(out), rmsNorm(xn, weighted ? wn : null, eps), tol, `${shape} weighted ${weighted}`);
  });
}

export function checkLayerNorm(fn: OpFn, dtype: mx.DType, tol: number): void {
  const arb = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.constantFrom(2, 7, 64, 128), fc.boolean(), fc.boolean())
    .chain(([b, t, d, weighted, biased]) => fc.tuple(fc.constant<number[]>([b, t, d]), valuesArb(b * t * d, 4), valuesArb(d, 2), valuesArb(d, 2), fc.constant(weighted), fc.constant(biased)));
  check(arb, ([shape, xs, ws, bs, weighted, biased]) => {
    const [x, xn] = input(xs, shape, dtype);
    const [w, wn] = input(ws, [shape[2]], dtype);
    const [b, bn] = input(bs, [shape[2]], dtype);
    const out = (fn as Fn<[mx.Tensor, mx.Tensor | null, mx.Tensor | null, number]>)(x, weighted ? w : null, biased ? b : null, 1e-5);
    expectCloseNd(toNd(out), layerNorm(xn, weighted ? wn : null, biased ? bn : null, 1e-5), tol, `${shape}`);
  });
}

interface RopeCase {
  shape: number[];
  dims: number;
  traditional: boolean;
  scale: number;
  bthd: boolean;
  offsetKind: 'none' | 'int' | 'tensor';
  offsets: number[];
  useFreqs: boolean;
}

const ropeCaseArb: fc.Arbitrary<RopeCase> = fc
  .record({
    b: fc.integer({ min: 1, max: 2 }),
    h: fc.integer({ min: 1, max: 3 }),
    t: fc.integer({ min: 1, max: 7 }),
    d: headDims,
    dimsFraction: fc.constantFrom(1, 0.5),
    traditional: fc.boolean(),
    scale: fc.constantFrom(1, 0.5),
    bthd: fc.boolean(),
    offsetKind: fc.constantFrom('none' as const, 'int' as const, 'tensor' as const),
    offsets: fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 2, maxLength: 2 }),
    useFreqs: fc.boolean(),
  })
  .map((r) => ({
    shape: [r.b, r.h, r.t, r.d],
    dims: Math.max(2, Math.floor((r.d * r.dimsFraction) / 2) * 2),
    traditional: r.traditional,
    scale: r.scale,
    bthd: r.bthd,
    offsetKind: r.offsetKind,
    offsets: r.offsetKind === 'int' ? [r.offsets[0], r.offsets[0]] : r.offsetKind === 'tensor' ? r.offsets : [0, 0],
    useFreqs: r.useFreqs,
  }));

export function checkRope(fn: OpFn, dtype: mx.DType, tol: number): void {
  check(ropeCaseArb.chain((c) => fc.tuple(fc.constant(c), valuesArb(sizeOf(c.shape), 2))), ([c, xs]) => {
    const [x, xn] = input(xs, c.shape, dtype);
    const base = 10000;
    const invFreq = Array.from({ length: c.dims / 2 }, (_, i) => base ** ((-2 * i) / c.dims));
    const offset = c.offsetKind === 'int' ? c.offsets[0] : c.offsetKind === 'tensor' ? mx.array(Int32Array.from(c.offsets.slice(0, c.shape[0]))) : undefined;
    const freqs = c.useFreqs ? mx.array(Float32Array.from(invFreq.map((f) => 1 / f))) : undefined;
    const options = { traditional: c.traditional, scale: c.scale, offset, layout: c.bthd ? 'bthd' : 'bhtd', ...(c.useFreqs ? { freqs } : { base }) };
    const arg = c.bthd ? mx.transpose(x, [0, 2, 1, 3]) : x;
    let out = (fn as Fn<[mx.Tensor, number, object]>)(arg, c.dims, options);
    if (c.bthd) out = mx.transpose(out, [0, 2, 1, 3]);
    const usedInvFreq = c.useFreqs ? toNd(freqs!).data.map((f) => 1 / f) : invFreq;
    const expected = rope(xn, c.dims, c.traditional, c.scale, usedInvFreq, (b, t) => c.offsets[b] + t);
    expectCloseNd(toNd(out), expected, tol, JSON.stringify(c));
  });
}

export function checkRopePositions(fn: OpFn, dtype: mx.DType, tol: number): void {
  const arb = ropeCaseArb.chain((c) =>
    fc.tuple(fc.constant(c), valuesArb(sizeOf(c.shape), 2), fc.array(fc.integer({ min: 0, max: 100 }), { minLength: c.shape[0] * c.shape[2], maxLength: c.shape[0] * c.shape[2] })),
  );
  check(arb, ([c, xs, positions]) => {
    const [x, xn] = input(xs, c.shape, dtype);
    const [B, , T] = c.shape;
    const base = 10000;
    const invFreq = Array.from({ length: c.dims / 2 }, (_, i) => base ** ((-2 * i) / c.dims));
    const ids = mx.reshape(mx.array(Int32Array.from(positions)), [B, T]);
    const arg = c.bthd ? mx.transpose(x, [0, 2, 1, 3]) : x;
    let out = (fn as Fn<[mx.Tensor, number, mx.Tensor, object]>)(arg, c.dims, ids, { traditional: c.traditional, scale: c.scale, base, layout: c.bthd ? 'bthd' : 'bhtd' });
    if (c.bthd) out = mx.transpose(out, [0, 2, 1, 3]);
    expectCloseNd(toNd(out), rope(xn, c.dims, c.traditional, c.scale, invFreq, (b, t) => positions[b * T + t]), tol, JSON.stringify(c));
  });
}

interface AttentionCase {
  b: number;
  hkv: number;
  ratio: number;
  d: number;
  tq: number;
  tkv: number;
  mask: 'none' | 'causal' | 'bool' | 'additive' | 'keyMask' | 'sinks';
  bthd: boolean;
}

const attentionCaseArb: fc.Arbitrary<AttentionCase> = fc
  .record({
    b: fc.integer({ min: 1, max: 2 }),
    hkv: fc.integer({ min: 1, max: 2 }),
    ratio: fc.constantFrom(1, 2, 4, 8),
    d: headDims,
    tkv: fc.integer({ min: 1, max: 13 }),
    tqKind: fc.constantFrom('decode', 'prefill', 'other'),
    other: fc.integer({ min: 1, max: 13 }),
    mask: fc.constantFrom('none' as const, 'causal' as const, 'bool' as const, 'additive' as const, 'keyMask' as const, 'sinks' as const),
    bthd: fc.boolean(),
  })
  .map((r) => ({ ...r, tq: r.tqKind === 'decode' ? 1 : r.tqKind === 'prefill' ? r.tkv : Math.min(r.other, r.tkv) }));

export function checkSdpa(fn: OpFn, dtype: mx.DType, tol: number): void {
  const arb = attentionCaseArb.chain((c) => {
    const hq = c.hkv * c.ratio;
    return fc.tuple(
      fc.constant(c),
      valuesArb(c.b * hq * c.tq * c.d),
      valuesArb(c.b * c.hkv * c.tkv * c.d),
      valuesArb(c.b * c.hkv * c.tkv * c.d),
      fc.array(fc.boolean(), { minLength: c.b * c.tq * c.tkv, maxLength: c.b * c.tq * c.tkv }),
      valuesArb(Math.max(hq, c.b * c.tq * c.tkv), 3),
    );
  });
  check(arb, ([c, qs, ks, vs, bits, extra]) => {
    const hq = c.hkv * c.ratio;
    const [q, qn] = input(qs, [c.b, hq, c.tq, c.d], dtype);
    const [k, kn] = input(ks, [c.b, c.hkv, c.tkv, c.d], dtype);
    const [v, vn] = input(vs, [c.b, c.hkv, c.tkv, c.d], dtype);
    const scale = 1 / Math.sqrt(c.d);
    const options: Record<string, unknown> = { layout: c.bthd ? 'bthd' : 'bhtd' };
    let mask: AttentionMask = noMask;
    let sinks: number[] | null = null;
    // Keep key 0 visible to every query so no row is fully masked.
    const keepAt = (b: number, i: number, j: number) => j === 0 || bits[(b * c.tq + i) * c.tkv + j];
    if (c.mask === 'causal') {
      options.mask = 'causal';
      mask = causal(c.tq, c.tkv);
    } else if (c.mask === 'bool') {
      const m = Array.from({ length: c.b * c.tq * c.tkv }, (_, n) => keepAt(Math.floor(n / (c.tq * c.tkv)), Math.floor(n / c.tkv) % c.tq, n % c.tkv));
      options.mask = mx.reshape(mx.array(m), [c.b, 1, c.tq, c.tkv]);
      mask = { keep: (b, _h, i, j) => keepAt(b, i, j), add: () => 0 };
    } else if (c.mask === 'additive') {
      const add = extra.slice(0, c.b * c.tq * c.tkv);
      const [m, mn] = input(add, [c.b, 1, c.tq, c.tkv], dtype);
      options.mask = m;
      mask = { keep: () => true, add: (b, _h, i, j) => mn.data[(b * c.tq + i) * c.tkv + j] };
    } else if (c.mask === 'keyMask') {
      const keys = Array.from({ length: c.b * c.tkv }, (_, n) => n % c.tkv === 0 || bits[n]);
      options.mask = 'causal';
      options.keyMask = mx.reshape(mx.array(keys), [c.b, c.tkv]);
      const causalMask = causal(c.tq, c.tkv);
      mask = { keep: (b, h, i, j) => causalMask.keep(b, h, i, j) && keys[b * c.tkv + j], add: () => 0 };
    } else if (c.mask === 'sinks') {
      const [s, sn] = input(extra.slice(0, hq), [hq], dtype);
      options.sinks = s;
      sinks = sn.data as number[];
    }
    const args = c.bthd ? [q, k, v].map((t) => mx.transpose(t, [0, 2, 1, 3])) : [q, k, v];
    let out = (fn as Fn<[mx.Tensor, mx.Tensor, mx.Tensor, object]>)(args[0], args[1], args[2], options);
    if (c.bthd) out = mx.transpose(out, [0, 2, 1, 3]);
    expectCloseNd(toNd(out), attention(qn, kn, vn, scale, mask, sinks), tol, JSON.stringify(c));
  });
}

export function checkSwiglu(fn: OpFn, dtype: mx.DType, tol: number): void {
  const arb = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 3 }).chain((s) => fc.tuple(fc.constant(s), valuesArb(sizeOf(s), 6), valuesArb(sizeOf(s), 3)));
  check(arb, ([shape, gs, us]) => {
    const [g, gn] = input(gs, shape, dtype);
    const [u, un] = input(us, shape, dtype);
    const out = (fn as Fn<[mx.Tensor, mx.Tensor]>)(g, u);
    expect(out.dtype).toBe(dtype);
    const data = gn.data.map((x, i) => (x / (1 + Math.exp(-x))) * un.data[i]);
    expectCloseNd(toNd(out), { shape, data }, tol, `${shape}`);
  });
}

/** Prefill then token-by-token decode through the cache equals causal attention over the whole sequence. */
export function checkKvCache(fn: OpFn, dtype: mx.DType, tol: number): void {
  const arb = fc
    .record({
      b: fc.integer({ min: 1, max: 2 }),
      hkv: fc.integer({ min: 1, max: 2 }),
      ratio: fc.constantFrom(1, 2, 4),
      d: fc.constantFrom(8, 64, 80),
      total: fc.integer({ min: 2, max: 9 }),
      prefillFraction: fc.double({ min: 0, max: 0.99, noNaN: true }),
      spare: fc.integer({ min: 0, max: 3 }),
      bthd: fc.boolean(),
    })
    .chain((c) => {
      const hq = c.hkv * c.ratio;
      return fc.tuple(fc.constant(c), valuesArb(c.b * hq * c.total * c.d), valuesArb(c.b * c.hkv * c.total * c.d), valuesArb(c.b * c.hkv * c.total * c.d));
    });
  check(arb, ([c, qs, ks, vs]) => {
    const hq = c.hkv * c.ratio;
    const [q, qn] = input(qs, [c.b, hq, c.total, c.d], dtype);
    const [k, kn] = input(ks, [c.b, c.hkv, c.total, c.d], dtype);
    const [v, vn] = input(vs, [c.b, c.hkv, c.total, c.d], dtype);
    const expected = attention(qn, kn, vn, 1 / Math.sqrt(c.d), causal(c.total, c.total));
    const prefill = Math.max(1, Math.floor(c.total * c.prefillFraction));
    const capacity = c.total + c.spare;
    const layout = c.bthd ? 'bthd' : 'bhtd';
    const toLayout = (x: mx.Tensor) => (c.bthd ? mx.transpose(x, [0, 2, 1, 3]) : x);
    const tokens = (x: mx.Tensor, from: number, to: number) => toLayout(mx.slice(x, [0, 0, from], [x.shape[0], x.shape[1], to]));
    let kCache = toLayout(mx.zeros([c.b, c.hkv, capacity, c.d], dtype));
    let vCache = toLayout(mx.zeros([c.b, c.hkv, capacity, c.d], dtype));
    const outputs: mx.Tensor[] = [];
    const step = (from: number, to: number) => {
      const [out, kNext, vNext] = (fn as (...a: unknown[]) => mx.Tensor[])(tokens(q, from, to), tokens(k, from, to), tokens(v, from, to), kCache, vCache, from, { layout });
      expect(kCache.disposed && vCache.disposed, 'the caches passed in are consumed').toBe(true);
      kCache = kNext;
      vCache = vNext;
      outputs.push(c.bthd ? mx.transpose(out, [0, 2, 1, 3]) : out);
    };
    step(0, prefill);
    for (let t = prefill; t < c.total; t++) step(t, t + 1);
    expectCloseNd(toNd(mx.concatenate(outputs, 2)), expected, tol, JSON.stringify(c));
  });
}
