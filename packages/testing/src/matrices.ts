// Random matrices of the kinds linear-algebra identity tests need, and float64 matrix arithmetic over
// Nd values (batched over leading axes) to check the identities independently of MLX.
import fc from 'fast-check';
import type { Nd } from './ndarray.js';
import { sizeOf } from './random.js';

export type MatrixShape = 'square' | 'tall' | 'wide' | 'batched';
export type InputKind = 'general' | 'invertible' | 'spd' | 'lower' | 'upper' | 'rhs' | 'vector3';

/** [batch..., rows, cols] of the first (matrix) input for each shape kind. */
export function matrixShapeArb(kind: MatrixShape): fc.Arbitrary<number[]> {
  const n = fc.integer({ min: 1, max: 6 });
  switch (kind) {
    case 'square':
      return n.map((k) => [k, k]);
    case 'tall':
      return fc.tuple(n, fc.integer({ min: 1, max: 4 })).map(([k, extra]) => [k + extra, k]);
    case 'wide':
      return fc.tuple(n, fc.integer({ min: 1, max: 4 })).map(([k, extra]) => [k, k + extra]);
    case 'batched':
      return fc.tuple(fc.integer({ min: 1, max: 3 }), n).map(([b, k]) => [b, k, k]);
  }
}

/** Values of one input of `kind`, given the first input's shape; entries are in [-1, 1] before shaping. */
export function inputOf(kind: InputKind, shape: number[], raw: number[]): Nd {
  const rows = shape[shape.length - 2];
  const cols = shape[shape.length - 1];
  const batch = shape.slice(0, -2);
  const take = (s: number[]) => ({ shape: s, data: Array.from({ length: sizeOf(s) }, (_, i) => raw[i % raw.length]) });
  switch (kind) {
    case 'general':
      return take(shape);
    case 'invertible':
      return addIdentity(take(shape), cols + 1);
    case 'spd': {
      const b = take(shape);
      return addIdentity(matmul(b, transposeLast(b)), rows);
    }
    case 'lower':
    case 'upper': {
      const m = addIdentity(take(shape), 2);
      return mapIndexed(m, (v, r, c) => ((kind === 'lower' ? c <= r : c >= r) ? v : 0));
    }
    case 'rhs':
      return take([...batch, rows, 2]);
    case 'vector3':
      return take([...batch, rows, 3]);
  }
}

export function mapIndexed(x: Nd, f: (v: number, row: number, col: number) => number): Nd {
  const rows = x.shape[x.shape.length - 2];
  const cols = x.shape[x.shape.length - 1];
  return { shape: x.shape, data: x.data.map((v, i) => f(v, Math.floor(i / cols) % rows, i % cols)) };
}

export function addIdentity(x: Nd, scale: number): Nd {
  return mapIndexed(x, (v, r, c) => (r === c ? v + scale : v));
}

export function eye(n: number, batch: readonly number[] = []): Nd {
  return mapIndexed({ shape: [...batch, n, n], data: new Array(sizeOf([...batch, n, n])).fill(0) }, (_, r, c) => (r === c ? 1 : 0));
}

/** Batched matrix product; the batch axes of `a` and `b` must match (or `b` has none). */
export function matmul(a: Nd, b: Nd): Nd {
  const [m, k] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  if (k !== k2) throw new Error(`matmul: ${a.shape} @ ${b.shape}`);
  const batch = a.shape.slice(0, -2);
  const count = sizeOf(batch);
  const bStride = b.shape.length > 2 ? k * n : 0;
  const data: number[] = [];
  for (let t = 0; t < count; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += a.data[t * m * k + i * k + q] * b.data[t * bStride + q * n + j];
        data.push(s);
      }
    }
  }
  return { shape: [...batch, m, n], data };
}

export function transposeLast(x: Nd): Nd {
  const [r, c] = x.shape.slice(-2);
  const batch = x.shape.slice(0, -2);
  const data: number[] = [];
  for (let t = 0; t < sizeOf(batch); t++) {
    for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) data.push(x.data[t * r * c + i * c + j]);
  }
  return { shape: [...batch, c, r], data };
}

/** Multiplies each column j of the last two axes by s[..., j]. */
export function scaleColumns(x: Nd, s: Nd): Nd {
  const [r, c] = x.shape.slice(-2);
  return { shape: x.shape, data: x.data.map((v, i) => v * s.data[Math.floor(i / (r * c)) * c + (i % c)]) };
}

/** The largest absolute elementwise difference, relative to the scale of `b` (shapes must match). */
export function residual(a: Nd, b: Nd): number {
  if (a.shape.join() !== b.shape.join()) return Infinity;
  const scale = Math.max(1, ...b.data.map(Math.abs));
  return Math.max(0, ...a.data.map((v, i) => Math.abs(v - b.data[i]))) / scale;
}

/** The largest absolute entry on the side of the diagonal that must be zero (0 when triangular). */
export function offTriangle(x: Nd, keep: 'lower' | 'upper'): number {
  return Math.max(0, ...mapIndexed(x, (v, r, c) => ((keep === 'lower' ? c > r : c < r) ? Math.abs(v) : 0)).data);
}

/** The first `cols` columns of the last two axes. */
export function firstColumns(x: Nd, cols: number): Nd {
  const [r, c] = x.shape.slice(-2);
  const batch = x.shape.slice(0, -2);
  const data: number[] = [];
  for (let t = 0; t < sizeOf(batch); t++) for (let i = 0; i < r; i++) for (let j = 0; j < cols; j++) data.push(x.data[t * r * c + i * c + j]);
  return { shape: [...batch, r, cols], data };
}

/** The first `rows` rows of the last two axes. */
export function firstRows(x: Nd, rows: number): Nd {
  const [, c] = x.shape.slice(-2);
  const r = x.shape[x.shape.length - 2];
  const batch = x.shape.slice(0, -2);
  const data: number[] = [];
  for (let t = 0; t < sizeOf(batch); t++) for (let i = 0; i < rows; i++) for (let j = 0; j < c; j++) data.push(x.data[t * r * c + i * c + j]);
  return { shape: [...batch, rows, c], data };
}
