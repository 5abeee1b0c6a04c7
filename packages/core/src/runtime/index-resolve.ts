// Resolving an index against a tensor's shape, NumPy's way: one `Axis` per axis of the "expanded"
// source (the source with a length-1 axis inserted for every `null`, so that a new axis is a slice over
// it, as NumPy defines it), and the layout of the result. Integer checks happen here; masks are read
// back into the integer arrays of their true coordinates.
import { MlxError, type Tensor } from '@mlxts/native';
import { array } from '../generated/ops/array.js';
import { reshape } from '../generated/ops/reshape.js';
import type { Entry, Slice } from './index-entries.js';

const integerDTypes: ReadonlySet<string> = new Set(['uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64']);

/** How one axis of the expanded source is indexed. */
export type Axis =
  /** One position, already checked and made non-negative. */
  | { readonly kind: 'int'; readonly index: number }
  /** Positions start, start + step, ... (`length` of them), already normalized as Python's slice.indices. */
  | { readonly kind: 'slice'; readonly start: number; readonly step: number; readonly length: number }
  | { readonly kind: 'array'; readonly indices: Tensor };

const WHOLE = { start: null, stop: null, step: null };

export interface Resolved {
  readonly axes: readonly Axis[];
  /** Positions, in the expanded source, of the length-1 axes inserted for `null` (and 0-d masks). */
  readonly newAxes: readonly number[];
  readonly expandedShape: readonly number[];
  /** The shape of `at`'s result, which is also the shape `with` broadcasts its value to. */
  readonly shape: readonly number[];
  /** Where the broadcast dimensions of the advanced indices sit in `shape`, and how many there are. */
  readonly advancedAt: number;
  readonly advancedRank: number;
}

export function resolve(op: string, shape: readonly number[], entries: readonly Entry[]): Resolved {
  const ellipses = entries.filter((e) => e.kind === 'ellipsis').length;
  if (ellipses > 1) throw new TypeError(`${op}: an index can have only one '...'`);
  const named = entries.reduce((n, e) => n + axesNamed(e), 0);
  if (named > shape.length) throw new TypeError(`${op}: too many indices (${named}) for a tensor with ${shape.length} dimensions`);

  const axes: Axis[] = [];
  const newAxes: number[] = [];
  const expandedShape: number[] = [];
  let source = 0; // the next axis of the source to index
  const add = (axis: Axis, length: number) => {
    axes.push(axis);
    expandedShape.push(length);
  };
  const addNewAxis = (axis: Axis) => {
    newAxes.push(axes.length);
    add(axis, 1);
  };
  const wholeAxes = (count: number) => {
    for (let k = 0; k < count; k++, source++) add(sliceAxis(WHOLE, shape[source]), shape[source]);
  };

  for (const entry of entries) {
    if (entry.kind === 'ellipsis') wholeAxes(shape.length - named);
    else if (entry.kind === 'newaxis') addNewAxis(sliceAxis(WHOLE, 1));
    else if (entry.kind === 'int') {
      add({ kind: 'int', index: inBounds(op, entry.value, shape[source], source) }, shape[source]);
      source++;
    } else if (entry.kind === 'slice') {
      add(sliceAxis(entry.slice, shape[source]), shape[source]);
      source++;
    } else if (entry.kind === 'array') {
      add({ kind: 'array', indices: indexTensor(op, entry, shape[source], source) }, shape[source]);
      source++;
    } else if (entry.shape.length === 0) {
      // A 0-d mask indexes a new length-1 axis: position 0 once if true, never if false (NumPy's rule).
      const count = maskValues(entry)[0] ? 1 : 0;
      addNewAxis({ kind: 'array', indices: int32(new Array<number>(count).fill(0), [count]) });
    } else {
      checkMaskShape(op, entry.shape, shape, source);
      for (const positions of trueCoordinates(entry)) {
        add({ kind: 'array', indices: int32(positions, [positions.length]) }, shape[source]);
        source++;
      }
    }
  }
  if (ellipses === 0) wholeAxes(shape.length - named);
  return { axes, newAxes, expandedShape, ...resultLayout(op, axes, expandedShape) };
}

/** How many axes of the source an entry indexes. */
function axesNamed(entry: Entry): number {
  if (entry.kind === 'ellipsis' || entry.kind === 'newaxis') return 0;
  return entry.kind === 'mask' ? entry.shape.length : 1;
}

function inBounds(op: string, index: number, length: number, axis: number): number {
  if (index < -length || index >= length) throw new MlxError(`${op}: index ${index} is out of bounds for axis ${axis} with size ${length}`, op);
  return index < 0 ? index + length : index;
}

/** Python's slice.indices(length): the clamped start, the step and the number of positions. */
function sliceAxis(s: Pick<Slice, 'start' | 'stop' | 'step'>, length: number): Axis {
  const step = s.step ?? 1;
  const [lower, upper] = step > 0 ? [0, length] : [-1, length - 1];
  const bound = (value: number | null, fallback: number) => {
    if (value === null) return fallback;
    const v = value < 0 ? value + length : value;
    return Math.min(Math.max(v, lower), upper);
  };
  const start = bound(s.start, step > 0 ? lower : upper);
  const stop = bound(s.stop, step > 0 ? upper : lower);
  const span = step > 0 ? stop - start : start - stop;
  return { kind: 'slice', start, step, length: span > 0 ? Math.ceil(span / Math.abs(step)) : 0 };
}

function indexTensor(op: string, entry: Extract<Entry, { kind: 'array' }>, length: number, axis: number): Tensor {
  if (entry.tensor) {
    if (!integerDTypes.has(entry.tensor.dtype)) {
      throw new MlxError(`${op}: an index tensor must have an integer or bool dtype, got ${entry.tensor.dtype}`, op);
    }
    return entry.tensor;
  }
  return int32((entry.values ?? []).map((v) => inBounds(op, v, length, axis)), entry.shape);
}

export function int32(values: readonly number[], shape: readonly number[]): Tensor {
  const flat = array(Int32Array.from(values));
  return shape.length === 1 ? flat : reshape(flat, [...shape]);
}

export function checkMaskShape(op: string, maskShape: readonly number[], shape: readonly number[], axis: number): void {
  const covered = shape.slice(axis, axis + maskShape.length);
  if (maskShape.some((d, k) => d !== covered[k])) {
    throw new MlxError(`${op}: a mask of shape [${maskShape.join(', ')}] does not match the shape [${covered.join(', ')}] of the axes it indexes`, op);
  }
}

/** A mask's values, read back from its tensor if it has one (this evaluates the mask). */
function maskValues(entry: Extract<Entry, { kind: 'mask' }>): readonly unknown[] {
  return entry.values ?? Array.from((entry.tensor as Tensor).toTypedArray() as Uint8Array);
}

/** The coordinates of a mask's true entries in row-major order, one list per mask axis. */
function trueCoordinates(entry: Extract<Entry, { kind: 'mask' }>): number[][] {
  const values = maskValues(entry);
  const shape = entry.shape;
  const lists: number[][] = shape.map(() => []);
  for (let flat = 0; flat < values.length; flat++) {
    if (!values[flat]) continue;
    for (let d = shape.length - 1, rest = flat; d >= 0; d--) {
      lists[d].push(rest % shape[d]);
      rest = Math.floor(rest / shape[d]);
    }
  }
  return lists;
}

/**
 * NumPy's layout of the result: the sliced axes in order, with the broadcast shape of the advanced
 * indices (integer arrays, and integers when there is an array) where the first of them stands if
 * they are adjacent, or in front otherwise.
 */
function resultLayout(op: string, axes: readonly Axis[], expandedShape: readonly number[]) {
  const sliceLengths = axes.flatMap((a) => (a.kind === 'slice' ? [a.length] : []));
  if (!axes.some((a) => a.kind === 'array')) return { shape: sliceLengths, advancedAt: 0, advancedRank: 0 };
  const advanced = axes.flatMap((a, i) => (a.kind === 'slice' ? [] : [i]));
  const advancedShape = advanced.reduce<number[]>((s, i) => {
    const a = axes[i];
    const shape = a.kind === 'array' ? a.indices.shape : [];
    const out = broadcastShapes(s, shape);
    if (!out) throw new MlxError(`${op}: index arrays of shapes [${s.join(', ')}] and [${shape.join(', ')}] cannot be broadcast together`, op);
    return out;
  }, []);
  const size = advancedShape.reduce((a, b) => a * b, 1);
  if (size > 0 && advanced.some((i) => expandedShape[i] === 0)) throw new MlxError(`${op}: cannot index an axis of size 0 with a non-empty index array`, op);
  const adjacent = advanced[advanced.length - 1] - advanced[0] === advanced.length - 1;
  const advancedAt = adjacent ? advanced[0] : 0;
  const shape = [...sliceLengths.slice(0, advancedAt), ...advancedShape, ...sliceLengths.slice(advancedAt)];
  return { shape, advancedAt, advancedRank: advancedShape.length };
}

/** Whether `from` broadcasts to exactly `to`. */
export function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  return broadcastShapes(from, to)?.every((d, i) => d === to[i]) ?? false;
}

function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
