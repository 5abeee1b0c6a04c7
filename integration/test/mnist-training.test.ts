// The digit example (examples/train-mnist.mjs) against MLX Python: the same data, model, initial weights
// (drawn from MLX's generator after seed 0), batch order and Adam updates must give the same losses over
// the first 20 steps. The reference curve was recorded by examples/mnist/reference.py with mlx 0.32.4.
import { fileURLToPath } from 'node:url';
import * as mx from '@mlxts/core';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain .mjs example modules, without type declarations
import { loadDigits } from '../../examples/mnist/data.mjs';
// @ts-expect-error: plain .mjs example modules, without type declarations
import { batches, createTraining, epochOrder } from '../../examples/mnist/model.mjs';

const reference = mx.load(fileURLToPath(new URL('../../examples/mnist/reference-losses.safetensors', import.meta.url)) as `${string}.safetensors`);

const expected = Array.from(reference.losses.toTypedArray() as Float32Array);
const { train } = loadDigits();

/**
 * The losses of the first steps of the example's training, eager or compiled. Evaluation is awaited, so
 * the test worker's event loop keeps answering Vitest while the steps run.
 */
async function firstLosses(compiled: boolean): Promise<number[]> {
  const { model, optimizer, step } = createTraining(0, { compiled });
  const losses: number[] = [];
  const order = epochOrder(train.labels.shape[0], 0);
  let live = 0;
  for (const [x, y] of batches(train.images, train.labels, order)) {
    if (losses.length === expected.length) {
      x.dispose();
      y.dispose();
      break;
    }
    const loss = step(x, y);
    await mx.eval(model.parameters(), optimizer.state, loss);
    losses.push(loss.item() as number);
    for (const t of [loss, x, y]) t.dispose();
    // After the first steps (which create the optimizer state, and the compiled graph), each step frees
    // what it replaces: the count does not grow (it can shrink when the garbage collector frees handles
    // the tracing left unreachable).
    if (losses.length === 2) live = mx.memory().liveTensors;
  }
  expect(mx.memory().liveTensors).toBeLessThanOrEqual(live);
  order.dispose();
  model.dispose();
  optimizer.dispose();
  return losses;
}

describe('examples/train-mnist.mjs against MLX Python', () => {
  it('gives the loss curve of the same training in MLX Python for the first 20 steps', async () => {
    const losses = await firstLosses(false);
    // float32 training: the curves agree to rounding that grows slowly with the steps.
    losses.forEach((loss, i) => expect(Math.abs(loss - expected[i]), `step ${i}: ${loss} vs ${expected[i]}`).toBeLessThan(1e-4 * (1 + i)));
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] / 2);
  }, 300_000);

  it('gives the same losses with the training step compiled by mx.compile', async () => {
    const losses = await firstLosses(true);
    losses.forEach((loss, i) => expect(Math.abs(loss - expected[i]), `step ${i}: ${loss} vs ${expected[i]}`).toBeLessThan(1e-4 * (1 + i)));
  }, 300_000);
});
