// The key/value cache of a decoder: per layer, preallocated key and value tensors `[1, kvHeads, capacity,
// headDim]` that `fast.kvCacheAttention` fills in place. Capacity grows in steps as the sequence does
// (a grown cache is copied once into a larger buffer), so a short generation does not reserve the model's
// whole context.
import * as mx from '@mlxts/core';
import type { DType, Tensor } from '@mlxts/core';
import * as fast from '@mlxts/fast';

/** Positions added each time a cache grows. */
const STEP = 256;

/** One layer's keys and values. */
interface LayerCache {
  keys: Tensor;
  values: Tensor;
}

/** A decoder's KV cache: the positions filled so far (`offset`) and each layer's keys and values. */
export class KVCache {
  private layers: (LayerCache | null)[];
  /** Number of positions already filled. */
  offset = 0;

  constructor(
    numLayers: number,
    private readonly kvHeads: number,
    private readonly headDim: number,
    private readonly dtype: DType = 'float32',
  ) {
    this.layers = Array.from({ length: numLayers }, () => null);
  }

  /** Positions each layer's buffers hold now. */
  get capacity(): number {
    return this.layers[0]?.keys.shape[2] ?? 0;
  }

  /**
   * Attention of `queries` over the cached positions and the new `keys`/`values` (`[1, heads, T, headDim]`,
   * after RoPE), causal, writing the new entries into layer `layer`'s buffers. Does not advance `offset`
   * (call `advance` once every layer has run).
   */
  attend(layer: number, queries: Tensor, keys: Tensor, values: Tensor, scale: number): Tensor {
    const tokens = keys.shape[2];
    const cache = this.reserve(layer, this.offset + tokens);
    const [out, k, v] = fast.kvCacheAttention(queries, keys, values, cache.keys, cache.values, this.offset, { scale });
    // The old buffers were consumed by the call; the new ones outlive the caller's tidy scope.
    this.layers[layer] = { keys: mx.keep(k), values: mx.keep(v) };
    return out;
  }

  /** Marks `tokens` more positions as filled. */
  advance(tokens: number): void {
    this.offset += tokens;
  }

  /** Evaluates every buffer (after a prefill chunk, so the next one starts from computed keys and values). */
  async eval(): Promise<void> {
    await mx.eval(this.layers.flatMap((l) => (l ? [l.keys, l.values] : [])));
  }

  /** Frees every buffer; the cache starts over empty. */
  dispose(): void {
    for (const layer of this.layers) {
      layer?.keys.dispose();
      layer?.values.dispose();
    }
    this.layers = this.layers.map(() => null);
    this.offset = 0;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** The layer's buffers, grown (by whole steps) to hold at least `needed` positions. */
  private reserve(layer: number, needed: number): LayerCache {
    const current = this.layers[layer];
    const have = current?.keys.shape[2] ?? 0;
    if (current && needed <= have) return current;
    const size = Math.ceil(needed / STEP) * STEP;
    const grow = (old: Tensor | undefined) => {
      const fresh = mx.zeros([1, this.kvHeads, size - have, this.headDim], this.dtype);
      if (old === undefined) return fresh;
      const grown = mx.concatenate([old, fresh], 2);
      old.dispose();
      fresh.dispose();
      return grown;
    };
    const next = { keys: mx.keep(grow(current?.keys)), values: mx.keep(grow(current?.values)) };
    this.layers[layer] = next;
    return next;
  }
}
