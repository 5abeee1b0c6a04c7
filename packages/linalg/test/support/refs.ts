// Identity checks for the generated linalg tests: each takes the inputs and outputs as float64 Nd values
// and returns the largest residual of the identities the outputs must satisfy. The arithmetic is plain
// TS (@mlxts/testing's matrices), independent of MLX.
import {
  eye,
  firstColumns,
  firstRows,
  matmul,
  offTriangle,
  residual,
  scaleColumns,
  sizeOf,
  transposeLast,
  type Nd,
} from '@mlxts/testing';

const rowsOf = (x: Nd) => x.shape[x.shape.length - 2];
const colsOf = (x: Nd) => x.shape[x.shape.length - 1];
const batchOf = (x: Nd) => x.shape.slice(0, -2);
const orthonormalColumns = (q: Nd) => residual(matmul(transposeLast(q), q), eye(colsOf(q), batchOf(q)));

export function qr([a]: Nd[], [q, r]: Nd[]): number {
  return Math.max(residual(matmul(q, r), a), orthonormalColumns(q), offTriangle(r, 'upper'));
}

export function svd([a]: Nd[], [u, s, vt]: Nd[]): number {
  const k = s.shape[s.shape.length - 1];
  const descending = s.data.every((v, i) => v >= 0 && (i % k === 0 || s.data[i - 1] >= v - 1e-6));
  const us = scaleColumns(firstColumns(u, k), s);
  return Math.max(residual(matmul(us, firstRows(vt, k)), a), orthonormalColumns(u), orthonormalColumns(transposeLast(vt)), descending ? 0 : Infinity);
}

export function inverse([a]: Nd[], [x]: Nd[]): number {
  return residual(matmul(a, x), eye(rowsOf(a), batchOf(a)));
}

export function pinv([a]: Nd[], [p]: Nd[]): number {
  const ap = matmul(a, p);
  const pa = matmul(p, a);
  return Math.max(residual(matmul(ap, a), a), residual(matmul(pa, p), p), residual(transposeLast(ap), ap), residual(transposeLast(pa), pa));
}

export function cholesky([a]: Nd[], [l]: Nd[]): number {
  return Math.max(residual(matmul(l, transposeLast(l)), a), offTriangle(l, 'lower'));
}

/** The input is a lower Cholesky factor L of A = L Lᵀ; the output must be inv(A). */
export function choleskyInv([l]: Nd[], [x]: Nd[]): number {
  return residual(matmul(matmul(l, transposeLast(l)), x), eye(rowsOf(l), batchOf(l)));
}

export function solve([a, b]: Nd[], [x]: Nd[]): number {
  return residual(matmul(a, x), b);
}

export function eigh([a]: Nd[], [w, v]: Nd[]): number {
  const n = colsOf(a);
  const ascending = w.data.every((x, i) => i % n === 0 || w.data[i - 1] <= x + 1e-6);
  return Math.max(residual(matmul(a, v), scaleColumns(v, w)), orthonormalColumns(v), ascending ? 0 : Infinity);
}

/** Eigenvalues of a symmetric matrix: their sum is the trace and their squares sum to trace(A²). */
export function eigvalsh([a]: Nd[], [w]: Nd[]): number {
  const n = colsOf(a);
  const a2 = matmul(a, a);
  let worst = 0;
  for (let t = 0; t < sizeOf(batchOf(a)); t++) {
    let trace = 0;
    let trace2 = 0;
    let sum = 0;
    let sum2 = 0;
    for (let i = 0; i < n; i++) {
      trace += a.data[t * n * n + i * n + i];
      trace2 += a2.data[t * n * n + i * n + i];
      sum += w.data[t * n + i];
      sum2 += w.data[t * n + i] ** 2;
    }
    worst = Math.max(worst, Math.abs(sum - trace) / Math.max(1, Math.abs(trace)), Math.abs(sum2 - trace2) / Math.max(1, trace2));
  }
  return worst;
}

/** Row i of A is row p[i] of L U. */
export function lu([a]: Nd[], [p, l, u]: Nd[]): number {
  const n = colsOf(a);
  const prod = matmul(l, u);
  const rows: number[] = [];
  for (let t = 0; t < sizeOf(batchOf(a)); t++) {
    for (let i = 0; i < n; i++) {
      const src = p.data[t * n + i];
      for (let j = 0; j < n; j++) rows.push(prod.data[t * n * n + src * n + j]);
    }
  }
  const unitDiagonal = Math.max(0, ...l.data.map((v, i) => (Math.floor(i / n) % n === i % n ? Math.abs(v - 1) : 0)));
  return Math.max(residual({ shape: a.shape, data: rows }, a), offTriangle(l, 'lower'), offTriangle(u, 'upper'), unitDiagonal);
}

/** Applying the row swaps in order to A gives the rows of L U, with L and U unpacked from one matrix. */
export function luFactor([a]: Nd[], [packed, pivots]: Nd[]): number {
  const n = colsOf(a);
  const l = { shape: packed.shape, data: packed.data.map((v, i) => (i % n < Math.floor(i / n) % n ? v : i % n === Math.floor(i / n) % n ? 1 : 0)) };
  const u = { shape: packed.shape, data: packed.data.map((v, i) => (i % n >= Math.floor(i / n) % n ? v : 0)) };
  const swapped = [...a.data];
  for (let t = 0; t < sizeOf(batchOf(a)); t++) {
    for (let i = 0; i < n; i++) {
      const j = pivots.data[t * n + i];
      for (let c = 0; c < n; c++) {
        const x = t * n * n + i * n + c;
        const y = t * n * n + j * n + c;
        [swapped[x], swapped[y]] = [swapped[y], swapped[x]];
      }
    }
  }
  return residual(matmul(l, u), { shape: a.shape, data: swapped });
}

/** Determinant by Gaussian elimination with partial pivoting, in float64. */
function determinants(a: Nd): number[] {
  const n = colsOf(a);
  return Array.from({ length: sizeOf(batchOf(a)) }, (_, t) => {
    const m = a.data.slice(t * n * n, (t + 1) * n * n);
    let det = 1;
    for (let c = 0; c < n; c++) {
      let pivot = c;
      for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[pivot * n + c])) pivot = r;
      if (m[pivot * n + c] === 0) return 0;
      if (pivot !== c) {
        for (let k = 0; k < n; k++) [m[c * n + k], m[pivot * n + k]] = [m[pivot * n + k], m[c * n + k]];
        det = -det;
      }
      det *= m[c * n + c];
      for (let r = c + 1; r < n; r++) {
        const f = m[r * n + c] / m[c * n + c];
        for (let k = c; k < n; k++) m[r * n + k] -= f * m[c * n + k];
      }
    }
    return det;
  });
}

export function det([a]: Nd[], [d]: Nd[]): number {
  const expected = determinants(a);
  return Math.max(0, ...expected.map((e, i) => Math.abs(d.data[i] - e) / Math.max(1, Math.abs(e))));
}

export function slogdet([a]: Nd[], [sign, logabs]: Nd[]): number {
  const expected = determinants(a);
  return Math.max(0, ...expected.map((e, i) => Math.abs(sign.data[i] * Math.exp(logabs.data[i]) - e) / Math.max(1, Math.abs(e))));
}

export function cross([a, b]: Nd[], [c]: Nd[]): number {
  const data: number[] = [];
  for (let i = 0; i < a.data.length; i += 3) {
    const [x1, y1, z1] = a.data.slice(i, i + 3);
    const [x2, y2, z2] = b.data.slice(i, i + 3);
    data.push(y1 * z2 - z1 * y2, z1 * x2 - x1 * z2, x1 * y2 - y1 * x2);
  }
  return residual(c, { shape: a.shape, data });
}

/** The default norm of a tensor is the 2-norm of all its elements. */
export function frobenius([a]: Nd[], [n]: Nd[]): number {
  const expected = Math.sqrt(a.data.reduce((s, v) => s + v * v, 0));
  return Math.abs(n.data[0] - expected) / Math.max(1, expected);
}
