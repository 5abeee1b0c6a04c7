// `String(t)`, `t.toString()` and `console.log(t)`: MLX's own print format, as MLX Python's repr shows it:
//
//   array([[1, 2],
//          [3, 4]], dtype=int32)
//
// Floats use C++'s default stream format (6 significant digits, `%g`), an axis longer than 6 shows its
// first and last 3 entries around '...', and no column padding, exactly as MLX prints. Booleans print
// as JS's `true`/`false` (MLX C++'s own output; Python capitalizes them).
import { inspect } from 'node:util';
import { Tensor, type Scalar } from '@mlxts/native';
import { concatenate } from '../generated/ops/concatenate.js';
import { slice } from '../generated/ops/slice.js';
import { tidy } from './scope.js';
import type { NestedValues } from './tensor.js';

declare module '@mlxts/native' {
  interface Tensor {
    /**
     * The values in MLX's print format, e.g. `array([1, 2, 3], dtype=int32)`; axes longer than 6 are
     * summarised with '...'. Evaluates the tensor (blocking). `console.log(t)` prints the same.
     */
    toString(): string;
  }
}

/** Entries shown at each end of an axis longer than `2 * EDGE_ITEMS`. */
const EDGE_ITEMS = 3;
const PREFIX = 'array(';

Tensor.prototype.toString = function (this: Tensor): string {
  return formatTensor(this);
};

Object.defineProperty(Tensor.prototype, inspect.custom, {
  value(this: Tensor) {
    return formatTensor(this);
  },
});

export function formatTensor(t: Tensor): string {
  if (t.disposed) return `${PREFIX}<disposed>)`;
  const shown = t.shape.map((n) => n > 2 * EDGE_ITEMS);
  const values = tidy(() => summarised(t, shown).toArray());
  const floating = t.dtype.startsWith('float') || t.dtype === 'bfloat16' || t.dtype === 'complex64';
  return `${PREFIX}${formatNested(values, shown, 0, floating ? formatScalar : String)}, dtype=${t.dtype})`;
}

/** Only the entries that are printed: the ends of every long axis, so a huge tensor is not read back. */
function summarised(t: Tensor, shown: readonly boolean[]): Tensor {
  return shown.reduce((x, long, axis) => {
    if (!long) return x;
    const n = x.shape[axis];
    const ends = (start: number, stop: number) =>
      slice(x, x.shape.map((_, k) => (k === axis ? start : 0)), x.shape.map((d, k) => (k === axis ? stop : d)));
    return concatenate([ends(0, EDGE_ITEMS), ends(n - EDGE_ITEMS, n)], axis);
  }, t);
}

function formatNested(values: NestedValues, shown: readonly boolean[], dim: number, format: (v: Scalar) => string): string {
  if (!Array.isArray(values)) return format(values);
  const last = dim === shown.length - 1;
  const parts = values.map((v) => formatNested(v, shown, dim + 1, format));
  if (shown[dim]) parts.splice(EDGE_ITEMS, 0, '...');
  // Rows after the first line up under the first one's opening bracket.
  return `[${parts.join(last ? ', ' : `,\n${' '.repeat(PREFIX.length + dim + 1)}`)}]`;
}

/** A float or complex element; integers and booleans print with String. */
function formatScalar(v: Scalar): string {
  if (typeof v !== 'object') return formatFloat(Number(v));
  return `${formatFloat(v.re)}${v.im >= 0 ? `+${formatFloat(v.im)}` : `-${formatFloat(-v.im)}`}j`;
}

/** C's `%g` with 6 significant digits (what `std::ostream << float` writes). */
function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const sign = v < 0 ? '-' : '';
  const [digits, exponent] = sixDigits(Math.abs(v));
  if (exponent < -4 || exponent >= 6) {
    return `${sign}${trimZeros(`${digits[0]}.${digits.slice(1)}`)}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = exponent >= 0 ? `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}` : `0.${'0'.repeat(-exponent - 1)}${digits}`;
  return sign + trimZeros(fixed);
}

/**
 * The first 6 significant digits of x > 0 and its decimal exponent, rounded as glibc's printf rounds:
 * to nearest, ties to even. (JS's toExponential breaks ties upwards.) A tie's exact decimal expansion
 * ends at its 7th digit, so 100 digits of it are enough to see one.
 */
function sixDigits(x: number): [string, number] {
  const [exact, exactExponent] = x.toExponential(100).split('e');
  if (/^50*$/.test(exact.slice(7)) && Number(exact[6]) % 2 === 0) return [exact[0] + exact.slice(2, 7), Number(exactExponent)];
  const [rounded, exponent] = x.toExponential(5).split('e');
  return [rounded[0] + rounded.slice(2), Number(exponent)];
}

function trimZeros(text: string): string {
  return text.replace(/0+$/, '').replace(/\.$/, '');
}
