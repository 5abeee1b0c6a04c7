// Seeded inputs for property tests: shapes, broadcast pairs and values in a domain. fast-check prints
// the seed of a failing run; MLXTS_FC_RUNS raises the number of runs for long sessions.
import fc from 'fast-check';
import type { DType } from '@mlxts/core';
import { withoutLeaks } from './leaks.js';

export const runs = Number(process.env.MLXTS_FC_RUNS ?? 20);

/** A small deterministic generator of numbers in [0, 1) (mulberry32), so failures replay exactly. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `body` on `runs` values of `arb`, each run checked for leaked tensors. */
export function checkProperty<T>(arb: fc.Arbitrary<T>, body: (value: T) => void): void {
  fc.assert(fc.property(arb, (v) => withoutLeaks(() => body(v))), { numRuns: runs });
}

export interface Domain {
  min: number;
  max: number;
  integer: boolean;
}

const integral: ReadonlySet<DType> = new Set(['bool', 'uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64']);

export function isIntegral(dtype: DType): boolean {
  return integral.has(dtype);
}

export function shapeArb(minRank: number, maxRank: number, minDim = 0, maxDim = 4): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank });
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function valuesArb(n: number, domain: Domain, dtype: DType): fc.Arbitrary<number[]> {
  if (dtype === 'bool') return fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n });
  // Floats are multiples of 1/1024 spread evenly over the domain: fc.double favours tiny magnitudes,
  // which in float16/float32 are mostly zeros and subnormals and would hide errors elsewhere.
  const value =
    domain.integer || isIntegral(dtype)
      ? fc.integer({ min: Math.ceil(domain.min), max: Math.floor(domain.max) })
      : fc.integer({ min: Math.ceil(domain.min * 1024), max: Math.floor(domain.max * 1024) }).map((k) => k / 1024);
  return fc.array(value, { minLength: n, maxLength: n });
}

/** An output shape and two operand shapes that broadcast to it (dropped leading axes, stretched 1s). */
export const broadcastPairArb: fc.Arbitrary<{ a: number[]; b: number[] }> = shapeArb(0, 3, 0, 3).chain((out) =>
  fc
    .tuple(operandShapeArb(out), operandShapeArb(out))
    .map(([a, b]) => ({ a, b })),
);

function operandShapeArb(out: number[]): fc.Arbitrary<number[]> {
  return fc
    .tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))
    .map(([drop, ones]) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
}
