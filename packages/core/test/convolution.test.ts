// conv1d/2d/3d and convTranspose1d/2d/3d against float64 direct-loop references (channels-last, any
// number of spatial axes, groups), the adjoint identity between them, and the edge cases in which MLX's
// own checks fall short (zero channels, padding beyond the kernel, kernels longer than the input).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { checkProperty, expectCloseNd, fromValues, sizeOf, strides, toNd, type Nd, unravel, withoutLeaks } from '@mlxts/testing';

const small = (n: number) => fc.array(fc.integer({ min: -8, max: 8 }).map((k) => k / 4), { minLength: n, maxLength: n });
const at = (x: Nd, idx: number[]) => x.data[idx.reduce((acc, v, k) => acc + v * strides(x.shape)[k], 0)];

interface ConvCase {
  dims: number;
  batch: number;
  len: number[];
  k: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
  outputPadding: number[];
  groups: number;
  cinPerGroup: number;
  coutPerGroup: number;
}

const perAxis = (dims: number, min: number, max: number) => fc.array(fc.integer({ min, max }), { minLength: dims, maxLength: dims });

/** Random convolution arguments; MLX supports groups > 1 only with 1 or 2 spatial axes. */
const caseArb: fc.Arbitrary<ConvCase> = fc.integer({ min: 1, max: 3 }).chain((dims) =>
  fc.record({
    dims: fc.constant(dims),
    batch: fc.integer({ min: 1, max: 2 }),
    len: perAxis(dims, 1, dims === 3 ? 4 : 6),
    k: perAxis(dims, 1, 3),
    stride: perAxis(dims, 1, 3),
    padding: perAxis(dims, 0, 3),
    dilation: perAxis(dims, 1, 2),
    outputPadding: perAxis(dims, 0, 2),
    groups: dims === 3 ? fc.constant(1) : fc.integer({ min: 1, max: 2 }),
    cinPerGroup: fc.integer({ min: 1, max: 2 }),
    coutPerGroup: fc.integer({ min: 1, max: 2 }),
  }),
);

const cin = (c: ConvCase) => c.groups * c.cinPerGroup;
const cout = (c: ConvCase) => c.groups * c.coutPerGroup;
const inputShape = (c: ConvCase) => [c.batch, ...c.len, cin(c)];
const weightShape = (c: ConvCase) => [cout(c), ...c.k, c.cinPerGroup];
const span = (c: ConvCase, i: number) => c.dilation[i] * (c.k[i] - 1) + 1;

/** Forward: out[n, o, co] = sum over taps t and the group's channels of x[n, o*s + t*d - p, ci] * w[co, t, ci]. */
function convReference(c: ConvCase, x: Nd, w: Nd): Nd {
  const outLen = c.len.map((n, i) => Math.floor((n + 2 * c.padding[i] - span(c, i)) / c.stride[i]) + 1);
  const shape = [c.batch, ...outLen, cout(c)];
  const data = new Array<number>(sizeOf(shape)).fill(0);
  for (let flat = 0; flat < data.length; flat++) {
    const [n, ...rest] = unravel(flat, shape);
    const co = rest.pop()!;
    const g = Math.floor(co / c.coutPerGroup);
    let sum = 0;
    for (let tap = 0; tap < sizeOf(c.k); tap++) {
      const t = unravel(tap, c.k);
      const pos = rest.map((o, i) => o * c.stride[i] + t[i] * c.dilation[i] - c.padding[i]);
      if (pos.some((p, i) => p < 0 || p >= c.len[i])) continue;
      for (let ci = 0; ci < c.cinPerGroup; ci++) sum += at(x, [n, ...pos, g * c.cinPerGroup + ci]) * at(w, [co, ...t, ci]);
    }
    data[flat] = sum;
  }
  return { shape, data };
}

/** Transposed: each input element scatters itself times the kernel to i*s + t*d - p; positions outside the output are dropped. */
function convTransposeReference(c: ConvCase, x: Nd, w: Nd): Nd {
  const outLen = c.len.map((n, i) => (n - 1) * c.stride[i] - 2 * c.padding[i] + span(c, i) + c.outputPadding[i]);
  const shape = [c.batch, ...outLen, cout(c)];
  const out = { shape, data: new Array<number>(sizeOf(shape)).fill(0) };
  const ost = strides(shape);
  for (let flat = 0; flat < x.data.length; flat++) {
    const [n, ...rest] = unravel(flat, x.shape);
    const ciGlobal = rest.pop()!;
    const g = Math.floor(ciGlobal / c.cinPerGroup);
    const ci = ciGlobal % c.cinPerGroup;
    for (let tap = 0; tap < sizeOf(c.k); tap++) {
      const t = unravel(tap, c.k);
      const pos = rest.map((i, a) => i * c.stride[a] + t[a] * c.dilation[a] - c.padding[a]);
      if (pos.some((p, a) => p < 0 || p >= outLen[a])) continue;
      for (let cl = 0; cl < c.coutPerGroup; cl++) {
        const co = g * c.coutPerGroup + cl;
        out.data[[n, ...pos, co].reduce((acc, v, k) => acc + v * ost[k], 0)] += x.data[flat] * at(w, [co, ...t, ci]);
      }
    }
  }
  return out;
}

const forward = [mx.conv1d, mx.conv2d, mx.conv3d] as const;
const transposed = [mx.convTranspose1d, mx.convTranspose2d, mx.convTranspose3d] as const;
const tolerances: Record<string, number> = { float32: 1e-5, float64: 1e-12, float16: 2e-3, bfloat16: 1.6e-2 };
/** mlxts runs float64 only where MLX's CPU kernels have a float64 path: no kernel or input dilation (a transposed stride), groups 1. */
const float64Runs = (c: ConvCase, inputDilation: number[]) =>
  c.dilation.every((d) => d === 1) && inputDilation.every((d) => d === 1) && c.groups === 1;

describe('conv1d / conv2d / conv3d', () => {
  it('match a float64 direct loop over random shapes, strides, paddings, dilations and groups', () =>
    checkProperty(
      caseArb.chain((c) => fc.tuple(fc.constant(c), small(sizeOf(inputShape(c))), small(sizeOf(weightShape(c))), fc.constantFrom<mx.DType>('float32', 'float32', 'float64', 'float16', 'bfloat16'))),
      ([c, xs, ws, dtype]) => {
        const x: Nd = { shape: inputShape(c), data: xs };
        const w: Nd = { shape: weightShape(c), data: ws };
        const call = () => forward[c.dims - 1](fromValues(xs, x.shape, dtype), fromValues(ws, w.shape, dtype), c.stride, c.padding, c.dilation, c.groups);
        const ctx = JSON.stringify({ ...c, dtype });
        if (c.len.some((n, i) => n + 2 * c.padding[i] < span(c, i))) {
          expect(call, ctx).toThrow('dilated kernel');
          return;
        }
        if (dtype === 'float64' && !float64Runs(c, c.len.map(() => 1))) {
          expect(call, ctx).toThrow('float64 convolution');
          return;
        }
        const out = call();
        expect(out.dtype).toBe(dtype);
        // Products of quarters are exact; the sum's rounding grows with the number of terms.
        const terms = sizeOf(c.k) * c.cinPerGroup;
        expectCloseNd(toNd(out), convReference(c, x, w), tolerances[dtype] * terms * 4, ctx);
      },
    ));

  it('take a single integer for every spatial axis', () =>
    withoutLeaks(() => {
      const c: ConvCase = { dims: 2, batch: 1, len: [5, 4], k: [2, 2], stride: [2, 2], padding: [1, 1], dilation: [1, 1], outputPadding: [0, 0], groups: 1, cinPerGroup: 2, coutPerGroup: 3 };
      const xs = Array.from({ length: sizeOf(inputShape(c)) }, (_, i) => (i % 7) - 3);
      const ws = Array.from({ length: sizeOf(weightShape(c)) }, (_, i) => (i % 5) - 2);
      const expected = convReference(c, { shape: inputShape(c), data: xs }, { shape: weightShape(c), data: ws });
      expectCloseNd(toNd(mx.conv2d(fromValues(xs, inputShape(c), 'float32'), fromValues(ws, weightShape(c), 'float32'), 2, 1)), expected, 1e-6, 'scalar args');
    }));

  it('read non-contiguous (transposed) inputs and weights correctly', () =>
    withoutLeaks(() => {
      // The input is built as [N, C, W] and moved to channels-last, the kernel as [C_in, k, C_out].
      const xs = Array.from({ length: 2 * 3 * 5 }, (_, i) => (i % 5) - 2);
      const ws = Array.from({ length: 3 * 2 * 4 }, (_, i) => (i % 3) - 1);
      const xNcw = fromValues(xs, [2, 3, 5], 'float32');
      const wIkO = fromValues(ws, [3, 2, 4], 'float32');
      const x = mx.moveaxis(xNcw, 1, 2);
      const w = mx.swapaxes(wIkO, 0, 2);
      const c: ConvCase = { dims: 1, batch: 2, len: [5], k: [2], stride: [1], padding: [1], dilation: [1], outputPadding: [0], groups: 1, cinPerGroup: 3, coutPerGroup: 4 };
      expectCloseNd(toNd(mx.conv1d(x, w, 1, 1)), convReference(c, toNd(x), toNd(w)), 1e-6, 'non-contiguous');
    }));

  it('give zeros for an empty batch or zero input channels, and an empty result for zero output channels', () =>
    withoutLeaks(() => {
      expectCloseNd(toNd(mx.conv1d(mx.ones([0, 4, 2]), mx.ones([3, 2, 2]))), { shape: [0, 3, 3], data: [] }, 0, 'empty batch');
      expectCloseNd(toNd(mx.conv2d(mx.ones([1, 3, 3, 0]), mx.ones([2, 2, 2, 0]))), { shape: [1, 2, 2, 2], data: new Array(8).fill(0) }, 0, 'zero channels');
      expectCloseNd(toNd(mx.conv3d(mx.ones([1, 2, 2, 2, 1]), mx.ones([0, 1, 1, 1, 1]))), { shape: [1, 2, 2, 2, 0], data: [] }, 0, 'zero output channels');
    }));
});

describe('convTranspose1d / convTranspose2d / convTranspose3d', () => {
  it('match a float64 scatter-and-crop reference over random shapes, strides, paddings, dilations, output paddings and groups', () =>
    checkProperty(
      caseArb.chain((c) => fc.tuple(fc.constant(c), small(sizeOf(inputShape(c))), small(sizeOf(weightShape(c))), fc.constantFrom<mx.DType>('float32', 'float32', 'float64', 'float16'))),
      ([c, xs, ws, dtype]) => {
        const x: Nd = { shape: inputShape(c), data: xs };
        const w: Nd = { shape: weightShape(c), data: ws };
        const call = () =>
          transposed[c.dims - 1](fromValues(xs, x.shape, dtype), fromValues(ws, w.shape, dtype), c.stride, c.padding, c.dilation, c.outputPadding, c.groups);
        const ctx = JSON.stringify({ ...c, dtype });
        const outLen = c.len.map((n, i) => (n - 1) * c.stride[i] - 2 * c.padding[i] + span(c, i) + c.outputPadding[i]);
        if (outLen.some((n) => n < 1)) {
          expect(call, ctx).toThrow('leaves no output');
          return;
        }
        if (dtype === 'float64' && !float64Runs(c, c.stride)) {
          expect(call, ctx).toThrow('float64 convolution');
          return;
        }
        const out = call();
        expect(out.dtype).toBe(dtype);
        const terms = sizeOf(c.k) * c.cinPerGroup;
        expectCloseNd(toNd(out), convTransposeReference(c, x, w), tolerances[dtype] * terms * 4, ctx);
      },
    ));

  it('are the adjoint of the forward convolution: <conv(x, w), y> == <x, convT(y, swap(w))>', () =>
    checkProperty(
      caseArb
        .filter((c) => c.len.every((n, i) => n + 2 * c.padding[i] >= span(c, i)))
        .chain((c) => {
          const outLen = c.len.map((n, i) => Math.floor((n + 2 * c.padding[i] - span(c, i)) / c.stride[i]) + 1);
          const g = { ...c, groups: 1 };
          return fc.tuple(fc.constant(g), fc.constant(outLen), small(sizeOf(inputShape(g))), small(sizeOf(weightShape(g))), small(c.batch * sizeOf(outLen) * cout(g)));
        }),
      ([c, outLen, xs, ws, ys]) => {
        // Quarters times quarters summed over a few hundred terms are exact in float32.
        const x = fromValues(xs, inputShape(c), 'float32');
        const w = fromValues(ws, weightShape(c), 'float32');
        const y = fromValues(ys, [c.batch, ...outLen, cout(c)], 'float32');
        // convT of an outLen-long input has length (outLen-1)s - 2p + span + op: op restores the input length.
        const outputPadding = c.len.map((n, i) => n - ((outLen[i] - 1) * c.stride[i] - 2 * c.padding[i] + span(c, i)));
        const lhs = mx.sum(mx.multiply(forward[c.dims - 1](x, w, c.stride, c.padding, c.dilation), y));
        const back = transposed[c.dims - 1](y, mx.swapaxes(w, 0, -1), c.stride, c.padding, c.dilation, outputPadding);
        expect(back.shape).toEqual(inputShape(c));
        const rhs = mx.sum(mx.multiply(x, back));
        expectCloseNd(toNd(lhs), toNd(rhs), 1e-6, JSON.stringify(c));
      },
    ));

  it('crop when the padding exceeds the dilated kernel (MLX alone returns a wrongly sized result)', () =>
    withoutLeaks(() => {
      const c: ConvCase = { dims: 1, batch: 1, len: [6], k: [2], stride: [2], padding: [2], dilation: [1], outputPadding: [0], groups: 1, cinPerGroup: 2, coutPerGroup: 3 };
      const xs = Array.from({ length: 12 }, (_, i) => i - 5);
      const ws = Array.from({ length: 12 }, (_, i) => (i % 4) - 1);
      const out = mx.convTranspose1d(fromValues(xs, inputShape(c), 'float32'), fromValues(ws, weightShape(c), 'float32'), 2, 2);
      expect(out.shape).toEqual([1, 8, 3]);
      expectCloseNd(toNd(out), convTransposeReference(c, { shape: inputShape(c), data: xs }, { shape: weightShape(c), data: ws }), 1e-6, 'crop');
    }));

  it('give zeros for zero input channels and reject an empty spatial input', () =>
    withoutLeaks(() => {
      expectCloseNd(toNd(mx.convTranspose1d(mx.ones([1, 4, 0]), mx.ones([3, 2, 0]), 1, 2)), { shape: [1, 1, 3], data: [0, 0, 0] }, 0, 'zero channels, cropped');
      expectCloseNd(toNd(mx.convTranspose2d(mx.ones([0, 2, 2, 1]), mx.ones([1, 2, 2, 1]))), { shape: [0, 3, 3, 1], data: [] }, 0, 'empty batch');
      expect(() => mx.convTranspose1d(mx.ones([1, 0, 2]), mx.ones([3, 2, 2]))).toThrow("input's spatial sizes must be >= 1");
    }));
});
