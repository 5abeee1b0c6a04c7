// `t.at(...)` and `t.with(..., value)`: NumPy's basic and advanced indexing, built from MLX ops.
//
// An index is first resolved against the tensor's shape (index-resolve.ts). Then:
// - integers and slices only: one `slice` (read) or `sliceUpdate` (write), and a reshape;
// - with integer arrays: one `gather` (read) or `scatter` (write) in which the arrays, integers and the
//   slices before the last array become broadcast index tensors laid out like the result, and the
//   step-1 slices after it become the gather/scatter window;
// - a mask alone (`t.with(mask, value)`) stays lazy through `maskedScatter`; any other mask is read back
//   (its true positions decide the result's shape) and becomes integer arrays, as in NumPy.
// Every intermediate is made inside `tidy`, so only the result survives.
import { MlxError, Tensor } from '@mlxts/native';
import type { ArrayLike } from '../types.js';
import { array } from '../generated/ops/array.js';
import { broadcastTo } from '../generated/ops/broadcastTo.js';
import { expandDims } from '../generated/ops/expandDims.js';
import { gather } from '../generated/ops/gather.js';
import { maskedScatter } from '../generated/ops/maskedScatter.js';
import { reshape } from '../generated/ops/reshape.js';
import { scatter } from '../generated/ops/scatter.js';
import { slice } from '../generated/ops/slice.js';
import { sliceUpdate } from '../generated/ops/sliceUpdate.js';
import { zeros } from '../generated/ops/zeros.js';
import { parseIndices, type Entry, type Index, type Slice } from './index-entries.js';
import { broadcastsTo, checkMaskShape, int32, resolve, sizeOf, type Axis, type Resolved } from './index-resolve.js';
import { isTensor, tidy } from './scope.js';

declare module '@mlxts/native' {
  interface Tensor {
    /**
     * NumPy indexing: `x.at(1, '2:', null, '...', idx)` is MLX Python's `x[1, 2:, None, ..., idx]`.
     * Entries are integers, `Slice`s or their string form (`'1:3'`, `'::-1'`), `'...'`, `null` (a new
     * axis), integer tensors or nested JS integer arrays, and bool masks. Returns a new tensor; integers
     * and slices only are a lazy `slice`, integer arrays a lazy `gather`, and a mask is read back first
     * (the result's shape depends on it). Integer tensors are not bounds-checked: out-of-range entries
     * are clamped, as in `take`; JS integers out of range are an MlxError.
     *
     * @example
     * ```ts
     * const x = mx.arange(12).reshape([3, 4]);
     * x.at(1)              // [4, 5, 6, 7]
     * x.at(':', '::2')     // [[0, 2], [4, 6], [8, 10]]
     * x.at('...', -1)      // [3, 7, 11]
     * x.at([2, 0], null)   // shape [2, 1, 4]
     * x.at(x.greater(8))   // [9, 10, 11]
     * ```
     */
    at(...indices: Index[]): Tensor;
    /**
     * The tensor with the indexed positions set to `value` (the last argument), as MLX Python's
     * `x[indices] = value`, but returning a new tensor and leaving this one unchanged (like JS's
     * `Array.prototype.with`). The value is cast to this tensor's dtype and broadcast to the shape
     * `at(...indices)` would have. Where advanced indices repeat a position, which value lands there is
     * unspecified (as in MLX).
     *
     * @example
     * ```ts
     * const x = mx.zeros([2, 3]);
     * x.with(0, '1:', 7)                // [[0, 7, 7], [0, 0, 0]]
     * x.with('...', [0, 2], [1, 2])     // [[1, 0, 2], [1, 0, 2]]
     * x.with(mx.array([true, false]), 5) // [[5, 5, 5], [0, 0, 0]]
     * ```
     */
    with(...indicesAndValue: [...indices: Index[], value: ArrayLike]): Tensor;
  }
}

Tensor.prototype.at = function (this: Tensor, ...indices: Index[]): Tensor {
  return indexing('at', this, () => read(this, resolve('at', this.shape, parseIndices('at', indices))));
};

Tensor.prototype.with = function (this: Tensor, ...args: unknown[]): Tensor {
  if (args.length === 0) throw new TypeError('with: expected the indices and then the value to write');
  return indexing('with', this, () => write(this, parseIndices('with', args.slice(0, -1)), args[args.length - 1]));
};

/** Runs an indexing body in its own tidy scope; errors from the ops it calls are renamed to `op`. */
function indexing(op: string, source: Tensor, body: () => Tensor): Tensor {
  if (source.disposed) throw new TypeError(`${op}: the tensor is disposed`);
  try {
    return tidy(body);
  } catch (error) {
    throw renamed(op, error);
  }
}

function renamed(op: string, error: unknown): unknown {
  if (!(error instanceof Error) || error.message.startsWith(`${op}: `)) return error;
  const message = `${op}: ${error.message}`;
  if (error instanceof MlxError) return new MlxError(message, op);
  if (error instanceof TypeError) return new TypeError(message);
  if (error instanceof RangeError) return new RangeError(message);
  return error;
}

// ---------------------------------------------------------------------------------------------------
// Reading

function read(source: Tensor, r: Resolved): Tensor {
  if (!hasArrays(r)) {
    // A 0-d source has nothing to slice; the reshape still makes the new tensor `at` promises.
    if (source.ndim === 0) return reshape(source, [...r.shape]);
    const { starts, stops, steps } = sliceBounds(r);
    return reshaped(slice(source, starts, stops, steps), r.shape);
  }
  if (sizeOf(r.shape) === 0) return zeros([...r.shape], source.dtype);
  const plan = indexPlan(r);
  return reshaped(gather(expanded(source, r), plan.indices, plan.indexedAxes, plan.window), r.shape);
}

/** `t` in `shape`, without an extra op when it already has it. */
function reshaped(t: Tensor, shape: readonly number[]): Tensor {
  return sameShape(t.shape, shape) ? t : reshape(t, [...shape]);
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** `slice` bounds over the source's own axes (the inserted axes left out) for an index without arrays. */
function sliceBounds(r: Resolved): { starts: number[]; stops: number[]; steps: number[]; region: number[] } {
  const starts: number[] = [];
  const stops: number[] = [];
  const steps: number[] = [];
  const region: number[] = [];
  r.axes.forEach((a, i) => {
    if (r.newAxes.includes(i)) return;
    const length = r.expandedShape[i];
    if (a.kind === 'int') {
      starts.push(a.index);
      stops.push(a.index + 1);
      steps.push(1);
      region.push(1);
    } else if (a.kind === 'slice') {
      // MLX reads a negative stop as counting from the end, so "before position 0" is written -length-1.
      const stop = a.start + a.step * a.length;
      starts.push(a.length === 0 ? 0 : a.start);
      stops.push(a.length === 0 ? 0 : stop < 0 ? -length - 1 : stop);
      steps.push(a.length === 0 ? 1 : a.step);
      region.push(a.length);
    }
  });
  return { starts, stops, steps, region };
}

const hasArrays = (r: Resolved) => r.axes.some((a) => a.kind === 'array');

function expanded(source: Tensor, r: Resolved): Tensor {
  return r.newAxes.length === 0 ? source : expandDims(source, [...r.newAxes]);
}

/**
 * The gather/scatter arguments for an index with arrays. Axes up to the last advanced one (the "head")
 * get index tensors shaped to broadcast into the head of the result's shape: arrays at the advanced
 * dimensions, integers as 0-d, slices as their positions along their own dimension. The step-1
 * slices after it (the "tail") are read or written whole as the window, from their start.
 */
function indexPlan(r: Resolved): { indices: Tensor[]; indexedAxes: number[]; window: number[]; headShape: number[] } {
  const { axes } = r;
  let lastAdvanced = axes.length - 1;
  while (axes[lastAdvanced].kind === 'slice') lastAdvanced--;
  let tail = axes.length;
  const stepOne = (a: Axis) => a.kind === 'slice' && a.step === 1;
  while (tail - 1 > lastAdvanced && stepOne(axes[tail - 1])) tail--;
  const headShape = r.shape.slice(0, r.shape.length - (axes.length - tail));

  const indices: Tensor[] = [];
  const indexedAxes: number[] = [];
  const window = [...r.expandedShape];
  let slicesSeen = 0;
  axes.forEach((a, i) => {
    if (a.kind === 'slice' && i >= tail) {
      window[i] = a.length;
      if (a.length !== r.expandedShape[i]) {
        indices.push(array(a.start, 'int32'));
        indexedAxes.push(i);
      }
      return;
    }
    window[i] = 1;
    indexedAxes.push(i);
    if (a.kind === 'int') indices.push(array(a.index, 'int32'));
    else if (a.kind === 'array') {
      // Broadcasting aligns the array's dimensions to the right of the advanced block.
      const shape = headShape.map(() => 1);
      const offset = r.advancedAt + r.advancedRank - a.indices.ndim;
      a.indices.shape.forEach((d, k) => (shape[offset + k] = d));
      indices.push(reshaped(a.indices, shape));
    } else {
      const dim = slicesSeen < r.advancedAt ? slicesSeen : slicesSeen + r.advancedRank;
      const shape = headShape.map((_, k) => (k === dim ? a.length : 1));
      indices.push(int32(Array.from({ length: a.length }, (_, k) => a.start + k * a.step), shape));
    }
    if (a.kind === 'slice') slicesSeen++;
  });
  return { indices, indexedAxes, window, headShape };
}

// ---------------------------------------------------------------------------------------------------
// Writing

function write(source: Tensor, entries: readonly Entry[], value: unknown): Tensor {
  const v = valueTensor(value, source.dtype);
  const lazy = maskWrite(source, entries, v);
  if (lazy) return lazy;
  const r = resolve('with', source.shape, entries);
  const update = broadcastValue(v, r.shape);
  if (sizeOf(r.shape) === 0) return reshape(source, source.shape);
  if (!hasArrays(r)) {
    const { starts, stops, steps, region } = sliceBounds(r);
    return sliceUpdate(source, reshaped(update, region), starts, stops, steps);
  }
  const plan = indexPlan(r);
  const updates = reshaped(update, [...plan.headShape, ...plan.window]);
  const out = scatter(expanded(source, r), plan.indices, updates, plan.indexedAxes);
  return r.newAxes.length === 0 ? out : reshape(out, source.shape);
}

function valueTensor(value: unknown, dtype: Tensor['dtype']): Tensor {
  if (!isTensor(value)) return array(value as ArrayLike, dtype);
  if (value.disposed) throw new TypeError('with: the value is a disposed tensor');
  return value;
}

/** The value with surplus leading length-1 axes dropped (NumPy allows them), broadcast to `shape`. */
function broadcastValue(v: Tensor, shape: readonly number[]): Tensor {
  const vShape = withoutLeadingOnes(v.shape, shape.length);
  if (!broadcastsTo(vShape, shape)) throw cannotBroadcast(v.shape, `[${shape.join(', ')}]`);
  return sameShape(vShape, shape) ? reshaped(v, shape) : broadcastTo(reshaped(v, vShape), [...shape]);
}

function withoutLeadingOnes(shape: readonly number[], rank: number): number[] {
  let k = 0;
  while (shape.length - k > rank && shape[k] === 1) k++;
  return shape.slice(k);
}

function cannotBroadcast(from: readonly number[], to: string): MlxError {
  return new MlxError(`with: cannot broadcast a value of shape [${from.join(', ')}] to the indexed shape ${to}`, 'with');
}

/**
 * `t.with(mask, value)` (the mask over the leading axes, then only ':' or '...') without reading the
 * mask back: `maskedScatter` writes the value at every true position, or its i-th entry at the i-th
 * true position when it has one entry per position. Other masks go through `resolve`.
 */
function maskWrite(source: Tensor, entries: readonly Entry[], v: Tensor): Tensor | undefined {
  const [mask, ...rest] = entries;
  if (mask?.kind !== 'mask' || mask.shape.length === 0 || v.size === 0) return undefined;
  const wholeSlices = rest.filter((e) => e.kind === 'slice' && isWhole(e.slice)).length;
  const ellipses = rest.filter((e) => e.kind === 'ellipsis').length;
  // Anything else (or an index `resolve` rejects) takes the general path.
  if (wholeSlices + ellipses < rest.length || ellipses > 1 || mask.shape.length + wholeSlices > source.ndim) return undefined;
  checkMaskShape('with', mask.shape, source.shape, 0);
  const sub = source.shape.slice(mask.shape.length);
  const vShape = withoutLeadingOnes(v.shape, sub.length);
  let updates: Tensor;
  if (vShape.length <= sub.length && broadcastsTo(vShape, sub)) updates = broadcastTo(reshaped(v, vShape), [sizeOf(mask.shape), ...sub]);
  else if (vShape.length === sub.length + 1 && broadcastsTo(vShape.slice(1), sub)) updates = reshaped(v, vShape);
  else throw cannotBroadcast(v.shape, `[n, ${sub.join(', ')}] (n: the number of true mask entries)`);
  const maskTensor = mask.tensor ?? reshape(array(mask.values as boolean[], 'bool'), [...mask.shape]);
  return maskedScatter(source, maskTensor, updates);
}

function isWhole(s: Slice): boolean {
  return s.start === null && s.stop === null && (s.step === null || s.step === 1);
}
