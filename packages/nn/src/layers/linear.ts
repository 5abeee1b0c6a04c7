// Identity, Linear and Bilinear, with MLX Python's parameter names, shapes and initialization.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import { checkOptions, checkPositiveInt } from '../checks.js';
import { Module } from '../module.js';
import { QuantizedLinear, type QuantizeLayerOptions } from './quantized.js';

/** Returns its input unchanged: a placeholder where a layer is optional. */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/**
 * `y = x Wᵀ + b`, with `weight` `[outputDims, inputDims]` and `bias` `[outputDims]`, both initialized
 * from U(-k, k) with `k = 1 / sqrt(inputDims)`.
 *
 * @example
 * ```ts
 * const layer = new nn.Linear(784, 10);
 * const logits = layer.forward(x); // x: [batch, 784] -> [batch, 10]
 * ```
 */
export class Linear extends Module {
  weight: Tensor;
  bias?: Tensor;

  constructor(inputDims: number, outputDims: number, options: { bias?: boolean } = {}) {
    super();
    checkOptions('Linear', options, ['bias']);
    checkPositiveInt('Linear', 'inputDims', inputDims);
    checkPositiveInt('Linear', 'outputDims', outputDims);
    const scale = Math.sqrt(1 / inputDims);
    this.weight = mx.random.uniform(-scale, scale, [outputDims, inputDims]);
    if (options.bias ?? true) this.bias = mx.random.uniform(-scale, scale, [outputDims]);
  }

  forward(x: Tensor): Tensor {
    const wt = mx.transpose(this.weight);
    return this.bias !== undefined ? mx.addmm(this.bias, x, wt) : mx.matmul(x, wt);
  }

  /** A QuantizedLinear approximating this layer (used by `nn.quantize`). */
  toQuantized(options: QuantizeLayerOptions = {}): QuantizedLinear {
    return QuantizedLinear.fromLinear(this, options);
  }

  protected override extraRepr(): string {
    return `inputDims=${this.weight.shape[1]}, outputDims=${this.weight.shape[0]}, bias=${this.bias !== undefined}`;
  }
}

/**
 * `yᵢ = x₂ᵀ Wᵢ x₁ + bᵢ`, with `weight` `[outputDims, input2Dims, input1Dims]` and `bias` `[outputDims]`,
 * initialized from U(-k, k) with `k = 1 / sqrt(input1Dims)`.
 */
export class Bilinear extends Module {
  weight: Tensor;
  bias?: Tensor;

  constructor(input1Dims: number, input2Dims: number, outputDims: number, options: { bias?: boolean } = {}) {
    super();
    checkOptions('Bilinear', options, ['bias']);
    for (const [name, value] of [['input1Dims', input1Dims], ['input2Dims', input2Dims], ['outputDims', outputDims]] as const) checkPositiveInt('Bilinear', name, value);
    const scale = Math.sqrt(1 / input1Dims);
    this.weight = mx.random.uniform(-scale, scale, [outputDims, input2Dims, input1Dims]);
    if (options.bias ?? true) this.bias = mx.random.uniform(-scale, scale, [outputDims]);
  }

  forward(x1: Tensor, x2: Tensor): Tensor {
    const [out, in2, in1] = this.weight.shape;
    const batchShape = x1.shape.slice(0, -1);
    // Contract x1 with every Wᵢ in one matmul, then x2 with the result.
    const w = mx.reshape(this.weight, [out * in2, in1]);
    let y = mx.matmul(mx.reshape(x1, [-1, in1]), mx.transpose(w));
    y = mx.swapaxes(mx.reshape(y, [-1, out, in2]), -2, -1);
    y = mx.squeeze(mx.matmul(mx.reshape(x2, [-1, 1, in2]), y), 1);
    y = mx.reshape(y, [...batchShape, out]);
    return this.bias !== undefined ? mx.add(y, this.bias) : y;
  }

  protected override extraRepr(): string {
    const [out, in2, in1] = this.weight.shape;
    return `input1Dims=${in1}, input2Dims=${in2}, outputDims=${out}, bias=${this.bias !== undefined}`;
  }
}
