// Builds a LlamaModel from named tensors. Hugging Face / mlx-lm checkpoints use the model's own names;
// GGUF files use llama.cpp's (`blk.0.attn_q`), renamed here. Both store a quantized matrix as
// `<name>.weight` (packed uint32), `<name>.scales` and `<name>.biases` (MLX's affine layout: MLX loads GGUF
// Q4_0/Q4_1/Q8_0 blocks that way, and mlx-lm saves it), so the layers holding `.scales` become
// nn.QuantizedLinear / nn.QuantizedEmbedding and everything loads by name.
import * as mx from '@mlxts/core';
import type { DType, Tensor } from '@mlxts/core';
import type { LlamaConfig } from './config.js';
import { LlamaModel } from './llama.js';

/** llama.cpp's per-block tensor names and the model's. */
const GGUF_BLOCK_NAMES: Record<string, string> = {
  attn_q: 'self_attn.q_proj',
  attn_k: 'self_attn.k_proj',
  attn_v: 'self_attn.v_proj',
  attn_output: 'self_attn.o_proj',
  attn_q_norm: 'self_attn.q_norm',
  attn_k_norm: 'self_attn.k_norm',
  ffn_gate: 'mlp.gate_proj',
  ffn_up: 'mlp.up_proj',
  ffn_down: 'mlp.down_proj',
  attn_norm: 'input_layernorm',
  ffn_norm: 'post_attention_layernorm',
};

const GGUF_TOP_NAMES: Record<string, string> = {
  token_embd: 'model.embed_tokens',
  output_norm: 'model.norm',
  output: 'lm_head',
};

/** The model's name for a GGUF tensor name (`blk.3.attn_q.scales` -> `model.layers.3.self_attn.q_proj.scales`). */
export function ggufToModelName(name: string): string {
  const block = /^blk\.(\d+)\.([a-z_]+)\.(\w+)$/.exec(name);
  if (block && GGUF_BLOCK_NAMES[block[2]]) return `model.layers.${block[1]}.${GGUF_BLOCK_NAMES[block[2]]}.${block[3]}`;
  const top = /^([a-z_]+)\.(\w+)$/.exec(name);
  if (top && GGUF_TOP_NAMES[top[1]]) return `${GGUF_TOP_NAMES[top[1]]}.${top[2]}`;
  return name;
}

const FLOATING = new Set<DType>(['float16', 'bfloat16', 'float32', 'float64']);

/** Options of `buildLlama`. */
export interface BuildOptions {
  /** Group size of the quantized weights (GGUF's blocks are 32; an mlx-lm config.json says). */
  groupSize: number;
  /** The dtype of dense weights, norms and quantization scales/biases (float32 by default). */
  dtype?: DType;
  /** The error for weights that do not fit the model, from a message. */
  error: (message: string) => Error;
}

/**
 * A LlamaModel holding `tensors` (named as the model's parameters). Takes ownership of them: floating
 * point weights and quantization scales/biases are cast to `dtype` (float32 by default: MLX's CPU
 * quantized kernels are far slower with float16 scales) and the originals disposed.
 */
export function buildLlama(config: LlamaConfig, tensors: Record<string, Tensor>, options: BuildOptions): LlamaModel {
  const dtype = options.dtype ?? 'float32';
  const weights = Object.entries(tensors).map(([name, t]): [string, Tensor] => {
    if (!FLOATING.has(t.dtype) || t.dtype === dtype) return [name, t];
    const cast = mx.astype(t, dtype);
    t.dispose(); // the lazy astype keeps the data until it is evaluated
    return [name, cast];
  });
  const bitsOf = new Map<string, number>();
  for (const [name, scales] of weights) {
    if (!name.endsWith('.scales')) continue;
    const layer = name.slice(0, -'.scales'.length);
    const packed = tensors[`${layer}.weight`];
    const bits = packed && (packed.shape[packed.ndim - 1] * 32) / (scales.shape[scales.ndim - 1] * options.groupSize);
    if (!bits || !Number.isInteger(bits)) throw options.error(`'${layer}' is not a quantized matrix of group size ${options.groupSize}`);
    bitsOf.set(layer, bits);
  }
  const model = new LlamaModel(config, (path) => (bitsOf.has(path) ? { groupSize: options.groupSize, bits: bitsOf.get(path)!, mode: 'affine' } : undefined));
  try {
    model.loadWeights(weights, { strict: true });
  } catch (e) {
    model.dispose();
    for (const [, t] of weights) t.dispose();
    throw options.error((e as Error).message);
  }
  mx.evalSync(model.parameters());
  return model;
}
