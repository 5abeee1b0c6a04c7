// Sequential: calls its layers in order.
import type { Tensor } from '@mlxts/core';
import { Module } from '../module.js';

/** A layer of one input and one output: a module with `forward(x)`, or a plain function. */
export type UnaryLayer = (Module & { forward(x: Tensor): Tensor }) | ((x: Tensor) => Tensor);

/**
 * Calls each layer on the output of the previous one. Layers with parameters should be modules; plain
 * functions (such as `nn.relu`) are allowed for the rest.
 *
 * @example
 * ```ts
 * const mlp = new nn.Sequential(new nn.Linear(784, 128), nn.relu, new nn.Linear(128, 10));
 * ```
 */
export class Sequential extends Module {
  layers: UnaryLayer[];

  constructor(...layers: UnaryLayer[]) {
    super();
    layers.forEach((layer, i) => {
      const ok = typeof layer === 'function' || (layer instanceof Module && typeof (layer as { forward?: unknown }).forward === 'function');
      if (!ok) throw new TypeError(`Sequential: layer ${i} must be a module with a forward method or a function`);
    });
    this.layers = layers;
  }

  forward(x: Tensor): Tensor {
    for (const layer of this.layers) x = typeof layer === 'function' ? layer(x) : layer.forward(x);
    return x;
  }
}
