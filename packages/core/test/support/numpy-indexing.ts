// NumPy's indexing rules over plain row-major arrays: the independent side of the indexing tests.
// It follows NumPy's definitions directly (one source position per result position) and shares no
// code with packages/core/src/runtime/indexing.ts. The NumPy fixture test checks it against NumPy.
import { broadcastAt, broadcastShapes, strides, unravel, type Nd } from '@mlxts/testing';

/** One index entry, as plain data. */
export type RefEntry =
  | { kind: 'int'; value: number }
  | { kind: 'slice'; start: number | null; stop: number | null; step: number | null }
  | { kind: 'ellipsis' }
  | { kind: 'newaxis' }
  | { kind: 'ints'; shape: number[]; values: number[] }
  | { kind: 'mask'; shape: number[]; values: boolean[] };

/** Where each element of `x[index]` comes from: its shape and, per element, a flat position in x. */
export interface Selection {
  shape: number[];
  sources: number[];
}

/** The positions NumPy's slice visits on an axis of length n. */
export function slicePositions(n: number, start: number | null, stop: number | null, step: number | null): number[] {
  const k = step ?? 1;
  const out: number[] = [];
  if (k > 0) {
    const s = Math.min(Math.max(start === null ? 0 : start < 0 ? start + n : start, 0), n);
    const e = Math.min(Math.max(stop === null ? n : stop < 0 ? stop + n : stop, 0), n);
    for (let i = s; i < e; i += k) out.push(i);
  } else {
    const s = Math.min(Math.max(start === null ? n - 1 : start < 0 ? start + n : start, -1), n - 1);
    const e = Math.min(Math.max(stop === null ? -1 : stop < 0 ? stop + n : stop, -1), n - 1);
    for (let i = s; i > e; i += k) out.push(i);
  }
  return out;
}

type Part = { kind: 'slice'; positions: number[] } | { kind: 'advanced'; index: Nd } | { kind: 'int'; value: number };

/** The selection `x[entries]` makes, by NumPy's rules; throws on an invalid index. */
export function select(shape: readonly number[], entries: readonly RefEntry[]): Selection {
  // 1. Every entry over exactly one axis of the source with a length-1 axis inserted per newaxis.
  const axesOf = (e: RefEntry) => (e.kind === 'mask' ? e.shape.length : e.kind === 'ellipsis' || e.kind === 'newaxis' ? 0 : 1);
  const named = entries.reduce((n, e) => n + axesOf(e), 0);
  if (named > shape.length) throw new Error('too many indices');
  const ellipsis = entries.findIndex((e) => e.kind === 'ellipsis');
  const namedAfterEllipsis = ellipsis < 0 ? 0 : entries.slice(ellipsis + 1).reduce((n, e) => n + axesOf(e), 0);
  const parts: Part[] = [];
  const expanded: number[] = [];
  let axis = 0;
  const whole = () => {
    parts.push({ kind: 'slice', positions: slicePositions(shape[axis], null, null, null) });
    expanded.push(shape[axis++]);
  };
  const list: readonly RefEntry[] = ellipsis < 0 ? [...entries, { kind: 'ellipsis' }] : entries;
  for (const e of list) {
    if (e.kind === 'ellipsis') while (axis < shape.length - namedAfterEllipsis) whole();
    else if (e.kind === 'newaxis') {
      parts.push({ kind: 'slice', positions: [0] });
      expanded.push(1);
    } else if (e.kind === 'int') {
      const n = shape[axis];
      if (e.value < -n || e.value >= n) throw new Error('index out of bounds');
      parts.push({ kind: 'int', value: e.value < 0 ? e.value + n : e.value });
      expanded.push(shape[axis++]);
    } else if (e.kind === 'slice') {
      parts.push({ kind: 'slice', positions: slicePositions(shape[axis], e.start, e.stop, e.step) });
      expanded.push(shape[axis++]);
    } else if (e.kind === 'ints') {
      const n = shape[axis];
      if (e.values.some((v) => v < -n || v >= n)) throw new Error('index out of bounds');
      parts.push({ kind: 'advanced', index: { shape: e.shape, data: e.values.map((v) => (v < 0 ? v + n : v)) } });
      expanded.push(shape[axis++]);
    } else {
      // A mask is the integer arrays of its true coordinates (nonzero); a 0-d mask indexes a new axis.
      const trues = e.values.flatMap((v, flat) => (v ? [unravel(flat, e.shape)] : []));
      if (e.shape.length === 0) {
        parts.push({ kind: 'advanced', index: { shape: [trues.length], data: trues.map(() => 0) } });
        expanded.push(1);
      }
      e.shape.forEach((d, k) => {
        if (shape[axis] !== d) throw new Error('mask shape mismatch');
        parts.push({ kind: 'advanced', index: { shape: [trues.length], data: trues.map((c) => c[k]) } });
        expanded.push(shape[axis++]);
      });
    }
  }

  // 2. Integers are advanced indices once there is an array. The broadcast block goes where the
  //    first advanced index is if they are all adjacent, else first.
  const hasArray = parts.some((p) => p.kind === 'advanced');
  const advanced = hasArray ? parts.map((p, i) => (p.kind === 'slice' ? -1 : i)).filter((i) => i >= 0) : [];
  const indexOf = (p: Part): Nd => (p.kind === 'advanced' ? p.index : { shape: [], data: [(p as { value: number }).value] });
  const block = advanced.map((i) => indexOf(parts[i]).shape).reduce((a, b) => broadcastShapes(a, b), [] as number[]);
  const adjacent = advanced.length > 0 && advanced[advanced.length - 1] - advanced[0] === advanced.length - 1;
  const blockAt = adjacent ? advanced[0] : 0; // the parts before the first advanced one are slices
  const sliceDims = parts.flatMap((p) => (p.kind === 'slice' ? [p.positions.length] : []));
  const outShape = hasArray ? [...sliceDims.slice(0, blockAt), ...block, ...sliceDims.slice(blockAt)] : sliceDims;

  // 3. Each result position: the slice dimensions in order around the block.
  const size = outShape.reduce((a, b) => a * b, 1);
  const sources: number[] = [];
  const expandedStrides = strides(expanded);
  for (let flat = 0; flat < size; flat++) {
    const out = unravel(flat, outShape);
    const blockIndex = out.slice(blockAt, blockAt + block.length);
    const sliceIndex = hasArray ? [...out.slice(0, blockAt), ...out.slice(blockAt + block.length)] : out;
    let k = 0;
    let offset = 0;
    parts.forEach((p, i) => {
      const position = p.kind === 'slice' ? p.positions[sliceIndex[k++]] : hasArray ? broadcastAt(indexOf(p), blockIndex) : (p as { value: number }).value;
      offset += position * expandedStrides[i];
    });
    sources.push(offset); // the inserted axes have length 1, so offsets in the expanded source are offsets in x
  }
  return { shape: outShape, sources };
}

/** NumPy's `x[entries]`. */
export function refIndex(x: Nd, entries: readonly RefEntry[]): Nd {
  const { shape, sources } = select(x.shape, entries);
  return { shape, data: sources.map((s) => x.data[s]) };
}

/**
 * NumPy's `x[entries] = value` (value broadcast to the selection, after dropping surplus leading 1s),
 * returned as the values each position may hold: one for positions written once or not at all, all
 * the written values where advanced indices repeat a position (which one wins is unspecified).
 */
export function refWrite(x: Nd, entries: readonly RefEntry[], value: Nd): number[][] {
  const { shape, sources } = select(x.shape, entries);
  let vShape = [...value.shape];
  while (vShape.length > shape.length && vShape[0] === 1) vShape = vShape.slice(1);
  const v: Nd = { shape: vShape, data: value.data };
  if (broadcastShapes(vShape, shape).some((d, i) => d !== shape[i])) throw new Error('value does not broadcast');
  const written: number[][] = x.data.map(() => []);
  sources.forEach((s, flat) => written[s].push(broadcastAt(v, unravel(flat, shape))));
  return written.map((values, i) => (values.length === 0 ? [x.data[i]] : values));
}
