// Tensor parallelism for the llama family, as mlx-lm's `Model.shard`: in every block the query, key, value,
// gate and up projections become AllToShardedLinear (each rank computes some heads and some MLP features)
// and the output and down projections ShardedToAllLinear (their partial results are summed over the
// group), so each block costs two allSums. Embeddings, norms and the output projection stay whole on
// every rank.
//
// Attention is split along key/value heads, each rank taking whole groups of query heads with their
// shared key/value head. mlx-lm requires the head counts to divide by the group size; here the groups are
// dealt out as evenly as they go (SmolLM2-135M's 3 key/value heads on 2 ranks: rank 0 has key/value heads
// 0-1 with query heads 0-5, rank 1 key/value head 2 with query heads 6-8), using nn.shardLinear's `shares`.
import * as mx from '@mlxts/core';
import { MlxError, type Group } from '@mlxts/core';
import * as nn from '@mlxts/nn';
import type { LlamaModel, Projection } from './llama.js';

const OP = 'shardModel';

/** How many key/value heads each of `size` ranks takes: `heads / size`, the first `heads % size` one more. */
export function kvHeadShares(heads: number, size: number): number[] {
  return Array.from({ length: size }, (_, r) => Math.floor(heads / size) + (r < heads % size ? 1 : 0));
}

function shard(layer: Projection, sharding: nn.Sharding, group: Group, shares?: number[]): nn.ShardedLinear {
  if (!(layer instanceof nn.Linear || layer instanceof nn.QuantizedLinear)) throw new MlxError(`${OP}: the model is already sharded`, OP);
  const sharded = nn.shardLinear(layer, sharding, { group, shares });
  layer.dispose();
  return sharded;
}

/**
 * Shards `model` in place over `group` (default: `mx.distributed.init()`'s) for tensor-parallel inference:
 * every rank of the group must load the same model and call this, then run the same generation (same
 * prompt and options); each holds and computes its share of every block, and all get the same tokens.
 * In a group of one process the model is left as it is.
 *
 * @example
 * ```ts
 * const group = mx.distributed.init();
 * const lm = await loadModel(path, { tensorGroup: group }); // calls shardModel
 * const { text } = await lm.generate('Hello', { maxTokens: 32 }).complete(); // the same on every rank
 * ```
 */
export function shardModel(model: LlamaModel, group: Group = mx.distributed.init()): LlamaModel {
  if (typeof group !== 'object' || group === null || typeof group.size !== 'number') throw new TypeError(`${OP}: the group must be a group from mx.distributed.init()`);
  const { size } = group;
  if (size === 1) return model;
  const { numKvHeads, numHeads } = model.config;
  if (numKvHeads < size) throw new MlxError(`${OP}: the model has ${numKvHeads} key/value heads, fewer than the ${size} ranks (each rank needs at least one)`, OP);
  const kvShares = kvHeadShares(numKvHeads, size);
  const queriesPerKv = numHeads / numKvHeads;
  for (const block of model.model.layers) {
    const attention = block.self_attn;
    attention.q_proj = shard(attention.q_proj, 'all-to-sharded', group, kvShares);
    attention.k_proj = shard(attention.k_proj, 'all-to-sharded', group, kvShares);
    attention.v_proj = shard(attention.v_proj, 'all-to-sharded', group, kvShares);
    attention.o_proj = shard(attention.o_proj, 'sharded-to-all', group, kvShares);
    attention.numKvHeads = kvShares[group.rank]!;
    attention.numHeads = attention.numKvHeads * queriesPerKv;
    const mlp = block.mlp;
    mlp.gate_proj = shard(mlp.gate_proj, 'all-to-sharded', group);
    mlp.up_proj = shard(mlp.up_proj, 'all-to-sharded', group);
    mlp.down_proj = shard(mlp.down_proj, 'sharded-to-all', group);
  }
  // The shards are slices of the loaded weights; evaluating them lets the whole weights go.
  mx.evalSync(model.parameters());
  return model;
}
