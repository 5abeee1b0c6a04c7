// Float64 reference functions that JS's Math lacks, for the generated tests' `refs.` references.
// Each is an independent implementation (series or textbook formulas), never a call into MLX.

/** Round half to even, as MLX's round does. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
