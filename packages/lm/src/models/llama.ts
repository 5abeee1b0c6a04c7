// A llama-family decoder (Llama, SmolLM, TinyLlama, Qwen2, Qwen3) on @mlxts/nn: token embedding, blocks of
// RMSNorm -> grouped-query attention with RoPE over a KV cache -> RMSNorm -> SwiGLU MLP with residual
// connections, a final RMSNorm and the output projection (or the tied embedding). Property names are the
// Hugging Face / mlx-lm checkpoint names (`model.layers.0.self_attn.q_proj.weight`), so weights load by name.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import * as fast from '@mlxts/fast';
import * as nn from '@mlxts/nn';
import type { KVCache } from '../kv-cache.js';
import type { LlamaConfig } from './config.js';

/**
 * How the layer at `path` (`'model.layers.0.mlp.up_proj'`) is stored quantized, or undefined for a dense
 * layer. Checkpoints quantize some layers and not others (a GGUF's Q8_0 embedding next to Q4_1 blocks).
 */
export type QuantizationOf = (path: string) => nn.QuantizeLayerOptions | undefined;

const dense: QuantizationOf = () => undefined;

/** A Linear, or a QuantizedLinear where the checkpoint is quantized. */
function linear(quantized: QuantizationOf, path: string, inputDims: number, outputDims: number, bias = false): nn.Linear | nn.QuantizedLinear {
  const q = quantized(path);
  return q ? new nn.QuantizedLinear(inputDims, outputDims, { ...q, bias }) : new nn.Linear(inputDims, outputDims, { bias });
}

/** RoPE with explicit per-frequency periods (Llama 3.1's scaled RoPE), which nn.RoPE does not take. */
class RoPEWithPeriods extends nn.Module {
  readonly _periods: Tensor;

  constructor(
    readonly dims: number,
    readonly traditional: boolean,
    periods: number[],
  ) {
    super();
    this._periods = mx.array(Float32Array.from(periods));
  }

  forward(x: Tensor, offset: number | Tensor): Tensor {
    return fast.rope(x, this.dims, { traditional: this.traditional, freqs: this._periods, offset });
  }
}

/** A projection: dense, quantized, or this rank's shard of either (tensor parallelism, see shardModel). */
export type Projection = nn.Linear | nn.QuantizedLinear | nn.ShardedLinear;

export class Attention extends nn.Module {
  q_proj: Projection;
  k_proj: Projection;
  v_proj: Projection;
  o_proj: Projection;
  /** The query and key/value heads this module computes: all of them, or this rank's under tensor parallelism. */
  numHeads: number;
  numKvHeads: number;
  q_norm?: nn.RMSNorm;
  k_norm?: nn.RMSNorm;
  rope: nn.RoPE | RoPEWithPeriods;

  constructor(
    readonly config: LlamaConfig,
    quantized: QuantizationOf,
    path: string,
  ) {
    super();
    const { hiddenSize, numHeads, numKvHeads, headDim, attentionBias } = config;
    this.numHeads = numHeads;
    this.numKvHeads = numKvHeads;
    this.q_proj = linear(quantized, `${path}.q_proj`, hiddenSize, numHeads * headDim, attentionBias);
    this.k_proj = linear(quantized, `${path}.k_proj`, hiddenSize, numKvHeads * headDim, attentionBias);
    this.v_proj = linear(quantized, `${path}.v_proj`, hiddenSize, numKvHeads * headDim, attentionBias);
    this.o_proj = linear(quantized, `${path}.o_proj`, numHeads * headDim, hiddenSize);
    if (config.qkNorm) {
      this.q_norm = new nn.RMSNorm(headDim, { eps: config.rmsNormEps });
      this.k_norm = new nn.RMSNorm(headDim, { eps: config.rmsNormEps });
    }
    this.rope = config.ropeFreqs
      ? new RoPEWithPeriods(headDim, config.ropeTraditional, config.ropeFreqs)
      : new nn.RoPE(headDim, { traditional: config.ropeTraditional, base: config.ropeTheta, scale: config.ropeScale });
  }

  /** The softmax scale of the attention scores. */
  get scale(): number {
    return this.config.headDim ** -0.5;
  }

  /**
   * Queries, keys and values `[B, heads, T, headDim]` of `x` `[B, T, hidden]` at positions from `offset`
   * (a number, or a `[1]` int32 tensor in a compiled step), RoPE applied.
   */
  project(x: Tensor, offset: number | Tensor): [Tensor, Tensor, Tensor] {
    const { numHeads, numKvHeads } = this;
    const { headDim } = this.config;
    const [batch, tokens] = x.shape;
    // [B, T, H * D] -> [B, H, T, D], with the per-head norm (Qwen3) before the transpose.
    const heads = (y: Tensor, n: number, norm?: nn.RMSNorm) => {
      const split = mx.reshape(y, [batch, tokens, n, headDim]);
      return mx.transpose(norm ? norm.forward(split) : split, [0, 2, 1, 3]);
    };
    const q = this.rope.forward(heads(this.q_proj.forward(x), numHeads, this.q_norm), offset);
    const k = this.rope.forward(heads(this.k_proj.forward(x), numKvHeads, this.k_norm), offset);
    return [q, k, heads(this.v_proj.forward(x), numKvHeads)];
  }

  /** The attention's output `[B, heads, T, headDim]` through the output projection -> `[B, T, hidden]`. */
  output(attention: Tensor): Tensor {
    const [batch, , tokens] = attention.shape;
    return this.o_proj.forward(mx.reshape(mx.transpose(attention, [0, 2, 1, 3]), [batch, tokens, this.numHeads * this.config.headDim]));
  }

  /** `x` `[B, T, hidden]` at the cache's offset -> `[B, T, hidden]`; fills layer `layer` of the cache. */
  forward(x: Tensor, cache: KVCache, layer: number): Tensor {
    const [q, k, v] = this.project(x, cache.offset);
    return this.output(cache.attend(layer, q, k, v, this.scale));
  }
}

export class Mlp extends nn.Module {
  gate_proj: Projection;
  up_proj: Projection;
  down_proj: Projection;

  constructor(hiddenSize: number, intermediateSize: number, quantized: QuantizationOf, path: string) {
    super();
    this.gate_proj = linear(quantized, `${path}.gate_proj`, hiddenSize, intermediateSize);
    this.up_proj = linear(quantized, `${path}.up_proj`, hiddenSize, intermediateSize);
    this.down_proj = linear(quantized, `${path}.down_proj`, intermediateSize, hiddenSize);
  }

  forward(x: Tensor): Tensor {
    return this.down_proj.forward(fast.swiglu(this.gate_proj.forward(x), this.up_proj.forward(x)));
  }
}

export class TransformerBlock extends nn.Module {
  self_attn: Attention;
  mlp: Mlp;
  input_layernorm: nn.RMSNorm;
  post_attention_layernorm: nn.RMSNorm;

  constructor(config: LlamaConfig, quantized: QuantizationOf, path: string) {
    super();
    this.self_attn = new Attention(config, quantized, `${path}.self_attn`);
    this.mlp = new Mlp(config.hiddenSize, config.intermediateSize, quantized, `${path}.mlp`);
    this.input_layernorm = new nn.RMSNorm(config.hiddenSize, { eps: config.rmsNormEps });
    this.post_attention_layernorm = new nn.RMSNorm(config.hiddenSize, { eps: config.rmsNormEps });
  }

  /** What the block's attention reads of its input `x`: queries, keys and values (see `Attention.project`). */
  attentionInputs(x: Tensor, offset: number | Tensor): [Tensor, Tensor, Tensor] {
    return this.self_attn.project(this.input_layernorm.forward(x), offset);
  }

  /** The block's output from its input `x` and its attention's output before the output projection. */
  complete(x: Tensor, attention: Tensor): Tensor {
    const h = mx.add(x, this.self_attn.output(attention));
    return mx.add(h, this.mlp.forward(this.post_attention_layernorm.forward(h)));
  }

  forward(x: Tensor, cache: KVCache, layer: number): Tensor {
    const [q, k, v] = this.attentionInputs(x, cache.offset);
    return this.complete(x, cache.attend(layer, q, k, v, this.self_attn.scale));
  }
}

/** The stack under the output projection: embeddings, blocks and the final norm. */
export class LlamaBody extends nn.Module {
  embed_tokens: nn.Embedding | nn.QuantizedEmbedding;
  layers: TransformerBlock[];
  norm: nn.RMSNorm;

  constructor(config: LlamaConfig, quantized: QuantizationOf) {
    super();
    const q = quantized('model.embed_tokens');
    this.embed_tokens = q ? new nn.QuantizedEmbedding(config.vocabSize, config.hiddenSize, q) : new nn.Embedding(config.vocabSize, config.hiddenSize);
    this.layers = Array.from({ length: config.numLayers }, (_, i) => new TransformerBlock(config, quantized, `model.layers.${i}`));
    this.norm = new nn.RMSNorm(config.hiddenSize, { eps: config.rmsNormEps });
  }
}

/** Options of `LlamaModel.forward`. */
export interface ForwardOptions {
  /** Project only the last position to logits (what generation needs). */
  lastOnly?: boolean;
}

/** A llama-family language model: `forward` maps token ids to next-token logits over a KV cache. */
export class LlamaModel extends nn.Module {
  model: LlamaBody;
  lm_head?: nn.Linear | nn.QuantizedLinear;

  /**
   * A model with freshly initialized weights (load real ones with `loadWeights`); `quantized` says which
   * layers are quantized and how (none by default).
   */
  constructor(
    readonly config: LlamaConfig,
    quantized: QuantizationOf = dense,
  ) {
    super();
    this.model = new LlamaBody(config, quantized);
    if (!config.tieWordEmbeddings) this.lm_head = linear(quantized, 'lm_head', config.hiddenSize, config.vocabSize);
  }

  /** The key/value heads each layer's KV cache holds: all of them, or this rank's under tensor parallelism. */
  get cacheKvHeads(): number {
    return this.model.layers[0]?.self_attn.numKvHeads ?? this.config.numKvHeads;
  }

  /**
   * Runs `tokens` `[1, T]` (int32) through the model at the cache's offset, filling the cache and
   * advancing it by T. Returns the logits `[1, T, vocab]`, or `[1, 1, vocab]` with `lastOnly` (for a
   * small model the output projection is the largest matmul, and generation needs only the last row).
   */
  forward(tokens: Tensor, cache: KVCache, options: ForwardOptions = {}): Tensor {
    let h = this.model.embed_tokens.forward(tokens);
    this.model.layers.forEach((block, i) => {
      h = block.forward(h, cache, i);
    });
    cache.advance(tokens.shape[1]);
    return this.logits(h, options);
  }

  /** The logits `[1, T, vocab]` of the last block's output `h` (`[1, 1, vocab]` with `lastOnly`). */
  logits(h: Tensor, options: ForwardOptions = {}): Tensor {
    const [batch, T, width] = h.shape;
    if (options.lastOnly && T > 1) h = mx.slice(h, [0, T - 1, 0], [batch, T, width]);
    h = this.model.norm.forward(h);
    return this.lm_head ? this.lm_head.forward(h) : this.model.embed_tokens.asLinear(h);
  }
}
