// mx.vmap over MLX's vmap_trace / vmap_replace: the function is traced once on unbatched tracers and
// every primitive in the graph is replaced by its batched version.
import { native, type Tensor } from '@mlxts/native';
import { trackAll } from '../call.js';
import { isPlainObject, joinPath } from '../tree.js';
import { at, checkFunction, describe, fillTensors, mlxError, splitTensors, type AnyFunction } from './arguments.js';
import { callUser, runTransform, traced } from './trace.js';

/** A vectorization axis, or null for "not mapped"; or a tree of them that is a prefix of the arguments (outputs). */
export type AxesTree = number | null | readonly AxesTree[] | { readonly [key: string]: AxesTree };

/**
 * The axis for each tensor of `tree`, read from `axes`, a prefix tree of it: a number (or null) stands for
 * every tensor below its place.
 */
export function axesPerTensor(op: string, name: string, tree: unknown, axes: unknown): (number | null)[] {
  const out: (number | null)[] = [];
  const visit = (node: unknown, ax: unknown, path: string): void => {
    if (ax === null || typeof ax === 'number') {
      if (typeof ax === 'number' && !Number.isInteger(ax)) throw new TypeError(`${op}: ${name} must hold integers or null, got ${ax}`);
      for (const _ of splitTensors(op, node, 'the argument', true).tensors) out.push(ax);
      return;
    }
    if (Array.isArray(node) && Array.isArray(ax) && ax.length === node.length) {
      node.forEach((child, i) => visit(child, ax[i], joinPath(path, i)));
      return;
    }
    if (isPlainObject(node) && isPlainObject(ax)) {
      for (const key of Object.keys(node)) {
        if (!(key in ax)) throw new TypeError(`${op}: ${name} has no entry for '${joinPath(path, key)}'`);
        visit(node[key], ax[key], joinPath(path, key));
      }
      return;
    }
    throw new TypeError(`${op}: ${name} ${path === '' ? '' : `at '${path}' `}must be an integer, null, or a tree matching the ${name === 'inAxes' ? 'arguments' : 'outputs'}; got ${describe(ax)}`);
  };
  visit(tree, axes, '');
  return out;
}

/** `axis` of a tensor with `ndim` axes (`ndim + 1` places for output axes), as a non-negative index. */
function normalizeAxis(op: string, axis: number, ndim: number, what: string): number {
  const normalized = axis < 0 ? axis + ndim : axis;
  if (normalized < 0 || normalized >= ndim) {
    throw mlxError(op, `axis ${axis} is out of range for ${what}`);
  }
  return normalized;
}

/**
 * A vectorized version of `fn`: it maps `fn` over an axis of its inputs, as a loop over that axis
 * would, but as one batched graph. `inAxes` gives the mapped axis of each input (null: not mapped), as
 * one number for all or a tree matching the arguments (with one argument, matching that argument);
 * `outAxes` places the mapped axis in each output. Arguments and results are trees of tensors.
 *
 * @example
 * ```ts
 * const rowSums = mx.vmap((row: mx.Tensor) => mx.sum(row));
 * rowSums(mx.array([[1, 2], [3, 4]])); // [3, 7]
 * ```
 */
export function vmap<F extends AnyFunction>(fn: F, inAxes: AxesTree = 0, outAxes: AxesTree = 0): F {
  const op = 'vmap';
  if (arguments.length > 3) throw new TypeError(`${op}: expected at most 3 arguments, got ${arguments.length}`);
  checkFunction(op, fn);
  return ((...args: unknown[]) => {
    // As MLX Python: with one argument the axes describe that argument, with several the list of them.
    const tree = args.length === 1 ? args[0] : args;
    const inputs = splitTensors(op, tree, 'the arguments', true);
    const inAxisList = axesPerTensor(op, 'inAxes', tree, inAxes).map((axis, i) => {
      if (axis === null) return -1;
      const t = inputs.tensors[i];
      const what = `${at('the input', inputs.paths[i])} (shape [${t.shape.join(', ')}])`;
      if (t.ndim === 0) throw mlxError(op, `${what} is 0-d and cannot be mapped over (give it a null axis)`);
      return normalizeAxis(op, axis, t.ndim, what);
    });
    if (inAxisList.every((axis) => axis === -1)) throw new RangeError(`${op}: inAxes must map at least one input; all are null`);

    let outSkeleton: unknown;
    let outTensors: { tree: unknown; ndims: number[] } | undefined;
    const call = traced((leaves: Tensor[]) => {
      const called = fillTensors(inputs.skeleton, leaves);
      const result = callUser(op, fn, args.length === 1 ? [called] : (called as unknown[]));
      const out = splitTensors(op, result, "the function's result", true);
      outSkeleton = out.skeleton;
      outTensors = { tree: result, ndims: out.tensors.map((t) => t.ndim) };
      return out.tensors;
    });
    const outAxisList = () => {
      const { tree: result, ndims } = outTensors!;
      return axesPerTensor(op, 'outAxes', result, outAxes).map((axis, i) => {
        if (axis === null) throw new TypeError(`${op}: outAxes must be integers (every output is mapped)`);
        return normalizeAxis(op, axis, ndims[i] + 1, `an output with ${ndims[i]} axes before mapping`);
      });
    };
    const outputs = runTransform(() => native.transforms.vmap(op, call, inputs.tensors, inAxisList, outAxisList));
    trackAll(outputs);
    return fillTensors(outSkeleton, outputs);
  }) as F;
}
