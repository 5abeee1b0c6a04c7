// mx.compile over MLX's compiler: the function is traced once per input signature, the graph simplified
// and its elementwise chains fused; later calls with the same signature replay the compiled graph
// without calling the JS function at all.
import { native, type Tensor } from '@mlxts/native';
import { checkOptions, trackAll } from '../call.js';
import { isTensor } from '../scope.js';
import { isPlainObject, isTreeNode, joinPath } from '../tree.js';
import { checkFunction, describe, fillTensors, isTensorPlace, splitTensors, type AnyFunction } from './arguments.js';
import { callUser, runTransform, traced } from './trace.js';

export interface CompileOptions {
  /**
   * Compile once for inputs of any shape (of the same number of axes and dtypes) instead of once per
   * shape. Not every function can be: MLX refuses shape-dependent graphs with an MlxError.
   */
  shapeless?: boolean;
  /** A container (array or object) of tensors the function reads besides its arguments, such as model parameters: they are inputs of the compiled graph, not constants. */
  inputs?: object;
  /** A container of tensors the function updates in place (model parameters, optimizer state): after each call it holds the new values. */
  outputs?: object;
}

/** A compact text of the tree structure and constant leaves of a call: what decides a new trace. */
function signatureOf(op: string, skeleton: unknown): string {
  const encode = (node: unknown, path: string): string => {
    if (isTensorPlace(node)) return 'T';
    if (Array.isArray(node)) return `[${node.map((child, i) => encode(child, joinPath(path, i))).join(',')}]`;
    if (isPlainObject(node)) return `{${Object.keys(node).map((k) => `${JSON.stringify(k)}:${encode(node[k], joinPath(path, k))}`).join(',')}}`;
    switch (typeof node) {
      case 'number':
        return Object.is(node, -0) ? 'n-0' : `n${node}`;
      case 'string':
        return JSON.stringify(node);
      case 'boolean':
        return node ? 'true' : 'false';
      case 'bigint':
        return `${node}n`;
      case 'undefined':
        return 'u';
      default:
        if (node === null) return 'null';
        throw new TypeError(
          `${op}: arguments must be trees of tensors and constants (numbers, strings, booleans, bigints, null, undefined); '${path}' is ${describe(node)}`,
        );
    }
  };
  return encode(skeleton, '');
}

/** Replaces each tensor of the container `tree`, in place, by `replace(tensor, index)`. */
function replaceTensors(tree: unknown, replace: (tensor: Tensor, index: number) => Tensor): void {
  let next = 0;
  const visit = (node: unknown): void => {
    const entries: [string | number, unknown][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : isPlainObject(node) ? Object.entries(node) : [];
    for (const [key, value] of entries) {
      if (isTensor(value)) (node as Record<string | number, unknown>)[key] = replace(value, next++);
      else visit(value);
    }
  };
  visit(tree);
}

function captured(op: string, value: unknown, name: string): object | undefined {
  if (value === undefined) return undefined;
  if (!isTreeNode(value)) throw new TypeError(`${op}: options.${name} must be an array or object holding tensors, got ${describe(value)}`);
  return value;
}

/**
 * A compiled version of `fn`, which returns the same results. The first call with a given input
 * signature (tree structure, constants, and the shapes and dtypes of the tensors) traces `fn` and
 * compiles the graph; later calls with that signature run the compiled graph without calling `fn`.
 * Tensors `fn` captures from its surroundings are constants baked into the graph (list them in
 * `options.inputs` to have them read on every call). The compiled graphs are released when the
 * returned function is garbage-collected.
 *
 * @example
 * ```ts
 * const gelu = mx.compile((x: mx.Tensor) => x.multiply(mx.sigmoid(x.multiply(1.702))));
 * gelu(mx.array([0, 1, 2])); // one fused kernel
 * ```
 */
export function compile<F extends AnyFunction>(fn: F, options: CompileOptions = {}): F {
  const op = 'compile';
  if (arguments.length > 2) throw new TypeError(`${op}: expected at most 2 arguments, got ${arguments.length}`);
  checkFunction(op, fn);
  checkOptions(op, options, ['shapeless', 'inputs', 'outputs']);
  if (options.shapeless !== undefined && typeof options.shapeless !== 'boolean') {
    throw new TypeError(`${op}: options.shapeless must be a boolean, got ${describe(options.shapeless)}`);
  }
  const capturedInputs = captured(op, options.inputs, 'inputs');
  const capturedOutputs = captured(op, options.outputs, 'outputs');
  const handle = native.transforms.compiled(options.shapeless ?? false);
  // The compiled graphs live in MLX's cache as long as the returned function holds `handle`. Signature
  // texts become small integers (part of MLX's cache key); `results` keeps the result structure of each.
  const signatures = new Map<string, number>();
  const results = new Map<number, { skeleton: unknown; count: number }>();

  return ((...args: unknown[]) => {
    const split = splitTensors(op, args, 'the arguments', false);
    const text = signatureOf(op, split.skeleton);
    if (!signatures.has(text)) signatures.set(text, signatures.size);
    const signature = signatures.get(text)!;
    const stateIn = capturedInputs ? splitTensors(op, capturedInputs, 'options.inputs', false).tensors : [];

    const call = traced((leaves: Tensor[]) => {
      const stateTracers = leaves.slice(split.tensors.length);
      if (capturedInputs) replaceTensors(capturedInputs, (_, i) => stateTracers[i]);
      let result: unknown;
      // The outputs are read before the inputs are restored: an output the function left unchanged is
      // its input's tracer (an identity output), not the real tensor, which the graph cannot capture.
      let stateOut: Tensor[] = [];
      try {
        result = callUser(op, fn, fillTensors(split.skeleton, leaves) as unknown[]);
        stateOut = capturedOutputs ? splitTensors(op, capturedOutputs, 'options.outputs', false).tensors : [];
      } finally {
        // Tracers still in the state go back to the real tensors; entries the function replaced stay.
        if (capturedInputs) {
          const original = new Map(stateTracers.map((t, i) => [t, stateIn[i]]));
          replaceTensors(capturedInputs, (t) => original.get(t) ?? t);
        }
      }
      const out = splitTensors(op, result, "the function's result", false);
      results.set(signature, { skeleton: out.skeleton, count: out.tensors.length });
      return [...out.tensors, ...stateOut];
    });
    const outputs = runTransform(() => native.transforms.callCompiled(op, handle, call, [...split.tensors, ...stateIn], signature));
    const { skeleton, count } = results.get(signature)!;
    if (capturedOutputs) replaceTensors(capturedOutputs, (_, i) => outputs[count + i]);
    return fillTensors(skeleton, trackAll(outputs.slice(0, count)));
  }) as F;
}

/** Turns compilation off for the whole process: `compile(fn)` then calls `fn` directly (for debugging). */
export function disableCompile(): void {
  native.transforms.disableCompile();
}

/** Turns compilation back on (it is on by default, unless the MLX_DISABLE_COMPILE environment variable is set). */
export function enableCompile(): void {
  native.transforms.enableCompile();
}
