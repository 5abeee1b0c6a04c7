// Initializers, as MLX Python's nn.init has them: each returns a function that takes a tensor and returns
// a new tensor of its shape (and the initializer's dtype), to use with `module.apply` or on a parameter.
import * as mx from '@mlxts/core';
import type { DType, Tensor } from '@mlxts/core';
import { checkChoice, checkInRange, checkOptions, mlxError } from './checks.js';

/** An initializer: a tensor of `like`'s shape. */
export type Initializer = (like: Tensor) => Tensor;

interface DTypeOption {
  /** Default `'float32'`. */
  dtype?: DType;
}

/**
 * Fills with `value`.
 *
 * @example
 * ```ts
 * const w = nn.init.constant(0.5)(mx.zeros([2, 2])); // [[0.5, 0.5], [0.5, 0.5]]
 * ```
 */
export function constant(value: number, options: DTypeOption = {}): Initializer {
  checkOptions('init.constant', options, ['dtype']);
  return (a) => mx.full(a.shape, value, options.dtype ?? 'float32');
}

/** Samples from N(mean, std²) (defaults 0 and 1). */
export function normal(options: DTypeOption & { mean?: number; std?: number } = {}): Initializer {
  checkOptions('init.normal', options, ['mean', 'std', 'dtype']);
  const { mean = 0, std = 1, dtype = 'float32' } = options;
  return (a) => mx.random.normal(a.shape, dtype, mean, std);
}

/** Samples from U(low, high) (defaults 0 and 1). */
export function uniform(options: DTypeOption & { low?: number; high?: number } = {}): Initializer {
  checkOptions('init.uniform', options, ['low', 'high', 'dtype']);
  const { low = 0, high = 1, dtype = 'float32' } = options;
  return (a) => mx.random.uniform(low, high, a.shape, dtype);
}

/** The identity matrix of a square tensor's size. */
export function identity(options: DTypeOption = {}): Initializer {
  checkOptions('init.identity', options, ['dtype']);
  return (a) => {
    if (a.ndim !== 2 || a.shape[0] !== a.shape[1]) throw mlxError('init.identity', `the tensor must be a square matrix, got shape [${a.shape}]`);
    return mx.eye(a.shape[0], undefined, undefined, options.dtype ?? 'float32');
  };
}

/** fan-in and fan-out of a weight `[out, ..., in]`: the receptive field (the middle axes) multiplies both. */
function fans(fn: string, a: Tensor): [fanIn: number, fanOut: number] {
  if (a.ndim < 2) throw mlxError(fn, `needs a tensor with at least 2 dimensions, got ${a.ndim}`);
  const receptive = a.shape.slice(1, -1).reduce((x, y) => x * y, 1);
  return [a.shape[a.ndim - 1] * receptive, a.shape[0] * receptive];
}

/** Which fan He initialization scales by. */
export type FanMode = 'fan_in' | 'fan_out';

/** A Glorot (Xavier) initializer: given a tensor and an optional gain. */
export type GlorotInitializer = (like: Tensor, options?: { gain?: number }) => Tensor;

/** A He (Kaiming) initializer: given a tensor, the fan to use and an optional gain. */
export type HeInitializer = (like: Tensor, options?: { mode?: FanMode; gain?: number }) => Tensor;

/** Glorot normal: N(0, σ²) with `σ = gain * sqrt(2 / (fanIn + fanOut))`. */
export function glorotNormal(options: DTypeOption = {}): GlorotInitializer {
  checkOptions('init.glorotNormal', options, ['dtype']);
  return (a, { gain = 1 } = {}) => {
    const [fanIn, fanOut] = fans('init.glorotNormal', a);
    return mx.random.normal(a.shape, options.dtype ?? 'float32', 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
  };
}

/** Glorot uniform: U(-limit, limit) with `limit = gain * sqrt(6 / (fanIn + fanOut))`. */
export function glorotUniform(options: DTypeOption = {}): GlorotInitializer {
  checkOptions('init.glorotUniform', options, ['dtype']);
  return (a, { gain = 1 } = {}) => {
    const [fanIn, fanOut] = fans('init.glorotUniform', a);
    const limit = gain * Math.sqrt(6 / (fanIn + fanOut));
    return mx.random.uniform(-limit, limit, a.shape, options.dtype ?? 'float32');
  };
}

function heFan(fn: string, a: Tensor, mode: FanMode): number {
  const [fanIn, fanOut] = fans(fn, a);
  return checkChoice(fn, 'mode', mode, ['fan_in', 'fan_out']) === 'fan_in' ? fanIn : fanOut;
}

/** He normal: N(0, σ²) with `σ = gain / sqrt(fan)`, fan-in by default. */
export function heNormal(options: DTypeOption = {}): HeInitializer {
  checkOptions('init.heNormal', options, ['dtype']);
  return (a, { mode = 'fan_in', gain = 1 } = {}) => mx.random.normal(a.shape, options.dtype ?? 'float32', 0, gain / Math.sqrt(heFan('init.heNormal', a, mode)));
}

/** He uniform: U(-limit, limit) with `limit = gain * sqrt(3 / fan)`, fan-in by default. */
export function heUniform(options: DTypeOption = {}): HeInitializer {
  checkOptions('init.heUniform', options, ['dtype']);
  return (a, { mode = 'fan_in', gain = 1 } = {}) => {
    const limit = gain * Math.sqrt(3 / heFan('init.heUniform', a, mode));
    return mx.random.uniform(-limit, limit, a.shape, options.dtype ?? 'float32');
  };
}

/**
 * A sparse matrix: N(mean, std²) samples with `ceil(sparsity * columns)` entries of each row set to zero
 * at random columns.
 */
export function sparse(sparsity: number, options: DTypeOption & { mean?: number; std?: number } = {}): Initializer {
  checkOptions('init.sparse', options, ['mean', 'std', 'dtype']);
  checkInRange('init.sparse', 'sparsity', sparsity, 0, 1 + Number.EPSILON);
  const { mean = 0, std = 1, dtype = 'float32' } = options;
  return (a) => {
    if (a.ndim !== 2) throw mlxError('init.sparse', `needs a 2-D tensor, got ${a.ndim} dimensions`);
    const [rows, cols] = a.shape;
    const zeros = Math.ceil(sparsity * cols);
    return mx.tidy(() => {
      // A random permutation of the columns of each row (drawn first, as in MLX Python); the first
      // `zeros` of them are cleared.
      const order = mx.argsort(mx.random.uniform(0, 1, a.shape), 1);
      const values = mx.random.normal(a.shape, dtype, mean, std);
      if (zeros === 0) return values;
      const cleared = mx.slice(order, [0, 0], [rows, zeros]);
      return mx.putAlongAxis(values, cleared, mx.zeros([rows, zeros], dtype), 1);
    });
  };
}
