// The mlxts rank of the mixed ring test (mixed.test.ts): the same steps as mixed.py.
import * as mx from '@mlxts/core';

const group = mx.distributed.init({ strict: true, backend: 'ring', timeout: 30000 });
const { rank, size } = group;
const total = mx.distributed.allSum(mx.array([rank + 1, 10 * rank]), { group });
const gathered = mx.distributed.allGather(mx.array([[rank, rank * 2]], 'int32'), { group });
const left = (rank + size - 1) % size;
const right = (rank + 1) % size;
const mine = mx.arange(rank * 100, rank * 100 + 5, 1, 'int32');
let received;
if (rank === 0) {
  await mx.eval(mx.distributed.send(mine, right, { group }));
  received = mx.distributed.recvLike(mine, left, { group });
} else {
  received = mx.distributed.recvLike(mine, left, { group });
  await received.eval();
  await mx.eval(mx.distributed.send(mine, right, { group }));
}
await mx.eval(total, gathered, received);
console.log(`RESULT ${JSON.stringify({ rank, size, total: total.toArray(), gathered: gathered.toArray(), received: received.toArray() })}`);
