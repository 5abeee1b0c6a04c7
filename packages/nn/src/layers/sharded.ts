// Tensor-parallel linear layers, MLX Python's mlx.nn.layers.distributed: each rank of a group holds a
// shard of a Linear's weight. AllToShardedLinear splits the output features (the full input in, this
// rank's slice of the output out); ShardedToAllLinear splits the input features (a slice in, the full
// output out, summed over the group). A Linear followed by its mirror image needs one allSum per pair,
// which is how a transformer's attention and MLP are split (Megatron-style).
//
// One addition to MLX's API: `shares`, the relative size of each rank's shard (equal by default), so that
// a dimension that does not divide evenly over the group (9 attention heads on 2 ranks) can still be split.
import * as mx from '@mlxts/core';
import type { ArrayLike, Group, Tensor } from '@mlxts/core';
import * as quant from '@mlxts/quant';
import { checkBoolean, checkOptions, checkPositiveInt, mlxError } from '../checks.js';
import { Module, type Parameters } from '../module.js';
import { Linear } from './linear.js';
import { QuantizedLinear, quantizationConfig, type QuantizeLayerOptions } from './quantized.js';

/** How a weight is split before sharding: a number of equal parts, or split points (indices, or fractions in (0, 1)). */
export type Segments = number | number[];

/** Where a layer's shards live and how large each is. */
export interface ShardOptions {
  /** The ranks that share the layer. Default: `mx.distributed.init()`'s group. */
  group?: Group;
  /**
   * The relative size of each rank's shard, one positive number per rank (`[2, 1]`: rank 0 holds two
   * thirds). Default: equal shares, as in MLX. Every shard must come out a whole number of rows/columns.
   */
  shares?: number[];
}

/** Options of the sharding functions: the shard placement and the weight's segments. */
export interface ShardLinearOptions extends ShardOptions {
  /**
   * The weight is made of these parts along the sharded axis (a fused QKV projection has 3), each
   * sharded on its own so that every rank keeps its slice of each part. Default 1.
   */
  segments?: Segments;
}

/** `'all-to-sharded'` (split the output features) or `'sharded-to-all'` (split the input features). */
export type Sharding = 'all-to-sharded' | 'sharded-to-all';

/**
 * Says, for a parameter path and tensor, along which axis to shard it (and optionally its segments), or
 * null to keep it whole on every rank.
 */
export type ShardingPredicate = (path: string, weight: Tensor) => number | [axis: number, segments: Segments] | null | undefined;

interface Placement {
  group: Group;
  shares: number[];
  /** This rank's part of any axis, as the fractions [start, end) of its length. */
  start: number;
  end: number;
}

function placement(fn: string, options: ShardOptions): Placement {
  const group = options.group ?? mx.distributed.init();
  if (typeof group !== 'object' || group === null || typeof group.size !== 'number') throw new TypeError(`${fn}: group must be a group from mx.distributed.init()`);
  const shares = options.shares ?? Array.from({ length: group.size }, () => 1);
  if (!Array.isArray(shares) || shares.some((s) => typeof s !== 'number' || Number.isNaN(s))) throw new TypeError(`${fn}: shares must be an array of numbers`);
  if (shares.length !== group.size) throw new RangeError(`${fn}: shares must give one share per rank (${group.size}), got ${shares.length}`);
  if (shares.some((s) => !(s > 0) || !Number.isFinite(s))) throw new RangeError(`${fn}: every share must be positive and finite, got [${shares.join(', ')}]`);
  const total = shares.reduce((a, b) => a + b, 0);
  const before = shares.slice(0, group.rank).reduce((a, b) => a + b, 0);
  return { group, shares: [...shares], start: before / total, end: (before + shares[group.rank]!) / total };
}

/** `fraction * length`, which must be a whole number (rounding absorbs the error of fractions like 1/3). */
function cut(length: number, fraction: number): number | undefined {
  const exact = fraction * length;
  const rounded = Math.round(exact);
  return Math.abs(exact - rounded) < 1e-6 ? rounded : undefined;
}

/** This rank's size of a dimension of `length` features, or a RangeError when it is not a whole number. */
function shardLength(fn: string, name: string, length: number, where: Placement): number {
  const start = cut(length, where.start);
  const end = cut(length, where.end);
  if (start === undefined || end === undefined) {
    throw new RangeError(`${fn}: cannot shard ${name} ${length} across ${where.group.size} ranks with shares [${where.shares.join(', ')}]`);
  }
  return end - start;
}

/** The [start, end) of each segment of an axis of `length`. */
function segmentRanges(fn: string, length: number, segments: Segments): [number, number][] {
  let points: number[];
  if (typeof segments === 'number') {
    checkPositiveInt(fn, 'segments', segments);
    if (length % segments !== 0) throw mlxError(fn, `an axis of size ${length} cannot be split into ${segments} equal segments`);
    points = Array.from({ length: segments - 1 }, (_, i) => ((i + 1) * length) / segments);
  } else if (Array.isArray(segments) && segments.every((s) => typeof s === 'number' && Number.isFinite(s))) {
    const fractions = segments.length > 0 && segments.every((s) => s > 0 && s < 1);
    points = fractions ? segments.map((s) => Math.floor(s * length)) : segments;
    if (points.some((p, i) => !Number.isInteger(p) || p < 0 || p > length || (i > 0 && p < points[i - 1]!))) {
      throw mlxError(fn, `segments [${segments.join(', ')}] are not increasing split points of an axis of size ${length}`);
    }
  } else {
    throw new TypeError(`${fn}: segments must be a number or an array of numbers`);
  }
  const bounds = [0, ...points, length];
  return bounds.slice(0, -1).map((b, i) => [b, bounds[i + 1]!]);
}

/** This rank's shard of `weight` along `axis`: its slice of each segment, joined, in its own memory. */
function shardTensor(fn: string, path: string, weight: Tensor, axis: number, segments: Segments, where: Placement): Tensor {
  const ndim = weight.ndim;
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) throw mlxError(fn, `cannot shard '${path}' (${ndim} axes) along axis ${axis}`);
  const ax = axis < 0 ? axis + ndim : axis;
  return mx.tidy(() => {
    const parts = segmentRanges(fn, weight.shape[ax]!, segments).map(([a, b]) => {
      const start = cut(b - a, where.start);
      const end = cut(b - a, where.end);
      if (start === undefined || end === undefined) {
        throw mlxError(fn, `cannot shard '${path}' (axis ${ax} of size ${b - a}) across ${where.group.size} ranks with shares [${where.shares.join(', ')}]`);
      }
      const lo = weight.shape.map(() => 0);
      const hi = [...weight.shape];
      lo[ax] = a + start;
      hi[ax] = a + end;
      return mx.slice(weight, lo, hi);
    });
    return mx.contiguous(parts.length === 1 ? parts[0]! : mx.concatenate(parts, ax));
  });
}

/** The parameters of `module` with each one the predicate names replaced by this rank's shard. */
function shardParameters(fn: string, module: Module, predicate: ShardingPredicate, where: Placement): Parameters {
  const flat = mx.treeFlatten(module.parameters()) as [string, Tensor][];
  return mx.treeUnflatten(
    flat.map(([path, weight]): [string, Tensor] => {
      const rule = predicate(path, weight);
      if (rule === null || rule === undefined) return [path, weight];
      const [axis, segments] = typeof rule === 'number' ? [rule, 1] : Array.isArray(rule) && rule.length === 2 ? rule : [NaN, 1];
      if (typeof axis !== 'number' || Number.isNaN(axis)) throw new TypeError(`${fn}: the sharding predicate must return an axis, [axis, segments] or null`);
      return [path, shardTensor(fn, path, weight, axis, segments, where)];
    }),
  ) as Parameters;
}

/** Split the output features: weights along axis 0 (the last-but-one), biases along their only axis. */
function allToSharded(segments: Segments): ShardingPredicate {
  return (path, weight) => (path.endsWith('bias') ? [-1, segments] : [Math.max(weight.ndim - 2, 0), segments]);
}

/** Split the input features: weights along the last axis; the bias, added after the sum, stays whole. */
function shardedToAll(segments: Segments): ShardingPredicate {
  return (path) => (path.endsWith('bias') ? null : [-1, segments]);
}

function checkSharding(fn: string, sharding: unknown): Sharding {
  if (sharding !== 'all-to-sharded' && sharding !== 'sharded-to-all') throw new TypeError(`${fn}: sharding must be 'all-to-sharded' or 'sharded-to-all', got ${String(sharding)}`);
  return sharding;
}

const gradientSums = new WeakMap<Group, (x: Tensor) => Tensor>();

/**
 * The identity whose gradient is summed over the group: the full input of an AllToShardedLinear feeds
 * every rank's shard, so its gradient is the sum of the ranks' contributions.
 */
function sumGradients(group: Group): (x: Tensor) => Tensor {
  if (group.size === 1) return (x) => x;
  let fn = gradientSums.get(group);
  if (fn === undefined) {
    fn = mx.customFunction((x: Tensor) => x).vjp((_x, cotangent: Tensor) => mx.distributed.allSum(cotangent, { group }));
    gradientSums.set(group, fn);
  }
  return fn;
}

/** `[inputDims, outputDims, bias]` of a Linear or QuantizedLinear. */
/** Input and output features of `layer` and whether it has a bias; `fn` names the caller in a TypeError. */
function linearDims(fn: string, layer: Linear | QuantizedLinear, kind: typeof Linear | typeof QuantizedLinear): [number, number, boolean] {
  if (!(layer instanceof kind)) throw new TypeError(`${fn}: the layer must be a ${kind.name}`);
  const [outputDims, columns] = layer.weight.shape as [number, number];
  return [layer instanceof QuantizedLinear ? (columns * 32) / layer.bits : columns, outputDims, layer.bias !== undefined];
}

const SHARD_LINEAR_KEYS = ['segments', 'group', 'shares'];

/**
 * A new sharded layer holding this rank's shards of `source` (a `kind` layer, left as it is): `make`
 * builds the layer from `source`'s dimensions and bias, and `plan` says which axis each parameter is
 * split along. What every `fromLinear` / `fromQuantizedLinear` does.
 */
function shardOf<S extends Linear | QuantizedLinear, L extends Module>(
  fn: string,
  source: S,
  kind: typeof Linear | typeof QuantizedLinear,
  options: ShardLinearOptions,
  plan: (segments: Segments) => ShardingPredicate,
  make: (inputDims: number, outputDims: number, bias: boolean) => L,
): L {
  checkOptions(fn, options, SHARD_LINEAR_KEYS);
  const [inputDims, outputDims, bias] = linearDims(fn, source, kind);
  const layer = make(inputDims, outputDims, bias);
  layer.update(shardParameters(fn, source, plan(options.segments ?? 1), placement(fn, options)));
  return layer;
}

/** Options of AllToShardedLinear and ShardedToAllLinear. */
export interface ShardedLinearOptions extends ShardOptions {
  bias?: boolean;
}

/** Options of the quantized sharded layers. */
export interface QuantizedShardedLinearOptions extends ShardedLinearOptions, QuantizeLayerOptions {}

/**
 * What every sharded layer has: the whole layer's dims, its group, and the shape of this rank's weight
 * `[rows, columns]` (the output features split, or the input features).
 */
abstract class ShardedLayer extends Module {
  readonly inputDims: number;
  readonly outputDims: number;
  readonly group: Group;
  protected readonly shardShape: [rows: number, columns: number];
  bias?: Tensor;

  protected constructor(fn: string, inputDims: number, outputDims: number, options: ShardOptions, split: 'inputDims' | 'outputDims') {
    super();
    this.inputDims = checkPositiveInt(fn, 'inputDims', inputDims);
    this.outputDims = checkPositiveInt(fn, 'outputDims', outputDims);
    const where = placement(fn, options);
    this.group = where.group;
    const shard = shardLength(fn, split, split === 'inputDims' ? inputDims : outputDims, where);
    this.shardShape = split === 'inputDims' ? [outputDims, shard] : [shard, inputDims];
  }

  protected override extraRepr(): string {
    return `inputDims=${this.inputDims}, outputDims=${this.outputDims}, bias=${this.bias !== undefined}, rank=${this.group.rank} of ${this.group.size}`;
  }
}

/** A sharded Linear's weight and bias, initialized as Linear's (U(-k, k), `k = 1 / sqrt(inputDims)`). */
abstract class DenseShardedLinear extends ShardedLayer {
  weight: Tensor;

  protected constructor(fn: string, inputDims: number, outputDims: number, options: ShardedLinearOptions, split: 'inputDims' | 'outputDims') {
    checkOptions(fn, options, ['bias', 'group', 'shares']);
    super(fn, inputDims, outputDims, options, split);
    const scale = Math.sqrt(1 / inputDims);
    this.weight = mx.random.uniform(-scale, scale, this.shardShape);
    if (checkBoolean(fn, 'bias', options.bias ?? true)) this.bias = mx.random.uniform(-scale, scale, [this.shardShape[0]]);
  }
}

/**
 * A Linear whose output features are split over the ranks of a group: every rank takes the whole input
 * and computes its slice of the output (`[..., outputDims × share]`), with no communication in the
 * forward pass. Gradients of the input are summed over the group. Follow it with a ShardedToAllLinear
 * (or another per-rank computation) that consumes the slice.
 *
 * @example
 * ```ts
 * const up = nn.shardLinear(new nn.Linear(512, 2048), 'all-to-sharded');   // [.., 512] -> this rank's [.., 2048 / size]
 * const down = nn.shardLinear(new nn.Linear(2048, 512), 'sharded-to-all'); // -> the full [.., 512] on every rank
 * const y = down.forward(nn.relu(up.forward(x)));
 * ```
 */
export class AllToShardedLinear extends DenseShardedLinear {
  constructor(inputDims: number, outputDims: number, options: ShardedLinearOptions = {}) {
    super('AllToShardedLinear', inputDims, outputDims, options, 'outputDims');
  }

  /** This rank's shard of `linear` (which is left as it is). */
  static fromLinear(linear: Linear, options: ShardLinearOptions = {}): AllToShardedLinear {
    return shardOf('AllToShardedLinear.fromLinear', linear, Linear, options, allToSharded, (inputDims, outputDims, bias) =>
      new AllToShardedLinear(inputDims, outputDims, { bias, group: options.group, shares: options.shares }));
  }

  forward(x: Tensor): Tensor {
    const input = sumGradients(this.group)(x);
    const wt = mx.transpose(this.weight);
    return this.bias !== undefined ? mx.addmm(this.bias, input, wt) : mx.matmul(input, wt);
  }
}

/**
 * A Linear whose input features are split over the ranks of a group: every rank takes its slice of the
 * input (`[..., inputDims × share]`), multiplies it by its columns of the weight, and the partial results
 * are summed over the group (`allSum`), so every rank ends with the same full output. The bias is added
 * once, after the sum.
 */
export class ShardedToAllLinear extends DenseShardedLinear {
  constructor(inputDims: number, outputDims: number, options: ShardedLinearOptions = {}) {
    super('ShardedToAllLinear', inputDims, outputDims, options, 'inputDims');
  }

  /** This rank's shard of `linear` (which is left as it is). */
  static fromLinear(linear: Linear, options: ShardLinearOptions = {}): ShardedToAllLinear {
    return shardOf('ShardedToAllLinear.fromLinear', linear, Linear, options, shardedToAll, (inputDims, outputDims, bias) =>
      new ShardedToAllLinear(inputDims, outputDims, { bias, group: options.group, shares: options.shares }));
  }

  forward(x: Tensor): Tensor {
    const y = mx.distributed.allSum(mx.matmul(x, mx.transpose(this.weight)), { group: this.group });
    return this.bias !== undefined ? mx.add(y, this.bias) : y;
  }
}

/** A sharded QuantizedLinear's packed weight, scales, biases and bias (zeros), frozen. */
abstract class QuantizedShardedLinear extends ShardedLayer {
  readonly groupSize: number;
  readonly bits: number;
  readonly mode: quant.QuantizationMode;
  weight: Tensor;
  scales: Tensor;
  biases?: Tensor;

  protected constructor(fn: string, inputDims: number, outputDims: number, options: QuantizedShardedLinearOptions, split: 'inputDims' | 'outputDims') {
    checkOptions(fn, options, ['bias', 'group', 'shares', 'groupSize', 'bits', 'mode']);
    super(fn, inputDims, outputDims, options, split);
    const config = quantizationConfig(fn, options);
    ({ groupSize: this.groupSize, bits: this.bits, mode: this.mode } = config);
    const [rows, columns] = this.shardShape;
    if (columns % config.groupSize !== 0) throw new RangeError(`${fn}: the ${columns} input features of this rank's shard are not a whole number of quantization groups of ${config.groupSize}`);
    const scale = Math.sqrt(1 / inputDims);
    const [weight, scales, biases] = mx.tidy(() => quant.quantizePacked(mx.random.uniform(-scale, scale, [rows, columns]), config));
    this.weight = weight!;
    this.scales = scales!;
    if (biases !== undefined) this.biases = biases;
    if (checkBoolean(fn, 'bias', options.bias ?? true)) this.bias = mx.zeros([rows]);
    this.freeze();
  }

  protected matmul(x: ArrayLike): Tensor {
    return quant.quantizedMatmulPacked(x, this.weight, this.scales, this.biases, { transpose: true, groupSize: this.groupSize, bits: this.bits, mode: this.mode });
  }

  protected override extraRepr(): string {
    return `${super.extraRepr()}, groupSize=${this.groupSize}, bits=${this.bits}, mode=${this.mode}`;
  }
}

/** The settings of a quantized sharded layer holding a shard of `layer`. */
function quantizedSettings(layer: QuantizedLinear, options: ShardLinearOptions): QuantizedShardedLinearOptions {
  return { bias: layer.bias !== undefined, group: options.group, shares: options.shares, groupSize: layer.groupSize, bits: layer.bits, mode: layer.mode };
}

/** AllToShardedLinear with a quantized weight (frozen, like QuantizedLinear). */
export class QuantizedAllToShardedLinear extends QuantizedShardedLinear {
  constructor(inputDims: number, outputDims: number, options: QuantizedShardedLinearOptions = {}) {
    super('QuantizedAllToShardedLinear', inputDims, outputDims, options, 'outputDims');
  }

  /** This rank's shard of `layer` (which is left as it is). */
  static fromQuantizedLinear(layer: QuantizedLinear, options: ShardLinearOptions = {}): QuantizedAllToShardedLinear {
    return shardOf('QuantizedAllToShardedLinear.fromQuantizedLinear', layer, QuantizedLinear, options, allToSharded, (inputDims, outputDims) =>
      new QuantizedAllToShardedLinear(inputDims, outputDims, quantizedSettings(layer, options)));
  }

  forward(x: Tensor): Tensor {
    const y = this.matmul(sumGradients(this.group)(x));
    return this.bias !== undefined ? mx.add(y, this.bias) : y;
  }
}

/** ShardedToAllLinear with a quantized weight (frozen, like QuantizedLinear). */
export class QuantizedShardedToAllLinear extends QuantizedShardedLinear {
  constructor(inputDims: number, outputDims: number, options: QuantizedShardedLinearOptions = {}) {
    super('QuantizedShardedToAllLinear', inputDims, outputDims, options, 'inputDims');
  }

  /** This rank's shard of `layer` (which is left as it is); each rank's columns must be whole quantization groups. */
  static fromQuantizedLinear(layer: QuantizedLinear, options: ShardLinearOptions = {}): QuantizedShardedToAllLinear {
    return shardOf('QuantizedShardedToAllLinear.fromQuantizedLinear', layer, QuantizedLinear, options, shardedToAll, (inputDims, outputDims) =>
      new QuantizedShardedToAllLinear(inputDims, outputDims, quantizedSettings(layer, options)));
  }

  forward(x: Tensor): Tensor {
    const y = mx.distributed.allSum(this.matmul(x), { group: this.group });
    return this.bias !== undefined ? mx.add(y, this.bias) : y;
  }
}

/** A sharded layer `shardLinear` returns. */
export type ShardedLinear = AllToShardedLinear | ShardedToAllLinear | QuantizedAllToShardedLinear | QuantizedShardedToAllLinear;

/**
 * A new layer holding this rank's shard of `layer` (a Linear or QuantizedLinear, left as it is), which
 * communicates over the group as its sharding says: `'all-to-sharded'` gives an (Quantized)AllToShardedLinear,
 * `'sharded-to-all'` a (Quantized)ShardedToAllLinear. MLX Python's `nn.layers.distributed.shard_linear`.
 *
 * @example
 * ```ts
 * const group = mx.distributed.init();
 * block.q_proj = nn.shardLinear(block.q_proj, 'all-to-sharded', { group });
 * block.o_proj = nn.shardLinear(block.o_proj, 'sharded-to-all', { group });
 * ```
 */
export function shardLinear(layer: Linear | QuantizedLinear, sharding: Sharding, options: ShardLinearOptions = {}): ShardedLinear {
  const fn = 'shardLinear';
  checkSharding(fn, sharding);
  checkOptions(fn, options, SHARD_LINEAR_KEYS);
  if (layer instanceof QuantizedLinear) {
    return sharding === 'all-to-sharded' ? QuantizedAllToShardedLinear.fromQuantizedLinear(layer, options) : QuantizedShardedToAllLinear.fromQuantizedLinear(layer, options);
  }
  if (layer instanceof Linear) return sharding === 'all-to-sharded' ? AllToShardedLinear.fromLinear(layer, options) : ShardedToAllLinear.fromLinear(layer, options);
  throw new TypeError(`${fn}: layer must be a Linear or QuantizedLinear, got ${describeValue(layer)}`);
}

/**
 * Replaces `module`'s parameters, in place, by this rank's shards: `'all-to-sharded'` and
 * `'sharded-to-all'` shard as `shardLinear` does, a predicate chooses the axis (and segments) per
 * parameter. The module's code is unchanged, so it must do the communication itself. MLX Python's
 * `shard_inplace`.
 */
export function shardInplace(module: Module, sharding: Sharding | ShardingPredicate, options: ShardLinearOptions = {}): Module {
  const fn = 'shardInplace';
  checkOptions(fn, options, SHARD_LINEAR_KEYS);
  if (!(module instanceof Module)) throw new TypeError(`${fn}: module must be a Module, got ${describeValue(module)}`);
  const segments = options.segments ?? 1;
  const predicate = typeof sharding === 'function' ? sharding : checkSharding(fn, sharding) === 'all-to-sharded' ? allToSharded(segments) : shardedToAll(segments);
  return module.update(shardParameters(fn, module, predicate, placement(fn, options)));
}

function describeValue(value: unknown): string {
  return value instanceof Module ? `a ${value.constructor.name}` : typeof value;
}
