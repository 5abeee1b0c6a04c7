// Argument checks shared by the layers, losses and initializers, following the project's error rule:
// a value of the wrong kind is a TypeError, a number outside what the function allows a RangeError, and
// anything that depends on tensors (shapes, dtypes) an MlxError naming the function.
import { MlxError } from '@mlxts/core';

export { checkOptions } from '@mlxts/core';

/** A positive integer (a size, a count). */
export function checkPositiveInt(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`${fn}: ${name} must be an integer, got ${String(value)}`);
  if (value <= 0) throw new RangeError(`${fn}: ${name} must be positive, got ${value}`);
  return value;
}

/** A non-negative integer (a padding, an offset). */
export function checkNonNegativeInt(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`${fn}: ${name} must be an integer, got ${String(value)}`);
  if (value < 0) throw new RangeError(`${fn}: ${name} must be non-negative, got ${value}`);
  return value;
}

/** A finite number. */
export function checkNumber(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`${fn}: ${name} must be a number, got ${String(value)}`);
  return value;
}

/** A number in `[low, high)`. */
export function checkInRange(fn: string, name: string, value: unknown, low: number, high: number): number {
  checkNumber(fn, name, value);
  if ((value as number) < low || (value as number) >= high) throw new RangeError(`${fn}: ${name} must be in [${low}, ${high}), got ${value}`);
  return value as number;
}

/** A positive number (an epsilon). */
export function checkPositive(fn: string, name: string, value: unknown): number {
  checkNumber(fn, name, value);
  if ((value as number) <= 0) throw new RangeError(`${fn}: ${name} must be positive, got ${value}`);
  return value as number;
}

export function checkBoolean(fn: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${fn}: ${name} must be a boolean, got ${typeof value}`);
  return value;
}

/** One of the strings `allowed`. */
export function checkChoice<T extends string>(fn: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new TypeError(`${fn}: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${typeof value === 'string' ? `'${value}'` : typeof value}`);
  }
  return value as T;
}

/** An integer or a list of `n` integers (a kernel size, a stride), each at least `min`, as a list. */
export function intTuple(fn: string, name: string, value: unknown, n: number, min: number): number[] {
  const list = typeof value === 'number' ? new Array<number>(n).fill(value) : value;
  if (!Array.isArray(list) || list.length !== n || list.some((v) => typeof v !== 'number' || !Number.isInteger(v))) {
    throw new TypeError(`${fn}: ${name} must be an integer or a list of ${n} integers, got ${JSON.stringify(value)}`);
  }
  if (list.some((v) => v < min)) throw new RangeError(`${fn}: ${name} must be at least ${min}, got ${JSON.stringify(value)}`);
  return [...list];
}

/** An error that depends on the tensors (a shape, an ndim), named after the function. */
export function mlxError(fn: string, message: string): MlxError {
  return new MlxError(`${fn}: ${message}`, fn);
}
