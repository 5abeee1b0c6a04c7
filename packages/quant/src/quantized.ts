// The high-level quantization API: a QuantizedTensor that carries the packed weights, their scales (and
// biases), the nvfp4 global scale and the configuration, with quantize / dequantize / quantizedMatmul
// over it. Everything here is built on the generated low-level ops (src/generated/), which call MLX.
import * as mx from '@mlxts/core';
import type { ArrayLike, DType, OperandHandler, StreamOptions, Tensor } from '@mlxts/core';
import { dequantizePacked, gatherQmm, quantizePacked, quantizedMatmulPacked } from './generated/index.js';

/** MLX's quantization modes. */
export type QuantizationMode = 'affine' | 'mxfp4' | 'mxfp8' | 'nvfp4';

/**
 * Each mode's group size and bits: `'affine'` accepts the listed values (the first number of each pair is
 * the default); the floating-point modes have one fixed value each.
 */
export const QUANTIZATION_MODES: Readonly<Record<QuantizationMode, { readonly groupSizes: readonly number[]; readonly bits: readonly number[]; readonly defaultGroupSize: number; readonly defaultBits: number }>> = {
  affine: { groupSizes: [32, 64, 128], bits: [1, 2, 3, 4, 5, 6, 8], defaultGroupSize: 64, defaultBits: 4 },
  mxfp4: { groupSizes: [32], bits: [4], defaultGroupSize: 32, defaultBits: 4 },
  mxfp8: { groupSizes: [32], bits: [8], defaultGroupSize: 32, defaultBits: 8 },
  nvfp4: { groupSizes: [16], bits: [4], defaultGroupSize: 16, defaultBits: 4 },
};

/**
 * The brand every QuantizedTensor carries (a non-enumerable property set to `true`), so that other packages
 * can recognize one without importing `@mlxts/quant`: `value?.[Symbol.for('mlxts.quantized')] === true`.
 */
export const QUANTIZED: unique symbol = Symbol.for('mlxts.quantized');

/** Options of `quantize`. */
export interface QuantizeOptions extends StreamOptions {
  /** `'affine'` (default), `'mxfp4'`, `'mxfp8'` or `'nvfp4'`. */
  mode?: QuantizationMode;
  /** Bits per element: 1, 2, 3, 4 (default), 5, 6 or 8 for `'affine'`; fixed by the other modes. */
  bits?: number;
  /** Elements per scale: 32, 64 (default) or 128 for `'affine'`; fixed by the other modes. */
  groupSize?: number;
  /**
   * nvfp4 only: a float32 scalar (a tensor or a number) that widens the range of the E4M3 group scales;
   * pass the weight's largest magnitude, `mx.max(mx.abs(w))`, or `'auto'` to have it computed.
   */
  globalScale?: Tensor | number | 'auto';
}

/** Options of `quantizedMatmul`. */
export interface QuantizedMatmulOptions extends StreamOptions {
  /** `x @ qᵀ` for q `[N, K]` (true, the default, like MLX and `nn.QuantizedLinear`), or `x @ q` for q `[K, N]`. */
  transpose?: boolean;
}

/** Options of `gatherQuantizedMatmul`. */
export interface GatherQuantizedMatmulOptions extends QuantizedMatmulOptions {
  /** Which batch entry of `x` each output uses (default: every one, in order). */
  lhsIndices?: Tensor;
  /** Which expert (batch entry of q) each output uses (default: every one, in order). */
  rhsIndices?: Tensor;
  /** Whether `rhsIndices` is sorted, which lets MLX group the rows by expert. */
  sortedIndices?: boolean;
}

/** Options of `dequantize`. */
export interface DequantizeOptions extends StreamOptions {
  /** Output dtype (float32, float16 or bfloat16); the quantized tensor's own dtype by default. */
  dtype?: DType;
}

/** The packed parts and configuration that `fromPacked` assembles into a QuantizedTensor. */
export interface PackedParts {
  /** Packed uint32 weights `[..., N, K * bits / 32]`. */
  weight: Tensor;
  /** Per-group scales `[..., N, K / groupSize]`. */
  scales: Tensor;
  /** Per-group biases (affine only). */
  biases?: Tensor | null;
  /** nvfp4 only: the float32 scalar the weights were quantized with. */
  globalScale?: Tensor | null;
  mode?: QuantizationMode;
  bits?: number;
  groupSize?: number;
  /**
   * The logical dtype (what `dequantize` returns). Affine: the scales' dtype by default. The
   * floating-point modes store none: `'bfloat16'` by default, as in MLX.
   */
  dtype?: DType;
}

/**
 * A quantized matrix (or stack of matrices): the packed weights, per-group scales (and biases for
 * `'affine'`), the nvfp4 global scale if any, and the configuration. It keeps the logical `shape` and
 * `dtype` of the tensor it was made from, `[..., N, K]`, quantized in groups along the last axis.
 *
 * It owns its tensors: free them with `dispose()` or `using q = quantize(w)`. A QuantizedTensor is a
 * plain object (its tensors are enumerable properties), so `mx.tidy` keeps the parts of one it returns and
 * disposes those of one it does not, and `mx.eval(q)` evaluates them, like any object of tensors.
 */
export interface QuantizedTensor extends OperandHandler {
  /** The logical shape `[..., N, K]`. */
  readonly shape: readonly number[];
  /** The logical dtype: what `dequantize` returns by default. */
  readonly dtype: DType;
  readonly mode: QuantizationMode;
  readonly bits: number;
  readonly groupSize: number;
  /** Packed uint32 weights `[..., N, K * bits / 32]`. */
  readonly weight: Tensor;
  /** Per-group scales `[..., N, K / groupSize]`: the logical dtype (affine) or uint8 (E8M0 for mx, E4M3 for nv). */
  readonly scales: Tensor;
  /** Per-group biases (affine), else null. */
  readonly biases: Tensor | null;
  /** The nvfp4 global scale (a float32 scalar), else null. */
  readonly globalScale: Tensor | null;
  /** Number of axes of the logical shape. */
  readonly ndim: number;
  /** Number of logical elements. */
  readonly size: number;
  /** Bytes of the packed representation (weights, scales, biases and global scale). */
  readonly nbytes: number;
  /** True once any of its tensors was disposed. */
  readonly disposed: boolean;
  /** The dense tensor, `dequantize(this, options)`. */
  dequantize(options?: DequantizeOptions): Tensor;
  /**
   * `x @ this` with `this` as the right operand of a plain matmul: q's logical shape `[K, N]`, x
   * `[..., M, K]`, result `[..., M, N]`; the same as `mx.matmul(x, dequantize(q))` up to rounding, computed
   * by MLX's quantized kernel. This is what `mx.matmul(x, q)` dispatches to. `transpose: true` gives
   * `x @ thisᵀ` instead (see `quantizedMatmul`).
   */
  matmulFrom(x: ArrayLike, options?: QuantizedMatmulOptions): Tensor;
  /** Removes its tensors from the current `mx.tidy` scope, as `mx.keep` does for a tensor. Returns itself. */
  keep(): this;
  /** Disposes its tensors. Idempotent. */
  dispose(): void;
  [Symbol.dispose](): void;
}

/** Whether `value` is a QuantizedTensor. */
export function isQuantized(value: unknown): value is QuantizedTensor {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[QUANTIZED] === true;
}

/**
 * Quantizes a float32, float16 or bfloat16 matrix `[..., N, K]` (at least 2-D) in groups of `groupSize`
 * consecutive elements along the last axis, with MLX's kernel.
 *
 * | mode | groupSize | bits | scales | biases | bytes per element (float32 → packed) |
 * | --- | --- | --- | --- | --- | --- |
 * | `'affine'` | 32, 64, 128 | 1–6, 8 | w's dtype | yes | `bits/8 + 2·itemsize/groupSize` |
 * | `'mxfp4'` | 32 | 4 | uint8 E8M0 | no | 0.53 |
 * | `'mxfp8'` | 32 | 8 | uint8 E8M0 | no | 1.03 |
 * | `'nvfp4'` | 16 | 4 | uint8 E4M3 | no | 0.56 |
 *
 * @param w - The matrix to quantize; K must be a multiple of `groupSize`.
 * @param options - `mode`, `bits`, `groupSize`, `globalScale` (nvfp4) and where to run.
 * @returns A QuantizedTensor with `w`'s shape and dtype.
 *
 * @example
 * ```ts
 * const q = quant.quantize(w, { bits: 4, groupSize: 64 }); // affine, about 1/6 of float32's bytes
 * const y = quant.quantizedMatmul(x, q);                   // x @ wᵀ without dequantizing w
 * ```
 */
export function quantize(w: ArrayLike, options: QuantizeOptions = {}): QuantizedTensor {
  mx.checkOptions('quantize', options, OPTION_KEYS.quantize);
  const { mode = 'affine', bits, groupSize, globalScale, stream, device } = options;
  return renamed('quantize', 'quantizePacked', () =>
    mx.tidy(() => {
      const input = mx.isTensor(w) ? w : mx.array(w as never);
      let gs: Tensor | undefined;
      if (globalScale === 'auto') gs = mx.max(mx.abs(input));
      else if (typeof globalScale === 'number') gs = mx.array(globalScale);
      else if (globalScale !== undefined) gs = mx.isTensor(globalScale) ? alias(globalScale) : badGlobalScale(globalScale);
      if (gs !== undefined && gs.dtype !== 'float32') gs = mx.astype(gs, 'float32');
      const parts = quantizePacked(input, { mode, bits, groupSize, globalScale: gs, stream, device });
      const table = QUANTIZATION_MODES[mode];
      return makeQuantized({
        weight: parts[0],
        scales: parts[1],
        biases: parts[2] ?? null,
        globalScale: gs ?? null,
        mode,
        bits: bits ?? table.defaultBits,
        groupSize: groupSize ?? table.defaultGroupSize,
        shape: input.shape,
        dtype: input.dtype,
      });
    }),
  );
}

/**
 * Expands a QuantizedTensor back to a dense tensor of its logical shape (and dtype, unless `dtype` is
 * given), with MLX's kernel. The values differ from the original by the quantization error: see the
 * quantization concept page for the measured bounds per mode.
 */
export function dequantize(q: QuantizedTensor, options: DequantizeOptions = {}): Tensor {
  mx.checkOptions('dequantize', options, OPTION_KEYS.dequantize);
  checkQuantized('dequantize', q, 'q');
  return renamed('dequantize', 'dequantizePacked', () =>
    dequantizePacked(q.weight, q.scales, q.biases ?? undefined, {
      ...packedConfig(q),
      dtype: options.dtype ?? q.dtype,
      stream: options.stream,
      device: options.device,
    }),
  );
}

/** The options the packed low-level functions need to read q's parts. */
function packedConfig(q: QuantizedTensor) {
  return { mode: q.mode, bits: q.bits, groupSize: q.groupSize, globalScale: q.globalScale ?? undefined };
}

/**
 * Multiplies `x` by a quantized matrix with a quantized kernel, without materializing the dense
 * weights. With `transpose: true` (the default, as in MLX and `nn.QuantizedLinear`) q is `[N, K]` (out, in)
 * and the result is `x @ qᵀ`; with `transpose: false` q is `[K, N]` and the result is `x @ q`, which is
 * also what `q.matmulFrom(x)` computes. `x` is `[..., M, K]` (batch axes broadcast against q's), float32,
 * float16 or bfloat16; in affine mode the result dtype promotes `x` with the scales, otherwise it is x's.
 * On the CPU, affine 4- and 8-bit weights with `transpose: true` run on the addon's own vectorised,
 * multi-threaded kernel (see the quantization concept page); everything else on MLX's.
 */
export function quantizedMatmul(x: ArrayLike, q: QuantizedTensor, options: QuantizedMatmulOptions = {}): Tensor {
  mx.checkOptions('quantizedMatmul', options, OPTION_KEYS.quantizedMatmul);
  checkActivations('quantizedMatmul', x);
  checkQuantized('quantizedMatmul', q, 'q');
  return renamed('quantizedMatmul', 'quantizedMatmulPacked', () =>
    quantizedMatmulPacked(x, q.weight, q.scales, q.biases ?? undefined, {
      transpose: options.transpose ?? true,
      ...packedConfig(q),
      stream: options.stream,
      device: options.device,
    }),
  );
}

/**
 * Mixture-of-experts matmul over a stack of quantized experts q `[E, N, K]` (or `[E, K, N]` with
 * `transpose: false`): output `[i]` is `x[lhsIndices[i]] @ q[rhsIndices[i]]ᵀ`. With x `[T, 1, K]` and
 * `rhsIndices` `[T]` (each token's expert) the result is `[T, 1, N]`. See `gatherQmm` for the details.
 */
export function gatherQuantizedMatmul(x: ArrayLike, q: QuantizedTensor, options: GatherQuantizedMatmulOptions = {}): Tensor {
  mx.checkOptions('gatherQuantizedMatmul', options, OPTION_KEYS.gatherQuantizedMatmul);
  checkActivations('gatherQuantizedMatmul', x);
  checkQuantized('gatherQuantizedMatmul', q, 'q');
  return renamed('gatherQuantizedMatmul', 'gatherQmm', () =>
    gatherQmm(x, q.weight, q.scales, q.biases ?? undefined, {
      lhsIndices: options.lhsIndices,
      rhsIndices: options.rhsIndices,
      transpose: options.transpose ?? true,
      sortedIndices: options.sortedIndices ?? false,
      ...packedConfig(q),
      stream: options.stream,
      device: options.device,
    }),
  );
}

/**
 * Assembles a QuantizedTensor from packed parts made elsewhere (a checkpoint, `quantizePacked`). The
 * QuantizedTensor holds its own handles on the same arrays: disposing it leaves the tensors passed in
 * alive, and disposing those leaves it usable. The parts are checked against each other and the mode.
 */
export function fromPacked(parts: PackedParts): QuantizedTensor {
  if (typeof parts !== 'object' || parts === null) throw new TypeError('fromPacked: parts must be an object { weight, scales, ... }');
  const { weight, scales, biases = null, globalScale = null, mode = 'affine' } = parts;
  const table = QUANTIZATION_MODES[mode];
  if (!table) throw new TypeError(`fromPacked: mode must be 'affine', 'mxfp4', 'mxfp8' or 'nvfp4', got '${String(mode)}'`);
  const bits = parts.bits ?? table.defaultBits;
  const groupSize = parts.groupSize ?? table.defaultGroupSize;
  for (const [name, t] of [['weight', weight], ['scales', scales], ['biases', biases], ['globalScale', globalScale]] as const) {
    if (t !== null && (!mx.isTensor(t) || t.disposed)) throw new TypeError(`fromPacked: ${name} must be a live Tensor`);
  }
  if (!table.bits.includes(bits) || !table.groupSizes.includes(groupSize)) {
    throw new RangeError(`fromPacked: ${mode} mode supports bits ${table.bits.join(', ')} and groupSize ${table.groupSizes.join(', ')}, got bits ${bits} and groupSize ${groupSize}`);
  }
  if (weight.dtype !== 'uint32' || weight.ndim < 2) throw new mx.MlxError(`fromPacked: weight must be uint32 with at least 2 axes, got ${weight.dtype} [${weight.shape}]`, 'fromPacked');
  const k = (weight.shape[weight.ndim - 1] * 32) / bits;
  const expected = [...weight.shape.slice(0, -1), k / groupSize];
  if (!Number.isInteger(k) || !sameShape(scales.shape, expected)) {
    throw new mx.MlxError(`fromPacked: scales must be [${expected}] for weight [${weight.shape}] with bits ${bits} and groupSize ${groupSize}, got [${scales.shape}]`, 'fromPacked');
  }
  if ((mode === 'affine') !== (biases !== null)) throw new TypeError(`fromPacked: ${mode === 'affine' ? 'affine mode needs biases' : `${mode} mode has no biases`}`);
  if (biases !== null && !sameShape(biases.shape, scales.shape)) throw new mx.MlxError(`fromPacked: biases must have the scales' shape [${scales.shape}], got [${biases.shape}]`, 'fromPacked');
  if (globalScale !== null && mode !== 'nvfp4') throw new TypeError(`fromPacked: globalScale is only supported by the nvfp4 mode`);
  const dtype = parts.dtype ?? (mode === 'affine' ? scales.dtype : 'bfloat16');
  return mx.tidy(() =>
    makeQuantized({
      weight: alias(weight),
      scales: alias(scales),
      biases: biases && alias(biases),
      globalScale: globalScale && alias(globalScale),
      mode,
      bits,
      groupSize,
      shape: [...weight.shape.slice(0, -1), k],
      dtype,
    }),
  );
}

interface Fields {
  weight: Tensor;
  scales: Tensor;
  biases: Tensor | null;
  globalScale: Tensor | null;
  mode: QuantizationMode;
  bits: number;
  groupSize: number;
  shape: readonly number[];
  dtype: DType;
}

// The methods, shared by every QuantizedTensor and attached as non-enumerable properties: enumerable ones
// would be harmless to mx.tidy (it skips functions), but would clutter the object's printed form.
const methods = {
  dequantize(this: QuantizedTensor, options?: DequantizeOptions): Tensor {
    return dequantize(this, options);
  },
  matmulFrom(this: QuantizedTensor, x: ArrayLike, options: QuantizedMatmulOptions = {}): Tensor {
    return renamed('matmul', 'quantizedMatmul', () => quantizedMatmul(x, this, { ...options, transpose: options.transpose ?? false }));
  },
  // mx.matmul(x, q) (an op marked js.dispatch in the schema) hands itself to its quantized operand.
  [mx.operandHook](this: QuantizedTensor, op: string, position: number, args: { [index: number]: unknown; length: number }): Tensor {
    if (op === 'matmul' && position === 1) return this.matmulFrom(args[0] as ArrayLike, args[2] as QuantizedMatmulOptions | undefined);
    if (op === 'matmul') throw new TypeError('matmul: only the right operand can be quantized; dequantize the left one first');
    throw new TypeError(`${op}: a QuantizedTensor is not accepted here; dequantize it first`);
  },
  keep<T extends QuantizedTensor>(this: T): T {
    for (const t of tensorsOf(this)) mx.keep(t);
    return this;
  },
  dispose(this: QuantizedTensor): void {
    for (const t of tensorsOf(this)) t.dispose();
  },
  [Symbol.dispose](this: QuantizedTensor): void {
    this.dispose();
  },
};

function makeQuantized(f: Fields): QuantizedTensor {
  // A plain object (prototype Object.prototype): mx.tidy and mx.eval look inside plain objects for tensors.
  const q = { weight: f.weight, scales: f.scales, biases: f.biases, globalScale: f.globalScale, mode: f.mode, bits: f.bits, groupSize: f.groupSize, shape: [...f.shape], dtype: f.dtype };
  const hidden = (value: unknown): PropertyDescriptor => ({ value, enumerable: false });
  const getter = (get: (this: QuantizedTensor) => unknown): PropertyDescriptor => ({ get, enumerable: false });
  Object.defineProperties(q, {
    [QUANTIZED]: hidden(true),
    dequantize: hidden(methods.dequantize),
    matmulFrom: hidden(methods.matmulFrom),
    [mx.operandHook]: hidden(methods[mx.operandHook]),
    keep: hidden(methods.keep),
    dispose: hidden(methods.dispose),
    [Symbol.dispose]: hidden(methods[Symbol.dispose]),
    ndim: getter(function () {
      return this.shape.length;
    }),
    size: getter(function () {
      return this.shape.reduce((a, b) => a * b, 1);
    }),
    nbytes: getter(function () {
      return tensorsOf(this).reduce((sum, t) => sum + t.nbytes, 0);
    }),
    disposed: getter(function () {
      return tensorsOf(this).some((t) => t.disposed);
    }),
    [inspectSymbol]: hidden(function (this: QuantizedTensor) {
      const config = this.mode === 'affine' ? `affine, bits=${this.bits}, groupSize=${this.groupSize}` : this.mode;
      return `QuantizedTensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, ${config}${this.globalScale ? ', globalScale' : ''}${this.disposed ? ', disposed' : ''})`;
    }),
  });
  for (const key of ['weight', 'scales', 'biases', 'globalScale', 'mode', 'bits', 'groupSize', 'shape', 'dtype'] as const) {
    Object.defineProperty(q, key, { writable: false });
  }
  Object.freeze(q.shape);
  return q as unknown as QuantizedTensor;
}

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

function tensorsOf(q: QuantizedTensor): Tensor[] {
  return [q.weight, q.scales, q.biases, q.globalScale].filter((t): t is Tensor => t !== null);
}

/** A new handle on the same MLX array (no copy), owned by the caller. */
function alias(t: Tensor): Tensor {
  return mx.reshape(t, t.shape);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function badGlobalScale(value: unknown): never {
  throw new TypeError(`globalScale must be a Tensor, a number or 'auto', got ${typeof value}`);
}

const STREAM_KEYS = ['stream', 'device'];
const OPTION_KEYS: Record<string, readonly string[]> = {
  quantize: ['mode', 'bits', 'groupSize', 'globalScale', ...STREAM_KEYS],
  dequantize: ['dtype', ...STREAM_KEYS],
  quantizedMatmul: ['transpose', ...STREAM_KEYS],
  gatherQuantizedMatmul: ['transpose', 'lhsIndices', 'rhsIndices', 'sortedIndices', ...STREAM_KEYS],
};


/** The quantized kernels take the weights as the right operand only. */
function checkActivations(fn: string, x: unknown): void {
  if (isQuantized(x)) {
    throw new TypeError(`${fn}: only the right operand can be quantized (x @ q); x is a QuantizedTensor: dequantize it first`);
  }
}

function checkQuantized(fn: string, q: unknown, name: string): asserts q is QuantizedTensor {
  if (!isQuantized(q)) {
    const what = mx.isTensor(q) ? 'a plain Tensor' : typeof q;
    throw new TypeError(`${fn}: ${name} must be a QuantizedTensor (from quantize or fromPacked), got ${what}`);
  }
  if (q.disposed) throw new TypeError(`${fn}: ${name} has been disposed`);
}

/** Runs `body`, reporting errors raised under the name of the function it calls as errors of `fn`. */
function renamed<T>(fn: string, inner: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof Error) {
      if (error.message.startsWith(`${inner}: `)) error.message = `${fn}: ${error.message.slice(inner.length + 2)}`;
      else if (!error.message.startsWith(`${fn}: `)) error.message = `${fn}: ${error.message}`;
      const withOp = error as Error & { op?: string };
      if (withOp.op !== undefined) withOp.op = fn;
    }
    throw error;
  }
}
