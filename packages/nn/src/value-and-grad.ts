// nn.valueAndGrad: the value of a loss function and its gradients with respect to a model's trainable
// parameters, on MLX's autodiff (mx.valueAndGrad).
import * as mx from '@mlxts/core';
import { Module, replaceTensors, type Parameters } from './module.js';

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
  if (!(model instanceof Module)) throw new TypeError('valueAndGrad: model must be an nn.Module');
  if (typeof fn !== 'function') throw new TypeError('valueAndGrad: fn must be a function');
  const withParameters = (parameters: Parameters, ...args: Args): Value => {
    const originals = model.trainableParameters();
    replaceTensors(model, parameters, true, 'valueAndGrad');
    try {
      return fn(...args);
    } finally {
      replaceTensors(model, originals, true, 'valueAndGrad');
    }
  };
  const transformed = mx.valueAndGrad(withParameters as (...args: unknown[]) => Value);
  return (...args: Args) => transformed(model.trainableParameters(), ...args) as [Value, Parameters];
}

