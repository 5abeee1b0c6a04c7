// A reference for dtype rules (schema `dtype:`): MLX's type promotion written out from its documented
// lattice (JAX's rules: bool below every number, unsigned and signed integers each ordered by width, a
// signed integer wide enough for both where they meet, any float above any integer), independently of
// MLX's own table, so the generated dtype tests compare MLX against it.
import type { DType } from '@mlxts/core';

export const ALL_DTYPES: readonly DType[] = [
  'bool', 'uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64',
  'float16', 'bfloat16', 'float32', 'float64', 'complex64',
];

const BITS: Record<string, number> = { uint8: 8, uint16: 16, uint32: 32, uint64: 64, int8: 8, int16: 16, int32: 32, int64: 64 };

const isUnsigned = (d: DType) => d.startsWith('uint');
const isSigned = (d: DType) => d.startsWith('int');
/** Floating point or complex: what `at_least_float` keeps. */
export const isInexact = (d: DType) => d.startsWith('float') || d === 'bfloat16' || d === 'complex64';

function signedOfBits(bits: number): DType {
  return `int${Math.min(bits, 64)}` as DType;
}

/** The dtype MLX gives a binary op of `a` and `b`. */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === 'bool') return b;
  if (b === 'bool') return a;
  if (a === 'complex64' || b === 'complex64') return 'complex64';
  if (isInexact(a) && isInexact(b)) {
    if (a === 'float64' || b === 'float64') return 'float64';
    // float16 with bfloat16, or either with float32: float32 holds both.
    return 'float32';
  }
  if (isInexact(a)) return a;
  if (isInexact(b)) return b;
  if (isUnsigned(a) === isUnsigned(b)) return BITS[a] >= BITS[b] ? a : b;
  const [u, s] = isUnsigned(a) ? [a, b] : [b, a];
  // No signed integer holds every uint64: MLX (like JAX) goes to float32.
  if (u === 'uint64') return 'float32';
  return signedOfBits(Math.max(2 * BITS[u], BITS[s]));
}

/** `at_least_float(d)`: d when it is floating point or complex, float32 otherwise. */
export function atLeastFloat(d: DType): DType {
  return isInexact(d) ? d : 'float32';
}

/** A rule's mapping applied to a dtype (`same(a); bool -> int32`). */
export function mapDtype(d: DType, map: Readonly<Record<string, DType>>): DType {
  return map[d] ?? d;
}

export { isSigned, isUnsigned };
