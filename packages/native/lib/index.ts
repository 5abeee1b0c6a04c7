// Loads the native addon and gives it types. The family packages (@mlxts/core, ...) build the public
// API on top; this module is their only door to native code.
import { createRequire } from 'node:module';
import type { NativeOps } from './generated/ops.js';
import { isMainThread } from 'node:worker_threads';
import { locateBinary, type BinaryChoice } from '../scripts/binary.mjs';

/** MLX's own failure (bad shapes, unsupported dtypes, kernel errors). The message starts with the op name. */
export class MlxError extends Error {
  /** The op (or runtime call) that failed. */
  readonly op: string;
  constructor(message: string, op: string) {
    super(message);
    this.name = 'MlxError';
    this.op = op;
  }
}

export type DType =
  | 'bool'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float16'
  | 'bfloat16'
  | 'float32'
  | 'float64'
  | 'complex64';

/** What `toTypedArray()` returns for each dtype. */
export type TensorData =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

/** A JS scalar as `item()` returns it. */
export type Scalar = number | boolean | bigint | { re: number; im: number };

/**
 * A handle on an MLX array. Ops build lazy graphs; values are computed when read back
 * (`toTypedArray`, `item`, `data`) or evaluated (`eval`).
 */
export interface Tensor {
  /** The length of each axis (a fresh array on every read; read-only to say that writing to it changes nothing). */
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly ndim: number;
  /** Number of elements. */
  readonly size: number;
  /** Bytes the elements occupy once evaluated. */
  readonly nbytes: number;
  /** Bytes per element. */
  readonly itemsize: number;
  /** True once `dispose()` was called. */
  readonly disposed: boolean;
  /** Releases the MLX array now instead of at garbage collection. Idempotent. */
  dispose(): void;
  /** Evaluates and copies the elements out (row-major). Blocks the calling thread while kernels run. */
  toTypedArray(): TensorData;
  /** Evaluates and returns the only element. Blocks the calling thread while kernels run. */
  item(): Scalar;
  /** Evaluates off the JS thread and resolves to a copy of the elements. */
  data(): Promise<TensorData>;
}

interface TensorClass {
  readonly prototype: Tensor;
}

export interface MemoryInfo {
  /** Tensors created and not yet disposed or garbage collected (every JS thread). */
  liveTensors: number;
  /** Bytes MLX holds for live arrays. */
  activeBytes: number;
  /** The most `activeBytes` has been since start (or the last reset). */
  peakBytes: number;
  /** Bytes MLX keeps cached for reuse. */
  cacheBytes: number;
}

export type Device = 'cpu' | 'gpu';

/** A stream from `newStream()`/`defaultStream()`: ops on it run in order; different streams may overlap. */
export interface Stream {
  readonly device: Device;
  readonly index: number;
}

/** A shared-memory handle from `tensor.toSharedMemory()`: plain data, safe to send to another process. */
export interface SharedMemoryHandle {
  readonly name: string;
  readonly byteLength: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** An unclaimed shared-memory object as `mx.listSharedMemory()` finds it. */
export interface SharedMemoryObject extends SharedMemoryHandle {
  /** The process that wrote it. */
  ownerPid: number;
  /** Whether that process still runs (an object whose writer has exited is an orphan). */
  ownerAlive: boolean;
}

/** Where an evaluated tensor's memory is, for native interop. */
export interface DataPointer {
  address: bigint;
  byteLength: number;
  /** Element strides of the tensor's layout (a view may not be row-contiguous). */
  strides: number[];
  rowContiguous: boolean;
}

export interface BuildInfo {
  mlxVersion: string;
  backend: 'cpu' | 'gpu';
  napiVersion: number;
  /** The kernel of the addon's CPU quantized matmul on this CPU: `'avx2'` (AVX2, FMA and F16C) or `'portable'`. */
  cpuQuantizedMatmul: 'avx2' | 'portable';
}

/**
 * A group of processes that communicate (MLX's `distributed::Group`), from `mx.distributed.init()`.
 * Collectives take it as `{ group }`; without it they use the group `init()` returns.
 */
export interface Group {
  /** This process's rank in the group, `0 .. size - 1`. */
  readonly rank: number;
  /** The number of processes in the group. */
  readonly size: number;
  /**
   * Splits the group: processes passing the same `color` form one new group, ranked by `key` (by their
   * rank in this group when `key` is omitted or negative). MLX 0.32.4's ring backend cannot split.
   */
  split(color: number, key?: number): Group;
}

/** MLX's distributed layer: the functions @mlxts/core builds `mx.distributed` on. */
export interface DistributedBinding {
  isAvailable(backend: string): boolean;
  /** timeout: milliseconds a communicating evaluation may take; undefined keeps the one set before (none at first). */
  init(strict: boolean, backend: string, timeout: number | undefined): Group;
}

/** A function MLX calls while it traces: tracer tensors in, tensors out. */
type TracedFunction = (inputs: Tensor[]) => Tensor[];

/**
 * MLX's function transforms over flat lists of tensors (@mlxts/core builds the tree-aware API on them).
 * `op` is the name errors start with.
 */
export interface TransformsBinding {
  vjp(op: string, fn: TracedFunction, primals: Tensor[], cotangents: Tensor[]): [Tensor[], Tensor[]];
  jvp(op: string, fn: TracedFunction, primals: Tensor[], tangents: Tensor[]): [Tensor[], Tensor[]];
  valueAndGrad(op: string, fn: TracedFunction, inputs: Tensor[], argnums: number[]): [Tensor[], Tensor[]];
  /** inAxes: one per input, -1 for not mapped; outAxes() is asked after tracing, one per output. */
  vmap(op: string, fn: TracedFunction, inputs: Tensor[], inAxes: number[], outAxes: () => number[]): Tensor[];
  checkpoint(op: string, fn: TracedFunction, inputs: Tensor[]): Tensor[];
  customFunction(
    op: string,
    fn: TracedFunction,
    vjp: ((primals: Tensor[], cotangents: Tensor[], outputs: Tensor[]) => Tensor[]) | undefined,
    jvp: ((primals: Tensor[], tangents: Tensor[], argnums: number[]) => Tensor[]) | undefined,
    vmap: ((inputs: Tensor[], axes: number[]) => [Tensor[], number[]]) | undefined,
    inputs: Tensor[],
  ): Tensor[];
  /** A compile-cache handle; the cache entries are erased when it is garbage-collected. */
  compiled(shapeless: boolean): CompiledHandle;
  callCompiled(op: string, handle: CompiledHandle, fn: TracedFunction, inputs: Tensor[], signature: number): Tensor[];
  disableCompile(): void;
  enableCompile(): void;
}

declare const compiledHandle: unique symbol;
export type CompiledHandle = { readonly [compiledHandle]: true };

interface Binding {
  Tensor: TensorClass;
  array(data: unknown, dtype?: DType): Tensor;
  evalSync(tensors: Tensor[]): void;
  evalAsync(tensors: Tensor[]): Promise<void>;
  memory(): MemoryInfo;
  setErrorClass(cls: typeof MlxError): void;
  noteExitCode(code: number): void;
  info: BuildInfo;
  ops: NativeOps;
  defaultDevice(): Device;
  setDefaultDevice(device: Device): void;
  isAvailable(device: Device): boolean;
  newStream(device: Device): Stream;
  defaultStream(device: Device): Stream;
  synchronize(stream?: Stream | Device): Promise<void>;
  clearCache(): void;
  setCacheLimit(bytes: number): number;
  setMemoryLimit(bytes: number): number;
  memoryLimit(): number;
  resetPeakMemory(): void;
  fromBytes(buffer: ArrayBuffer | ArrayBufferView, shape: readonly number[], dtype: DType): Tensor;
  toBytes(tensor: Tensor): Buffer;
  toArrayBuffer(tensor: Tensor): ArrayBuffer;
  dataPointer(tensor: Tensor): DataPointer;
  strides(tensor: Tensor): number[];
  toSharedMemory(tensor: Tensor, permissions?: number): SharedMemoryHandle;
  fromSharedMemory(handle: SharedMemoryHandle): Tensor;
  unlinkSharedMemory(handle: SharedMemoryHandle): boolean;
  listSharedMemory(): SharedMemoryObject[];
  removeOrphanedSharedMemory(): SharedMemoryObject[];
  kvCacheAttention(...args: unknown[]): [out: Tensor, kCache: Tensor, vCache: Tensor];
  transforms: TransformsBinding;
  loadNpy(fd: number, label: string, header: Buffer, dataOffset: number, stream?: unknown): Tensor;
  loadSafetensors(fd: number, label: string, header: Buffer, dataOffset: number, stream?: unknown): LoadedFile<string>;
  loadGguf(path: string): LoadedFile<GgufValue>;
  loadGgufAsync(path: string): Promise<LoadedFile<GgufValue>>;
  save(...args: unknown[]): void;
  saveSafetensors(...args: unknown[]): void;
  saveGguf(...args: unknown[]): void;
  distributed: DistributedBinding;
}

/** A GGUF metadata value as loaded: scalars as numbers, bigints (64-bit integers) or booleans, numeric arrays as tensors. */
export type GgufValue = number | bigint | boolean | string | string[] | Tensor;

/** What the native .safetensors and .gguf loaders return: [name, value] pairs, in MLX's order. */
export interface LoadedFile<Meta> {
  tensors: [string, Tensor][];
  metadata: [string, Meta][];
}

const require = createRequire(import.meta.url);

/**
 * OpenBLAS (libmlx's BLAS) reads its wait policy when it loads, with the addon: an idle OpenBLAS thread
 * spins for 2^28 cycles (about 0.1 s) after each parallel call, against every other thread on the
 * machine, mlxts's own included (the MLX stream thread, the eval thread, the quantized matmul's helpers).
 * 2^20 cycles (a fraction of a millisecond) still bridges back-to-back calls. A user's
 * OPENBLAS_THREAD_TIMEOUT wins; ours is removed again once loaded, so child processes do not inherit it.
 */
function withBlasWaitPolicy<T>(body: () => T): T {
  if (process.env.OPENBLAS_THREAD_TIMEOUT !== undefined) return body();
  process.env.OPENBLAS_THREAD_TIMEOUT = '20';
  try {
    return body();
  } finally {
    delete process.env.OPENBLAS_THREAD_TIMEOUT;
  }
}

/** The addon binary this process loads: a prebuilt platform package or the source build, and its path. */
export const binary: BinaryChoice = locateBinary();

function load(): Binding {
  if (binary.kind === 'none') throw new Error(`@mlxts/native: no native addon to load: ${binary.reason}.`);
  const what = binary.kind === 'prebuilt' ? `prebuilt addon of ${binary.package}` : 'addon built from source';
  try {
    return withBlasWaitPolicy(() => require(binary.path) as Binding);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const hint =
      binary.kind === 'prebuilt' && binary.package.endsWith('-cuda')
        ? "It needs NVIDIA's CUDA 13 libraries (cuBLAS, cuFFT, cuSOLVER, NVRTC, cuDNN 9, NCCL) on the library path (see the install docs); MLXTS_BACKEND=cpu loads the CPU package instead."
        : 'Run `MLXTS_BUILD_FROM_SOURCE=1 npm rebuild @mlxts/native` to build it from source; see the install docs for MLX_DIR and MLXTS_BACKEND.';
    throw new Error(`@mlxts/native: the ${what} (${binary.path}) could not be loaded (${reason}). ${hint}`);
  }
}

export const native: Binding = load();
native.setErrorClass(MlxError);
// The addon needs the exit code to end the process itself when it exits during an evaluation (see
// the addon's eval.cc). Only the main thread's exit ends the process.
if (isMainThread) process.on('exit', (code) => native.noteExitCode(typeof code === 'number' ? code : 0));

/** The Tensor class (use `mx.array` or an op to create tensors). */
export const Tensor: TensorClass = native.Tensor;
