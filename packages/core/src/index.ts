// @mlxts/core: the public API. Generated op functions plus the hand-written runtime.
import './runtime/tensor.js';
import './generated/methods.js';

export { MlxError, Tensor } from '@mlxts/native';
export type { BuildInfo, DType, MemoryInfo, Scalar, TensorData } from '@mlxts/native';
export type { ArrayLike, NestedArray, StreamLike, StreamOptions } from './types.js';
export type { NestedValues } from './runtime/tensor.js';
export * from './dtypes.js';
export * from './generated/index.js';
export { evalAsync as eval, evalSync } from './runtime/eval.js';
export { isTensor, keep, tidy } from './runtime/scope.js';
export { memory } from './runtime/memory.js';
export { buildInfo } from './runtime/info.js';
