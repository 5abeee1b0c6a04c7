// mx.customFunction (a function with its own vjp, jvp or vmap rule) and mx.checkpoint, over MLX's
// custom_function and checkpoint. MLX keeps the JS functions in the graph and calls them when a later
// transform needs the rule (or, for checkpoint, the forward pass again).
import { native, type Tensor } from '@mlxts/native';
import { trackAll } from '../call.js';
import { axesPerTensor } from './vmap.js';
import { checkFunction, describe, fillTensors, mlxError, splitTensors, type AnyFunction } from './arguments.js';
import { callUser, runTransform, traced } from './trace.js';

/** The `(args, output)` a rule sees: the arguments as one value when there is one, else the array of them. */
function ruleArgs(args: unknown[]): unknown {
  return args.length === 1 ? args[0] : args;
}

/** The rule's tensors, checked to match the `expected` shapes in number and shape. */
function ruleTensors(op: string, rule: string, result: unknown, expected: readonly (readonly number[])[], of: string): Tensor[] {
  const { tensors } = splitTensors(op, result, `the ${rule} rule's result`, false);
  if (tensors.length !== expected.length) {
    throw mlxError(op, `the ${rule} rule returned ${tensors.length} tensor(s); it must return one per ${of} (${expected.length})`);
  }
  tensors.forEach((t, i) => {
    const want = expected[i];
    if (t.shape.length !== want.length || t.shape.some((d, k) => d !== want[k])) {
      throw mlxError(op, `the ${rule} rule returned shape [${t.shape.join(', ')}] where ${of} ${i} has shape [${want.join(', ')}]`);
    }
  });
  return tensors;
}

/** A function with custom transformation rules; see `customFunction`. */
export interface CustomFunction<F extends AnyFunction> {
  (...args: Parameters<F>): ReturnType<F>;
  /**
   * Sets the vector-Jacobian product rule: `rule(primals, cotangents, outputs)` returns the cotangents of
   * the arguments (shaped like them). `primals` is the argument (one argument) or the array of arguments;
   * `cotangents` and `outputs` are shaped like the function's result. Returns the custom function.
   */
  vjp(rule: (primals: any, cotangents: any, outputs: any) => unknown): CustomFunction<F>;
  /**
   * Sets the Jacobian-vector product rule: `rule(primals, tangents)` returns the tangents of the outputs.
   * `tangents` is shaped like `primals`, with null for arguments that carry no tangent.
   */
  jvp(rule: (primals: any, tangents: any) => unknown): CustomFunction<F>;
  /**
   * Sets the vectorization rule: `rule(inputs, axes)` returns `[outputs, outAxes]`, where `axes` is shaped
   * like `inputs` and holds each input's mapped axis (null: not mapped).
   */
  vmap(rule: (inputs: any, axes: any) => [unknown, unknown]): CustomFunction<F>;
}

/**
 * Wraps `fn` so that transforms use the rules you give instead of differentiating or vectorizing `fn`
 * itself: `.vjp(rule)` for grad and vjp, `.jvp(rule)` for jvp, `.vmap(rule)` for vmap. Rules not given
 * fall back to the default. Tensors `fn` captures are constants: no gradient flows to them.
 *
 * @example
 * ```ts
 * // A clipped gradient: identity forward, gradient clipped to [-1, 1] backward.
 * const clipGrad = mx.customFunction((x: mx.Tensor) => x)
 *   .vjp((x, cotangent) => mx.clip(cotangent, -1, 1));
 * mx.grad((x: mx.Tensor) => mx.sum(clipGrad(x).multiply(5)))(mx.array([1, 2])); // [1, 1]
 * ```
 */
export function customFunction<F extends AnyFunction>(fn: F): CustomFunction<F> {
  const op = 'customFunction';
  if (arguments.length > 1) throw new TypeError(`${op}: expected 1 argument, got ${arguments.length}`);
  checkFunction(op, fn);
  const rules: { vjp?: AnyFunction; jvp?: AnyFunction; vmap?: AnyFunction } = {};

  const custom = ((...args: unknown[]): unknown => {
    if (!rules.vjp && !rules.jvp && !rules.vmap) return fn(...args);
    // MLX keeps the functions below in the graph: they hold skeletons and shapes, not the caller's tensors.
    const { tensors: inputs, skeleton } = splitTensors(op, args, 'the arguments', false);
    const argsOf = (leaves: readonly unknown[]) => fillTensors(skeleton, leaves) as unknown[];
    let outSkeleton: unknown;
    let outShapes: (readonly number[])[] = [];
    const forward = traced((leaves: Tensor[]) => {
      const out = splitTensors(op, callUser(op, fn, argsOf(leaves)), "the function's result", true);
      outSkeleton = out.skeleton;
      outShapes = out.tensors.map((t) => t.shape);
      return out.tensors;
    });
    const vjp =
      rules.vjp &&
      traced((primals: Tensor[], cotangents: Tensor[], outputs: Tensor[]) => {
        const result = callUser(op, rules.vjp!, [ruleArgs(argsOf(primals)), fillTensors(outSkeleton, cotangents), fillTensors(outSkeleton, outputs)]);
        return ruleTensors(op, 'vjp', result, primals.map((t) => t.shape), 'argument tensor');
      });
    const jvp =
      rules.jvp &&
      traced((primals: Tensor[], tangents: Tensor[], argnums: number[]) => {
        // The tangent of each argument tensor, or null where it has none.
        const places: (Tensor | null)[] = primals.map(() => null);
        argnums.forEach((n, i) => (places[n] = tangents[i]));
        const result = callUser(op, rules.jvp!, [ruleArgs(argsOf(primals)), ruleArgs(argsOf(places))]);
        return ruleTensors(op, 'jvp', result, outShapes, 'output');
      });
    const vmap =
      rules.vmap &&
      traced((inputs: Tensor[], axes: number[]): [Tensor[], number[]] => {
        const axisArgs = argsOf(axes.map((a) => (a < 0 ? null : a)));
        const result = callUser(op, rules.vmap!, [ruleArgs(argsOf(inputs)), ruleArgs(axisArgs)]);
        if (!Array.isArray(result) || result.length !== 2) {
          throw new TypeError(`${op}: the vmap rule must return [outputs, outAxes], got ${describe(result)}`);
        }
        const outputs = splitTensors(op, result[0], "the vmap rule's outputs", true).tensors;
        // MLX reads -1 as "not mapped": null says that here, and negative axes count from the end.
        const outAxes = axesPerTensor(op, 'outAxes', result[0], result[1]).map((axis, i) => {
          if (axis === null) return -1;
          const ndim = outputs[i].ndim;
          if (axis < -ndim || axis >= ndim) throw mlxError(op, `the vmap rule gave axis ${axis} for output ${i}, which has ${ndim} axes`);
          return axis < 0 ? axis + ndim : axis;
        });
        return [outputs, outAxes];
      });
    const outputs = runTransform(() => native.transforms.customFunction(op, forward, vjp, jvp, vmap, inputs));
    trackAll(outputs);
    return fillTensors(outSkeleton, outputs);
  }) as unknown as CustomFunction<F>;

  const setter = (name: keyof typeof rules) => (rule: unknown) => {
    checkFunction(`${op}.${name}`, rule, 'rule');
    rules[name] = rule;
    return custom;
  };
  custom.vjp = setter('vjp');
  custom.jvp = setter('jvp');
  custom.vmap = setter('vmap');
  return custom;
}

/**
 * A version of `fn` whose intermediate results are not kept for the backward pass: gradients through it
 * recompute `fn`'s forward pass instead, trading compute for memory (gradient checkpointing).
 * The values and gradients are the same as `fn`'s.
 *
 * @example
 * ```ts
 * const block = mx.checkpoint((x: mx.Tensor, w: mx.Tensor) => mx.tanh(mx.matmul(x, w)));
 * const loss = (w: mx.Tensor) => mx.sum(block(block(x, w), w));
 * mx.grad(loss)(w);
 * ```
 */
export function checkpoint<F extends AnyFunction>(fn: F): F {
  const op = 'checkpoint';
  if (arguments.length > 1) throw new TypeError(`${op}: expected 1 argument, got ${arguments.length}`);
  checkFunction(op, fn);
  return ((...args: unknown[]) => {
    // MLX keeps `forward` to recompute the pass: it holds the skeleton, not the caller's tensors.
    const { tensors: inputs, skeleton } = splitTensors(op, args, 'the arguments', false);
    let outSkeleton: unknown;
    const forward = traced((leaves: Tensor[]) => {
      const out = splitTensors(op, callUser(op, fn, fillTensors(skeleton, leaves) as unknown[]), "the function's result", true);
      outSkeleton = out.skeleton;
      return out.tensors;
    });
    const outputs = runTransform(() => native.transforms.checkpoint(op, forward, inputs));
    trackAll(outputs);
    return fillTensors(outSkeleton, outputs);
  }) as F;
}
