// dtype constants, so `mx.float32` reads like MLX Python.
import type { DType } from '@mlxts/native';
import { describe } from './runtime/transforms/arguments.js';

export const bool: DType = 'bool';
export const uint8: DType = 'uint8';
export const uint16: DType = 'uint16';
export const uint32: DType = 'uint32';
export const uint64: DType = 'uint64';
export const int8: DType = 'int8';
export const int16: DType = 'int16';
export const int32: DType = 'int32';
export const int64: DType = 'int64';
export const float16: DType = 'float16';
export const bfloat16: DType = 'bfloat16';
export const float32: DType = 'float32';
export const float64: DType = 'float64';
export const complex64: DType = 'complex64';

/** The limits of a floating-point dtype, as MLX Python's `mx.finfo` reports them. */
export interface FloatInfo {
  readonly dtype: DType;
  /** The most negative finite value (`-max`). */
  readonly min: number;
  /** The largest finite value. */
  readonly max: number;
  /** The gap between 1 and the next larger value. */
  readonly eps: number;
}

const FLOAT_INFO: Partial<Record<DType, { max: number; eps: number }>> = {
  float16: { max: 65504, eps: 2 ** -10 },
  bfloat16: { max: 3.3895313892515355e38, eps: 2 ** -7 },
  float32: { max: 3.4028234663852886e38, eps: 2 ** -23 },
  float64: { max: Number.MAX_VALUE, eps: Number.EPSILON },
  complex64: { max: 3.4028234663852886e38, eps: 2 ** -23 },
};

/**
 * The limits of a floating-point dtype (complex64 reports its float32 parts).
 *
 * @example
 * ```ts
 * mx.finfo('float16').max; // 65504
 * ```
 */
export function finfo(dtype: DType): FloatInfo {
  if (typeof dtype !== 'string') throw new TypeError(`finfo: dtype must be a dtype name (a string), got ${describe(dtype)}`);
  const info = Object.hasOwn(FLOAT_INFO, dtype) ? FLOAT_INFO[dtype] : undefined;
  if (info === undefined) throw new TypeError(`finfo: ${dtype} is not a floating-point dtype`);
  return { dtype, min: -info.max, max: info.max, eps: info.eps };
}
