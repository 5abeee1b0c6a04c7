// Automatic differentiation: mx.grad, mx.valueAndGrad, mx.vjp and mx.jvp over MLX's own value_and_grad,
// vjp and jvp. Arguments and results are trees of tensors.
import { native, type Tensor } from '@mlxts/native';
import { trackAll } from '../call.js';
import { isTensor } from '../scope.js';
import { checkDifferentiable, checkFunction, describe, fillTensors, mlxError, SplitArgs, splitTensors, type AnyFunction } from './arguments.js';
import { callUser, runTransform, traced } from './trace.js';

/** Argument indices, sorted (MLX Python returns the gradients of several arguments in increasing order). */
function argnumList(op: string, argnums: unknown): number[] {
  if (argnums === undefined) return [0];
  const list = Array.isArray(argnums) ? argnums : [argnums];
  for (const n of list) {
    if (!Number.isInteger(n)) throw new TypeError(`${op}: argnums must be an integer or an array of integers, got ${describe(argnums)}`);
    if ((n as number) < 0) throw new RangeError(`${op}: argnums must not be negative, got ${n}`);
  }
  if (list.length === 0) throw new RangeError(`${op}: argnums must name at least one argument`);
  const sorted = [...(list as number[])].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) throw new RangeError(`${op}: argnums names argument ${sorted[i]} twice`);
  }
  return sorted;
}

/** The loss (and, for valueAndGrad, the auxiliary outputs after it) of one call of the function. */
function lossOutputs(op: string, out: unknown, withAux: boolean) {
  const loss = withAux && Array.isArray(out) ? out[0] : out;
  if (!isTensor(loss)) {
    throw new TypeError(
      withAux
        ? `${op}: the function must return a scalar tensor (the loss), or an array whose first element is one followed by auxiliary outputs; got ${describe(out)}`
        : `${op}: the function must return a scalar tensor (the loss); got ${describe(out)}`,
    );
  }
  if (!loss.disposed && loss.ndim !== 0) {
    throw mlxError(op, `the function must return a scalar (0-d) loss to differentiate; it returned shape [${loss.shape.join(', ')}]`);
  }
  return splitTensors(op, out, "the function's result", false);
}

function gradientFunction(op: string, fn: unknown, argnums: unknown, withAux: boolean) {
  checkFunction(op, fn);
  const nums = argnumList(op, argnums);
  return (...args: unknown[]): [unknown, unknown] => {
    const last = nums[nums.length - 1];
    if (last >= args.length) {
      throw new RangeError(`${op}: argnums names argument ${last}, but the function was called with ${args.length} argument(s)`);
    }
    const split = new SplitArgs();
    const gradientIndices: number[] = [];
    // Where each differentiated argument's gradients start among the gradients MLX returns.
    const gradientStarts: number[] = [];
    args.forEach((arg, i) => {
      const differentiated = nums.includes(i);
      const where = `argument ${i}`;
      const part = splitTensors(op, arg, where, differentiated);
      if (differentiated) {
        if (part.tensors.length === 0) throw new TypeError(`${op}: ${where} holds no tensors to differentiate`);
        checkDifferentiable(op, part, where);
        gradientStarts.push(gradientIndices.length);
        part.tensors.forEach((_, k) => gradientIndices.push(split.tensors.length + k));
      }
      split.add(part);
    });
    let outSkeleton: unknown;
    const call = traced((leaves: Tensor[]) => {
      const out = lossOutputs(op, callUser(op, fn, split.rebuild(leaves)), withAux);
      outSkeleton = out.skeleton;
      return out.tensors;
    });
    const [values, grads] = runTransform(() => native.transforms.valueAndGrad(op, call, split.tensors, gradientIndices));
    trackAll(values);
    trackAll(grads);
    const gradients = nums.map((n, i) => fillTensors(split.skeletons[n], grads, gradientStarts[i]));
    // One argument's gradient on its own, several as an array (MLX Python's tuple).
    return [fillTensors(outSkeleton, values), nums.length === 1 ? gradients[0] : gradients];
  };
}

/**
 * A function computing `fn`'s value and its gradient with respect to the arguments `argnums` picks
 * (default 0). `fn` returns a scalar loss, or an array `[loss, ...aux]` whose other elements are returned
 * as they are and not differentiated. The gradient has the shape of the argument: a tree of tensors
 * like a parameter tree. With an array of argnums it is an array of such trees, in increasing argument
 * order.
 *
 * @example
 * ```ts
 * const loss = (w: mx.Tensor, x: mx.Tensor) => mx.sum(mx.square(mx.matmul(x, w)));
 * const [value, dw] = mx.valueAndGrad(loss)(w, x);
 * ```
 */
export function valueAndGrad<Args extends unknown[], R>(
  fn: (...args: Args) => R,
  argnums?: number | readonly number[],
): (...args: Args) => [R, any] {
  if (arguments.length > 2) throw new TypeError(`valueAndGrad: expected at most 2 arguments, got ${arguments.length}`);
  return gradientFunction('valueAndGrad', fn, argnums, true) as (...args: Args) => [R, any];
}

/**
 * A function computing the gradient of `fn` (which returns a scalar loss) with respect to the arguments
 * `argnums` picks (default 0), as `valueAndGrad` does without the value.
 *
 * @example
 * ```ts
 * const dfdx = mx.grad((x: mx.Tensor) => mx.sum(mx.sin(x)));
 * dfdx(mx.array([0, 1])); // cos(x): [1, 0.5403]
 * ```
 */
export function grad<Args extends unknown[]>(fn: (...args: Args) => Tensor, argnums?: number | readonly number[]): (...args: Args) => any {
  if (arguments.length > 2) throw new TypeError(`grad: expected at most 2 arguments, got ${arguments.length}`);
  const both = gradientFunction('grad', fn, argnums, false);
  return (...args: Args) => {
    const [value, gradients] = both(...args);
    (value as Tensor).dispose();
    return gradients;
  };
}

/** The outputs of fn as a list of trees (a single tensor is a list of one), split into tensors. */
function outputsOf(op: string, out: unknown) {
  const list = Array.isArray(out) ? out : [out];
  return splitTensors(op, list, "the function's result", true);
}

/** Primals (and their cotangents or tangents): an array of trees of tensors. */
function treeList(op: string, value: unknown, name: string, differentiated = false): SplitArgs {
  if (!Array.isArray(value)) throw new TypeError(`${op}: ${name} must be an array (one entry per argument), got ${describe(value)}`);
  const split = new SplitArgs();
  value.forEach((tree, i) => {
    const part = splitTensors(op, tree, `${name}[${i}]`, true);
    if (differentiated) checkDifferentiable(op, part, `${name}[${i}]`);
    split.add(part);
  });
  return split;
}

/**
 * The vector-Jacobian product: calls `fn(...primals)` and returns `[outputs, vjps]`, where `vjps` holds,
 * for each primal, the cotangents pulled back through `fn` (one tree per primal, shaped like it).
 * `cotangents` has one tree per output (a function returning one tensor has one output).
 *
 * @example
 * ```ts
 * const [[y], [dx]] = mx.vjp((x) => mx.sin(x), [mx.array(1)], [mx.array(1)]); // dx = cos(1)
 * ```
 */
export function vjp(fn: AnyFunction, primals: readonly unknown[], cotangents: readonly unknown[]): [any[], any[]] {
  const op = 'vjp';
  if (arguments.length > 3) throw new TypeError(`${op}: expected 3 arguments, got ${arguments.length}`);
  checkFunction(op, fn);
  const inputs = treeList(op, primals, 'primals', true);
  const cotans = treeList(op, cotangents, 'cotangents');
  let outSkeleton: unknown;
  const call = traced((leaves: Tensor[]) => {
    const out = outputsOf(op, callUser(op, fn, inputs.rebuild(leaves)));
    if (out.tensors.length !== cotans.tensors.length) {
      throw mlxError(op, `the function returned ${out.tensors.length} output tensor(s) but ${cotans.tensors.length} cotangent(s) were given`);
    }
    outSkeleton = out.skeleton;
    return out.tensors;
  });
  const [outputs, vjps] = runTransform(() => native.transforms.vjp(op, call, inputs.tensors, cotans.tensors));
  trackAll(outputs);
  trackAll(vjps);
  return [fillTensors(outSkeleton, outputs), inputs.rebuild(vjps)];
}

/**
 * The Jacobian-vector product: calls `fn(...primals)` and returns `[outputs, jvps]`, where `jvps` holds
 * the derivative of each output along `tangents` (one tree per primal, shaped like it).
 *
 * @example
 * ```ts
 * const [[y], [dy]] = mx.jvp((x) => mx.square(x), [mx.array(3)], [mx.array(1)]); // dy = 6
 * ```
 */
export function jvp(fn: AnyFunction, primals: readonly unknown[], tangents: readonly unknown[]): [any[], any[]] {
  const op = 'jvp';
  if (arguments.length > 3) throw new TypeError(`${op}: expected 3 arguments, got ${arguments.length}`);
  checkFunction(op, fn);
  const inputs = treeList(op, primals, 'primals', true);
  const tans = treeList(op, tangents, 'tangents');
  if (tans.tensors.length !== inputs.tensors.length) {
    throw mlxError(op, `${inputs.tensors.length} primal tensor(s) but ${tans.tensors.length} tangent(s) were given`);
  }
  let outSkeleton: unknown;
  const call = traced((leaves: Tensor[]) => {
    const out = outputsOf(op, callUser(op, fn, inputs.rebuild(leaves)));
    outSkeleton = out.skeleton;
    return out.tensors;
  });
  const [outputs, jvps] = runTransform(() => native.transforms.jvp(op, call, inputs.tensors, tans.tensors));
  trackAll(outputs);
  trackAll(jvps);
  return [fillTensors(outSkeleton, outputs), fillTensors(outSkeleton, jvps)];
}
