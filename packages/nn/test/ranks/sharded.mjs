// One rank of sharded.test.ts: builds the same dense layers on every rank (same seed), shards them, and
// prints, for each case, the sharded result's shape and its largest difference from the unsharded layer's.
import * as mx from '@mlxts/core';
import * as nn from '@mlxts/nn';

const group = mx.distributed.init({ strict: true, timeout: 30000 });
const { rank, size } = group;
mx.random.seed(7);
const x = mx.random.normal([3, 64]);
const up = new nn.Linear(64, 192);
const down = new nn.Linear(192, 64);
const results = {};

/** This rank's slice [start, end) of the last axis, split by `shares`. */
const sliceOf = (t, shares) => {
  const total = shares.reduce((a, b) => a + b, 0);
  const n = t.shape[t.ndim - 1];
  const start = (n * shares.slice(0, rank).reduce((a, b) => a + b, 0)) / total;
  const end = start + (n * shares[rank]) / total;
  return mx.slice(t, [0, start], [t.shape[0], end]);
};
const record = (name, actual, expected) => {
  results[name] = { shape: actual.shape, maxDiff: mx.max(mx.abs(mx.subtract(actual, expected))).item() };
};

for (const [label, shares] of [['even', undefined], ['uneven', [2, 1]]]) {
  const s = shares ?? [1, 1];
  const a = nn.shardLinear(up, 'all-to-sharded', { group, shares });
  const b = nn.shardLinear(down, 'sharded-to-all', { group, shares });
  record(`${label}.allToSharded`, a.forward(x), sliceOf(up.forward(x), s));
  record(`${label}.shardedToAll`, b.forward(sliceOf(up.forward(x), s)), down.forward(up.forward(x)));
  record(`${label}.pair`, b.forward(nn.relu(a.forward(x))), down.forward(nn.relu(up.forward(x))));
  results[`${label}.classes`] = [a.constructor.name, b.constructor.name];

  // Gradients with respect to the input: the AllToSharded layer sums them over the ranks.
  const shardedGrad = mx.grad((input) => mx.sum(mx.square(b.forward(nn.relu(a.forward(input))))))(x);
  const denseGrad = mx.grad((input) => mx.sum(mx.square(down.forward(nn.relu(up.forward(input))))))(x);
  record(`${label}.inputGradient`, shardedGrad, denseGrad);

  const qUp = nn.QuantizedLinear.fromLinear(up, { groupSize: 32, bits: 4 });
  const qDown = nn.QuantizedLinear.fromLinear(down, { groupSize: 32, bits: 4 });
  const qa = nn.shardLinear(qUp, 'all-to-sharded', { group, shares });
  const qb = nn.shardLinear(qDown, 'sharded-to-all', { group, shares });
  results[`${label}.quantizedClasses`] = [qa.constructor.name, qb.constructor.name];
  record(`${label}.quantizedPair`, qb.forward(nn.relu(qa.forward(x))), qDown.forward(nn.relu(qUp.forward(x))));
}

// A fused projection of 3 parts: each rank keeps its slice of every part.
const fused = new nn.Linear(64, 3 * 32);
const fusedShard = nn.shardLinear(fused, 'all-to-sharded', { group, segments: 3 });
const full = fused.forward(x);
const parts = mx.split(full, 3, 1).map((part) => sliceOf(part, [1, 1]));
record('segments.allToSharded', fusedShard.forward(x), mx.concatenate(parts, 1));

// shardInplace: the same module class, with the parameters replaced by the shards.
const inplace = new nn.Linear(64, 96);
const expected = sliceOf(inplace.forward(x), [1, 1]);
nn.shardInplace(inplace, 'all-to-sharded', { group });
record('shardInplace', inplace.forward(x), expected);

results.errors = {};
const errorOf = (fn) => {
  try {
    fn();
    return null;
  } catch (e) {
    return `${e.constructor.name}: ${e.message}`;
  }
};
results.errors.indivisible = errorOf(() => nn.shardLinear(new nn.Linear(64, 5), 'all-to-sharded', { group }));
results.errors.quantizedGroups = errorOf(() => nn.shardLinear(nn.QuantizedLinear.fromLinear(new nn.Linear(128, 8), { groupSize: 64 }), 'sharded-to-all', { group, shares: [1, 3] }));
results.errors.shares = errorOf(() => nn.shardLinear(up, 'all-to-sharded', { group, shares: [1] }));
results.errors.sharding = errorOf(() => nn.shardLinear(up, 'all-to-all', { group }));
results.size = size;
console.log(`RESULT ${JSON.stringify(results)}`);
