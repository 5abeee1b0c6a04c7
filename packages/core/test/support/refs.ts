// Float64 reference functions that JS's Math lacks, for the generated tests' `refs.` references.
// Each is an independent implementation (series or textbook formulas), never a call into MLX.
import type { Nd } from '@mlxts/testing';

/** Round half to even, as MLX's round does. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The error function. |x| < 3: the Maclaurin series 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1));
 * otherwise the all-positive series 2/sqrt(pi) * exp(-x^2) * sum 2^n x^(2n+1) / (1*3*...*(2n+1)),
 * which has no cancellation. Beyond |x| = 6, erf is +-1 to double precision.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  const scale = 2 / Math.sqrt(Math.PI);
  let sum = 0;
  if (ax < 3) {
    let power = x; // (-1)^n x^(2n+1) / n!
    for (let n = 0; n < 200; n++) {
      const term = power / (2 * n + 1);
      sum += term;
      if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
      power *= (-x * x) / (n + 1);
    }
    return scale * sum;
  }
  let term = x; // 2^n x^(2n+1) / (2n+1)!!
  for (let n = 0; n < 500; n++) {
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
    term *= (2 * x * x) / (2 * n + 3);
  }
  return scale * Math.exp(-x * x) * sum;
}

/** The inverse error function: Winitzki's closed-form start, then Newton steps on `erf`. */
export function erfinv(y: number): number {
  if (Number.isNaN(y) || Math.abs(y) > 1) return NaN;
  if (Math.abs(y) === 1) return y * Infinity;
  if (y === 0) return y;
  const a = 0.147;
  const l = Math.log(1 - y * y);
  const t = 2 / (Math.PI * a) + l / 2;
  let x = Math.sign(y) * Math.sqrt(Math.sqrt(t * t - l / a) - t);
  for (let i = 0; i < 50; i++) {
    const step = (erf(x) - y) / ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x));
    x -= step;
    if (Math.abs(step) <= 1e-16 * Math.abs(x)) break;
  }
  return x;
}

/** Python's `//` on float64 values: floor(a / b), with IEEE infinities and NaN for a zero divisor. */
export function floorDivide(a: number, b: number): number {
  return Math.floor(a / b);
}

/** Python's `%` on float64 values: the remainder takes the divisor's sign; NaN for a zero divisor. */
export function remainder(a: number, b: number): number {
  const r = a % b; // fmod: exact, with the dividend's sign
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/**
 * Identity check for `divmod(a, b) -> [q, r]` on floating-point inputs: q must be floor(a / b) and r the
 * floored remainder, element by element (a and b have one shape). Returns the largest deviation;
 * Infinity where a non-finite value is not matched exactly.
 */
export function divmod([a, b]: Nd[], [q, r]: Nd[]): number {
  let worst = 0;
  const check = (actual: number, expected: number) => {
    if (Number.isNaN(expected) || !Number.isFinite(expected)) {
      if (!Object.is(actual, expected) && !(Number.isNaN(actual) && Number.isNaN(expected))) worst = Infinity;
      return;
    }
    worst = Math.max(worst, Math.abs(actual - expected));
  };
  if (q.data.length !== a.data.length || r.data.length !== a.data.length) return Infinity;
  for (let i = 0; i < a.data.length; i++) {
    check(q.data[i], floorDivide(a.data[i], b.data[i]));
    check(r.data[i], remainder(a.data[i], b.data[i]));
  }
  return worst;
}
