// One rank of the collectives test: runs every collective on the data of inputs.mjs and prints the
// results as one JSON line for the test to check.
import * as mx from '@mlxts/core';
import { DTYPES, REDUCE_CASES, inputValues, message } from './inputs.mjs';

const group = mx.distributed.init({ strict: true, timeout: 30000 });
const { rank, size } = group;
const plain = (value) => JSON.parse(JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? Number(v) : v)));
const results = { rank, size, reduce: [], allGather: [] };

for (const [dtype, shape] of REDUCE_CASES) {
  const x = mx.reshape(mx.array(inputValues(rank, shape, dtype), dtype), shape);
  // The group passed explicitly for some ops, omitted (init()'s group) for others.
  const sum = mx.distributed.allSum(x, { group });
  const max = mx.distributed.allMax(x);
  const min = mx.distributed.allMin(x, { group, stream: 'cpu' });
  await mx.eval(sum, max, min);
  results.reduce.push({ dtype, shape, out: { allSum: [sum.dtype, sum.shape, plain(sum.toArray())], allMax: [max.dtype, max.shape, plain(max.toArray())], allMin: [min.dtype, min.shape, plain(min.toArray())] } });
}
for (const dtype of DTYPES) {
  for (const shape of [[2, 3], []]) {
    const gathered = mx.distributed.allGather(mx.reshape(mx.array(inputValues(rank, shape, dtype), dtype), shape));
    await gathered.eval();
    results.allGather.push({ dtype, shape, out: [gathered.dtype, gathered.shape, plain(gathered.toArray())] });
  }
}

// A message around the ring: each rank sends to its right-hand neighbour and receives from its left.
// Rank 0 sends first and every other rank receives first, so the ring never waits on itself.
const right = (rank + 1) % size;
const left = (rank + size - 1) % size;
const mine = mx.array(message(rank), 'int32');
let received;
if (rank === 0) {
  await mx.eval(mx.distributed.send(mine, right, { group }));
  received = mx.distributed.recvLike(mine, left, { group });
  await received.eval();
} else {
  received = mx.distributed.recv([6], 'int32', left);
  await received.eval();
  await mx.eval(mx.distributed.send(mine, right));
}
results.send = plain(mine.toArray());
results[rank === 0 ? 'recvLike' : 'recv'] = plain(received.toArray());

// What MLX 0.32.4's ring backend does not implement.
try {
  group.split(0);
  results.split = 'no error';
} catch (error) {
  results.split = `${error.name}: ${error.message}`;
}
try {
  await mx.distributed.sumScatter(mx.ones([size * 2]), { group }).eval();
  results.sumScatter = 'no error';
} catch (error) {
  results.sumScatter = `${error.name}: ${error.message}`;
}
// The ring is still usable after those errors.
const after = mx.distributed.allSum(mx.array([1]));
results.after = after.item();

console.log(`RESULT ${JSON.stringify(results)}`);
