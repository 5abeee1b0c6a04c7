// GGUF quantized weights as QuantizedTensors. MLX's GGUF reader (mx.load) returns each Q4_0, Q4_1 and
// Q8_0 tensor as three: `<name>.weight` (uint32 words packing 4- or 8-bit values, low bits first),
// `<name>.scales` and `<name>.biases` (float16, one per group of 32), so that w = scale * q + bias — MLX's
// own affine layout with group size 32. Q4_0's implicit offset of -8 and Q8_0's signed values are folded
// into the biases by the reader.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import { fromPacked, type QuantizedTensor } from './quantized.js';

const GROUP_SIZE = 32;

/**
 * The QuantizedTensor of a Q4_0, Q4_1 or Q8_0 tensor that `mx.load` read from a GGUF file: affine, group
 * size 32, 4 or 8 bits, logical dtype float16, logical shape MLX's (ggml's dimensions reversed, so a
 * linear layer's weight is `[out, in]`, as `quantizedMatmul` expects). `name` is the tensor's name
 * without `.weight` (`'blk.0.ffn_up'`), or with it. Like `fromPacked`, it holds its own handles: the map
 * keeps its tensors.
 *
 * @example
 * ```ts
 * const tensors = mx.load('model.gguf');
 * const up = quant.fromGguf(tensors, 'blk.0.ffn_up'); // QuantizedTensor [1536, 576], 4 bits
 * const y = quant.quantizedMatmul(x, up);             // x @ upᵀ
 * ```
 */
export function fromGguf(tensors: Record<string, Tensor>, name: string): QuantizedTensor {
  if (typeof tensors !== 'object' || tensors === null) throw new TypeError('fromGguf: tensors must be the object mx.load returned');
  if (typeof name !== 'string') throw new TypeError(`fromGguf: name must be a string, got ${typeof name}`);
  const prefix = name.endsWith('.weight') ? name.slice(0, -'.weight'.length) : name;
  const part = (suffix: string): Tensor => {
    const t = Object.prototype.hasOwnProperty.call(tensors, `${prefix}.${suffix}`) ? tensors[`${prefix}.${suffix}`] : undefined;
    if (!mx.isTensor(t)) {
      const plain = mx.isTensor(tensors[`${prefix}.weight`]) ? ` ('${prefix}.weight' is there: a tensor stored unquantized, ${tensors[`${prefix}.weight`].dtype})` : '';
      throw new mx.MlxError(`fromGguf: no tensor '${prefix}.${suffix}'${plain}; a Q4_0, Q4_1 or Q8_0 GGUF tensor loads as '<name>.weight', '<name>.scales' and '<name>.biases'`, 'fromGguf');
    }
    return t;
  };
  const [weight, scales, biases] = [part('weight'), part('scales'), part('biases')];
  const wordsPerRow = weight.shape[weight.ndim - 1];
  const groupsPerRow = scales.shape[scales.ndim - 1];
  const bits = groupsPerRow > 0 ? (wordsPerRow * 32) / (groupsPerRow * GROUP_SIZE) : NaN;
  if (weight.dtype !== 'uint32' || (bits !== 4 && bits !== 8)) {
    throw new mx.MlxError(`fromGguf: '${prefix}' is not a Q4_0, Q4_1 or Q8_0 tensor: weight ${weight.dtype} [${weight.shape}] with scales [${scales.shape}] is neither 4 nor 8 bits in groups of ${GROUP_SIZE}`, 'fromGguf');
  }
  return fromPacked({ weight, scales, biases, mode: 'affine', bits, groupSize: GROUP_SIZE });
}
