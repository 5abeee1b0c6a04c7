// Property checks behind the generated tests of @mlxts/quant (schema test.kind `check`): random shapes,
// values and configurations, each result compared with the independent TS references in reference.ts.
import fc from 'fast-check';
import { expect } from 'vitest';
import * as mx from '@mlxts/core';
import * as quant from '@mlxts/quant';
import { prng, runs, withoutLeaks, type OpFn } from '@mlxts/testing';

export { prng };
import { affineDecode, affineQuantize, decodeFloatMode, matmul2d, unitRoundoff, unpackBits } from './reference.js';

type Fn<A extends unknown[], R = mx.Tensor> = (...args: A) => R;
export type FloatMode = 'mxfp4' | 'mxfp8' | 'nvfp4';

/** A quantization configuration under test. */
export interface Config {
  mode: quant.QuantizationMode;
  bits: number;
  groupSize: number;
  /** nvfp4 with a global scale (the weights' largest magnitude). */
  globalScale?: boolean;
}

export const AFFINE_CONFIGS: Config[] = [1, 2, 3, 4, 5, 6, 8].flatMap((bits) => [32, 64, 128].map((groupSize) => ({ mode: 'affine' as const, bits, groupSize })));
export const FLOAT_CONFIGS: Config[] = [
  { mode: 'mxfp4', bits: 4, groupSize: 32 },
  { mode: 'mxfp8', bits: 8, groupSize: 32 },
  { mode: 'nvfp4', bits: 4, groupSize: 16 },
  { mode: 'nvfp4', bits: 4, groupSize: 16, globalScale: true },
];
export const ALL_CONFIGS = [...AFFINE_CONFIGS, ...FLOAT_CONFIGS];

export const label = (c: Config) => (c.mode === 'affine' ? `affine bits=${c.bits} groupSize=${c.groupSize}` : `${c.mode}${c.globalScale ? ' with globalScale' : ''}`);

/** Derived worst-case round-trip errors of the floating-point modes, as fractions of the group's largest magnitude. */
export const FLOAT_BOUNDS: Record<FloatMode, number> = {
  // Scale 2^ceil(log2(amax / 6)): amax / scale is in (3, 6]; the widest E2M1 gap (4 to 6) loses at most
  // one scale, relative to an element of at least 4 scales within a group whose amax is at least 5 scales
  // when the error is a full scale: amax / 5.
  mxfp4: 1 / 5,
  // Scale 2^ceil(log2(amax / 448)): no clipping; E4M3 has 3 mantissa bits, half an ulp is at most 2^-4
  // of the element, itself at most amax.
  mxfp8: 1 / 16,
  // E4M3 scale ≈ amax / 6, rounded (relative error at most 2^-4); the E2M1 gap 4 to 6 loses at most one
  // scale: (1 + 1/16) / 6 of amax. Valid while amax / 6 (times 2688 / globalScale) is a normal E4M3 number.
  nvfp4: (1 + 1 / 16) / 6,
};

export function optionsOf(c: Config, globalScale?: mx.Tensor): Record<string, unknown> {
  return { mode: c.mode, bits: c.bits, groupSize: c.groupSize, ...(globalScale ? { globalScale } : {}) };
}

export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

type GroupKind = 'normal' | 'positive' | 'negative' | 'integers' | 'constant' | 'zero' | 'outlier' | 'tiny';
const GROUP_KINDS: GroupKind[] = ['normal', 'normal', 'normal', 'positive', 'negative', 'integers', 'constant', 'zero', 'outlier', 'tiny'];
/** For the floating-point modes: groups whose scales stay in E4M3's normal range (see FLOAT_BOUNDS). */
const FLOAT_KINDS: GroupKind[] = ['normal', 'positive', 'outlier'];
const FLOAT_MIN_SCALE = 0.5;

/** Values whose groups (of `groupSize` along rows) are each of a random kind, edge cases included. */
export function groupedValues(rand: () => number, count: number, groupSize: number, kinds: readonly GroupKind[] = GROUP_KINDS, minScale = 0.05): number[] {
  const out: number[] = [];
  while (out.length < count) {
    const kind = kinds[Math.floor(rand() * kinds.length)];
    const scale = minScale + 3 * rand();
    const c = gaussian(rand) * scale;
    for (let i = 0; i < groupSize; i++) {
      const g = gaussian(rand) * scale;
      out.push(
        kind === 'positive' ? Math.abs(g) + scale
        : kind === 'negative' ? -Math.abs(g) - scale
        : kind === 'integers' ? Math.round(g * 4)
        : kind === 'constant' ? c
        : kind === 'zero' ? 0
        : kind === 'outlier' ? (i === 7 ? 40 * scale : g)
        : kind === 'tiny' ? c + g * 1e-6
        : g,
      );
    }
  }
  return out.slice(0, count);
}

/** A tensor of `dtype` holding `values` (rounded to the dtype) and the float64 values it actually holds. */
export function input(values: readonly number[], shape: readonly number[], dtype: mx.DType): [mx.Tensor, number[]] {
  const t = mx.reshape(mx.array(Float64Array.from(values), dtype), [...shape]);
  return [t, floats(t)];
}

/** A tensor's elements as float64 numbers. */
export function floats(t: mx.Tensor): number[] {
  const wide = t.dtype === 'float16' || t.dtype === 'bfloat16' ? mx.astype(t, 'float32') : t;
  return Array.from(wide.toTypedArray() as ArrayLike<number>, Number);
}

function check<T>(arb: fc.Arbitrary<T>, body: (value: T) => void, numRuns = runs): void {
  fc.assert(fc.property(arb, (v) => withoutLeaks(() => body(v))), { numRuns });
}

/** Shapes `[...batch, rows, K]` with K a multiple of `unit`. */
const shapeArb = (unit: number) =>
  fc.record({
    batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    rows: fc.integer({ min: 1, max: 6 }),
    groups: fc.integer({ min: 1, max: 4 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  }).map((r) => ({ shape: [...r.batch, r.rows, r.groups * unit], seed: r.seed }));

/** quantizePacked: MLX's affine words bit for bit, scales and biases within the dtype's rounding; the float modes' layout. */
export function checkQuantizePacked(fn: OpFn, dtype: mx.DType, tol: number): void {
  const q = fn as Fn<[mx.Tensor, object], mx.Tensor[]>;
  // Scales of constant groups are 1e-7, a float16 subnormal: allow float16's smallest step there.
  const floor = dtype === 'float16' ? 2 ** -24 : 0;
  check(shapeArb(128), ({ shape, seed }) => {
    const rand = prng(seed);
    const k = shape[shape.length - 1];
    for (const c of AFFINE_CONFIGS) {
      const [w, values] = input(groupedValues(rand, shape.reduce((a, b) => a * b, 1), c.groupSize), shape, dtype);
      const [wq, scales, biases] = q(w, { bits: c.bits, groupSize: c.groupSize });
      const what = `${label(c)} ${dtype} [${shape}] seed ${seed}`;
      expect(wq.dtype, what).toBe('uint32');
      expect(wq.shape, what).toEqual([...shape.slice(0, -1), (k * c.bits) / 32]);
      expect(scales.dtype, what).toBe(dtype);
      expect(scales.shape, what).toEqual([...shape.slice(0, -1), k / c.groupSize]);
      expect(biases.shape, what).toEqual(scales.shape);
      const ref = affineQuantize(values, k, c.groupSize, c.bits);
      const words = wq.toTypedArray() as Uint32Array;
      for (let i = 0; i < ref.words.length; i++) {
        if (words[i] !== ref.words[i]) {
          throw new Error(`${what}: word ${i} is ${words[i].toString(16)}, expected ${ref.words[i].toString(16)}`);
        }
      }
      for (const [name, got, want] of [['scale', floats(scales), ref.scales], ['bias', floats(biases), ref.biases]] as const) {
        for (let g = 0; g < want.length; g++) {
          if (!(Math.abs(got[g] - want[g]) <= tol * Math.abs(want[g]) + floor)) throw new Error(`${what}: ${name} ${g} is ${got[g]}, expected ${want[g]}`);
        }
      }
    }
    for (const c of FLOAT_CONFIGS) {
      const [w] = input(groupedValues(rand, shape.reduce((a, b) => a * b, 1), c.groupSize, ['normal']), shape, dtype);
      const parts = q(w, { mode: c.mode, ...(c.globalScale ? { globalScale: mx.max(mx.abs(w)).astype('float32') } : {}) });
      expect(parts.map((t) => t.dtype)).toEqual(['uint32', 'uint8']);
      expect(parts[0].shape).toEqual([...shape.slice(0, -1), (k * c.bits) / 32]);
      expect(parts[1].shape).toEqual([...shape.slice(0, -1), k / c.groupSize]);
    }
  }, Math.max(4, Math.floor(runs / 2)));
}

/** Largest magnitude of each group of `groupSize` consecutive values. */
function groupMaxima(values: readonly number[], groupSize: number): number[] {
  const out: number[] = [];
  for (let g = 0; g < values.length / groupSize; g++) {
    let m = 0;
    for (let i = g * groupSize; i < (g + 1) * groupSize; i++) m = Math.max(m, Math.abs(values[i]));
    out.push(m);
  }
  return out;
}

/**
 * dequantizePacked: every element equals its decoded value (scale * code + bias for affine, the E2M1 or
 * E4M3 code times the group scale otherwise, decoded in TS from the packed bits), and is within the
 * mode's round-trip bound of the input: one quantization step (|scale|) for affine, FLOAT_BOUNDS times
 * the group's largest magnitude for the others.
 */
export function checkDequantizePacked(fn: OpFn, dtype: mx.DType): void {
  const dq = fn as Fn<[mx.Tensor, mx.Tensor, mx.Tensor | undefined, object]>;
  const u = unitRoundoff(dtype);
  const f32 = 2 ** -23;
  // The absolute rounding of subnormal scales (a constant group's scale is 1e-7, subnormal in float16).
  const tiny = dtype === 'float16' ? 2 ** -24 : 2 ** -133;
  check(shapeArb(128), ({ shape, seed }) => {
    const rand = prng(seed);
    const k = shape[shape.length - 1];
    const n = shape.reduce((a, b) => a * b, 1);
    for (const c of ALL_CONFIGS) {
      const affine = c.mode === 'affine';
      const [w, values] = input((affine ? groupedValues(rand, n, c.groupSize) : groupedValues(rand, n, c.groupSize, FLOAT_KINDS, FLOAT_MIN_SCALE)), shape, dtype);
      const gs = c.globalScale ? mx.max(mx.abs(w)).astype('float32') : undefined;
      const parts = quant.quantizePacked(w, optionsOf(c, gs));
      const out = dq(parts[0], parts[1], parts[2], { ...optionsOf(c, gs), dtype });
      const what = `${label(c)} ${dtype} [${shape}] seed ${seed}`;
      expect(out.dtype, what).toBe(dtype);
      expect(out.shape, what).toEqual(shape);
      const d = floats(out);
      const words = parts[0].toTypedArray() as Uint32Array;
      const scales = affine ? floats(parts[1]) : Array.from(parts[1].toTypedArray() as Uint8Array);
      let decoded: number[];
      let magnitude: number[];
      if (affine) {
        const codes = unpackBits(words, c.bits, k);
        const biases = floats(parts[2]);
        decoded = Array.from(codes, (q, i) => affineDecode(scales[Math.floor(i / c.groupSize)], q, biases[Math.floor(i / c.groupSize)], dtype, dtype));
        magnitude = Array.from(codes, (q, i) => Math.abs(scales[Math.floor(i / c.groupSize)] * q) + Math.abs(biases[Math.floor(i / c.groupSize)]));
      } else {
        decoded = decodeFloatMode(c.mode as FloatMode, words, scales, k, dtype, gs ? (gs.item() as number) : undefined);
        magnitude = decoded.map(Math.abs);
      }
      const amax = groupMaxima(values, c.groupSize);
      for (let i = 0; i < n; i++) {
        const g = Math.floor(i / c.groupSize);
        // Decoding is exact: the references reproduce MLX's arithmetic.
        if (d[i] !== decoded[i] && !(Number.isNaN(d[i]) && Number.isNaN(decoded[i]))) {
          throw new Error(`${what}: element ${i} dequantizes to ${d[i]}, decoded ${decoded[i]}`);
        }
        const err = Math.abs(d[i] - values[i]);
        // Round trip. Affine codes were chosen with the float32 scale, then the scale was rounded to the
        // dtype (at most 2^bits - 1 codes times its rounding), and scale * code and the sum rounded again.
        const bound = affine
          ? Math.abs(scales[g]) * (1 + 2 * (2 ** c.bits - 1) * u) + u * Math.abs(d[i]) + 4 * f32 * magnitude[i] + 2 ** c.bits * tiny
          : FLOAT_BOUNDS[c.mode as FloatMode] * amax[g] + u * Math.abs(d[i]) + 4 * f32 * amax[g];
        if (!(err <= bound)) throw new Error(`${what}: element ${i} (${values[i]}) comes back as ${d[i]}, error ${err} > bound ${bound}`);
      }
    }
  }, Math.max(4, Math.floor(runs / 2)));
}

export interface MatmulCase {
  config: Config;
  transpose: boolean;
  /** x batch, w batch (broadcasting), rows of x, out features N, in features K. */
  xBatch: number[];
  wBatch: number[];
  m: number;
  n: number;
  k: number;
  vectorX: boolean;
  seed: number;
}

export const matmulCaseArb = (configs: Config[]): fc.Arbitrary<MatmulCase> =>
  fc
    .record({
      config: fc.constantFrom(...configs),
      transpose: fc.boolean(),
      batching: fc.constantFrom('none', 'x', 'both', 'w', 'vector'),
      b: fc.integer({ min: 2, max: 3 }),
      m: fc.integer({ min: 1, max: 5 }),
      nUnits: fc.integer({ min: 1, max: 3 }),
      kUnits: fc.integer({ min: 1, max: 3 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .map((r) => {
      // The quantized axis (K with transpose, N without) must be a multiple of 128 (every group size).
      const k = r.transpose ? 128 * r.kUnits : 16 * r.kUnits;
      const n = r.transpose ? 8 * r.nUnits : 128 * r.nUnits;
      return {
        config: r.config,
        transpose: r.transpose,
        xBatch: r.batching === 'x' || r.batching === 'both' ? [r.b] : [],
        wBatch: r.batching === 'w' || r.batching === 'both' ? [r.b] : [],
        m: r.batching === 'vector' ? 1 : r.m,
        n,
        k,
        vectorX: r.batching === 'vector',
        seed: r.seed,
      };
    });

/**
 * quantizedMatmulPacked: against float64 `x @ dequantize(w)` (or `x @ dequantize(w)ᵀ`) computed in TS from
 * the values MLX's dequantize returns, within tol times Σ|x|·(group max of |w|) per output element, for
 * every mode, both layouts, batched and broadcast operands and 1-D x.
 */
export function checkQuantizedMatmulPacked(fn: OpFn, dtype: mx.DType, tol: number): void {
  const qmm = fn as Fn<[mx.Tensor, mx.Tensor, mx.Tensor, mx.Tensor | undefined, object]>;
  // Every configuration with two random cases, then random configurations.
  for (const config of ALL_CONFIGS) check(matmulCaseArb([config]), (c) => void matmulCase(qmm, dtype, tol, c), 2);
  check(matmulCaseArb(ALL_CONFIGS), (c) => void matmulCase(qmm, dtype, tol, c));
}

/** Runs one case and returns its worst error as a fraction of Σ|x|·(group max of |w|); throws beyond `tol`. */
export function matmulCase(qmm: Fn<[mx.Tensor, mx.Tensor, mx.Tensor, mx.Tensor | undefined, object]>, dtype: mx.DType, tol: number, c: MatmulCase): number {
  const rand = prng(c.seed);
  const wRows = c.transpose ? c.n : c.k;
  const wCols = c.transpose ? c.k : c.n;
  const wShape = [...c.wBatch, wRows, wCols];
  const xShape = c.vectorX ? [c.k] : [...c.xBatch, c.m, c.k];
  const [w] = input(groupedValues(rand, wShape.reduce((a, b) => a * b, 1), c.config.groupSize, FLOAT_KINDS, FLOAT_MIN_SCALE), wShape, dtype);
  const [x, xv] = input(Array.from({ length: xShape.reduce((a, b) => a * b, 1) }, () => gaussian(rand)), xShape, dtype);
  const gs = c.config.globalScale ? mx.max(mx.abs(w)).astype('float32') : undefined;
  const opts = optionsOf(c.config, gs);
  const parts = quant.quantizePacked(w, opts);
  const deq = floats(quant.dequantizePacked(parts[0], parts[1], parts[2], { ...opts, dtype: 'float32' }));
  const out = qmm(x, parts[0], parts[1], parts[2], { ...opts, transpose: c.transpose });
  const what = `${label(c.config)} ${dtype} ${JSON.stringify(c)}`;
  expect(out.dtype, what).toBe(dtype);
  const batch = c.xBatch.length || c.wBatch.length ? [Math.max(c.xBatch[0] ?? 1, c.wBatch[0] ?? 1)] : [];
  expect(out.shape, what).toEqual(c.vectorX ? [...c.wBatch, c.n] : [...batch, c.m, c.n]);
  const y = floats(out);
  // |w| bound per element: the largest magnitude of its quantization group.
  const wAmax = groupMaxima(deq, c.config.groupSize).flatMap((a) => new Array<number>(c.config.groupSize).fill(a));
  const nb = Math.max(1, batch[0] ?? 1);
  let worst = 0;
  for (let b = 0; b < nb; b++) {
    const xb = xv.slice(c.xBatch.length ? b * c.m * c.k : 0, (c.xBatch.length ? b * c.m * c.k : 0) + c.m * c.k);
    const wOff = c.wBatch.length ? b * wRows * wCols : 0;
    const ref = matmul2d(xb, deq.slice(wOff, wOff + wRows * wCols), c.m, c.k, c.n, c.transpose);
    const mag = matmul2d(xb.map(Math.abs), wAmax.slice(wOff, wOff + wRows * wCols), c.m, c.k, c.n, c.transpose).value;
    for (let i = 0; i < c.m * c.n; i++) {
      const got = y[b * c.m * c.n + i];
      const err = Math.abs(got - ref.value[i]);
      if (!(err <= tol * mag[i] + 1e-30)) {
        throw new Error(`${what}: batch ${b} element ${i} is ${got}, expected ${ref.value[i]} (tolerance ${tol} x ${mag[i]})`);
      }
      worst = Math.max(worst, err / (mag[i] || 1));
    }
  }
  return worst;
}

export interface GatherCase {
  config: Config;
  transpose: boolean;
  experts: number;
  tokens: number;
  m: number;
  n: number;
  k: number;
  /** lhsIndices over a pool of x batch entries instead of one x row block per token. */
  lhs: boolean;
  sorted: boolean;
  /** nvfp4 only: one global scale per expert (each expert quantized with its own). */
  perExpertScale: boolean;
  seed: number;
}

export const gatherCaseArb = (configs: Config[]): fc.Arbitrary<GatherCase> =>
  fc
    .record({
      config: fc.constantFrom(...configs),
      transpose: fc.boolean(),
      experts: fc.integer({ min: 1, max: 4 }),
      tokens: fc.integer({ min: 1, max: 6 }),
      m: fc.constantFrom(1, 1, 2),
      lhs: fc.boolean(),
      sorted: fc.boolean(),
      perExpertScale: fc.boolean(),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .map((r) => ({ ...r, k: r.transpose ? 128 : 32, n: r.transpose ? 16 : 128, perExpertScale: r.perExpertScale && r.config.globalScale === true }));

/** gatherQmm: against a per-row loop of float64 `x[lhs[i]] @ dequantize(w[rhs[i]])ᵀ` in TS. */
export function checkGatherQmm(fn: OpFn, dtype: mx.DType, tol: number): void {
  const gather = fn as Fn<[mx.Tensor, mx.Tensor, mx.Tensor, mx.Tensor | undefined, object]>;
  for (const config of ALL_CONFIGS) check(gatherCaseArb([config]), (c) => void gatherCase(gather, dtype, tol, c), 2);
  check(gatherCaseArb(ALL_CONFIGS), (c) => void gatherCase(gather, dtype, tol, c));
}

/** Runs one case and returns its worst error as a fraction of Σ|x|·(group max of |w|); throws beyond `tol`. */
export function gatherCase(gather: Fn<[mx.Tensor, mx.Tensor, mx.Tensor, mx.Tensor | undefined, object]>, dtype: mx.DType, tol: number, c: GatherCase): number {
  const rand = prng(c.seed);
  const wRows = c.transpose ? c.n : c.k;
  const wCols = c.transpose ? c.k : c.n;
  const perExpert = wRows * wCols;
  const wShape = [c.experts, wRows, wCols];
  const [w] = input(groupedValues(rand, c.experts * perExpert, c.config.groupSize, FLOAT_KINDS, FLOAT_MIN_SCALE), wShape, dtype);
  // Experts quantized one by one (each with its own global scale when asked), then stacked.
  const perExpertParts = Array.from({ length: c.experts }, (_, e) => {
    const we = mx.take(w, mx.array([e], 'int32'), 0);
    const gs = c.config.globalScale ? mx.max(mx.abs(c.perExpertScale ? we : w)).astype('float32') : undefined;
    return { parts: quant.quantizePacked(we, optionsOf(c.config, gs)), gs };
  });
  const stacked = [0, 1, 2].map((i) => (i < perExpertParts[0].parts.length ? mx.concatenate(perExpertParts.map((p) => p.parts[i]), 0) : undefined));
  const gs = c.config.globalScale ? (c.perExpertScale ? mx.stack(perExpertParts.map((p) => p.gs!)) : perExpertParts[0].gs) : undefined;
  const deq = perExpertParts.map((p) => floats(quant.dequantizePacked(p.parts[0], p.parts[1], p.parts[2], { ...optionsOf(c.config, p.gs), dtype: 'float32' })));
  const pool = c.lhs ? 3 : c.tokens;
  const [x, xv] = input(Array.from({ length: pool * c.m * c.k }, () => gaussian(rand)), [pool, c.m, c.k], dtype);
  let rhs = Array.from({ length: c.tokens }, () => Math.floor(rand() * c.experts));
  if (c.sorted) rhs = rhs.sort((a, b) => a - b);
  const lhs = Array.from({ length: c.tokens }, (_, i) => (c.lhs ? Math.floor(rand() * pool) : i));
  const out = gather(x, stacked[0]!, stacked[1]!, stacked[2], {
    ...optionsOf(c.config, gs),
    transpose: c.transpose,
    rhsIndices: mx.array(Uint32Array.from(rhs)),
    ...(c.lhs ? { lhsIndices: mx.array(Int32Array.from(lhs)) } : {}),
    sortedIndices: c.sorted,
  });
  const what = `${label(c.config)} ${dtype} ${JSON.stringify(c)} rhs ${rhs} lhs ${lhs}`;
  expect(out.dtype, what).toBe(dtype);
  expect(out.shape, what).toEqual([c.tokens, c.m, c.n]);
  const y = floats(out);
  let worst = 0;
  for (let t = 0; t < c.tokens; t++) {
    const xt = xv.slice(lhs[t] * c.m * c.k, (lhs[t] + 1) * c.m * c.k);
    const we = deq[rhs[t]];
    const amax = groupMaxima(we, c.config.groupSize).flatMap((a) => new Array<number>(c.config.groupSize).fill(a));
    const ref = matmul2d(xt, we, c.m, c.k, c.n, c.transpose);
    const mag = matmul2d(xt.map(Math.abs), amax, c.m, c.k, c.n, c.transpose).value;
    for (let i = 0; i < c.m * c.n; i++) {
      const got = y[t * c.m * c.n + i];
      const err = Math.abs(got - ref.value[i]);
      if (!(err <= tol * mag[i] + 1e-30)) {
        throw new Error(`${what}: row ${t} element ${i} is ${got}, expected ${ref.value[i]} (tolerance ${tol} x ${mag[i]})`);
      }
      worst = Math.max(worst, err / (mag[i] || 1));
    }
  }
  return worst;
}
