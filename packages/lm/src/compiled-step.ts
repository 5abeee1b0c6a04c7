// The decode step through mx.compile: each block's computations before and after attention are compiled
// functions, traced once and then replayed by MLX without running the model's JavaScript; the attention
// over the KV cache (fast.kvCacheAttention, whose shapes grow with every token) runs between them as one
// op. A step so costs about three calls per block instead of the ~20 ops per block an eager step builds
// one by one, which is what bounds decoding when the device is fast; MLX also fuses the elementwise
// chains of the compiled functions.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import type { KVCache } from './kv-cache.js';
import type { LlamaModel } from './models/llama.js';

/** One block's compiled computations before and after its attention. */
type CompiledBlock = {
  inputs: (h: Tensor, position: Tensor) => [Tensor, Tensor, Tensor];
  complete: (h: Tensor, attention: Tensor) => Tensor;
};

/** A model's compiled decode step. The weights are constants of the compiled graphs. */
export class CompiledDecodeStep {
  private readonly blocks: CompiledBlock[];
  private readonly head: (h: Tensor) => Tensor;

  constructor(private readonly model: LlamaModel) {
    // The position is a tensor, so that one trace serves every position.
    this.blocks = model.model.layers.map((block) => ({
      inputs: mx.compile((h: Tensor, position: Tensor) => block.attentionInputs(h, position)),
      complete: mx.compile((h: Tensor, attention: Tensor) => block.complete(h, attention)),
    }));
    this.head = mx.compile((h: Tensor) => model.logits(h));
  }

  /**
   * The logits `[1, 1, vocab]` after `token` (`[1, 1]` int32, lazy or computed) at the cache's offset;
   * stores the token's keys and values in `cache` and advances it by one position. Call it in `mx.tidy`.
   */
  run(token: Tensor, cache: KVCache): Tensor {
    const position = mx.array([cache.offset], 'int32');
    let h = this.model.model.embed_tokens.forward(token);
    this.blocks.forEach((block, i) => {
      const [q, k, v] = block.inputs(h, position);
      h = block.complete(h, cache.attend(i, q, k, v, this.model.model.layers[i].self_attn.scale));
    });
    cache.advance(1);
    return this.head(h);
  }
}
