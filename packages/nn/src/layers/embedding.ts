// Embedding: a lookup table from integer ids to vectors.
import * as mx from '@mlxts/core';
import type { ArrayLike, Tensor } from '@mlxts/core';
import { checkPositiveInt } from '../checks.js';
import { Module } from '../module.js';
import { QuantizedEmbedding, type QuantizeLayerOptions } from './quantized.js';

/**
 * Maps each integer id in `x` to a row of `weight` `[numEmbeddings, dims]` (initialized from
 * N(0, 1/dims)); the result has shape `[...x.shape, dims]`.
 */
export class Embedding extends Module {
  weight: Tensor;

  constructor(numEmbeddings: number, dims: number) {
    super();
    checkPositiveInt('Embedding', 'numEmbeddings', numEmbeddings);
    checkPositiveInt('Embedding', 'dims', dims);
    this.weight = mx.random.normal([numEmbeddings, dims], 'float32', 0, Math.sqrt(1 / dims));
  }

  forward(x: ArrayLike): Tensor {
    return mx.take(this.weight, x, 0);
  }

  /** `x @ weightᵀ`: the embedding used as the output projection when input and output weights are tied. */
  asLinear(x: ArrayLike): Tensor {
    return mx.matmul(x, mx.transpose(this.weight));
  }

  /** A QuantizedEmbedding approximating this layer (used by `nn.quantize`). */
  toQuantized(options: QuantizeLayerOptions = {}): QuantizedEmbedding {
    return QuantizedEmbedding.fromEmbedding(this, options);
  }

  protected override extraRepr(): string {
    return `${this.weight.shape[0]}, ${this.weight.shape[1]}`;
  }
}
