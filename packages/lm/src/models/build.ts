// Assembles a LlamaModel from named tensors. GGUF files and Hugging Face / mlx-lm checkpoints name the
// same weights differently (`blk.0.attn_q` vs `model.layers.0.self_attn.q_proj`); both store a quantized
// matrix as `<name>.weight` (packed uint32), `<name>.scales` and `<name>.biases` (MLX's affine layout, as
// MLX loads GGUF Q4_0/Q4_1/Q8_0 blocks and as mlx-lm saves), so one reader covers both.
import * as mx from '@mlxts/core';
import type { DType, Tensor } from '@mlxts/core';
import * as quant from '@mlxts/quant';
import type { QuantizedTensor } from '@mlxts/quant';
import type { LlamaConfig } from './config.js';
import { Attention, LlamaModel, Mlp, TransformerBlock } from './llama.js';
import { Embedding, Linear, RMSNorm } from './layers.js';

/** Where each weight of the model lives in a checkpoint. */
export interface WeightNames {
  embedding: string;
  output: string;
  finalNorm: string;
  layer(i: number): {
    q: string; k: string; v: string; o: string;
    gate: string; up: string; down: string;
    attnNorm: string; mlpNorm: string;
    qNorm: string; kNorm: string;
  };
}

/** llama.cpp's tensor names. */
export const GGUF_NAMES: WeightNames = {
  embedding: 'token_embd',
  output: 'output',
  finalNorm: 'output_norm',
  layer: (i) => {
    const b = `blk.${i}`;
    return {
      q: `${b}.attn_q`, k: `${b}.attn_k`, v: `${b}.attn_v`, o: `${b}.attn_output`,
      gate: `${b}.ffn_gate`, up: `${b}.ffn_up`, down: `${b}.ffn_down`,
      attnNorm: `${b}.attn_norm`, mlpNorm: `${b}.ffn_norm`,
      qNorm: `${b}.attn_q_norm`, kNorm: `${b}.attn_k_norm`,
    };
  },
};

/** Hugging Face's (and mlx-lm's) tensor names. */
export const HF_NAMES: WeightNames = {
  embedding: 'model.embed_tokens',
  output: 'lm_head',
  finalNorm: 'model.norm',
  layer: (i) => {
    const b = `model.layers.${i}`;
    return {
      q: `${b}.self_attn.q_proj`, k: `${b}.self_attn.k_proj`, v: `${b}.self_attn.v_proj`, o: `${b}.self_attn.o_proj`,
      gate: `${b}.mlp.gate_proj`, up: `${b}.mlp.up_proj`, down: `${b}.mlp.down_proj`,
      attnNorm: `${b}.input_layernorm`, mlpNorm: `${b}.post_attention_layernorm`,
      qNorm: `${b}.self_attn.q_norm`, kNorm: `${b}.self_attn.k_norm`,
    };
  },
};

/** Options of `buildLlama`. */
export interface BuildOptions {
  /** Group size of quantized weights (GGUF's blocks are 32; mlx-lm's config.json says). */
  groupSize: number;
  /** The dtype of activations, dense weights and quantization scales (float32 by default). */
  dtype?: DType;
  /** An error for a missing or malformed weight, from its name and the problem. */
  error: (message: string) => Error;
}

/**
 * A LlamaModel over `tensors` named by `names`. Takes ownership of what it uses: quantization scales and
 * dense weights are cast to `dtype` (float32 by default: MLX's CPU quantized kernels are much slower with
 * float16 scales), the originals disposed; tensors it does not use are disposed too.
 */
export function buildLlama(config: LlamaConfig, tensors: Record<string, Tensor>, names: WeightNames, options: BuildOptions): LlamaModel {
  const dtype = options.dtype ?? 'float32';
  const used = new Set<string>();
  const take = (name: string): Tensor => {
    const t = tensors[name];
    if (t === undefined) throw options.error(`the weight '${name}' is missing`);
    used.add(name);
    return t;
  };
  const cast = (t: Tensor) => {
    if (t.dtype === dtype) return t;
    const converted = mx.astype(t, dtype);
    t.dispose(); // the lazy astype holds on to the data until it is evaluated
    return converted;
  };
  const matrix = (name: string): Tensor | QuantizedTensor => {
    if (tensors[`${name}.scales`] === undefined) return cast(take(`${name}.weight`));
    const weight = take(`${name}.weight`);
    const scales = take(`${name}.scales`);
    const biases = tensors[`${name}.biases`] === undefined ? undefined : take(`${name}.biases`);
    const columns = scales.shape[scales.ndim - 1] * options.groupSize;
    const bits = (weight.shape[weight.ndim - 1] * 32) / columns;
    if (!Number.isInteger(bits)) throw options.error(`'${name}' is not a quantized matrix of group size ${options.groupSize}`);
    return quant.fromPacked({ weight, scales: cast(scales), biases: biases && cast(biases), bits, groupSize: options.groupSize, dtype });
  };
  const optional = (name: string) => (tensors[name] === undefined ? undefined : cast(take(name)));
  const linear = (name: string) => new Linear(matrix(name), optional(`${name}.bias`));
  const norm = (name: string) => new RMSNorm(cast(take(`${name}.weight`)), config.rmsNormEps);
  const ropeFreqs = config.ropeFreqs ? mx.array(Float32Array.from(config.ropeFreqs)) : undefined;

  const layers = Array.from({ length: config.numLayers }, (_, i) => {
    const n = names.layer(i);
    const attention = new Attention(
      config,
      {
        q_proj: linear(n.q), k_proj: linear(n.k), v_proj: linear(n.v), o_proj: linear(n.o),
        q_norm: config.qkNorm ? norm(n.qNorm) : undefined,
        k_norm: config.qkNorm ? norm(n.kNorm) : undefined,
      },
      ropeFreqs,
    );
    return new TransformerBlock(attention, new Mlp(linear(n.gate), linear(n.up), linear(n.down)), norm(n.attnNorm), norm(n.mlpNorm));
  });
  const embedding = new Embedding(matrix(names.embedding));
  const head = config.tieWordEmbeddings ? null : linear(names.output);
  const model = new LlamaModel(config, embedding, layers, norm(names.finalNorm), head);
  for (const [name, t] of Object.entries(tensors)) if (!used.has(name)) t.dispose();
  mx.evalSync(model.tensors());
  return model;
}
