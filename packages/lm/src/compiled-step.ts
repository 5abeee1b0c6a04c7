// The decode step through mx.compile: one token's pass through the model, traced once per cache capacity
// and then replayed by MLX without running the model's JavaScript. A step costs one call instead of the
// ~20 ops per layer an eager step builds one by one, which is what bounds decoding when the device is fast
// (on a GPU, building an eager step's graph takes longer than computing it); MLX also fuses the
// elementwise chains of the traced graph.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import type { KVCache } from './kv-cache.js';
import { DecodeStepCache } from './kv-cache.js';
import type { LlamaModel } from './models/llama.js';

/** A model's compiled decode step. The weights are constants of the compiled graph. */
export class CompiledDecodeStep {
  private readonly compiled: (token: Tensor, position: Tensor, buffers: Tensor[]) => [Tensor, Tensor[]];

  constructor(model: LlamaModel) {
    this.compiled = mx.compile((token: Tensor, position: Tensor, buffers: Tensor[]): [Tensor, Tensor[]] => {
      const view = new DecodeStepCache(position, buffers);
      const logits = model.forward(token, view, { lastOnly: true });
      return [logits, view.updated];
    });
  }

  /**
   * The logits `[1, 1, vocab]` after `token` (`[1, 1]` int32, lazy or computed) at the cache's offset;
   * stores the token's keys and values in `cache` and advances it by one position.
   */
  run(token: Tensor, cache: KVCache): Tensor {
    const buffers = cache.reserveAll(cache.offset + 1);
    const position = mx.array([cache.offset], 'int32');
    const [logits, updated] = this.compiled(token, position, buffers);
    position.dispose();
    // Freeing the old buffers before evaluation leaves the graph their only holder, so MLX writes the new
    // entries into them in place instead of copying every layer's cache each step.
    cache.replaceAll(updated);
    cache.advance(1);
    return logits;
  }
}
