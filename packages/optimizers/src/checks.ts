// Argument checks for the optimizers, following the project's error rule: a value of the wrong kind is a
// TypeError, a number outside what the optimizer allows a RangeError.
export { checkOptions } from '@mlxts/core';

export function checkNumber(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`${fn}: ${name} must be a number, got ${String(value)}`);
  return value;
}

/** A number with `low <= value` (and `value < high` when given). */
export function checkRange(fn: string, name: string, value: unknown, low: number, high = Infinity, lowExclusive = false): number {
  checkNumber(fn, name, value);
  const v = value as number;
  if (lowExclusive ? v <= low : v < low) throw new RangeError(`${fn}: ${name} must be ${lowExclusive ? '>' : '>='} ${low}, got ${v}`);
  if (v >= high) throw new RangeError(`${fn}: ${name} must be < ${high}, got ${v}`);
  return v;
}

export function checkBetas(fn: string, betas: unknown): [number, number] {
  if (!Array.isArray(betas) || betas.length !== 2) throw new TypeError(`${fn}: betas must be a pair of numbers, got ${JSON.stringify(betas)}`);
  betas.forEach((b, i) => checkRange(fn, `betas[${i}]`, b, 0, 1));
  return [betas[0], betas[1]];
}

export function checkPositiveInt(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`${fn}: ${name} must be an integer, got ${String(value)}`);
  if (value < 1) throw new RangeError(`${fn}: ${name} must be at least 1, got ${value}`);
  return value;
}

export function checkScheduled(fn: string, name: string, value: unknown): void {
  if (typeof value !== 'number' && typeof value !== 'function' && !(typeof value === 'object' && value !== null)) {
    throw new TypeError(`${fn}: ${name} must be a number, a scalar Tensor or a schedule, got ${typeof value}`);
  }
}
