// The layers the llama model is built from: dense or quantized linear maps, a dense or quantized
// embedding table, and RMSNorm.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import * as fast from '@mlxts/fast';
import * as quant from '@mlxts/quant';
import type { QuantizedTensor } from '@mlxts/quant';

/** `y = x Wᵀ (+ b)` with W `[out, in]` dense or quantized. */
export class Linear {
  constructor(
    public weight: Tensor | QuantizedTensor,
    public bias?: Tensor,
  ) {}

  forward(x: Tensor): Tensor {
    const y = quant.isQuantized(this.weight) ? quant.quantizedMatmul(x, this.weight, { transpose: true }) : mx.matmul(x, mx.transpose(this.weight));
    return this.bias ? mx.add(y, this.bias) : y;
  }
}

/** A table of token vectors `[vocab, hidden]`, dense or quantized (rows dequantized as they are looked up). */
export class Embedding {
  constructor(public weight: Tensor | QuantizedTensor) {}

  forward(ids: Tensor): Tensor {
    const w = this.weight;
    if (!quant.isQuantized(w)) return mx.take(w, ids, 0);
    const rows = (t: Tensor) => mx.take(t, ids, 0);
    return quant.dequantizePacked(rows(w.weight), rows(w.scales), w.biases ? rows(w.biases) : undefined, { groupSize: w.groupSize, bits: w.bits, mode: w.mode });
  }

  /** `x @ Wᵀ`: the table as the output projection (tied embeddings). */
  asLinear(x: Tensor): Tensor {
    const w = this.weight;
    return quant.isQuantized(w) ? quant.quantizedMatmul(x, w, { transpose: true }) : mx.matmul(x, mx.transpose(w));
  }
}

/** `x / rms(x) * weight` over the last axis. */
export class RMSNorm {
  constructor(
    public weight: Tensor,
    readonly eps: number,
  ) {}

  forward(x: Tensor): Tensor {
    return fast.rmsNorm(x, this.weight, this.eps);
  }
}
