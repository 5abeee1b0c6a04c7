// nn.averageGradients: MLX Python's nn.average_gradients, the step that makes data-parallel training
// work: every rank computes gradients on its share of the batch, and all of them continue with the mean.
import * as mx from '@mlxts/core';
import { checkOptions } from './checks.js';

export interface AverageGradientsOptions {
  /** The processes to average over. Default: `mx.distributed.init()`'s group. */
  group?: mx.Group;
  /**
   * Gradients are sent in batches of at least this many bytes (concatenated, summed in one collective,
   * split again), since one large transfer is faster than many small ones; 0 or less sends each gradient
   * on its own. Gradients of mixed dtypes are always sent one by one. Default: 32 MiB, as MLX.
   */
  allReduceSize?: number;
  /** Where the collectives run. Default: the group's communication stream. */
  stream?: mx.StreamLike;
}

const OP = 'averageGradients';

/**
 * The mean of `gradients` (a tree of tensors, the same structure and shapes on every rank) over the
 * processes of the group: each leaf becomes `allSum(leaf) / size`. In a group of one process the tree is
 * returned as it is. Like every op, the result is lazy: evaluating it (or the optimizer update built on
 * it) is when the ranks communicate.
 *
 * @example
 * ```ts
 * const [loss, grads] = lossAndGrad(xShard, yShard);   // this rank's share of the global batch
 * optimizer.update(model, nn.averageGradients(grads)); // every rank applies the same mean gradient
 * ```
 */
export function averageGradients<T>(gradients: T, options: AverageGradientsOptions = {}): T {
  if (arguments.length > 2) throw new TypeError(`${OP}: expected at most 2 arguments, got ${arguments.length}`);
  checkOptions(OP, options, ['group', 'allReduceSize', 'stream']);
  const allReduceSize = options.allReduceSize ?? 32 * 1024 ** 2;
  if (typeof allReduceSize !== 'number' || Number.isNaN(allReduceSize)) throw new TypeError(`${OP}: allReduceSize must be a number of bytes, got ${String(allReduceSize)}`);
  const group = options.group ?? mx.distributed.init();
  if (typeof group !== 'object' || group === null || typeof group.size !== 'number') throw new TypeError(`${OP}: group must be a group from mx.distributed.init()`);
  const flat = mx.treeFlatten(gradients);
  for (const [path, leaf] of flat) {
    if (!mx.isTensor(leaf)) throw new TypeError(`${OP}: every leaf of gradients must be a Tensor, but '${path}' is ${typeof leaf}`);
  }
  const size = group.size;
  if (size === 1 || flat.length === 0) return gradients;
  const collective = { group, ...(options.stream !== undefined ? { stream: options.stream } : {}) };
  const average = (x: mx.Tensor) => mx.distributed.allSum(x, collective).divide(size);

  const tensors = flat.map(([, leaf]) => leaf as mx.Tensor);
  const dtype = tensors[0]!.dtype;
  if (allReduceSize <= 0 || tensors.some((t) => t.dtype !== dtype)) {
    return mx.treeMap((leaf: mx.Tensor) => average(leaf), gradients) as T;
  }
  const averaged = mx.tidy(() => {
    const out: mx.Tensor[] = [];
    for (const batch of batchesBySize(tensors.map((t) => t.nbytes), allReduceSize)) {
      const joined = mx.concatenate(batch.map((i) => tensors[i]!.reshape([-1])));
      const offsets: number[] = []; // where each gradient after the first starts in `joined`
      for (const i of batch.slice(0, -1)) offsets.push((offsets[offsets.length - 1] ?? 0) + tensors[i]!.size);
      const parts = mx.split(average(joined), offsets);
      batch.forEach((i, k) => out.push(parts[k]!.reshape(tensors[i]!.shape)));
    }
    return out;
  });
  return mx.treeUnflatten(flat.map(([path], i) => [path, averaged[i]!])) as T;
}

/** Consecutive runs of indices whose byte counts add up to at least `limit` (the last run may be smaller). */
export function batchesBySize(nbytes: readonly number[], limit: number): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let total = 0;
  nbytes.forEach((n, i) => {
    current.push(i);
    total += n;
    if (total >= limit) {
      batches.push(current);
      current = [];
      total = 0;
    }
  });
  if (current.length > 0) batches.push(current);
  return batches;
}
