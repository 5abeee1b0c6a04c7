// Transforms in worker_threads: each thread traces its own functions (MLX keeps compile caches per
// thread), concurrently with the main thread, and a worker ending with compiled functions alive is fine.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';

function runWorker(scale: number): Promise<number[][]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./fixtures/transforms-worker.mjs', import.meta.url), { workerData: { scale } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
  });
}

/** What the worker computes for step i, in float32. */
function expected(scale: number, i: number): number[] {
  const xs = [i / 10, 1].map(Math.fround);
  return [...xs.map((x) => 2 * x * scale), ...xs.map((x) => Math.sin(x) * scale), ...xs.map(() => Math.min(scale, 1))];
}

describe('transforms in worker_threads', () => {
  it('two workers and the main thread differentiate and compile at the same time', async () => {
    const workers = [2, 0.5].map(runWorker);
    const compiled = mx.compile((x: mx.Tensor) => mx.exp(x));
    for (let i = 0; i < 20; i++) {
      mx.tidy(() => {
        expect(mx.grad((v: mx.Tensor) => mx.sum(compiled(v)))(mx.array([0])).toArray()).toEqual([1]);
      });
    }
    const outputs = await Promise.all(workers);
    [2, 0.5].forEach((scale, w) => {
      outputs[w].forEach((row, i) => row.forEach((v, k) => expect(v, `worker ${w}, step ${i}, value ${k}`).toBeCloseTo(expected(scale, i)[k], 5)));
    });
  });
});
