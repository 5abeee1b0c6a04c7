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

export function trackAll(tensors: Tensor[]): Tensor[] {
  const scope = currentScope();
  if (scope) for (const t of tensors) scope.add(t);
  return tensors;
}

export function checkArity(op: string, max: number, got: number): never {
  throw new TypeError(`${op}: expected at most ${max} arguments, got ${got}`);
}

export function checkOptions(op: string, options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${op}: options must be an object such as { stream: 'cpu' }, got ${String(options)}`);
  }
}
