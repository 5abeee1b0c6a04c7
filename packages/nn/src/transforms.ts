// nn.valueAndGrad and nn.checkpoint: MLX's transforms (mx.valueAndGrad, mx.checkpoint) applied with
// respect to a model's trainable parameters, which the wrapped function reads from the model.
import * as mx from '@mlxts/core';
import { Module, replaceTensors, type Parameters } from './module.js';

/**
 * `fn` as a function of the model's trainable parameters first: during the call the model holds the
 * given (traced) tensors, and afterwards its own again. Nothing is disposed: the transform owns its tracers.
 */
function withParameters<Args extends unknown[], R>(model: Module, fn: (...args: Args) => R, op: string) {
  return (parameters: Parameters, ...args: Args): R => {
    const originals = model.trainableParameters();
    replaceTensors(model, parameters, true, op);
    try {
      return fn(...args);
    } finally {
      replaceTensors(model, originals, true, op);
    }
  };
}

function checkModel(op: string, model: unknown): asserts model is Module {
  if (!(model instanceof Module)) throw new TypeError(`${op}: model must be an nn.Module`);
}

/**
 * Turns `fn` (a loss computed with `model`) into a function returning `[value, gradients]`, where the
 * gradients are a tree shaped like `model.trainableParameters()`. The model's own tensors are used as
 * they are; during the call the model runs on MLX's traced copies of them, and afterwards it holds its
 * originals again.
 *
 * @example
 * ```ts
 * const lossAndGrad = nn.valueAndGrad(model, (x, y) => nn.losses.crossEntropy(model.forward(x), y, { reduction: 'mean' }));
 * const [loss, grads] = lossAndGrad(x, y);
 * optimizer.update(model, grads);
 * ```
 */
export function valueAndGrad<Args extends unknown[], Value>(model: Module, fn: (...args: Args) => Value): (...args: Args) => [Value, Parameters] {
  checkModel('valueAndGrad', model);
  if (typeof fn !== 'function') throw new TypeError('valueAndGrad: fn must be a function');
  const transformed = mx.valueAndGrad(withParameters(model, fn, 'valueAndGrad') as (...args: unknown[]) => Value);
  return (...args: Args) => transformed(model.trainableParameters(), ...args) as [Value, Parameters];
}

/**
 * Gradient checkpointing of a module: a function with the results of `fn` (by default
 * `module.forward`) whose intermediate values are recomputed in the backward pass instead of kept, with
 * respect to the module's trainable parameters and the inputs. Trades compute for memory.
 *
 * @example
 * ```ts
 * const block = nn.checkpoint(layer); // block(x) computes layer.forward(x)
 * ```
 */
export function checkpoint<Args extends unknown[], R>(module: Module & { forward?: (...args: Args) => R }, fn?: (...args: Args) => R): (...args: Args) => R {
  checkModel('checkpoint', module);
  const call = fn ?? ((...args: Args) => module.forward!(...args));
  if (typeof call !== 'function' || (fn === undefined && typeof module.forward !== 'function')) throw new TypeError('checkpoint: give a function, or a module with a forward method');
  const checkpointed = mx.checkpoint(withParameters(module, call, 'checkpoint') as (...args: unknown[]) => R);
  return (...args: Args) => checkpointed(module.trainableParameters(), ...args);
}
