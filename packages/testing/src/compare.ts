// Value comparison with per-dtype tolerances, NaN- and infinity-aware.
import { expect } from 'vitest';
import * as mx from '@mlxts/core';
import type { Nd } from './ndarray.js';

/** |actual - expected| <= tol * (1 + |expected|); tol 0 means exact. NaN matches NaN. */
export function close(actual: number, expected: number, tol: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= tol * (1 + Math.abs(expected));
}

export function expectCloseNd(actual: Nd, expected: Nd, tol: number, context: string): void {
  expect(actual.shape, `${context}: shape`).toEqual(expected.shape);
  for (let i = 0; i < expected.data.length; i++) {
    if (!close(actual.data[i], expected.data[i], tol)) {
      throw new Error(`${context}: element ${i} is ${actual.data[i]}, expected ${expected.data[i]} (tolerance ${tol})`);
    }
  }
}

/** A tensor's values as a float64 Nd (bool -> 0/1, bigint -> number). */
export function toNd(t: mx.Tensor): Nd {
  const flat: number[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else flat.push(typeof v === 'boolean' ? Number(v) : Number(v));
  };
  walk(t.toArray());
  return { shape: t.shape, data: flat };
}

/** A tensor of `dtype` holding `values` (rounded to the dtype) in `shape`. */
export function fromValues(values: readonly number[], shape: readonly number[], dtype: mx.DType): mx.Tensor {
  return mx.reshape(mx.array(Float64Array.from(values), dtype), [...shape]);
}

/** Deep comparison of an example's result with the value written in the schema. */
export function expectMatches(actual: unknown, expected: unknown, path = 'result'): void {
  if (mx.isTensor(actual)) return expectMatches(actual.toArray(), expected, path);
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${path} is an array`).toBe(true);
    const list = actual as unknown[];
    expect(list.length, `${path}.length`).toBe(expected.length);
    expected.forEach((e, i) => expectMatches(list[i], e, `${path}[${i}]`));
    return;
  }
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (!close(actual, expected, 1e-6)) throw new Error(`${path} is ${actual}, expected ${expected}`);
    return;
  }
  if (typeof expected === 'number' && typeof actual === 'bigint') {
    expect(actual, path).toBe(BigInt(expected));
    return;
  }
  expect(actual, path).toEqual(expected);
}
