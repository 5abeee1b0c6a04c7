// The addon's CPU kernel for affine quantized matmul (native src/qmm): against a float64 reference over
// random shapes, bits, group sizes, dtypes, batch axes and strided views, and where it is used instead
// of MLX's kernel. MLXTS_QMM_KERNEL=mlxts makes a product run on the addon's fastest kernel for this CPU
// (AVX2 where present) and =portable on its portable one (both an error where they do not apply); =mlx
// forces MLX's.
import fc from 'fast-check';
import * as mx from '@mlxts/core';
import * as quant from '@mlxts/quant';
import { checkProperty, withoutLeaks } from '@mlxts/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { floats, gaussian, input, prng } from './support/refs.js';
import { unitRoundoff, unpackBits } from './support/reference.js';

// More threads than most CI machines have cores, so that products split across helpers everywhere.
// The pool reads this when the first product runs.
process.env.MLXTS_CPU_THREADS = '3';

type Float = 'float32' | 'float16' | 'bfloat16';
const FLOATS: Float[] = ['float32', 'float16', 'bfloat16'];

type Kernel = 'mlx' | 'mlxts' | 'portable';

function withKernel<T>(kernel: Kernel | undefined, body: () => T): T {
  const before = process.env.MLXTS_QMM_KERNEL;
  if (kernel === undefined) delete process.env.MLXTS_QMM_KERNEL;
  else process.env.MLXTS_QMM_KERNEL = kernel;
  try {
    return body();
  } finally {
    if (before === undefined) delete process.env.MLXTS_QMM_KERNEL;
    else process.env.MLXTS_QMM_KERNEL = before;
  }
}

afterEach(() => {
  delete process.env.MLXTS_QMM_KERNEL;
});

/** How x and the packed weights are presented to the op; every layout holds the same logical values. */
const LAYOUTS = ['plain', 'x transposed', 'x strided', 'w rows strided', 'scales transposed', 'batched', 'w broadcast', 'x broadcast', 'w expanded', 'vector x', '3-D x, 2-D w'] as const;
type Layout = (typeof LAYOUTS)[number];

interface Case {
  kernel: 'mlxts' | 'portable';
  bits: 4 | 8;
  groupSize: 32 | 64 | 128;
  groups: number;
  m: number;
  n: number;
  xDtype: Float;
  scaleDtype: Float;
  layout: Layout;
  seed: number;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  kernel: fc.constantFrom('mlxts' as const, 'portable' as const),
  bits: fc.constantFrom(4 as const, 8 as const),
  groupSize: fc.constantFrom(32 as const, 64 as const, 128 as const),
  // K = groups * groupSize: not a multiple of 8 groups in most cases, one group at the least.
  groups: fc.integer({ min: 1, max: 9 }),
  // Rows of x: the kernel takes them four at a time, so remainders of 1-3 matter; 37 is several blocks.
  m: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constant(37)),
  // Weight rows: above about 128 a product is split into tasks for the worker threads.
  n: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 130, max: 300 })),
  xDtype: fc.constantFrom(...FLOATS),
  scaleDtype: fc.constantFrom(...FLOATS),
  layout: fc.constantFrom(...LAYOUTS),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

/** Batch entries of x and w for a layout (x's and w's leading axes), and whether x is 1-D. */
function batchesOf(layout: Layout): { xb: number[]; wb: number[] } {
  switch (layout) {
    case 'batched':
    case 'w expanded':
      return { xb: [2], wb: [2] };
    case 'w broadcast':
      return { xb: [3], wb: [1] };
    case 'x broadcast':
      return { xb: [1], wb: [3] };
    case '3-D x, 2-D w':
      return { xb: [2], wb: [] };
    default:
      return { xb: [], wb: [] };
  }
}

/** a with its last axis read `step` apart from a wider buffer (a view, not a copy). */
function strided(a: mx.Tensor): mx.Tensor {
  const wide = mx.reshape(mx.stack([a, mx.zerosLike(a)], -1), [...a.shape.slice(0, -1), a.shape[a.shape.length - 1] * 2]);
  const n = a.ndim;
  return mx.slice(wide, new Array(n).fill(0), wide.shape, [...new Array(n - 1).fill(1), 2]);
}

/** a with its rows (axis -2) every other row of a taller buffer. */
function everyOtherRow(a: mx.Tensor): mx.Tensor {
  const n = a.ndim;
  const tall = mx.reshape(mx.stack([a, mx.onesLike(a)], -2), [...a.shape.slice(0, -2), a.shape[n - 2] * 2, a.shape[n - 1]]);
  return mx.slice(tall, new Array(n).fill(0), tall.shape, [...new Array(n - 2).fill(1), 2, 1]);
}

/** a as a transposed view of its transpose: the same values with a non-unit stride along the last axis. */
function columnMajor(a: mx.Tensor): mx.Tensor {
  return mx.swapaxes(mx.contiguous(mx.swapaxes(a, -1, -2)), -1, -2);
}

/**
 * Runs one case through the addon's kernel and compares every output with float64 x @ (scale * code + bias)ᵀ,
 * within (groups + chunks + 8) float32 roundings of Σ|x|·(|scale·code| + |bias|) (the kernel's sums: one
 * multiply-add per chunk within a group, one per group, the bias term and the lane reduction), plus the
 * output dtype's rounding. Returns the worst error in units of that magnitude times float32's roundoff.
 */
function runCase(c: Case): number {
  const rand = prng(c.seed);
  const k = c.groups * c.groupSize;
  const { xb, wb } = batchesOf(c.layout);
  const bx = xb.length ? xb[0] : 1;
  const bw = wb.length ? wb[0] : 1;
  const batch = Math.max(bx, bw);
  const m = c.layout === 'vector x' ? 1 : c.m;

  // Packed weights from MLX's quantizer (float32), scales and biases then stored in scaleDtype.
  const wRows = bw * c.n;
  const [dense] = input(Array.from({ length: wRows * k }, () => gaussian(rand) * (0.1 + rand())), [wRows, k], 'float32');
  const [words, scales32, biases32] = quant.quantizePacked(dense, { bits: c.bits, groupSize: c.groupSize });
  const scales = mx.astype(scales32, c.scaleDtype);
  const biases = mx.astype(biases32, c.scaleDtype);
  const codes = unpackBits(words.toTypedArray() as Uint32Array, c.bits, k);
  const s = floats(scales);
  const b = floats(biases);
  const [x, xv] = input(Array.from({ length: bx * m * k }, () => gaussian(rand)), [bx * m, k], c.xDtype);

  // The views handed to the op.
  const wShape = (t: mx.Tensor) => (wb.length ? mx.reshape(t, [bw, c.n, t.shape[1]]) : t);
  let wq = wShape(words);
  let sq = wShape(scales);
  let bq = wShape(biases);
  let xq = c.layout === 'vector x' ? mx.reshape(x, [k]) : xb.length ? mx.reshape(x, [bx, m, k]) : x;
  if (c.layout === 'x transposed') xq = columnMajor(xq);
  if (c.layout === 'x strided') xq = strided(xq);
  if (c.layout === 'w rows strided') [wq, sq, bq] = [everyOtherRow(wq), everyOtherRow(sq), everyOtherRow(bq)];
  if (c.layout === 'scales transposed') [sq, bq] = [columnMajor(sq), columnMajor(bq)];
  if (c.layout === 'w expanded') {
    [wq, sq, bq] = [wq, sq, bq].map((t) => mx.broadcastTo(mx.slice(t, [0], [1]), t.shape));
  }

  const out = withKernel(c.kernel, () => quant.quantizedMatmulPacked(xq, wq, sq, bq, { bits: c.bits, groupSize: c.groupSize }));
  // MLX's promotion: float16 with bfloat16 gives float32.
  const outDtype: Float = c.xDtype === c.scaleDtype ? c.xDtype : 'float32';
  const what = JSON.stringify(c);
  expect(out.dtype, what).toBe(outDtype);
  const expectedShape = c.layout === 'vector x' ? [c.n] : c.layout === '3-D x, 2-D w' || batch > 1 || xb.length ? [batch, m, c.n] : [m, c.n];
  expect(out.shape, what).toEqual(expectedShape);
  const y = floats(out);

  const u = 2 ** -24;
  const bound = c.groups + c.groupSize / 16 + 8;
  const uOut = outDtype === 'float32' ? 0 : unitRoundoff(outDtype);
  let worst = 0;
  for (let e = 0; e < batch; e++) {
    // 'w expanded' repeats the first matrix.
    const we = c.layout === 'w expanded' ? 0 : bw === 1 ? 0 : e;
    const xe = bx === 1 ? 0 : e;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < c.n; j++) {
        const row = we * c.n + j;
        let ref = 0;
        let mag = 0;
        for (let p = 0; p < k; p++) {
          const g = row * c.groups + Math.floor(p / c.groupSize);
          const code = codes[row * k + p];
          const xval = xv[(xe * m + i) * k + p];
          ref += xval * (s[g] * code + b[g]);
          mag += Math.abs(xval) * (Math.abs(s[g] * code) + Math.abs(b[g]));
        }
        const got = y[(e * m + i) * c.n + j];
        const err = Math.abs(got - ref);
        const limit = bound * u * mag + uOut * Math.abs(ref) * 1.01;
        if (!(err <= limit + 1e-30)) throw new Error(`${what}: output [${e}, ${i}, ${j}] is ${got}, expected ${ref} (limit ${limit})`);
        worst = Math.max(worst, mag > 0 ? (err - uOut * Math.abs(ref)) / (u * mag) : 0);
      }
    }
  }
  return worst;
}

describe('the CPU quantized matmul kernel', () => {
  it('matches float64 dequantize-then-matmul within float32 rounding', () => {
    const worst: Record<string, number> = {};
    checkProperty(caseArb, (c) => {
      const key = c.xDtype === 'float32' && c.scaleDtype === 'float32' ? 'float32' : 'with half types';
      worst[key] = Math.max(worst[key] ?? 0, runCase(c));
    });
    // For the docs: the largest error seen, in float32 roundoffs of Σ|x|·(|scale·code| + |bias|) (beyond the output's own rounding).
    console.log('CPU kernel, worst error / (2^-24 Σ|x|(|s·q| + |b|)):', JSON.stringify(worst));
  });

  it('covers every kernel, bits, group size, scale dtype and layout', () => {
    let seed = 1;
    for (const kernel of ['mlxts', 'portable'] as const) {
      for (const bits of [4, 8] as const) {
        for (const groupSize of [32, 64, 128] as const) {
          for (const scaleDtype of FLOATS) {
            withoutLeaks(() => runCase({ kernel, bits, groupSize, groups: 3, m: 5, n: 150, xDtype: FLOATS[seed % 3], scaleDtype, layout: LAYOUTS[seed % LAYOUTS.length], seed: seed++ }));
          }
        }
      }
      for (const layout of LAYOUTS) withoutLeaks(() => runCase({ kernel, bits: 4, groupSize: 32, groups: 5, m: 6, n: 140, xDtype: 'float32', scaleDtype: 'float16', layout, seed: seed++ }));
    }
  });

  it('a decode-sized product (one row against 1536 x 576, 4-bit, group 32)', () =>
    withoutLeaks(() => {
      const worst = runCase({ kernel: 'mlxts', bits: 4, groupSize: 32, groups: 18, m: 1, n: 1536, xDtype: 'float32', scaleDtype: 'float32', layout: 'plain', seed: 7 });
      expect(worst).toBeLessThan(18 + 2 + 8);
    }));
});

describe('which kernel quantizedMatmul uses', () => {
  const [N, K] = [256, 512];
  function operands() {
    const rand = prng(11);
    const [w] = input(Array.from({ length: N * K }, () => gaussian(rand)), [N, K], 'float32');
    const [x] = input(Array.from({ length: 3 * K }, () => gaussian(rand)), [3, K], 'float32');
    return { w, x };
  }
  const bitsOf = (t: mx.Tensor) => Array.from(new Uint32Array((mx.astype(t, 'float32').toTypedArray() as Float32Array).buffer));

  it("is the addon's kernel for affine 4- and 8-bit products with transposed weights on the CPU", () =>
    withoutLeaks(() => {
      const { w, x } = operands();
      let differs = false;
      for (const bits of [4, 8]) {
        for (const groupSize of [32, 64, 128]) {
          const q = quant.quantize(w, { bits, groupSize });
          const auto = withKernel(undefined, () => quant.quantizedMatmul(x, q));
          const ours = withKernel('mlxts', () => quant.quantizedMatmul(x, q));
          const theirs = withKernel('mlx', () => quant.quantizedMatmul(x, q));
          expect(bitsOf(auto)).toEqual(bitsOf(ours));
          differs ||= bitsOf(ours).some((v, i) => v !== bitsOf(theirs)[i]);
          q.dispose();
        }
      }
      // The two kernels sum in different orders, so the comparison above can tell them apart.
      expect(differs).toBe(true);
    }));

  it("is MLX's elsewhere, and MLXTS_QMM_KERNEL=mlxts says why", () =>
    withoutLeaks(() => {
      const { w, x } = operands();
      const cases: [string, () => mx.Tensor, RegExp][] = [
        ['3-bit', () => quant.quantizedMatmul(x, quant.quantize(w, { bits: 3, groupSize: 64 })), /4- and 8-bit codes only/],
        ['mxfp4', () => quant.quantizedMatmul(x, quant.quantize(w, { mode: 'mxfp4' })), /affine mode only/],
        ['transpose: false', () => quant.quantizedMatmul(mx.ones([3, N]), quant.quantize(w, { bits: 4 }), { transpose: false }), /transpose: true only/],
      ];
      for (const [name, run, why] of cases) {
        const auto = withKernel(undefined, run);
        const theirs = withKernel('mlx', run);
        expect(bitsOf(auto), name).toEqual(bitsOf(theirs));
        expect(() => withKernel('mlxts', run), name).toThrow(why);
        expect(() => withKernel('portable', run), name).toThrow(why);
      }
    }));

  it('keeps MLX errors for shapes it does not take', () =>
    withoutLeaks(() => {
      const q = quant.quantize(mx.ones([8, 64]), { bits: 4, groupSize: 32 });
      expect(() => quant.quantizedMatmul(mx.ones([2, 32]), q)).toThrow(/Last dimension of first input with shape \(\.\.\., 32\) does not match/);
      q.dispose();
    }));
});
