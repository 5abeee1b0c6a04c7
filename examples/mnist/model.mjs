// The small CNN of the digit example and its training step, shared by the example
// (examples/train-mnist.mjs), the benchmark (bench/train-mnist.mjs) and the tests that compare its loss
// curve with MLX Python's (integration/test/mnist-training.test.ts, and mnist-data-parallel.test.ts on
// two processes). examples/mnist/reference.py is the
// same model and loop in MLX Python.
import * as mx from '@mlxts/core';
import * as nn from '@mlxts/nn';
import * as optim from '@mlxts/optimizers';

export const BATCH_SIZE = 64;
export const LEARNING_RATE = 1e-3;

/** Two 3x3 convolutions with max pooling (28 -> 14 -> 7), then two linear layers. */
export class DigitNet extends nn.Module {
  conv1 = new nn.Conv2d(1, 16, 3, { padding: 1 });
  conv2 = new nn.Conv2d(16, 32, 3, { padding: 1 });
  pool = new nn.MaxPool2d(2);
  fc1 = new nn.Linear(7 * 7 * 32, 64);
  fc2 = new nn.Linear(64, 10);

  /** Images `[N, 28, 28, 1]` to logits `[N, 10]`. */
  forward(x) {
    x = this.pool.forward(nn.relu(this.conv1.forward(x)));
    x = this.pool.forward(nn.relu(this.conv2.forward(x)));
    x = mx.reshape(x, [x.shape[0], -1]);
    return this.fc2.forward(nn.relu(this.fc1.forward(x)));
  }
}

/**
 * A model and an Adam optimizer, the weights drawn after `mx.random.seed(seed)` as MLX Python draws them,
 * and `step(x, y)`: one update on a batch, returning the loss (a scalar tensor the caller disposes). With
 * `compiled`, the step is one compiled MLX graph that reads and updates the model's and the optimizer's
 * state (their live `state` views).
 *
 * With a `group` of several processes (data parallel), each rank passes its shard of the batch
 * (`shardOf`); the gradients and the loss are averaged over the group, so every rank applies the update
 * of the whole batch and returns its loss.
 */
export function createTraining(seed = 0, { compiled = false, group } = {}) {
  if (compiled && group && group.size > 1) throw new Error('createTraining: the data-parallel step is not compiled');
  mx.random.seed(seed);
  const model = new DigitNet();
  const optimizer = new optim.Adam(LEARNING_RATE);
  const lossAndGrad = nn.valueAndGrad(model, (x, y) => nn.losses.crossEntropy(model.forward(x), y, { reduction: 'mean' }));
  const step = (x, y) =>
    mx.tidy(() => {
      const [loss, grads] = lossAndGrad(x, y);
      if (!group || group.size === 1) {
        optimizer.update(model, grads);
        return loss;
      }
      optimizer.update(model, nn.averageGradients(grads, { group }));
      return mx.distributed.allSum(loss, { group }).divide(group.size);
    });
  if (!compiled) return { model, optimizer, step };
  // The state must exist before compiling: the compiled graph reads and writes exactly these tensors.
  optimizer.init(model.trainableParameters());
  const state = [model.state, optimizer.state];
  const compiledStep = mx.compile(step, { inputs: state, outputs: state });
  const tensorsOf = (tree) => new Set(mx.treeFlatten(tree).map(([, t]) => t));
  return {
    model,
    optimizer,
    step: (x, y) => {
      // mx.compile writes the new parameters and optimizer state into `state`; the tensors they replace
      // are freed here, as optimizer.update frees them in the eager step.
      const before = tensorsOf(state);
      const loss = compiledStep(x, y);
      const after = tensorsOf(state);
      for (const t of before) if (!after.has(t)) t.dispose();
      return loss;
    },
  };
}

/** The order of the training samples in `epoch`: a permutation drawn from a key of its own. */
export function epochOrder(count, epoch) {
  return mx.random.permutation(count, 0, { key: mx.random.key(epoch) });
}

/** The batches of an epoch as [images, labels], in `order`. */
export function* batches(images, labels, order, batchSize = BATCH_SIZE) {
  const count = order.shape[0];
  for (let start = 0; start < count; start += batchSize) {
    const ids = mx.slice(order, [start], [Math.min(start + batchSize, count)]);
    yield [mx.take(images, ids, 0), mx.take(labels, ids, 0)];
    ids.dispose();
  }
}

/**
 * This rank's share of a batch: rows `[rank * n / size, (rank + 1) * n / size)` (the batch size must be
 * divisible by the group's size, so every shard's mean loss weighs the same). Disposes the whole batch.
 */
export function shardOf([x, y], group) {
  const rows = x.shape[0];
  if (rows % group.size !== 0) throw new Error(`shardOf: a batch of ${rows} does not split evenly over ${group.size} ranks`);
  const start = (rows / group.size) * group.rank;
  const end = start + rows / group.size;
  const shard = [mx.slice(x, [start, 0, 0, 0], [end, 28, 28, 1]), mx.slice(y, [start], [end])];
  x.dispose();
  y.dispose();
  return shard;
}

/** The fraction of `images` the model classifies correctly, in evaluation mode. */
export function accuracy(model, images, labels, batchSize = 500) {
  model.eval();
  let correct = 0;
  for (let start = 0; start < labels.shape[0]; start += batchSize) {
    const end = Math.min(start + batchSize, labels.shape[0]);
    correct += mx.tidy(() => {
      const x = mx.slice(images, [start, 0, 0, 0], [end, 28, 28, 1]);
      const y = mx.slice(labels, [start], [end]);
      return mx.sum(mx.equal(mx.argmax(model.forward(x), 1), y)).item();
    });
  }
  model.train();
  return correct / labels.shape[0];
}
