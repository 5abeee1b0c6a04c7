// A llama-family decoder (Llama, SmolLM, TinyLlama, Qwen2, Qwen3): token embedding, blocks of
// RMSNorm -> grouped-query attention with RoPE over a KV cache -> RMSNorm -> SwiGLU MLP with residual
// connections, a final RMSNorm and the output projection (or the tied embedding). Property names follow
// the Hugging Face / MLX checkpoints (`self_attn.q_proj`, ...), so weights load by name.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import * as fast from '@mlxts/fast';
import * as quant from '@mlxts/quant';
import type { KVCache } from '../kv-cache.js';
import type { LlamaConfig } from './config.js';
import { Embedding, Linear, RMSNorm } from './layers.js';

export class Attention {
  q_proj: Linear;
  k_proj: Linear;
  v_proj: Linear;
  o_proj: Linear;
  q_norm?: RMSNorm;
  k_norm?: RMSNorm;
  private readonly scale: number;
  private readonly ropeFreqs: Tensor | undefined;

  constructor(
    private readonly config: LlamaConfig,
    weights: { q_proj: Linear; k_proj: Linear; v_proj: Linear; o_proj: Linear; q_norm?: RMSNorm; k_norm?: RMSNorm },
    ropeFreqs: Tensor | undefined,
  ) {
    ({ q_proj: this.q_proj, k_proj: this.k_proj, v_proj: this.v_proj, o_proj: this.o_proj, q_norm: this.q_norm, k_norm: this.k_norm } = weights);
    this.scale = config.headDim ** -0.5;
    this.ropeFreqs = ropeFreqs;
  }

  /** `x` `[1, T, hidden]` at the cache's offset -> `[1, T, hidden]`; writes layer `layer` of the cache. */
  forward(x: Tensor, cache: KVCache, layer: number): Tensor {
    const { numHeads, numKvHeads, headDim } = this.config;
    const [batch, tokens] = x.shape;
    // [B, T, H * D] -> [B, H, T, D]
    const heads = (y: Tensor, n: number, norm?: RMSNorm) => {
      const split = mx.reshape(y, [batch, tokens, n, headDim]);
      return mx.transpose(norm ? norm.forward(split) : split, [0, 2, 1, 3]);
    };
    const rope = (y: Tensor) =>
      fast.rope(y, headDim, {
        traditional: this.config.ropeTraditional,
        offset: cache.offset,
        scale: this.config.ropeScale,
        ...(this.ropeFreqs ? { freqs: this.ropeFreqs } : { base: this.config.ropeTheta }),
      });
    const q = rope(heads(this.q_proj.forward(x), numHeads, this.q_norm));
    const k = rope(heads(this.k_proj.forward(x), numKvHeads, this.k_norm));
    const v = heads(this.v_proj.forward(x), numKvHeads);
    const out = cache.attend(layer, q, k, v, this.scale);
    return this.o_proj.forward(mx.reshape(mx.transpose(out, [0, 2, 1, 3]), [batch, tokens, numHeads * headDim]));
  }
}

export class Mlp {
  constructor(
    public gate_proj: Linear,
    public up_proj: Linear,
    public down_proj: Linear,
  ) {}

  forward(x: Tensor): Tensor {
    return this.down_proj.forward(fast.swiglu(this.gate_proj.forward(x), this.up_proj.forward(x)));
  }
}

export class TransformerBlock {
  constructor(
    public self_attn: Attention,
    public mlp: Mlp,
    public input_layernorm: RMSNorm,
    public post_attention_layernorm: RMSNorm,
  ) {}

  forward(x: Tensor, cache: KVCache, layer: number): Tensor {
    const h = mx.add(x, this.self_attn.forward(this.input_layernorm.forward(x), cache, layer));
    return mx.add(h, this.mlp.forward(this.post_attention_layernorm.forward(h)));
  }
}

/** The decoder: embeddings, blocks, final norm and output projection. */
export class LlamaModel {
  constructor(
    readonly config: LlamaConfig,
    public embed_tokens: Embedding,
    public layers: TransformerBlock[],
    public norm: RMSNorm,
    public lm_head: Linear | null,
  ) {}

  /**
   * Runs `tokens` `[1, T]` (int32) through the model at the cache's offset, filling the cache (and
   * advancing it by T). Returns the logits `[1, T, vocab]`, or `[1, 1, vocab]` for the last position only
   * with `lastOnly` (what generation needs: the output projection is the largest matmul of a small model).
   */
  forward(tokens: Tensor, cache: KVCache, options: { lastOnly?: boolean } = {}): Tensor {
    let h = this.embed_tokens.forward(tokens);
    this.layers.forEach((block, i) => {
      h = block.forward(h, cache, i);
    });
    cache.advance(tokens.shape[1]);
    const T = h.shape[1];
    if (options.lastOnly && T > 1) h = mx.slice(h, [0, T - 1, 0], [h.shape[0], T, h.shape[2]]);
    h = this.norm.forward(h);
    return this.lm_head ? this.lm_head.forward(h) : this.embed_tokens.asLinear(h);
  }

  /** Every tensor the model holds. */
  tensors(): Tensor[] {
    const out = new Set<Tensor>();
    const visit = (value: unknown) => {
      if (mx.isTensor(value)) out.add(value);
      else if (quant.isQuantized(value)) [value.weight, value.scales, value.biases].forEach(visit);
      else if (Array.isArray(value)) value.forEach(visit);
      else if (typeof value === 'object' && value !== null) Object.values(value).forEach(visit);
    };
    visit([this.embed_tokens, this.layers, this.norm, this.lm_head]);
    return [...out];
  }

  /** Frees the model's tensors. */
  dispose(): void {
    for (const t of this.tensors()) t.dispose();
  }
}
