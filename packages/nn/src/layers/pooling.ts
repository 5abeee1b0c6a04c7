// Max and average pooling over the spatial axes of channels-last inputs (`[N, L, C]`, `[N, H, W, C]`,
// `[N, D, H, W, C]`). Windows are taken as a strided view of the (padded) input, as MLX Python does.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import { checkOptions, intTuple, mlxError } from '../checks.js';
import { Module } from '../module.js';

/** Options of the pooling layers; a number applies to every spatial axis. */
export interface PoolOptions {
  /** Default: the kernel size (non-overlapping windows). */
  stride?: number | number[];
  /** Padding on both sides of each spatial axis: -∞ for max pooling, 0 for average pooling. Default 0. */
  padding?: number | number[];
}

abstract class Pool extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];

  protected constructor(
    name: string,
    spatialAxes: number,
    private readonly reduce: (x: Tensor, axes: number[]) => Tensor,
    private readonly paddingValue: number,
    kernelSize: number | number[],
    options: PoolOptions,
  ) {
    super();
    checkOptions(name, options, ['stride', 'padding']);
    this.kernelSize = intTuple(name, 'kernelSize', kernelSize, spatialAxes, 1);
    this.stride = options.stride === undefined ? [...this.kernelSize] : intTuple(name, 'stride', options.stride, spatialAxes, 1);
    this.padding = intTuple(name, 'padding', options.padding ?? 0, spatialAxes, 0);
  }

  forward(x: Tensor): Tensor {
    const n = this.kernelSize.length;
    if (x.ndim !== n + 2) throw mlxError(this.constructor.name, `expects inputs with ${n + 2} dimensions (batch, ${n} spatial, channels), got ${x.ndim}`);
    if (this.padding.some((p) => p > 0)) {
      x = mx.pad(x, [[0, 0], ...this.padding.map((p) => [p, p]), [0, 0]], 'constant', this.paddingValue);
    }
    const windows = slidingWindows(x, this.kernelSize, this.stride);
    // The window axes come right after the output's spatial axes.
    const axes = this.kernelSize.map((_, i) => -n - 1 + i);
    return this.reduce(windows, axes);
  }

  protected override extraRepr(): string {
    return `kernelSize=[${this.kernelSize}], stride=[${this.stride}], padding=[${this.padding}]`;
  }
}

/** `[N, ...out, ...window, C]`: every window of `x` `[N, ...spatial, C]`, as a view (or a reshape). */
function slidingWindows(x: Tensor, window: number[], strides: number[]): Tensor {
  const shape = x.shape;
  const spatial = shape.slice(1, -1);
  if (spatial.every((size, i) => window[i] === strides[i] && size % window[i] === 0)) {
    // Non-overlapping windows that tile the input: a reshape and a transpose, no strided view.
    const split = [shape[0], ...spatial.flatMap((size, i) => [size / window[i], window[i]]), shape[shape.length - 1]];
    const last = split.length - 1;
    const order = [0, ...spatial.map((_, i) => 1 + 2 * i), ...spatial.map((_, i) => 2 + 2 * i), last];
    return mx.transpose(mx.reshape(x, split), order);
  }
  const elementStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const outShape = spatial.map((size, i) => Math.floor((size - window[i]) / strides[i]) + 1);
  if (outShape.some((s) => s <= 0)) throw mlxError('pooling', `the window [${window}] is larger than the (padded) input [${spatial}]`);
  return mx.asStrided(
    x,
    [shape[0], ...outShape, ...window, shape[shape.length - 1]],
    [elementStrides[0], ...spatial.map((_, i) => elementStrides[i + 1] * strides[i]), ...spatial.map((_, i) => elementStrides[i + 1]), 1],
  );
}

const max = (x: Tensor, axes: number[]) => mx.max(x, axes);
const mean = (x: Tensor, axes: number[]) => mx.mean(x, axes);

/** The maximum of each window of `[N, L, C]` inputs. */
export class MaxPool1d extends Pool {
  constructor(kernelSize: number | number[], options: PoolOptions = {}) {
    super('MaxPool1d', 1, max, -Infinity, kernelSize, options);
  }
}

/** The maximum of each window of `[N, H, W, C]` inputs. */
export class MaxPool2d extends Pool {
  constructor(kernelSize: number | number[], options: PoolOptions = {}) {
    super('MaxPool2d', 2, max, -Infinity, kernelSize, options);
  }
}

/** The maximum of each window of `[N, D, H, W, C]` inputs. */
export class MaxPool3d extends Pool {
  constructor(kernelSize: number | number[], options: PoolOptions = {}) {
    super('MaxPool3d', 3, max, -Infinity, kernelSize, options);
  }
}

/** The mean of each window of `[N, L, C]` inputs. */
export class AvgPool1d extends Pool {
  constructor(kernelSize: number | number[], options: PoolOptions = {}) {
    super('AvgPool1d', 1, mean, 0, kernelSize, options);
  }
}

/** The mean of each window of `[N, H, W, C]` inputs. */
export class AvgPool2d extends Pool {
  constructor(kernelSize: number | number[], options: PoolOptions = {}) {
    super('AvgPool2d', 2, mean, 0, kernelSize, options);
  }
}

/** The mean of each window of `[N, D, H, W, C]` inputs. */
export class AvgPool3d extends Pool {
  constructor(kernelSize: number | number[], options: PoolOptions = {}) {
    super('AvgPool3d', 3, mean, 0, kernelSize, options);
  }
}
