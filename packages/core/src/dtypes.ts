// dtype constants, so `mx.float32` reads like MLX Python.
import type { DType } from '@mlxts/native';

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
