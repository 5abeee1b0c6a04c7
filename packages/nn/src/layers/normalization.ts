// Normalization layers over channels-last inputs: RMSNorm and LayerNorm on the fused kernels of
// @mlxts/fast, GroupNorm, InstanceNorm and BatchNorm (with running statistics). Parameter names are MLX
// Python's, `running_mean` and `running_var` included, so checkpoints load unchanged.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import * as fast from '@mlxts/fast';
import { checkBoolean, checkNumber, checkOptions, checkPositive, checkPositiveInt, mlxError } from '../checks.js';
import { Module, type FreezeOptions } from '../module.js';

/** `x / sqrt(mean(x²) + eps) * weight` over the last axis; `weight` `[dims]` starts at ones. */
export class RMSNorm extends Module {
  weight: Tensor;
  readonly eps: number;

  constructor(dims: number, options: { eps?: number } = {}) {
    super();
    checkOptions('RMSNorm', options, ['eps']);
    checkPositiveInt('RMSNorm', 'dims', dims);
    this.eps = checkPositive('RMSNorm', 'eps', options.eps ?? 1e-5);
    this.weight = mx.ones([dims]);
  }

  forward(x: Tensor): Tensor {
    return fast.rmsNorm(x, this.weight, this.eps);
  }

  protected override extraRepr(): string {
    return `${this.weight.shape[0]}, eps=${this.eps}`;
  }
}

/**
 * `(x - mean) / sqrt(var + eps) * weight + bias` over the last axis. With `affine: false` there is no
 * `weight` or `bias`; with `bias: false` only the scale is learned.
 */
export class LayerNorm extends Module {
  weight?: Tensor;
  bias?: Tensor;
  readonly dims: number;
  readonly eps: number;

  constructor(dims: number, options: { eps?: number; affine?: boolean; bias?: boolean } = {}) {
    super();
    checkOptions('LayerNorm', options, ['eps', 'affine', 'bias']);
    this.dims = checkPositiveInt('LayerNorm', 'dims', dims);
    this.eps = checkPositive('LayerNorm', 'eps', options.eps ?? 1e-5);
    if (checkBoolean('LayerNorm', 'affine', options.affine ?? true)) {
      this.weight = mx.ones([dims]);
      if (checkBoolean('LayerNorm', 'bias', options.bias ?? true)) this.bias = mx.zeros([dims]);
    }
  }

  forward(x: Tensor): Tensor {
    return fast.layerNorm(x, this.weight ?? null, this.bias ?? null, this.eps);
  }

  protected override extraRepr(): string {
    return `${this.dims}, eps=${this.eps}, affine=${this.weight !== undefined}`;
  }
}

/**
 * Normalizes over the spatial axes and groups of `dims / numGroups` features (the last axis), then applies
 * the per-feature affine transform. `pytorchCompatible` groups consecutive features as PyTorch does;
 * the default groups features strided by `numGroups`, as MLX Python does.
 */
export class GroupNorm extends Module {
  bias?: Tensor;
  weight?: Tensor;
  readonly numGroups: number;
  readonly dims: number;
  readonly eps: number;
  readonly pytorchCompatible: boolean;

  constructor(numGroups: number, dims: number, options: { eps?: number; affine?: boolean; pytorchCompatible?: boolean } = {}) {
    super();
    checkOptions('GroupNorm', options, ['eps', 'affine', 'pytorchCompatible']);
    this.numGroups = checkPositiveInt('GroupNorm', 'numGroups', numGroups);
    this.dims = checkPositiveInt('GroupNorm', 'dims', dims);
    if (dims % numGroups !== 0) throw new RangeError(`GroupNorm: dims (${dims}) must be divisible by numGroups (${numGroups})`);
    this.eps = checkPositive('GroupNorm', 'eps', options.eps ?? 1e-5);
    this.pytorchCompatible = checkBoolean('GroupNorm', 'pytorchCompatible', options.pytorchCompatible ?? false);
    if (checkBoolean('GroupNorm', 'affine', options.affine ?? true)) {
      this.bias = mx.zeros([dims]);
      this.weight = mx.ones([dims]);
    }
  }

  forward(x: Tensor): Tensor {
    const [batch, ...rest] = x.shape;
    const dims = rest[rest.length - 1];
    let y: Tensor;
    if (this.pytorchCompatible) {
      const groupSize = dims / this.numGroups;
      y = mx.transpose(mx.reshape(x, [batch, -1, this.numGroups, groupSize]), [0, 2, 1, 3]);
      y = fast.layerNorm(mx.reshape(y, [batch, this.numGroups, -1]), null, null, this.eps);
      y = mx.transpose(mx.reshape(y, [batch, this.numGroups, -1, groupSize]), [0, 2, 1, 3]);
      y = mx.reshape(y, x.shape);
    } else {
      const grouped = mx.reshape(x, [batch, -1, this.numGroups]);
      const mean = mx.mean(grouped, 1, true);
      const variance = mx.variance(grouped, 1, true);
      y = mx.reshape(mx.multiply(mx.subtract(grouped, mean), mx.rsqrt(mx.add(variance, this.eps))), x.shape);
    }
    return this.weight !== undefined ? mx.add(mx.multiply(this.weight, y), this.bias!) : y;
  }

  protected override extraRepr(): string {
    return `${this.numGroups}, ${this.dims}, eps=${this.eps}, affine=${this.weight !== undefined}, pytorchCompatible=${this.pytorchCompatible}`;
  }
}

/**
 * Normalizes each sample and feature over the spatial axes of a `[N, ..., C]` input (at least 3-D),
 * optionally followed by a learned per-feature affine transform (`affine`, default false).
 */
export class InstanceNorm extends Module {
  weight?: Tensor;
  bias?: Tensor;
  readonly dims: number;
  readonly eps: number;

  constructor(dims: number, options: { eps?: number; affine?: boolean } = {}) {
    super();
    checkOptions('InstanceNorm', options, ['eps', 'affine']);
    this.dims = checkPositiveInt('InstanceNorm', 'dims', dims);
    this.eps = checkPositive('InstanceNorm', 'eps', options.eps ?? 1e-5);
    if (checkBoolean('InstanceNorm', 'affine', options.affine ?? false)) {
      this.weight = mx.ones([dims]);
      this.bias = mx.zeros([dims]);
    }
  }

  forward(x: Tensor): Tensor {
    if (x.ndim < 3) throw mlxError('InstanceNorm', `expects inputs with at least 3 dimensions (N, ..., C), got ${x.ndim}`);
    const [batch, ...rest] = x.shape;
    const features = rest.pop()!;
    const spatial = rest;
    const channelsFirst = mx.transpose(x, [0, x.ndim - 1, ...spatial.map((_, i) => i + 1)]);
    const normalized = fast.layerNorm(mx.reshape(channelsFirst, [batch, features, -1]), null, null, this.eps);
    const y = mx.transpose(mx.reshape(normalized, [batch, features, ...spatial]), [0, ...spatial.map((_, i) => i + 2), 1]);
    return this.weight !== undefined ? mx.add(mx.multiply(this.weight, y), this.bias!) : y;
  }

  protected override extraRepr(): string {
    return `${this.dims}, eps=${this.eps}, affine=${this.weight !== undefined}`;
  }
}

const RUNNING_STATS = ['running_mean', 'running_var'];

/**
 * Batch normalization over `[N, C]`, `[N, L, C]` or `[N, H, W, C]` inputs. In training mode it normalizes
 * with the batch statistics and updates the running mean and (unbiased) variance with `momentum`; in
 * evaluation mode it uses the running statistics. The running statistics are never trainable.
 */
export class BatchNorm extends Module {
  weight?: Tensor;
  bias?: Tensor;
  // Snake case: these are checkpoint names, as in MLX Python.
  running_mean?: Tensor;
  running_var?: Tensor;
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly trackRunningStats: boolean;

  constructor(numFeatures: number, options: { eps?: number; momentum?: number; affine?: boolean; trackRunningStats?: boolean } = {}) {
    super();
    checkOptions('BatchNorm', options, ['eps', 'momentum', 'affine', 'trackRunningStats']);
    this.numFeatures = checkPositiveInt('BatchNorm', 'numFeatures', numFeatures);
    this.eps = checkPositive('BatchNorm', 'eps', options.eps ?? 1e-5);
    this.momentum = checkNumber('BatchNorm', 'momentum', options.momentum ?? 0.1);
    this.trackRunningStats = checkBoolean('BatchNorm', 'trackRunningStats', options.trackRunningStats ?? true);
    if (checkBoolean('BatchNorm', 'affine', options.affine ?? true)) {
      this.weight = mx.ones([numFeatures]);
      this.bias = mx.zeros([numFeatures]);
    }
    if (this.trackRunningStats) {
      this.running_mean = mx.zeros([numFeatures]);
      this.running_var = mx.ones([numFeatures]);
      this.freeze({ keys: RUNNING_STATS, recurse: false });
    }
  }

  override unfreeze(options: FreezeOptions = {}): this {
    super.unfreeze(options);
    if (this.trackRunningStats) this.freeze({ keys: RUNNING_STATS, recurse: false });
    return this;
  }

  forward(x: Tensor): Tensor {
    if (x.ndim < 2 || x.ndim > 4) throw mlxError('BatchNorm', `expects inputs with 2, 3 or 4 dimensions, got ${x.ndim}`);
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    if (this.training && x.shape.slice(0, -1).reduce((a, b) => a * b, 1) === 1) {
      throw mlxError('BatchNorm', 'training needs more than one value per channel');
    }
    let mean = mx.mean(x, axes);
    let variance = mx.variance(x, axes);
    if (this.training && this.trackRunningStats) {
      const mu = this.momentum;
      const unbiased = mx.variance(x, axes, false, 1);
      this.update({
        running_mean: mx.add(mx.multiply(1 - mu, this.running_mean!), mx.multiply(mu, mean)),
        running_var: mx.add(mx.multiply(1 - mu, this.running_var!), mx.multiply(mu, unbiased)),
      });
    } else if (this.trackRunningStats) {
      mean = this.running_mean!;
      variance = this.running_var!;
    }
    const y = mx.multiply(mx.subtract(x, mean), mx.rsqrt(mx.add(variance, this.eps)));
    return this.weight !== undefined ? mx.add(mx.multiply(this.weight, y), this.bias!) : y;
  }

  protected override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== undefined}, trackRunningStats=${this.trackRunningStats}`;
  }
}
