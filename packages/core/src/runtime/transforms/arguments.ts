// The arguments and results of transforms: checking them, and splitting trees into their tensors and a
// skeleton that is refilled with other tensors (tracers on the way in, results on the way out).
import { MlxError, type Tensor } from '@mlxts/native';
import { isTensor } from '../scope.js';
import { isPlainObject, joinPath } from '../tree.js';

/** Any function a transform accepts (trees of tensors in, trees of tensors out). */
export type AnyFunction = (...args: any[]) => any;

export function checkFunction(op: string, fn: unknown, name = 'fn'): asserts fn is AnyFunction {
  if (typeof fn !== 'function') throw new TypeError(`${op}: ${name} must be a function, got ${describe(fn)}`);
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (isTensor(value)) return 'a Tensor';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return isPlainObject(value) ? 'an object' : `an instance of ${value.constructor?.name ?? 'a class'}`;
  if (typeof value === 'string') return `the string '${value}'`;
  if (typeof value === 'function') return 'a function';
  return String(value);
}

/** Where a leaf is, for messages: "argument 0 at 'layers.0.w'" or just "argument 0". */
export function at(where: string, path: string): string {
  return path === '' ? where : `${where} at '${path}'`;
}

/** A tree whose tensor leaves are replaced by this marker: what fillTensors refills. */
const TENSOR: unique symbol = Symbol('tensor');

export function isTensorPlace(node: unknown): boolean {
  return node === TENSOR;
}

export interface Split {
  tensors: Tensor[];
  /** The treeFlatten path of each tensor. */
  paths: string[];
  skeleton: unknown;
}

/**
 * The tensors of `tree` in treeFlatten order, and its skeleton. With `strict`, every leaf must be a tensor
 * (a TypeError naming the leaf otherwise); without, other leaves are constants kept in the skeleton.
 */
export function splitTensors(op: string, tree: unknown, where: string, strict: boolean): Split {
  const tensors: Tensor[] = [];
  const paths: string[] = [];
  const visit = (node: unknown, path: string): unknown => {
    if (Array.isArray(node)) return node.map((child, i) => visit(child, joinPath(path, i)));
    if (isPlainObject(node)) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(node)) out[key] = visit(node[key], joinPath(path, key));
      return out;
    }
    if (isTensor(node)) {
      if (node.disposed) throw new TypeError(`${op}: ${at(where, path)} is a disposed tensor`);
      tensors.push(node);
      paths.push(path);
      return TENSOR;
    }
    if (strict) throw new TypeError(`${op}: ${at(where, path)} must be a tensor, got ${describe(node)}`);
    if (isPromiseLike(node)) throw new TypeError(`${op}: ${at(where, path)} is a Promise; await it first`);
    return node;
  };
  const skeleton = visit(tree, '');
  return { tensors, paths, skeleton };
}

/** The tree of `skeleton` with its tensor places filled from `tensors` (or other values), starting at `offset`. */
export function fillTensors(skeleton: unknown, tensors: readonly unknown[], offset = 0): any {
  let next = offset;
  const visit = (node: unknown): unknown => {
    if (node === TENSOR) return tensors[next++];
    if (Array.isArray(node)) return node.map(visit);
    if (isPlainObject(node)) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(node)) out[key] = visit(node[key]);
      return out;
    }
    return node;
  };
  return visit(skeleton);
}

/** The positional arguments of a call, split one by one: what the traced function rebuilds them from. */
export class SplitArgs {
  readonly tensors: Tensor[] = [];
  /** Where each argument's tensors start in `tensors`. */
  readonly starts: number[] = [];
  readonly skeletons: unknown[] = [];

  add(split: Split): void {
    this.starts.push(this.tensors.length);
    this.skeletons.push(split.skeleton);
    this.tensors.push(...split.tensors);
  }

  /** The arguments again, with `leaves` (tracers) in the places of the tensors. */
  rebuild(leaves: readonly Tensor[]): unknown[] {
    return this.skeletons.map((skeleton, i) => fillTensors(skeleton, leaves, this.starts[i]));
  }
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** An MlxError raised by the JS side of a transform (the same class MLX's own errors have). */
export function mlxError(op: string, message: string): MlxError {
  return new MlxError(`${op}: ${message}`, op);
}

const differentiable = new Set(['float16', 'bfloat16', 'float32', 'float64', 'complex64']);

/** Tensors to differentiate must be floating point (or complex). */
export function checkDifferentiable(op: string, split: Split, where: string): void {
  split.tensors.forEach((t, i) => {
    if (!differentiable.has(t.dtype)) {
      throw mlxError(op, `${at(where, split.paths[i])} has dtype ${t.dtype}; gradients need floating-point (or complex) tensors`);
    }
  });
}
