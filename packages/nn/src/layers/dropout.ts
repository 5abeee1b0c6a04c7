// Dropout: in training mode, zero elements (or whole channels) with probability p and scale the rest by
// 1 / (1 - p), so expected values are unchanged; in evaluation mode, the identity.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import { checkInRange, checkOptions, mlxError } from '../checks.js';
import { Module } from '../module.js';

abstract class DropoutBase extends Module {
  readonly p: number;

  protected constructor(name: string, options: { p?: number }) {
    super();
    checkOptions(name, options, ['p']);
    this.p = checkInRange(name, 'p', options.p ?? 0.5, 0, 1);
  }

  /** Drops with a mask of `maskShape` (broadcast over the axes where it is 1). */
  protected drop(x: Tensor, maskShape: readonly number[]): Tensor {
    const keep = 1 - this.p;
    if (keep === 1 || !this.training) return x;
    const mask = mx.random.bernoulli(keep, maskShape);
    return mx.multiply(mx.multiply(mask, x), 1 / keep);
  }

  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** Zeroes each element with probability `p` (default 0.5) during training. */
export class Dropout extends DropoutBase {
  constructor(options: { p?: number } = {}) {
    super('Dropout', options);
  }

  forward(x: Tensor): Tensor {
    return this.drop(x, x.shape);
  }
}

/** Zeroes whole channels of `[N, H, W, C]` or `[H, W, C]` inputs with probability `p` during training. */
export class Dropout2d extends DropoutBase {
  constructor(options: { p?: number } = {}) {
    super('Dropout2d', options);
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 3 && x.ndim !== 4) throw mlxError('Dropout2d', `expects 3 or 4 dimensions, got ${x.ndim}`);
    return this.drop(x, channelMask(x.shape, 2));
  }
}

/** Zeroes whole channels of `[N, D, H, W, C]` or `[D, H, W, C]` inputs with probability `p` during training. */
export class Dropout3d extends DropoutBase {
  constructor(options: { p?: number } = {}) {
    super('Dropout3d', options);
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 && x.ndim !== 5) throw mlxError('Dropout3d', `expects 4 or 5 dimensions, got ${x.ndim}`);
    return this.drop(x, channelMask(x.shape, 3));
  }
}

/** `shape` with its `spatialAxes` axes before the channels set to 1. */
function channelMask(shape: readonly number[], spatialAxes: number): number[] {
  const mask = [...shape];
  for (let i = 2; i <= spatialAxes + 1; i++) mask[mask.length - i] = 1;
  return mask;
}
