// One rank of mnist-data-parallel.test.ts: the first steps of the digit example's training, each rank
// on its shard of every batch, printing (on rank 0) the loss of each step averaged over the ranks.
import * as mx from '@mlxts/core';
import { loadDigits } from '../../../examples/mnist/data.mjs';
import { batches, createTraining, epochOrder, shardOf } from '../../../examples/mnist/model.mjs';

const steps = Number(process.argv[2]);
const group = mx.distributed.init({ strict: true, timeout: 120000 });
const { train } = loadDigits();
const { model, optimizer, step } = createTraining(0, { group });
const order = epochOrder(train.labels.shape[0], 0);
const losses = [];
for (const batch of batches(train.images, train.labels, order)) {
  if (losses.length === steps) {
    batch.forEach((t) => t.dispose());
    break;
  }
  const [x, y] = shardOf(batch, group);
  const loss = step(x, y);
  await mx.eval(model.parameters(), optimizer.state, loss);
  losses.push(loss.item());
  for (const t of [loss, x, y]) t.dispose();
}
if (group.rank === 0) console.log(`RESULT ${JSON.stringify({ size: group.size, losses })}`);
