// Upsample: nearest, linear (bi-, tri-linear) and cubic interpolation over the spatial axes of
// channels-last inputs `[N, ...spatial, C]`, with MLX Python's index and weight conventions (align
// corners or half-pixel centers; cubic a = -0.75, or a = -0.5 with antialiasing).
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import { checkBoolean, checkChoice, checkOptions, mlxError } from '../checks.js';
import { Module } from '../module.js';

export type UpsampleMode = 'nearest' | 'linear' | 'cubic';

/** One interpolation tap along one spatial axis: source indices `[M]` and weights shaped to broadcast. */
type Tap = [indices: Tensor, weight: Tensor];

/** `[1, ..., M, ..., 1]` with M at spatial axis `dim` of `ndims`, so it broadcasts over `[..spatial]`. */
function alongAxis(t: Tensor, dim: number, ndims: number): Tensor {
  const shape = new Array<number>(ndims).fill(1);
  shape[dim] = -1;
  return mx.reshape(t, shape);
}

/** Source coordinates (float32) of the `floor(scale * n)` output positions. */
function scaledIndices(n: number, scale: number, alignCorners: boolean, dim: number, ndims: number): Tensor {
  const m = Math.floor(scale * n);
  const positions = mx.arange(0, m, 1, 'float32');
  if (alignCorners) return alongAxis(mx.multiply(positions, (n - 1) / Math.max(m - 1, 1)), dim, ndims);
  const step = 1 / scale;
  const start = ((m - 1) * step - n + 1) / 2;
  return alongAxis(mx.subtract(mx.multiply(positions, step), start), dim, ndims);
}

function nearestIndices(n: number, scale: number, dim: number, ndims: number): Tensor {
  const m = Math.floor(scale * n);
  let indices = mx.arange(0, m, 1, 'float32');
  indices = m > n ? mx.round(mx.subtract(mx.multiply(mx.add(indices, 0.5), n / m), 0.5)) : mx.multiply(indices, n / m);
  return alongAxis(mx.astype(indices, 'uint32'), dim, ndims);
}

function linearTaps(n: number, scale: number, alignCorners: boolean, dim: number, ndims: number): Tap[] {
  const indices = mx.clip(scaledIndices(n, scale, alignCorners, dim, ndims), 0, n - 1);
  const left = mx.floor(indices);
  const right = mx.ceil(indices);
  const weight = mx.expandDims(mx.subtract(indices, left), -1);
  return [
    [mx.astype(left, 'uint32'), mx.subtract(1, weight)],
    [mx.astype(right, 'uint32'), weight],
  ];
}

/** Keys' cubic kernel with coefficient `a`: the weight of a tap at distance `x` (inner: x ≤ 1, outer: 1 < x ≤ 2). */
function cubicWeight(x: Tensor, a: number, inner: boolean): Tensor {
  if (inner) return mx.add(mx.multiply(mx.multiply(mx.subtract(mx.multiply(a + 2, x), a + 3), x), x), 1);
  return mx.multiply(mx.subtract(mx.multiply(mx.add(mx.multiply(mx.subtract(x, 5), x), 8), x), 4), a);
}

function cubicTaps(n: number, scale: number, alignCorners: boolean, dim: number, ndims: number): Tap[] {
  const indices = scaledIndices(n, scale, alignCorners, dim, ndims);
  const l1 = mx.floor(indices);
  const r1 = mx.floor(mx.add(indices, 1));
  const taps: [Tensor, boolean][] = [
    [l1, true],
    [r1, true],
    [mx.subtract(l1, 1), false],
    [mx.add(r1, 1), false],
  ];
  return taps.map(([grid, inner]) => [
    mx.astype(mx.clip(grid, 0, n - 1), 'uint32'),
    mx.expandDims(cubicWeight(mx.abs(mx.subtract(indices, grid)), -0.75, inner), -1),
  ]);
}

const triangleKernel = (x: Tensor) => mx.maximum(mx.subtract(1, x), 0);
const antialiasCubicKernel = (x: Tensor) =>
  mx.where(mx.lessEqual(x, 1), cubicWeight(x, -0.5, true), mx.where(mx.lessEqual(x, 2), cubicWeight(x, -0.5, false), 0));

/**
 * Antialiased taps: when downscaling, the kernel widens by 1 / scale (a low-pass filter); taps outside
 * the input get weight 0 and each output's weights are renormalized to sum to 1.
 */
function antialiasTaps(kernel: (x: Tensor) => Tensor, radius: number) {
  return (n: number, scale: number, alignCorners: boolean, dim: number, ndims: number): Tap[] => {
    const indices = scaledIndices(n, scale, alignCorners, dim, ndims);
    const invScale = scale < 1 ? 1 / scale : 1;
    const taps = Math.ceil(radius * invScale) + 1;
    const all: [Tensor, Tensor][] = [];
    for (let k = -taps + 1; k < taps; k++) {
      const idx = mx.add(mx.floor(indices), k);
      const w = kernel(mx.divide(mx.abs(mx.subtract(indices, idx)), invScale));
      all.push([idx, mx.where(mx.logicalAnd(mx.greaterEqual(idx, 0), mx.less(idx, n)), w, 0)]);
    }
    let total = all.map(([, w]) => w).reduce((a, b) => mx.add(a, b));
    total = mx.where(mx.greater(total, 0), total, 1);
    return all.map(([idx, w]) => [mx.astype(mx.clip(idx, 0, n - 1), 'uint32'), mx.expandDims(mx.divide(w, total), -1)]);
  };
}

type TapsFn = (n: number, scale: number, alignCorners: boolean, dim: number, ndims: number) => Tap[];

/** Gathers along each spatial axis in turn (the index arrays of different axes are independent). */
function gatherSpatial(x: Tensor, indices: Tensor[]): Tensor {
  return indices.reduce((y, idx, i) => mx.take(y, mx.flatten(idx), i + 1), x);
}

/** Sums, over every combination of one tap per axis, the sample times the product of the weights. */
function interpolate(x: Tensor, scales: number[], taps: TapsFn, alignCorners: boolean): Tensor {
  const ndims = scales.length;
  const perAxis = scales.map((s, i) => taps(x.shape[i + 1], s, alignCorners, i, ndims));
  let combos: Tap[][] = [[]];
  for (const axisTaps of perAxis) combos = combos.flatMap((combo) => axisTaps.map((tap) => [...combo, tap]));
  const terms = combos.map((combo) => {
    const weight = combo.map(([, w]) => w).reduce((a, b) => mx.multiply(a, b));
    return mx.multiply(weight, gatherSpatial(x, combo.map(([idx]) => idx)));
  });
  return terms.reduce((a, b) => mx.add(a, b));
}

/** Interpolates one spatial axis at a time. */
function interpolateSeparable(x: Tensor, scales: number[], taps: TapsFn, alignCorners: boolean): Tensor {
  const ndims = scales.length;
  return scales.reduce((out, s, i) => {
    const samples = taps(out.shape[i + 1], s, alignCorners, i, ndims).map(([idx, w]) => mx.multiply(mx.take(out, mx.flatten(idx), i + 1), w));
    return samples.reduce((a, b) => mx.add(a, b));
  }, x);
}

function upsampleNearest(x: Tensor, scales: number[]): Tensor {
  const ndims = scales.length;
  if (scales.every(Number.isInteger)) {
    // Integer factors: repeat each element with a broadcast, no gather.
    const shape = [...x.shape];
    const expanded = [shape[0], ...shape.slice(1, -1).flatMap((n) => [n, 1]), shape[shape.length - 1]];
    const repeated = [shape[0], ...shape.slice(1, -1).flatMap((n, i) => [n, scales[i]]), shape[shape.length - 1]];
    const out = [shape[0], ...shape.slice(1, -1).map((n, i) => n * scales[i]), shape[shape.length - 1]];
    return mx.reshape(mx.broadcastTo(mx.reshape(x, expanded), repeated), out);
  }
  return gatherSpatial(x, scales.map((s, i) => nearestIndices(x.shape[i + 1], s, i, ndims)));
}

/**
 * Upsamples (or downsamples) the spatial axes `1 .. ndim - 2` of `[N, ...spatial, C]` inputs by
 * `scaleFactor` (one number for every axis, or one per axis).
 *
 * @example
 * ```ts
 * new nn.Upsample(2).forward(x);                                        // nearest, [N, 2H, 2W, C]
 * new nn.Upsample(2, { mode: 'linear', alignCorners: true }).forward(x); // bilinear
 * ```
 */
export class Upsample extends Module {
  readonly scaleFactor: number | number[];
  readonly mode: UpsampleMode;
  readonly alignCorners: boolean;
  readonly antialias: boolean;

  constructor(scaleFactor: number | number[], options: { mode?: UpsampleMode; alignCorners?: boolean; antialias?: boolean } = {}) {
    super();
    checkOptions('Upsample', options, ['mode', 'alignCorners', 'antialias']);
    const factors = typeof scaleFactor === 'number' ? [scaleFactor] : scaleFactor;
    if (!Array.isArray(factors) || factors.length === 0 || factors.some((f) => typeof f !== 'number' || Number.isNaN(f))) {
      throw new TypeError(`Upsample: scaleFactor must be a number or a list of numbers, got ${JSON.stringify(scaleFactor)}`);
    }
    if (factors.some((f) => f <= 0)) throw new RangeError(`Upsample: scaleFactor must be positive, got ${JSON.stringify(scaleFactor)}`);
    this.scaleFactor = typeof scaleFactor === 'number' ? scaleFactor : [...scaleFactor];
    this.mode = checkChoice('Upsample', 'mode', options.mode ?? 'nearest', ['nearest', 'linear', 'cubic']);
    this.alignCorners = checkBoolean('Upsample', 'alignCorners', options.alignCorners ?? false);
    this.antialias = checkBoolean('Upsample', 'antialias', options.antialias ?? false);
    if (this.antialias && this.mode === 'nearest') throw new TypeError('Upsample: antialias is not supported with the nearest mode');
    if (this.antialias && this.alignCorners) throw new TypeError('Upsample: antialias is not supported with alignCorners');
  }

  forward(x: Tensor): Tensor {
    const dims = x.ndim - 2;
    if (dims <= 0) throw mlxError('Upsample', `the input needs at least one spatial axis (3 dimensions), got ${x.ndim} dimensions`);
    const scales = typeof this.scaleFactor === 'number' ? new Array<number>(dims).fill(this.scaleFactor) : this.scaleFactor;
    if (scales.length !== dims) throw mlxError('Upsample', `one scale per spatial axis is needed: ${scales.length} scales for ${dims} spatial axes`);
    if (this.mode === 'nearest') return upsampleNearest(x, scales);
    if (this.mode === 'linear') {
      if (this.antialias) return interpolateSeparable(x, scales, antialiasTaps(triangleKernel, 1), false);
      return this.alignCorners ? interpolate(x, scales, linearTaps, true) : interpolateSeparable(x, scales, linearTaps, false);
    }
    return this.antialias ? interpolateSeparable(x, scales, antialiasTaps(antialiasCubicKernel, 2), false) : interpolate(x, scales, cubicTaps, this.alignCorners);
  }

  protected override extraRepr(): string {
    return `scaleFactor=${JSON.stringify(this.scaleFactor)}, mode='${this.mode}', alignCorners=${this.alignCorners}${this.antialias ? ', antialias=true' : ''}`;
  }
}
