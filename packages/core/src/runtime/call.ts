// What generated op functions call: the binding, tidy tracking and argument checks.
import { native, type Tensor } from '@mlxts/native';
import { currentScope } from './scope.js';

export { native };
export type { ArrayLike, DType, StreamOptions, Tensor } from '../types.js';

/** Registers a new tensor with the innermost `tidy` scope, if any. */
export function track(tensor: Tensor): Tensor {
  currentScope()?.add(tensor);
  return tensor;
}

/** Registers each of a list of new tensors (a tuple keeps its type) with the innermost `tidy` scope, if any. */
export function trackAll<T extends Tensor[]>(tensors: T): T {
  const scope = currentScope();
  if (scope) for (const t of tensors) scope.add(t);
  return tensors;
}

export function checkArity(op: string, max: number, got: number): never {
  throw new TypeError(`${op}: expected at most ${max} arguments, got ${got}`);
}

/**
 * The trailing options object must be a plain object with only the keys the function takes (a typo is an
 * error). Exported for packages built on core, so that every package words this mistake the same way.
 */
export function checkOptions(op: string, options: unknown, keys: readonly string[]): void {
  if (!isPlainObject(options)) {
    throw new TypeError(`${op}: options must be an object, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!keys.includes(key)) throw new TypeError(`${op}: unknown option '${key}'; the options are ${keys.join(', ')}`);
  }
}

/**
 * An op's rest arguments and the options object that may follow them: a trailing plain object is the
 * options, unless it is a complex number (`{re, im}`), which is an operand.
 */
export function splitRest<T, O extends object>(args: readonly [...T[], O] | readonly T[]): [T[], O | undefined] {
  const last: unknown = args[args.length - 1];
  if (isPlainObject(last) && !('re' in last && 'im' in last)) return [args.slice(0, -1) as T[], last as O];
  return [args.slice() as T[], undefined];
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return `a ${value.constructor?.name ?? 'class instance'}`;
  return String(value);
}

/**
 * The method an operand object of another package implements to handle an op it is passed to
 * (`@mlxts/quant`'s QuantizedTensor handles `matmul`): `[operandHook](op, position, args)` returns the
 * result. Only ops marked `js.dispatch` in the schema look for it.
 */
export const operandHook: unique symbol = Symbol.for('mlxts.operandHook');

export interface OperandHandler {
  [operandHook](op: string, position: number, args: ArrayLike<unknown>): unknown;
}

/** The result of the first argument that handles `op` itself, or undefined. */
export function dispatchOperand(op: string, args: ArrayLike<unknown>): unknown {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg === 'object' && arg !== null && operandHook in arg) return (arg as OperandHandler)[operandHook](op, i, args);
  }
  return undefined;
}
