// @mlxts/core: the public API. Generated op functions plus the hand-written runtime.
import './runtime/tensor.js';
import './runtime/interop.js';
import './generated/methods.js';

export { MlxError, Tensor } from '@mlxts/native';
export type { BuildInfo, DataPointer, Device, DType, MemoryInfo, Scalar, SharedMemoryHandle, SharedMemoryObject, Stream, TensorData } from '@mlxts/native';
export type { ArrayLike, Complex, NestedArray, OperandHandler, StreamLike, StreamOptions } from './types.js';
export { operandHook } from './runtime/call.js';
export type { NestedValues } from './runtime/tensor.js';
export * from './dtypes.js';
export * from './generated/index.js';
export { evalAsync as eval, evalSync } from './runtime/eval.js';
export { isTensor, keep, tidy } from './runtime/scope.js';
export { clearCache, memory, memoryLimit, resetPeakMemory, setCacheLimit, setMemoryLimit } from './runtime/memory.js';
export { defaultDevice, defaultStream, deviceScope, isAvailable, newStream, setDefaultDevice, synchronize, withDevice } from './runtime/devices.js';
export { fromBytes, fromSharedMemory, listSharedMemory, removeOrphanedSharedMemory, unlinkSharedMemory } from './runtime/interop.js';
export { buildInfo } from './runtime/info.js';
