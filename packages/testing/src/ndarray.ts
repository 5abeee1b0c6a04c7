// A minimal row-major float64 array for references: the independent side of every comparison.
import { sizeOf } from './random.js';

export interface Nd {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

export function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= shape[i];
  }
  return out;
}

/** Row-major multi-index of flat position `flat`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i];
    flat = Math.floor(flat / shape[i]);
  }
  return idx;
}

export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`shapes ${a} and ${b} do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** The element of `x` that lands at output index `idx` under broadcasting. */
export function broadcastAt(x: Nd, idx: readonly number[]): number {
  const offset = idx.length - x.shape.length;
  const st = strides(x.shape);
  let flat = 0;
  for (let i = 0; i < x.shape.length; i++) flat += (x.shape[i] === 1 ? 0 : idx[i + offset]) * st[i];
  return x.data[flat];
}

export function elementwise(inputs: readonly Nd[], f: (...xs: number[]) => number): Nd {
  const shape = inputs.map((x) => x.shape).reduce((s, t) => broadcastShapes(s, t), [] as number[]);
  const data: number[] = [];
  for (let i = 0; i < sizeOf(shape); i++) {
    const idx = unravel(i, shape);
    data.push(Number(f(...inputs.map((x) => broadcastAt(x, idx)))));
  }
  return { shape, data };
}

/** Reduces `axes` (normalized, distinct) with `f` over the reduced elements in row-major order. */
export function reduce(x: Nd, axes: readonly number[], keepdims: boolean, f: (xs: number[]) => number): Nd {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const outShape = kept.map((i) => x.shape[i]);
  const groups: number[][] = Array.from({ length: sizeOf(outShape) }, () => []);
  const outStrides = strides(outShape);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape);
    let g = 0;
    kept.forEach((axis, j) => (g += idx[axis] * outStrides[j]));
    groups[g].push(x.data[i]);
  }
  const shape = keepdims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : outShape;
  return { shape, data: groups.map((g) => Number(f(g))) };
}

export function transpose(x: Nd, perm: readonly number[]): Nd {
  const shape = perm.map((p) => x.shape[p]);
  const st = strides(x.shape);
  const data: number[] = [];
  for (let i = 0; i < sizeOf(shape); i++) {
    const idx = unravel(i, shape);
    let flat = 0;
    perm.forEach((p, j) => (flat += idx[j] * st[p]));
    data.push(x.data[flat]);
  }
  return { shape, data };
}
