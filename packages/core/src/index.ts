// @mlxts/core: the public API. Generated op functions plus the hand-written runtime.
import './runtime/tensor.js';
import './runtime/interop.js';
import './runtime/indexing.js';
import './runtime/printing.js';
import './runtime/protocols.js';
import './generated/methods.js';
import './runtime/python-names.js';

export { MlxError, Tensor } from '@mlxts/native';
export type { BuildInfo, DataPointer, Device, DType, MemoryInfo, Scalar, SharedMemoryHandle, SharedMemoryObject, Stream, TensorData } from '@mlxts/native';
export type { ArrayLike, Complex, Group, NestedArray, OperandHandler, StreamLike, StreamOptions } from './types.js';
export { checkOptions, operandHook } from './runtime/call.js';
export type { NestedValues } from './runtime/tensor.js';
export { Slice, type Index, type IndexArray } from './runtime/index-entries.js';
export { isDType, type ItemType } from './runtime/protocols.js';
export * from './dtypes.js';
export * from './generated/index.js';
// MLX Python's name, a reserved word in JS: `mx.var(a)` (see runtime/python-names.ts).
export { variance as var } from './generated/index.js';
// Replaces the generated `distributed` namespace (a local export wins over `export *`) with one that
// adds init and isAvailable to the generated collectives.
export * as distributed from './distributed/index.js';
export { evalAsync as eval, evalSync } from './runtime/eval.js';
export { isTensor, keep, tidy } from './runtime/scope.js';
export { treeFlatten, treeMap, treeUnflatten, type Tree } from './runtime/tree.js';
export { grad, jvp, valueAndGrad, vjp } from './runtime/transforms/grad.js';
export { vmap, type AxesTree } from './runtime/transforms/vmap.js';
export { compile, disableCompile, enableCompile, type CompileOptions } from './runtime/transforms/compile.js';
export { checkpoint, customFunction, type CustomFunction } from './runtime/transforms/custom.js';
export { clearCache, memory, memoryLimit, resetPeakMemory, setCacheLimit, setMemoryLimit } from './runtime/memory.js';
export { defaultDevice, defaultStream, deviceScope, isAvailable, newStream, setDefaultDevice, synchronize, withDevice } from './runtime/devices.js';
export { fromBytes, fromSharedMemory, listSharedMemory, removeOrphanedSharedMemory, unlinkSharedMemory } from './runtime/interop.js';
export { buildInfo } from './runtime/info.js';
export { load, loadAsync } from './io/load.js';
export type { FileFormat, FormatOfPath, GgufValue, Loaded, LoadedWithMetadata, LoadOptions, LoadResult, TensorMap } from './io/load.js';
