// One rank of distributed.test.ts: averages a gradient tree whose leaves depend on the rank, with each
// batching of the transfers, and prints the results.
import * as mx from '@mlxts/core';
import * as nn from '@mlxts/nn';

const group = mx.distributed.init({ strict: true, timeout: 30000 });
const r = group.rank;
const tree = () => ({
  layers: [{ weight: mx.array([[r, 2 * r], [3, 4 + r]]), bias: mx.array([10 * r]) }, { weight: mx.full([3], r + 1) }],
  scale: mx.array(r * 4),
});
const plain = (t) => mx.treeMap((leaf) => [leaf.dtype, leaf.shape, leaf.toArray()], t);
const results = {};
for (const [name, options] of [['default', {}], ['oneByOne', { allReduceSize: 0 }], ['batchesOf8Bytes', { allReduceSize: 8, group }]]) {
  const averaged = nn.averageGradients(tree(), options);
  await mx.eval(mx.treeFlatten(averaged).map(([, t]) => t));
  results[name] = plain(averaged);
}
const mixed = nn.averageGradients({ a: mx.array([r], 'float16'), b: mx.array([2 * r], 'float32') });
results.mixed = plain(mixed);
console.log(`RESULT ${JSON.stringify(results)}`);
